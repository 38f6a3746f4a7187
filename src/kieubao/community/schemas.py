"""What the community API takes and gives."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    field_validator,
    model_validator,
)

from kieubao.platform.countries import normalize_country
from kieubao.platform.db import utcnow
from kieubao.platform.i18n import gettext as _


def _country(text: str) -> str:
    code = normalize_country(text)
    if code is None:
        raise ValueError(_("unknown country '{value}'").format(value=text))
    return code


Country = Annotated[str, AfterValidator(_country)]
Text = Annotated[str, Field(min_length=1, max_length=300)]
AssociationType = Literal[
    "general", "business", "student", "women", "veterans", "professional", "religious", "cultural"
]
Relationship = Literal["none", "occasional", "regular", "close", "strained"]
Contribution = Literal["advice", "teaching", "investment", "technology_transfer"]
StayStatus = Literal["resident", "worker", "student", "tourist", "crew", "undocumented", "unknown"]


class Leader(BaseModel):
    name: Text
    role: Text
    phone: str | None = Field(None, max_length=40)
    email: EmailStr | None = None


class AssociationIn(BaseModel):
    name_vi: Text
    name_local: str | None = Field(None, max_length=300)
    country: Country
    city: str | None = Field(None, max_length=120)
    kind: AssociationType
    leaders: list[Leader] = []
    members_count: int | None = Field(None, ge=0)
    relationship_status: Relationship = "none"


class ContactIn(BaseModel):
    contacted_on: date
    channel: Literal["meeting", "call", "letter", "email", "event"]
    summary: str = Field(min_length=1, max_length=5000)

    @field_validator("contacted_on")
    @classmethod
    def not_future(cls, value: date) -> date:
        if value > utcnow().date():
            raise ValueError(_("a contact cannot be in the future"))
        return value


class ContactOut(ContactIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class AssociationOut(AssociationIn):
    model_config = ConfigDict(from_attributes=True)
    id: int
    contacts: list[ContactOut]


def _day(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        born = date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("use YYYY-MM-DD")) from None
    if born > utcnow().date():
        raise ValueError(_("a birth date cannot be in the future"))
    return text


class ExpertIn(BaseModel):
    full_name: Text
    date_of_birth: Annotated[str | None, AfterValidator(_day)] = None
    country: Country
    city: str | None = Field(None, max_length=120)
    email: EmailStr | None = None
    fields: list[Text] = Field(min_length=1)
    affiliations: list[Text] = []
    degrees: list[Text] = []
    languages: list[Text] = []
    contributions: list[Contribution] = []
    consent_listing: bool


class ExpertOut(ExpertIn):
    model_config = ConfigDict(from_attributes=True)
    id: int
    citizen_id: int | None


class ProfileIn(BaseModel):
    country: Country
    estimated_size: int = Field(ge=0)
    size_source: Text
    size_year: int = Field(ge=1945)
    main_cities: list[Text] = []
    stay_status_mix: dict[StayStatus, Annotated[int, Field(ge=0, le=100)]] = {}
    legal_status_issues: str | None = Field(None, max_length=5000)
    language_schools: list[Text] = []
    media: list[Text] = []
    concerns: str | None = Field(None, max_length=5000)
    notes: str | None = Field(None, max_length=5000)

    @field_validator("stay_status_mix")
    @classmethod
    def at_most_whole(cls, value: dict[str, int]) -> dict[str, int]:
        if sum(value.values()) > 100:
            raise ValueError(_("the shares of stay statuses add up to more than 100%"))
        return value

    @field_validator("size_year")
    @classmethod
    def not_future(cls, value: int) -> int:
        if value > utcnow().year:
            raise ValueError(_("the year of an estimate cannot be in the future"))
        return value


class FigureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    year: int
    estimated_size: int
    source: str


class ProfileOut(ProfileIn):
    """A country's profile with the counts of associations and listed experts in it, and the
    earlier estimates of its size."""

    associations: int
    experts: int
    history: list[FigureOut] = []


EventKind = Literal["conference", "forum", "meeting", "cultural"]
Skill = Literal["interpreter", "medical", "legal", "driver", "host_family", "it"]
ProgramKind = Literal["language_class", "summer_camp", "youth_program", "cultural_event"]
ContributionKind = Literal["investment", "donation", "technology_transfer", "advisory"]
FollowUpStatus = Literal["planned", "in_progress", "done"]


def _utc(value: datetime) -> datetime:
    """A time typed without a zone is taken as UTC, the zone the console shows it in."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EventIn(BaseModel):
    title: Text
    kind: EventKind
    country: Country
    city: Text
    venue: str | None = Field(None, max_length=300)
    starts_on: date
    ends_on: date
    capacity: int = Field(gt=0, le=100_000)
    registration_open: bool = True

    @model_validator(mode="after")
    def in_order(self) -> Self:
        if self.ends_on < self.starts_on:
            raise ValueError(_("the event ends before it starts"))
        return self


