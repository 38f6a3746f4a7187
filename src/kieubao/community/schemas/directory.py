"""What the community API takes and gives of associations, experts and the overseas
community's profile."""

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    field_validator,
)

from kieubao.community.schemas.fields import (
    AssociationType,
    BirthDate,
    Contribution,
    Country,
    Relationship,
    StayStatus,
    Text,
)
from kieubao.platform.db import utcnow
from kieubao.platform.i18n import gettext as _


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


class ExpertIn(BaseModel):
    full_name: Text
    date_of_birth: BirthDate = None
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
