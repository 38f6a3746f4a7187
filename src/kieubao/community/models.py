"""Associations (hội đoàn) and their contacts with missions, experts, country community profiles."""

from datetime import date

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kieubao.platform.db import Base, Timestamped

ASSOCIATION_TYPES = (
    "general",
    "business",
    "student",
    "women",
    "veterans",
    "professional",
    "religious",
    "cultural",
)
# How the mission stands with an association, from none to close cooperation.
RELATIONSHIPS = ("none", "occasional", "regular", "close", "strained")
CONTRIBUTIONS = ("advice", "teaching", "investment", "technology_transfer")


class Association(Timestamped, Base):
    __tablename__ = "associations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_local: Mapped[str | None] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    # [{"name", "role", "phone", "email"}]: the people the mission talks to.
    leaders: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    members_count: Mapped[int | None] = mapped_column(Integer)
    relationship_status: Mapped[str] = mapped_column(String(12), default="none")

    contacts: Mapped[list["AssociationContact"]] = relationship(
        order_by="AssociationContact.contacted_on", cascade="all, delete-orphan"
    )


class AssociationContact(Base):
    """One meeting, call or letter between a mission and an association."""

    __tablename__ = "association_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), index=True)
    contacted_on: Mapped[date]
    channel: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Expert(Timestamped, Base):
    """An expert or intellectual abroad: a registered citizen or a person of Vietnamese origin."""

    __tablename__ = "experts"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[str | None] = mapped_column(String(10))
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"), index=True)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    affiliations: Mapped[list[str]] = mapped_column(JSON, default=list)
    degrees: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    contributions: Mapped[list[str]] = mapped_column(JSON, default=list)
    consent_listing: Mapped[bool] = mapped_column(default=False)


class CountryProfile(Timestamped, Base):
    """What is known of the Vietnamese community in one country: figures, never people."""

    __tablename__ = "community_profiles"
    __table_args__ = (UniqueConstraint("country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    estimated_size: Mapped[int] = mapped_column(Integer)
    size_source: Mapped[str] = mapped_column(String(300))
    size_year: Mapped[int] = mapped_column(Integer)
    main_cities: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
