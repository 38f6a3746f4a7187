"""The platform's tables: users and their credentials, missions and their jurisdictions,
emergency grants and the log of sensitive reads."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kieubao.platform.crypto import Encrypted
from kieubao.platform.db import Base, Timestamped


class Role(enum.StrEnum):
    admin = "admin"
    hq_officer = "hq_officer"
    mission_officer = "mission_officer"
    partner_agency = "partner_agency"
    community_editor = "community_editor"
    citizen = "citizen"


OFFICER_ROLES = frozenset({Role.admin, Role.hq_officer, Role.mission_officer})
STAFF_ROLES = frozenset(set(Role) - {Role.citizen})


class Mission(Base):
    """An embassy, consulate general or permanent mission, and the countries it answers for."""

    __tablename__ = "missions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2), index=True)
    address: Mapped[str] = mapped_column(String(400), default="")
    phone: Mapped[str] = mapped_column(String(80), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    hotline: Mapped[str] = mapped_column(String(80), default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]

    jurisdictions: Mapped[list["Jurisdiction"]] = relationship(
        back_populates="mission", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def countries(self) -> list[str]:
        return sorted({j.country for j in self.jurisdictions})


class Jurisdiction(Base):
    """A country a mission covers; ``cities`` narrows it to part of the country (consulates)."""

    __tablename__ = "jurisdictions"
    __table_args__ = (UniqueConstraint("mission_id", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"))
    country: Mapped[str] = mapped_column(String(2), index=True)
    cities: Mapped[list[str]] = mapped_column(JSON, default=list)

    mission: Mapped[Mission] = relationship(back_populates="jurisdictions")


class User(Timestamped, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=30))
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("missions.id"))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    totp_secret: Mapped[str | None] = mapped_column(Encrypted(300))
    totp_confirmed: Mapped[bool] = mapped_column(default=False)
    # The last accepted TOTP time step: a code is never accepted twice.
    totp_last_step: Mapped[int] = mapped_column(default=0)
    # Wrong passwords and codes in a row; at the limit the account is locked for a while.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    is_active: Mapped[bool] = mapped_column(default=True)

    mission: Mapped[Mission | None] = relationship(lazy="joined")

    @property
    def is_officer(self) -> bool:
        return self.role in OFFICER_ROLES

    @property
    def needs_second_factor(self) -> bool:
        return self.role is not Role.citizen


class AuthSession(Base):
    """A browser session; the cookie carries the token, the table keeps its digest."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # "password" until the second factor is given; "full" after.
    stage: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class ApiToken(Base):
    """A bearer token for programs; the table keeps its digest and the first characters, by
    which its owner recognises it in a list."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime]
    # None: it does not expire (tokens made before expiry existed).
    expires_at: Mapped[datetime | None]
    # To the minute only (see accounts.LAST_USED_EVERY): an unused token is one to revoke.
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class LoginLink(Base):
    """A one-time sign-in link sent by email (citizens)."""

    __tablename__ = "login_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    purpose: Mapped[str] = mapped_column(String(40), default="login")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class DeferredJob(Base):
    """A job that could not reach the queue (Redis out of reach): kept here, in the database
    the work was committed to, and sent on when the queue is back."""

    __tablename__ = "deferred_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kwargs: Mapped[dict[str, Any]] = mapped_column(JSON)
    deferred_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(300), default="")
    # Sent on ahead of the queue, as it was asked (jobs.enqueue_urgent).
    urgent: Mapped[bool] = mapped_column(default=False, server_default=false())


class BreakGlassGrant(Base):
    """An officer's emergency access to one record outside their jurisdiction: given on a
    stated reason for a short while, and reviewed afterwards by headquarters."""

    __tablename__ = "break_glass_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    record_kind: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(1000))
    granted_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    # None until reviewed; then "justified" or "unjustified".
    verdict: Mapped[str | None] = mapped_column(String(20), index=True)
    review_note: Mapped[str] = mapped_column(String(1000), default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id], lazy="joined")


class RecordRead(Base):
    """A member of staff opened a sensitive record: who, from which office, what, and why.

    Rows are only ever added. ``citizen_id`` names whose data it was (no foreign key: the
    trace of a read outlives an erased record), so the citizen can be shown who looked.
    """

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_record", "record_kind", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(30))
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("missions.id", ondelete="SET NULL"))
    record_kind: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[str] = mapped_column(String(64))
    citizen_id: Mapped[int | None] = mapped_column(index=True)
    # The group of sensitive fields shown: "detention", "identity", "needs"...
    fields: Mapped[str] = mapped_column(String(60))
    purpose: Mapped[str] = mapped_column(String(1000), default="")
    break_glass: Mapped[bool] = mapped_column(default=False)
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("break_glass_grants.id"))

    mission: Mapped[Mission | None] = relationship(lazy="joined")
