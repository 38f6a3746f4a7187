"""What the community API takes and gives of events, their sessions, delegates, invitations
and follow-ups."""

from datetime import date, datetime
from typing import Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    model_validator,
)

from kieubao.community.schemas.fields import (
    BirthDate,
    Country,
    EventKind,
    FollowUpStatus,
    Text,
    UtcTime,
)
from kieubao.platform.i18n import gettext as _


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
    starts_at: UtcTime
    ends_at: UtcTime
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
    date_of_birth: BirthDate = None
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