class EventOut(EventIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class SessionIn(BaseModel):
    title: Text
    room: Text
    starts_at: Annotated[datetime, AfterValidator(_utc)]
    ends_at: Annotated[datetime, AfterValidator(_utc)]
    capacity: int = Field(gt=0, le=100_000)

    @model_validator(mode="after")
    def in_order(self) -> Self:
        if self.ends_at <= self.starts_at:
            raise ValueError(_("a session must end after it starts"))
        return self


class SessionOut(SessionIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class DelegateIn(BaseModel):
    """A registration as the public form sends it."""

    full_name: Text
    date_of_birth: Annotated[str | None, AfterValidator(_day)] = None
    country: Country
    city: str | None = Field(None, max_length=120)
    email: EmailStr
    organisation: str | None = Field(None, max_length=300)
    language: Literal["vi", "en"] = "vi"
    sessions: list[int] = []


class DelegateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    event_id: int
    full_name: str
    country: str
    city: str | None
    email: str
    organisation: str | None
    language: str
    status: str
    citizen_id: int | None
    checked_in_at: datetime | None
    session_ids: list[int]


class Registered(BaseModel):
    """What the person registering learns: their request is in, and nothing more."""

    id: int
    status: str


class Decision(BaseModel):
    status: Literal["approved", "rejected"]


class InvitationsIn(BaseModel):
    """Invite from the directories: listed experts by field and country, associations by country."""

    field: str | None = Field(None, max_length=120)
    countries: list[Country] = []
    experts: bool = True
    associations: bool = False


class InvitationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    country: str
    email: str | None
    expert_id: int | None
    association_id: int | None


class FollowUpIn(BaseModel):
    recommendation: str = Field(min_length=1, max_length=5000)
    task: Text
    owner: Text
    due_on: date
    status: FollowUpStatus = "planned"


class FollowUpOut(FollowUpIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class Attendance(BaseModel):
    """An event in figures: no person in them."""

    event_id: int
    capacity: int
    registered: int
    approved: int
    checked_in: int
    by_country: dict[str, int]
    follow_ups: dict[str, int]


class HeldEvent(BaseModel):
    """One event held in a period, with how many came: no person in it."""

    id: int
    title: str
    kind: str
    country: str
    city: str
    venue: str | None
    starts_on: date
    ends_on: date
    approved: int
    checked_in: int


class EventsHeld(BaseModel):
    events: int
    approved: int
    checked_in: int
    held: list[HeldEvent]


class VolunteerIn(BaseModel):
    full_name: Text
    country: Country
    city: str | None = Field(None, max_length=120)
    email: EmailStr | None = None
    phone: str | None = Field(None, max_length=40)
    association_id: int | None = None
    skills: list[Skill] = Field(min_length=1)
    languages: list[Text] = []
    availability: str | None = Field(None, max_length=500)
    available: bool = True

    @model_validator(mode="after")
    def interpreters_name_languages(self) -> Self:
        if "interpreter" in self.skills and len(self.languages) < 2:
            raise ValueError(_("an interpreter names at least two languages"))
        return self


class VolunteerOut(VolunteerIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class ProgramIn(BaseModel):
    title: Text
    kind: ProgramKind
    country: Country
    city: str | None = Field(None, max_length=120)
    association_id: int | None = None
    teachers: list[Text] = []
    starts_on: date
    ends_on: date | None = None
    participants: int = Field(0, ge=0)
    outcomes: str | None = Field(None, max_length=5000)

    @model_validator(mode="after")
    def in_order(self) -> Self:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError(_("the program ends before it starts"))
        return self


class ProgramOut(ProgramIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class ContributionIn(BaseModel):
    kind: ContributionKind
    contributor: Text
    expert_id: int | None = None
    association_id: int | None = None
    country: Country
    area: Text
    amount: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    made_on: date
    follow_up: str | None = Field(None, max_length=5000)
    follow_up_status: FollowUpStatus = "planned"

    @field_validator("made_on")
    @classmethod
    def not_future(cls, value: date) -> date:
        if value > utcnow().date():
            raise ValueError(_("a contribution cannot be dated in the future"))
        return value

    @model_validator(mode="after")
    def amount_has_currency(self) -> Self:
        if (self.amount is None) != (self.currency is None):
            raise ValueError(_("an amount needs its currency, and a currency an amount"))
        return self


class ContributionOut(ContributionIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class Figures(BaseModel):
    """The community's work in figures, for partner agencies: counts and sums, no person."""

    volunteers_by_skill: dict[str, int]
    programs_by_kind: dict[str, int]
    participants_by_kind: dict[str, int]
    contributions_by_kind: dict[str, int]
    amounts_by_currency: dict[str, Decimal]
