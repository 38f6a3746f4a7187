"""Escalation notices: who is told, in the app and by email."""

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kieubao.platform import i18n
from kieubao.platform.db import on_commit
from kieubao.platform.i18n import gettext as _
from kieubao.platform.jobs import enqueue
from kieubao.platform.mail import send_mails
from kieubao.platform.models import Role, User
from kieubao.protection.models import Case, CaseStep, Notification


def recipients(session: Session, case: Case) -> list[User]:
    """The officers of the mission with jurisdiction, and the HQ desk."""
    mission_officers = (User.role == Role.mission_officer) & (User.mission_id == case.mission_id)
    return list(
        session.scalars(
            select(User)
            .where(User.is_active, or_(User.role == Role.hq_officer, mission_officers))
            .order_by(User.id)
        )
    )


def notify_escalation(session: Session, case: Case, step: CaseStep | None) -> list[Notification]:
    """An in-app notice to each recipient, in their language, and the same by email once
    the escalation is committed (the message id is the notice's, so a retry sends one)."""
    notices: list[tuple[User, Notification]] = []
    for user in recipients(session, case):
        with i18n.speaking(user.locale):
            if step is None:
                text = _("Case {number} escalated: a life is at risk").format(number=case.number)
            else:
                name = step.name_vi if user.locale == "vi" else step.name_en
                text = _("Case {number} escalated: the step “{step}” is overdue").format(
                    number=case.number, step=name
                )
        notices.append((user, Notification(user_id=user.id, case_id=case.id, text=text)))
    session.add_all(n for _u, n in notices)
    session.flush()
    mails = [
        {
            "to": user.email,
            "subject": notice.text,
            "body": notice.text,
            "message_id": f"<case-notice-{notice.id}@kieubao>",
        }
        for user, notice in notices
    ]
    if mails:
        # One write to the job queue, not one per recipient: an escalation at intake is
        # queued by the group writer, which every report waits on.
        on_commit(session, enqueue, send_mails, mails=mails)
    return [notice for _u, notice in notices]
