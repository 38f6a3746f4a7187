"""Actions on users and their credentials: create, sign in, second factor, tokens, links."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kieubao.platform import audit, mail, security
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, on_commit, utcnow
from kieubao.platform.errors import Conflict, Invalid, NotFound
from kieubao.platform.i18n import gettext as _
from kieubao.platform.jobs import enqueue
from kieubao.platform.limits import TooMany
from kieubao.platform.models import ApiToken, AuthSession, LoginLink, Mission, Role, User
from kieubao.platform.settings import get_settings

# Wrong passwords or codes in a row before the account locks, and for how long.
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
LOGIN = audit.System("sign-in")
LOGIN_LINK = audit.System("citizen sign-in")


def _user_state(user: User) -> dict[str, object]:
    return {
        "email": user.email,
        "role": user.role.value,
        "mission_id": user.mission_id,
        "is_active": user.is_active,
        "totp_confirmed": user.totp_confirmed,
    }


def create_user(
    session: Session,
    *,
    acting_user: Actor,
    email: str,
    role: Role,
    mission_code: str | None = None,
    password: str | None = None,
    full_name: str = "",
    locale: str = "vi",
) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise Invalid("email", "not an email address")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with email {email} exists")
    mission = None
    if role is Role.mission_officer:
        if not mission_code:
            raise Invalid("mission", "a mission officer needs a mission")
        mission = session.scalar(select(Mission).where(Mission.code == mission_code))
        if mission is None:
            raise Invalid("mission", f"no mission with code {mission_code}")
    if password is not None and (problem := security.password_problem(password)):
        raise Invalid("password", problem)
    user = User(
        email=email,
        role=role,
        mission=mission,
        full_name=full_name,
        locale=locale,
        password_hash=security.hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    audit.record(session, acting_user, "user.created", "user", user.id, after=_user_state(user))
    commit(session)
    return user


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """The user these credentials are for, or None. A locked account is refused before its
    password is even checked; wrong passwords count towards the lock."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    refuse_if_locked(user)
    ok = security.check_password(user.password_hash if user else None, password)
    if user is None:
        return None
    if not ok:
        note_failure(session, user)
        return None
    if user.failed_logins:
        user.failed_logins = 0
        commit(session)
    return user if user.is_active else None


def refuse_if_locked(user: User | None) -> None:
    if user is not None and user.locked_until is not None and user.locked_until > utcnow():
        raise TooMany(_("Too many attempts. Please try again later."))


def note_failure(session: Session, user: User) -> None:
    """One more wrong password or code; at the limit the account locks for a while, so that
    guessing is slow whatever the number of machines guessing."""
    user.failed_logins += 1
    if user.failed_logins >= LOCK_AFTER:
        user.failed_logins = 0
        user.locked_until = utcnow() + LOCK_FOR
        audit.record(session, LOGIN, "user.locked", "user", user.id)
    commit(session)


def start_session(session: Session, *, user: User, stage: str) -> str:
    token, token_digest = security.new_token("s")
    now = utcnow()
    session.add(
        AuthSession(
            token_digest=token_digest,
            user_id=user.id,
            stage=stage,
            created_at=now,
            expires_at=now + timedelta(days=get_settings().session_days),
        )
    )
    audit.record(session, user, f"session.{stage}", "user", user.id)
    commit(session)
    return token


def end_session(session: Session, *, token: str) -> None:
    found = session.scalar(
        select(AuthSession).where(AuthSession.token_digest == security.token_digest(token))
    )
    if found is not None and found.revoked_at is None:
        found.revoked_at = utcnow()
        audit.record(session, found.user, "session.ended", "user", found.user_id)
        commit(session)


def session_user(session: Session, token: str) -> tuple[User, str] | None:
    found = session.scalar(
        select(AuthSession).where(AuthSession.token_digest == security.token_digest(token))
    )
    if found is None or found.revoked_at is not None or found.expires_at < utcnow():
        return None
    if not found.user.is_active:
        return None
    return found.user, found.stage


def begin_totp_enrolment(session: Session, *, user: User) -> str:
    if user.totp_confirmed:
        raise Conflict("the second factor is already enrolled")
    if not user.totp_secret:
        user.totp_secret = security.new_totp_secret()
        audit.record(session, user, "totp.enrolment_started", "user", user.id)
        commit(session)
    return user.totp_secret


def verify_second_factor(session: Session, *, user: User, token: str, code: str) -> bool:
    """Check a TOTP code; on success the session becomes full (and enrolment, if pending, done)."""
    if not user.totp_secret:
        return False
    refuse_if_locked(user)
    step = security.totp_step(user.totp_secret, code, user.totp_last_step)
    if step is None:
        audit.record(session, user, "totp.refused", "user", user.id)
        note_failure(session, user)
        return False
    user.totp_last_step = step
    user.failed_logins = 0
    if not user.totp_confirmed:
        user.totp_confirmed = True
        audit.record(session, user, "totp.enrolled", "user", user.id)
    found = session.scalar(
        select(AuthSession).where(AuthSession.token_digest == security.token_digest(token))
    )
    if found is None:
        raise NotFound("session")
    found.stage = "full"
    audit.record(session, user, "session.full", "user", user.id)
    commit(session)
    return True


