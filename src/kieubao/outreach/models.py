"""Travel advisories (one per country or region of it, each a history of versions), bulletins
and case notices to the community, and the people who asked to receive them."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kieubao.platform.db import Base, Timestamped


class Status(enum.StrEnum):
    draft = "draft"
    in_review = "in_review"
    approved = "approved"
    published = "published"
    # A published version that a newer one replaced; kept for the history.
    superseded = "superseded"


class Reason(enum.StrEnum):
    conflict = "conflict"
    crime = "crime"
    terrorism = "terrorism"
    disaster = "disaster"
    health = "health"
    civil_unrest = "civil_unrest"
    kidnapping = "kidnapping"
    wrongful_detention = "wrongful_detention"
    other = "other"


class Advisory(Timestamped, Base):
    """The advisory for a country, or for one region of it (with its outline)."""

    __tablename__ = "advisories"
    __table_args__ = (UniqueConstraint("country", "region"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    # "" for the whole country, so the unique constraint holds on every database.
    region: Mapped[str] = mapped_column(String(120), default="")

    versions: Mapped[list["AdvisoryVersion"]] = relationship(
        back_populates="advisory", order_by="AdvisoryVersion.number", lazy="selectin"
    )


class AdvisoryVersion(Timestamped, Base):
    """One wording of an advisory, from draft to published; never edited once submitted."""

    __tablename__ = "advisory_versions"
    __table_args__ = (UniqueConstraint("advisory_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    advisory_id: Mapped[int] = mapped_column(ForeignKey("advisories.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[Status] = mapped_column(
        Enum(Status, native_enum=False, length=12), default=Status.draft, index=True
    )
    level: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    advice_vi: Mapped[str] = mapped_column(Text)
    advice_en: Mapped[str] = mapped_column(Text)
    entry_vi: Mapped[str] = mapped_column(Text, default="")
    entry_en: Mapped[str] = mapped_column(Text, default="")
    # The region's outline belongs to the version, so a draft cannot move a published area.
    region_geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # GeoJSON Polygon
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    publisher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    # The level of the version it replaced on publication; None for the first one.
    previous_level: Mapped[int | None] = mapped_column(Integer)
    # Set when publication raised or set the level to 3-4: the CAP alert's identifier.
    cap_identifier: Mapped[str | None] = mapped_column(String(120), unique=True)

    advisory: Mapped[Advisory] = relationship(back_populates="versions", lazy="joined")

    @property
    def level_change(self) -> int:
        """+1 or more raised, negative lowered, 0 unchanged or first publication."""
        return 0 if self.previous_level is None else self.level - self.previous_level


class BulletinKind(enum.StrEnum):
    news = "news"
    consular_notice = "consular_notice"
    scam_warning = "scam_warning"
    labour_warning = "labour_warning"
    # A public statement about a protection case: linked by its number, never by a name.
    case_notice = "case_notice"


class Bulletin(Timestamped, Base):
    """One bulletin, from draft to sent; its audience is described, never listed."""

    __tablename__ = "bulletins"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[BulletinKind] = mapped_column(Enum(BulletinKind, native_enum=False, length=20))
    status: Mapped[Status] = mapped_column(
        Enum(Status, native_enum=False, length=12), default=Status.draft, index=True
    )
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    body_vi: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    # The audience: an empty list means "any".
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    cities: Mapped[list[str]] = mapped_column(JSON, default=list)  # folded
    stay_statuses: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    case_number: Mapped[str | None] = mapped_column(String(20), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    publisher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    # When it is to go out; None for "as soon as it is published".
    send_at: Mapped[datetime | None] = mapped_column(index=True)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    send_key: Mapped[str | None] = mapped_column(String(200))


class SubscriberChannel(enum.StrEnum):
    email = "email"
    sms = "sms"
    # Messengers: a Telegram chat id, a Zalo user id (the OA's follower); confirmed by code.
    telegram = "telegram"
    zalo = "zalo"


class Topic(enum.StrEnum):
    advisories = "advisories"
    bulletins = "bulletins"
    crisis_alerts = "crisis_alerts"


class Subscriber(Timestamped, Base):
    """An address that asked for news of some countries; it receives nothing until confirmed."""

    __tablename__ = "subscribers"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[SubscriberChannel] = mapped_column(
        Enum(SubscriberChannel, native_enum=False, length=10)
    )
    address: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(5), default="vi")
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A digest of the code sent by SMS or messenger; the email link is signed, nothing stored.
    code_digest: Mapped[str | None] = mapped_column(String(64))
    code_attempts: Mapped[int] = mapped_column(default=0)
    confirmed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")
