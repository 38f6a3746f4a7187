"""How coordination's states read to a person, in their language."""

from kieubao.coordination.models import ReviewKind, TaskStatus
from kieubao.platform.i18n import gettext as _


def kind_label(kind: ReviewKind) -> str:
    return {
        ReviewKind.six_month: _("Six-month review (sơ kết)"),
        ReviewKind.yearly: _("Yearly review (sơ kết)"),
        ReviewKind.five_year: _("Five-year review (tổng kết)"),
        ReviewKind.twenty_year: _("Twenty-year review (tổng kết)"),
    }[kind]


def status_label(status: TaskStatus) -> str:
    return {
        TaskStatus.planned: _("Planned"),
        TaskStatus.in_progress: _("In progress"),
        TaskStatus.done: _("Done"),
        TaskStatus.cancelled: _("Cancelled"),
    }[status]