def create_api_token(
    session: Session,
    *,
    acting_user: Actor,
    user: User,
    label: str = "",
    days: int | None = None,
) -> str:
    """A new bearer token for ``user``, good for ``days`` (the setting when not given; 0:
    until revoked). Only its digest is kept: the token is shown this once."""
    days = get_settings().api_token_days if days is None else days
    if days < 0:
        raise Invalid("days", "a token cannot have expired before it is made")
    token, token_digest = security.new_token("kb")
    now = utcnow()
    row = ApiToken(
        token_digest=token_digest,
        prefix=token[:10],
        user_id=user.id,
        label=label,
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        acting_user,
        "token.created",
        "api_token",
        row.id,
        after={"user_id": user.id, "label": label, "days": days},
    )
    commit(session)
    return token


def api_tokens(session: Session, *, user: User | None = None) -> list[ApiToken]:
    """The tokens of one user, or of everyone, newest first."""
    query = select(ApiToken).order_by(ApiToken.id.desc())
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return list(session.scalars(query))


def revoke_api_token(session: Session, *, acting_user: Actor, token_id: int) -> ApiToken:
    """Refuse a token from now on: the next request carrying it is answered 401, whichever
    app worker takes it (each reads the token's row on every request). A person revokes
    their own tokens, an administrator anyone's; revoking twice changes nothing."""
    row = session.get(ApiToken, token_id)
    if row is None or not _may_revoke(acting_user, row):
        raise NotFound("token")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, acting_user, "token.revoked", "api_token", row.id)
        commit(session)
    return row


def _may_revoke(actor: Actor, row: ApiToken) -> bool:
    if not isinstance(actor, User):
        return True  # the command line, run by whoever runs the server
    return actor.role is Role.admin or actor.id == row.user_id


# last_used_at is written at most this often per token: a program calling many times a
# second must not turn every read into a write.
LAST_USED_EVERY = timedelta(minutes=1)


def token_user(session: Session, token: str) -> User | None:
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_digest == security.token_digest(token))
    )
    now = utcnow()
    if (
        row is None
        or row.revoked_at is not None
        or (row.expires_at is not None and row.expires_at <= now)
        or not row.user.is_active
    ):
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
        row.last_used_at = now
        commit(session)
    return row.user


@dataclass(frozen=True)
class IssuedLink:
    token: str
    url: str


def issue_login_link(
    session: Session,
    *,
    acting_user: Actor,
    email: str,
    purpose: str = "login",
    payload: dict[str, object] | None = None,
) -> IssuedLink:
    """A one-time link, mailed once the transaction has committed."""
    token, token_digest = security.new_token("l")
    now = utcnow()
    row = LoginLink(
        token_digest=token_digest,
        email=email.strip().lower(),
        purpose=purpose,
        payload=payload or {},
        created_at=now,
        expires_at=now + timedelta(minutes=get_settings().login_link_minutes),
    )
    session.add(row)
    session.flush()
    audit.record(session, acting_user, "login_link.issued", "login_link", row.id)
    url = f"{get_settings().base_url}/login/link/{token}"
    minutes = get_settings().login_link_minutes
    body = _("Open this link to sign in to kieubao (valid for {minutes} minutes):")
    on_commit(
        session,
        enqueue,
        mail.send_mail,
        to=row.email,
        subject=_("Your sign-in link"),
        body=f"{body.format(minutes=minutes)}\n\n{url}\n",
        message_id=mail.new_message_id(),
    )
    commit(session)
    return IssuedLink(token, url)


def redeem_login_link(session: Session, *, token: str) -> LoginLink | None:
    """Use a link once: a second use, or a late one, is refused."""
    row = session.scalar(
        select(LoginLink).where(LoginLink.token_digest == security.token_digest(token))
    )
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        return None
    row.used_at = utcnow()
    # Not the address as the actor: the audit chain cannot forget what it holds in clear.
    audit.record(session, LOGIN_LINK, "login_link.used", "login_link", row.id)
    commit(session)
    return row


def citizen_user(session: Session, *, email: str) -> User:
    """The citizen account for an email, created on first sign-in."""
    email = email.strip().lower()
    user = session.scalar(select(User).where(User.email == email))
    if user is not None:
        return user
    # Not the address as the actor: the audit chain cannot forget what it holds in clear.
    return create_user(session, acting_user=LOGIN_LINK, email=email, role=Role.citizen)


def forget_user(session: Session, *, acting_user: Actor, user: User) -> None:
    """An erased citizen's account: signed out everywhere, its address and name gone, never
    usable again (signing in with the address later makes a new account). The caller commits."""
    session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    session.execute(delete(LoginLink).where(LoginLink.email == user.email))
    before = _user_state(user)
    user.email = f"erased-{user.id}@invalid"
    user.full_name = ""
    user.is_active = False
    audit.record(
        session,
        acting_user,
        "user.forgotten",
        "user",
        user.id,
        before=before,
        after=_user_state(user),
    )
