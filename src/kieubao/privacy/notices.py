"""Telling officers: an in-app notice each, and the same by email once committed (the
message id is the notice's, so a retried job sends one)."""

from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform import i18n
from kieubao.platform.db import on_commit, utcnow
from kieubao.platform.jobs import enqueue
from kieubao.platform.mail import send_mail
from kieubao.platform.models import Role, User
from kieubao.privacy.models import PrivacyNotice


def headquarters(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.is_active, User.role.in_([Role.hq_officer, Role.admin]))
            .order_by(User.id)
        )
    )


def notify(
    session: Session, users: Iterable[User], text: Callable[[], str], link: str
) -> list[PrivacyNotice]:
    """``text`` is called in each recipient's language."""
    notices = []
    seen: set[int] = set()
    for user in users:
        if user.id in seen:
            continue
        seen.add(user.id)
        with i18n.speaking(user.locale):
            words = text()[:500]
        notice = PrivacyNotice(user_id=user.id, text=words, link=link, at=utcnow())
        session.add(notice)
        session.flush()
        on_commit(
            session,
            enqueue,
            send_mail,
            to=user.email,
            subject=words,
            body=words,
            message_id=f"<privacy-notice-{notice.id}@kieubao>",
        )
        notices.append(notice)
    return notices
