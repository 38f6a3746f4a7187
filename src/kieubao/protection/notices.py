"""Escalation notices: who is told, in the app and by email."""

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kieubao.platform import i18n
from kieubao.platform.db import on_commit_together
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
    for user, notice in notices:
        # Gathered over the transaction: settling fifty cases at risk at once mails each
        # officer once, the fifty listed, not fifty times.
        on_commit_together(session, _mail, (user.email, user.locale, notice.text, notice.id))
    return [notice for _u, notice in notices]


def _mail(notices: list[tuple[str, str, str, int]]) -> None:
    """One mail a recipient for the escalations of a transaction, queued as one job."""
    by_recipient: dict[str, list[tuple[str, str, int]]] = {}
    for to, locale, text, notice_id in notices:
        by_recipient.setdefault(to, []).append((locale, text, notice_id))
    mails = []
    for to, theirs in by_recipient.items():
        locale, first, first_id = theirs[0]
        subject = first
        if len(theirs) > 1:
            with i18n.speaking(locale):
                subject = _("{count} cases escalated").format(count=len(theirs))
        mails.append(
            {
                "to": to,
                "subject": subject,
                "body": "\n".join(text for _l, text, _i in theirs),
                # The same on a retry of the job: the receiving side folds a repeat.
                "message_id": f"<case-notice-{first_id}-{len(theirs)}@kieubao>",
            }
        )
    enqueue(send_mails, mails=mails)
