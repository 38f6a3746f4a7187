"""Citizens abroad, their consents, households, trips, imports and duplicate suspicions."""

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kieubao.platform.crypto import Encrypted
from kieubao.platform.db import Base, Timestamped


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=30, values_callable=lambda e: [m.value for m in e])


class Sex(enum.StrEnum):
    female = "female"
    male = "male"
    other = "other"
    unknown = "unknown"


class StayStatus(enum.StrEnum):
    resident = "resident"
    worker = "worker"
    student = "student"
    tourist = "tourist"
    crew = "crew"  # crew members and fishermen
    undocumented = "undocumented"
    unknown = "unknown"


class NationalityStatus(enum.StrEnum):
    vietnamese = "vietnamese"  # Vietnamese nationality only
    dual = "dual"  # Vietnamese and another
    vietnamese_origin = "vietnamese_origin"  # người gốc Việt, no Vietnamese nationality
    unknown = "unknown"


class Purpose(enum.StrEnum):
    consular_contact = "consular_contact"
    crisis_alerts = "crisis_alerts"
    community_news = "community_news"
    statistics = "statistics"


class RecordStatus(enum.StrEnum):
    active = "active"
    stale = "stale"  # not re-confirmed within a year
    expired = "expired"  # a trip that ended more than 30 days ago
    merged = "merged"
    erased = "erased"


# Personal facts beyond the name: a merge fills the survivor's gaps with them, an erasure
# wipes them.
PERSONAL_FIELDS = (
    "sex", "birth_year", "birth_month", "birth_day", "passport_no", "passport_index", "phones",
    "phone_index", "email", "zalo", "telegram", "whatsapp", "address", "city", "city_folded",
    "latitude", "longitude", "location_source", "employer_or_school", "emergency_contact_name",
    "emergency_contact_phone", "emergency_contact_relation", "external_ref", "user_id",
)  # fmt: skip


class Household(Timestamped, Base):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")

    members: Mapped[list["Citizen"]] = relationship(
        back_populates="household", order_by="Citizen.id"
    )


