"""The privacy API's bodies in and out."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from kieubao.privacy.models import BreachStatus, RequestKind, RequestStatus, Risk

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]


def _utc(value: datetime) -> datetime:
    """A time without a zone is read as UTC (the forms ask for UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UTCTime = Annotated[datetime, AfterValidator(_utc)]
CHANNELS = ("portal", "letter", "phone", "email", "in_person")
PURPOSES = ("consular_contact", "crisis_alerts", "community_news", "statistics")


class RequestIn(BaseModel):
    """A request as the citizen makes it; an officer also names the person and how their
    identity was checked."""

    model_config = ConfigDict(extra="forbid")

    kind: RequestKind
    details: Text = ""
    purpose: Annotated[str, Field(pattern="^(" + "|".join(PURPOSES) + ")$")] | None = None
    citizen_id: int | None = None
    channel: Annotated[str, Field(pattern="^(" + "|".join(CHANNELS) + ")$")] = "portal"
    identity_note: Text = ""


class RequestMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: RequestStatus
    note: Text = ""
    identity_note: Text = ""


class RequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    citizen_id: int
    country: str
    kind: RequestKind
    channel: str
    status: RequestStatus
    received_at: datetime
    due_at: datetime
    assignee_id: int | None
    outcome: str
    hours_left: float


class BreachIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]
    discovered_at: UTCTime
    occurred_at: UTCTime | None = None
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=8000)
    ]
    data_kinds: list[Short] = Field(default_factory=list, max_length=50)
    subject_categories: list[Short] = Field(default_factory=list, max_length=50)
    approx_subjects: int = Field(0, ge=0)
    approx_records: int = Field(0, ge=0)
    consequences: Text = ""
    measures: Text = ""
    risk: Risk = Risk.medium
    contact_name: Short = ""
    contact_details: Short = ""


class BreachMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: BreachStatus
    at: UTCTime | None = None
    reference: Short = ""


class BreachOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    discovered_at: datetime
    status: BreachStatus
    risk: Risk
    approx_subjects: int
    notify_by: datetime
    hours_left: float | None
    authority_notified_at: datetime | None
    authority_reference: str


class ActivityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: Text
    legal_basis: Text
    data_kinds: list[Short] = Field(default_factory=list, max_length=60)
    sensitive_kinds: list[Short] = Field(default_factory=list, max_length=60)
    subject_categories: list[Short] = Field(default_factory=list, max_length=60)
    recipients: list[Short] = Field(default_factory=list, max_length=60)
    transfers_abroad: Text = ""
    retention_rules: list[Short] = Field(default_factory=list, max_length=20)
    retention_note: Text = ""
    security_measures: Text = ""


class ActivityOut(ActivityIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    code: str
    name_vi: str
    name_en: str
