"""What the registry API takes and gives."""

import unicodedata
from datetime import date, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from kieubao.platform import countries
from kieubao.platform.i18n import gettext as _
from kieubao.registry.dates import parse_birth_date
from kieubao.registry.matching import Candidate
from kieubao.registry.models import NationalityStatus, Purpose, Sex, StayStatus

T = TypeVar("T")
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=400)]
Ref = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]
PassportNo = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30)]


def _birth_date(value: str | None) -> str | None:
    parsed = parse_birth_date(value)
    return None if parsed is None else str(parsed)


def _country_code(value: str) -> str:
    code = countries.normalize_country(value)
    if code is None:
        raise ValueError(_("unknown country '{value}'").format(value=value))
    return code


NAME_PUNCTUATION = set(" -'.,()")


def _person_name(value: str) -> str:
    # VNI typing puts tone digits inside words ("Nguye6n4"); a word of digits alone is no name.
    if any(word.isdigit() for word in value.split()):
        raise ValueError(_("a name has no numbers"))
    if any(
        not (ch.isalnum() or ch in NAME_PUNCTUATION or unicodedata.combining(ch)) for ch in value
    ):
        raise ValueError(_("a name is made of letters, spaces, hyphens and apostrophes"))
    if not any(ch.isalpha() for ch in value):
        raise ValueError(_("a name has letters"))
    if len(scripts := {_script(ch) for ch in value if ch.isalpha()} & CONFUSABLE_SCRIPTS) > 1:
        # "Nguyễn Vаn An" with a Cyrillic "а" looks right and matches no one.
        raise ValueError(
            _("a name mixes alphabets that look alike ({scripts}): type it in one").format(
                scripts=", ".join(sorted(s.title() for s in scripts))
            )
        )
    return value


# Alphabets whose letters pass for one another.
CONFUSABLE_SCRIPTS = {"LATIN", "CYRILLIC", "GREEK"}


def _script(ch: str) -> str:
    return unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]


BirthDate = Annotated[
    str | None,
    AfterValidator(_birth_date),
    Field(description="YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY"),
]
CountryCode = Annotated[
    str, AfterValidator(_country_code), Field(description="ISO 3166-1 alpha-2, or the name")
]
PersonName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=2, max_length=200),
    AfterValidator(_person_name),
]


class EmergencyContact(BaseModel):
    name: Text | None = None
    phone: Text | None = None
    relation: Text | None = None


class CitizenIn(BaseModel):
    """A registration: by the citizen, an officer, or one row of an import."""

    model_config = ConfigDict(extra="forbid")

    full_name: PersonName
    sex: Sex = Sex.unknown
    date_of_birth: BirthDate = None
    nationality_status: NationalityStatus = NationalityStatus.vietnamese
    passport_no: PassportNo | None = None
    phones: list[Text] = Field(default_factory=list, max_length=5)
    email: EmailStr | None = None
    zalo: Text | None = None
    telegram: Text | None = None
    whatsapp: Text | None = None
    address: LongText | None = None
    country: CountryCode
    city: Text | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    stay_status: StayStatus = StayStatus.unknown
    employer_or_school: Text | None = None
    emergency_contact: EmergencyContact | None = None
    consents: dict[Purpose, bool] = Field(default_factory=dict)
    external_ref: Ref | None = None


class CitizenPatch(BaseModel):
    """An edit: only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    full_name: PersonName | None = None
    sex: Sex | None = None
    date_of_birth: BirthDate = None
    passport_no: PassportNo | None = None
    phones: list[Text] | None = None
    email: EmailStr | None = None
    zalo: Text | None = None
    telegram: Text | None = None
    whatsapp: Text | None = None
    address: LongText | None = None
    country: CountryCode | None = None
    city: Text | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    stay_status: StayStatus | None = None
    employer_or_school: Text | None = None
    emergency_contact: EmergencyContact | None = None


class CitizenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    public_id: str
    external_ref: str | None
    full_name: str
    sex: Sex
    date_of_birth: str | None
    nationality_status: NationalityStatus
    passport_no: str | None
    phones: list[str]
    email: str | None
    zalo: str | None
    telegram: str | None
    whatsapp: str | None
    address: str | None
    country: str
    city: str | None
    latitude: float | None
    longitude: float | None
    stay_status: StayStatus
    employer_or_school: str | None
    emergency_contact: EmergencyContact | None
    mission_code: str | None
    household_id: int | None
    status: str
    consents: dict[Purpose, bool]
    last_confirmed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CitizenSummary(BaseModel):
    id: int
    external_ref: str | None
    full_name: str
    date_of_birth: str | None
    country: str
    city: str | None
    mission_code: str | None
    status: str


class MatchOut(BaseModel):
    best: Candidate | None
    candidates: list[Candidate]


class ConsentIn(BaseModel):
    purpose: Purpose
    granted: bool


class TripIn(BaseModel):
    start_date: date
    end_date: date
    itinerary: list[dict[str, str]] = Field(default_factory=list, max_length=50)


class TripRenewal(BaseModel):
    end_date: date


class HouseholdIn(BaseModel):
    name: Text = ""
    members: list[CitizenIn] = Field(min_length=1, max_length=30)
    relations: list[Text | None] = Field(default_factory=list)


class ImportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    status: str
    total_rows: int
    rows_done: int
    created: int
    matched: int
    rejected: int
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    errors_url: str


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int