class Citizen(Timestamped, Base):
    __tablename__ = "citizens"
    __table_args__ = (
        Index("ix_citizens_country_city", "country", "city_folded"),
        Index("ix_citizens_lat_lon", "latitude", "longitude"),
        # Covers the counts by country of live records registered by a date (reviews).
        Index("ix_citizens_country_status_created", "country", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(
        String(36), unique=True, default=lambda: str(uuid.uuid4())
    )
    external_ref: Mapped[str | None] = mapped_column(String(120), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))  # NFC, as the person writes it
    name_folded: Mapped[str] = mapped_column(String(200), index=True)
    sex: Mapped[Sex] = mapped_column(_enum(Sex), default=Sex.unknown)
    # A birth date may be known to the day, the month or only the year.
    birth_year: Mapped[int | None] = mapped_column(Integer, index=True)
    birth_month: Mapped[int | None]
    birth_day: Mapped[int | None]
    nationality_status: Mapped[NationalityStatus] = mapped_column(
        _enum(NationalityStatus), default=NationalityStatus.vietnamese
    )
    passport_no: Mapped[str | None] = mapped_column(Encrypted(300))
    passport_index: Mapped[str | None] = mapped_column(String(64), index=True)
    phones: Mapped[list[str]] = mapped_column(JSON, default=list)
    phone_index: Mapped[str | None] = mapped_column(String(32), index=True)  # first phone, digits
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    zalo: Mapped[str | None] = mapped_column(String(120))
    telegram: Mapped[str | None] = mapped_column(String(120))
    whatsapp: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(400))
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    city_folded: Mapped[str | None] = mapped_column(String(120))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # "given", "gazetteer" or None when the place could not be found.
    location_source: Mapped[str | None] = mapped_column(String(20))
    stay_status: Mapped[StayStatus] = mapped_column(_enum(StayStatus), default=StayStatus.unknown)
    employer_or_school: Mapped[str | None] = mapped_column(String(200))
    emergency_contact_name: Mapped[str | None] = mapped_column(String(200))
    emergency_contact_phone: Mapped[str | None] = mapped_column(String(60))
    emergency_contact_relation: Mapped[str | None] = mapped_column(String(60))
    mission_code: Mapped[str | None] = mapped_column(String(20), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    household_role: Mapped[str | None] = mapped_column(String(40))  # head, spouse, child, ...
    answered_for_by_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    status: Mapped[RecordStatus] = mapped_column(
        _enum(RecordStatus), default=RecordStatus.active, index=True
    )
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"))
    source: Mapped[str] = mapped_column(String(30), default="officer")  # self, officer, import
    last_confirmed_at: Mapped[datetime | None]
    reminder_sent_at: Mapped[datetime | None]

    household: Mapped[Household | None] = relationship(back_populates="members")
    consents: Mapped[list["Consent"]] = relationship(
        back_populates="citizen", cascade="all, delete-orphan", lazy="selectin"
    )
    trips: Mapped[list["Trip"]] = relationship(
        back_populates="citizen", cascade="all, delete-orphan", order_by="Trip.start_date"
    )

    def consent_for(self, purpose: Purpose) -> bool:
        latest = [c for c in self.consents if c.purpose == purpose]
        return bool(latest) and max(latest, key=lambda c: c.id or 0).granted

    @property
    def birth_date_text(self) -> str:
        if self.birth_year is None:
            return ""
        if self.birth_month is None:
            return f"{self.birth_year:04d}"
        if self.birth_day is None:
            return f"{self.birth_year:04d}-{self.birth_month:02d}"
        return f"{self.birth_year:04d}-{self.birth_month:02d}-{self.birth_day:02d}"


class NameKey(Base):
    """Blocking keys of a citizen's name and birth date; the matcher looks candidates up here."""

    __tablename__ = "citizen_name_keys"
    __table_args__ = (Index("ix_citizen_name_keys_key", "key", "citizen_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[int] = mapped_column(BigInteger)  # a 64-bit digest of the key text


class Consent(Base):
    """One decision about one purpose; the latest per purpose is in force, history is kept."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[Purpose] = mapped_column(_enum(Purpose))
    granted: Mapped[bool]
    at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(30))  # self, officer, import

    citizen: Mapped[Citizen] = relationship(back_populates="consents")


class Trip(Base):
    __tablename__ = "trips"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    start_date: Mapped[date]
    end_date: Mapped[date]
    itinerary: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    expires_on: Mapped[date] = mapped_column(index=True)

    citizen: Mapped[Citizen] = relationship(back_populates="trips")


class MissionTransfer(Base):
    """A citizen moved: history of which mission answered for them."""

    __tablename__ = "mission_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    from_mission: Mapped[str | None] = mapped_column(String(20))
    to_mission: Mapped[str | None] = mapped_column(String(20))
    from_country: Mapped[str] = mapped_column(String(2))
    to_country: Mapped[str] = mapped_column(String(2))
    at: Mapped[datetime]


class ImportJob(Base):
    __tablename__ = "citizen_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    file_digest: Mapped[str] = mapped_column(String(64), index=True)
    stored_path: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued running done failed
    total_rows: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    matched: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(1000))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class ImportRowError(Base):
    __tablename__ = "citizen_import_errors"
    __table_args__ = (UniqueConstraint("import_id", "row_number", "column"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("citizen_imports.id", ondelete="CASCADE"), index=True
    )
    row_number: Mapped[int]
    column: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(String(500))


class DuplicateSuspect(Base):
    __tablename__ = "duplicate_suspects"
    __table_args__ = (UniqueConstraint("citizen_id", "other_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    score: Mapped[float]
    status: Mapped[str] = mapped_column(
        String(20), default="open", index=True
    )  # open merged dismissed
    found_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]


class Merge(Base):
    """A merge that can be undone: what the absorbed record looked like before."""

    __tablename__ = "citizen_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"))
    absorbed_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"))
    # Encrypted JSON: the survivor's fields before the merge, to restore them on undo.
    survivor_before: Mapped[str] = mapped_column(Encrypted(20000))
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    merged_at: Mapped[datetime]
    undone_at: Mapped[datetime | None]
