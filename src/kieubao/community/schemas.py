"""What the community API takes and gives."""

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, field_validator

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
    notes: str | None = Field(None, max_length=5000)

    @field_validator("size_year")
    @classmethod
    def not_future(cls, value: int) -> int:
        if value > utcnow().year:
            raise ValueError(_("the year of an estimate cannot be in the future"))
        return value


class ProfileOut(ProfileIn):
    """A country's profile with the counts of associations and listed experts in it."""

    associations: int
    experts: int
