"""Escalation notices: who is told, in the app and by email."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from kieubao.platform import i18n
from kieubao.platform.db import on_commit_together
from kieubao.platform.i18n import gettext as _
from kieubao.platform.jobs import enqueue_urgent
from kieubao.platform.mail import send_mails
from kieubao.platform.models import Role, User
from kieubao.protection.models import Case, Notification


def recipients_by_mission(
    session: Session, mission_ids: Iterable[int | None]
) -> dict[int | None, list[User]]:
    """For each mission, its officers and the HQ desk: who is told of its cases."""
    wanted = set(mission_ids)
    users = session.scalars(
        select(User)
        .where(
            User.is_active,
            or_(
                User.role == Role.hq_officer,
                (User.role == Role.mission_officer)
                & User.mission_id.in_([m for m in wanted if m is not None]),
            ),
        )
        .order_by(User.id)
    ).all()
    return {
        mission: [u for u in users if u.role is Role.hq_officer or u.mission_id == mission]
        for mission in wanted
    }


def recipients(session: Session, case: Case) -> list[User]:
    """The officers of the mission with jurisdiction, and the HQ desk."""
    return recipients_by_mission(session, [case.mission_id])[case.mission_id]


@dataclass(frozen=True)
class Notice:
    """An escalated case, to tell of: for a step past its deadline (its names in Vietnamese
    and English), or for a life at risk (no step)."""

    case_id: int
    number: str
    mission_id: int | None
    step: tuple[str, str] | None = None


def notify(session: Session, escalated: Sequence[Notice]) -> None:
    """An in-app notice to each recipient of each case, in their language, written in one
    statement; and the same by email once committed, gathered over the transaction:
    settling fifty cases at risk at once mails each officer once, the fifty listed."""
    told = recipients_by_mission(session, {n.mission_id for n in escalated})
    rows: list[tuple[User, Notice, str]] = []
    texts: dict[tuple[str, Notice], str] = {}
    for notice in escalated:
        for user in told[notice.mission_id]:
            key = (user.locale, notice)
            if key not in texts:
                texts[key] = _text(notice, user.locale)
            rows.append((user, notice, texts[key]))
    if not rows:
        return
    ids = session.connection().scalars(
        insert(Notification).returning(Notification.id, sort_by_parameter_order=True),
        [{"user_id": u.id, "case_id": n.case_id, "text": text} for u, n, text in rows],
    )
    for (user, _n, text), notice_id in zip(rows, ids, strict=True):
        # The message id is the notice's, so a retry of the mail job sends one.
        on_commit_together(session, _mail, (user.email, user.locale, text, notice_id))


def _text(notice: Notice, locale: str) -> str:
    with i18n.speaking(locale):
        if notice.step is None:
            return _("Case {number} escalated: a life is at risk").format(number=notice.number)
        name = notice.step[0] if locale == "vi" else notice.step[1]
        return _("Case {number} escalated: the step “{step}” is overdue").format(
            number=notice.number, step=name
        )


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
    # Ahead of the queue: in a surge, the settling of thousands of reports waits in it.
    enqueue_urgent(send_mails, mails=mails, urgent=True)
