"""What the protection API takes and gives."""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator

from kieubao.protection.models import Channel, LiaisonKind, Severity, Status
from kieubao.registry.schemas import BirthDate, CountryCode, PersonName

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^[+0-9 ().-]*$")
]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=5, max_length=5000)
]
TypeCode = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]


class ReporterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PersonName
    phone: Phone = ""
    email: EmailStr | None = None
    relation: Text = ""

    @model_validator(mode="after")
    def _reachable(self) -> "ReporterIn":
        if not self.phone and not self.email:
            raise ValueError("give a phone number or an email address to be reached at")
        return self


class SubjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: PersonName
    date_of_birth: BirthDate = None


class CaseIn(BaseModel):
    """A report, from the public or an officer. ``case_type`` may be left out: triage guesses."""

    model_config = ConfigDict(extra="forbid")

    case_type: TypeCode | None = None
    country: CountryCode
    city: Text | None = None
    description: Description
    reporter: ReporterIn
    subject: SubjectIn
    details: dict[str, Annotated[str, StringConstraints(max_length=2000)]] = Field(
        default_factory=dict, max_length=20
    )


class OfficerCaseIn(CaseIn):
    channel: Channel = Channel.officer
    severity: Severity | None = None


class IntakeOut(BaseModel):
    case_number: str
    pin: str


class OfficerIntakeOut(IntakeOut):
    id: int
    appended: bool


class TriageIn(BaseModel):
    """An officer's decision: empty fields confirm what triage guessed."""

    model_config = ConfigDict(extra="forbid")

    case_type: TypeCode | None = None
    severity: Severity | None = None
    mission: Text | None = None


class StatusIn(BaseModel):
    status: Status
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class NoteIn(BaseModel):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
    public: bool = False


class LiaisonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: LiaisonKind
    authority: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=2, max_length=300)
    ]
    on: date
    reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = ""
    summary: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] = ""


class AssignIn(BaseModel):
    officer_email: EmailStr


class StepOut(BaseModel):
    code: str
    name: str
    due_at: datetime
    done_at: datetime | None
    overdue: bool


class EventOut(BaseModel):
    at: datetime
    kind: str
    public: bool
    text: str
    data: dict[str, Any]


class LiaisonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: LiaisonKind
    authority: str
    on: date
    reference: str
    summary: str


class SubjectOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    full_name: str
    date_of_birth: str | None
    citizen_id: int | None


class CaseOut(BaseModel):
    id: int
    number: str
    case_type: str
    status: Status
    severity: Severity
    country: str
    mission: str | None
    channel: Channel
    description: str
    details: dict[str, Any]
    triage: dict[str, Any]
    reporter: dict[str, str]
    assignee: str | None
    subjects: list[SubjectOut]
    steps: list[StepOut]
    liaisons: list[LiaisonOut]
    events: list[EventOut]
    created_at: datetime


class CaseSummary(BaseModel):
    id: int
    number: str
    case_type: str
    status: Status
    severity: Severity
    country: str
    mission: str | None
    created_at: datetime
    overdue_steps: int


class CountsOut(BaseModel):
    """What a partner agency may know: numbers, no people."""

    by_type: dict[str, int]
    by_status: dict[str, int]
    by_country: dict[str, int]


class PublicFile(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int


class PublicMessage(BaseModel):
    at: datetime
    text: str
    files: list[PublicFile] = []


class NextStep(BaseModel):
    name: str
    due_at: datetime
    # Past its date: the mission and HQ have been alerted.
    late: bool = False


class PlanStep(BaseModel):
    name: str
    due_at: datetime
    done_at: datetime | None


class TrackOut(BaseModel):
    case_number: str
    case_type: str
    status: Status
    status_label: str
    messages: list[PublicMessage]
    next_step: NextStep | None
    plan: list[PlanStep] = []
    mission: str | None = None
    mission_hotline: str | None = None


class SosIn(BaseModel):
    """The one-tap call for help: who, how to call back, and where the phone is."""

    model_config = ConfigDict(extra="forbid")

    name: PersonName
    phone: Phone = ""
    email: EmailStr | None = None
    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]
    accuracy_m: Annotated[float, Field(ge=0, le=1_000_000)] | None = None
    message: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""

    @model_validator(mode="after")
    def _reachable(self) -> "SosIn":
        if not self.phone and not self.email:
            raise ValueError("give a phone number or an email address to be called back at")
        return self
