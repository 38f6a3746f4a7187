"""What the coordination API takes and gives."""

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from kieubao.coordination.models import JobState, ReviewKind, TaskStatus
from kieubao.registry.schemas import CountryCode

Text = Annotated[str, Field(min_length=1, max_length=400)]
AgencyCode = Annotated[str, Field(min_length=2, max_length=30, pattern=r"^[A-Z0-9_-]+$")]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _in_order(start: date, end: date, first: str, second: str) -> None:
    if end < start:
        raise ValueError(f"{second} ({end}) is before {first} ({start})")


class AgencyIn(BaseModel):
    code: AgencyCode
    name_vi: Text
    name_en: Text


class AgencyOut(_Out):
    id: int
    code: str
    name_vi: str
    name_en: str


class MemberIn(BaseModel):
    user_id: int
    agency: AgencyCode


class ArticleIn(BaseModel):
    number: Annotated[int, Field(ge=1, le=999)]
    title: Text


class ArticleOut(_Out):
    id: int
    number: int
    title: str


class ProgramIn(BaseModel):
    title: Text
    signed_on: date | None = None
    ends_on: date | None = None
    agencies: Annotated[list[AgencyCode], Field(min_length=1)]
    articles: list[ArticleIn] = []

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.signed_on and self.ends_on:
            _in_order(self.signed_on, self.ends_on, "signed_on", "ends_on")
        if len({a.number for a in self.articles}) != len(self.articles):
            raise ValueError("articles: each number once")
        return self


class ProgramOut(_Out):
    id: int
    title: str
    signed_on: date | None
    ends_on: date | None
    agency_ids: list[int]
    articles: list[ArticleOut]


class EvidenceIn(BaseModel):
    title: Text
    url: HttpUrl | None = None


class TaskIn(BaseModel):
    title: Text
    article_id: int | None = None
    goal_id: int | None = None
    delegation_id: int | None = None
    lead_agency: AgencyCode
    supporting_agencies: list[AgencyCode] = []
    owner: Annotated[str, Field(max_length=200)] = ""
    deadline: date

    @model_validator(mode="after")
    def _one_parent(self) -> Self:
        parents = [self.article_id, self.goal_id, self.delegation_id]
        if sum(p is not None for p in parents) != 1:
            raise ValueError("a task belongs to one of article_id, goal_id or delegation_id")
        return self


class TaskUpdate(BaseModel):
    """What the agencies of a task change as the work goes on."""

    status: TaskStatus | None = None
    owner: Annotated[str | None, Field(max_length=200)] = None
    add_evidence: list[EvidenceIn] = []


class TaskOut(_Out):
    id: int
    title: str
    article_id: int | None
    goal_id: int | None
    delegation_id: int | None
    lead_agency_id: int
    supporting_agency_ids: list[int]
    owner: str
    deadline: date
    status: TaskStatus
    done_on: date | None
    evidence: list[dict[str, str]]
    overdue: bool


class IndicatorIn(BaseModel):
    name: Text
    unit: Annotated[str, Field(min_length=1, max_length=60)]
    baseline: float
    target: float
    target_year: Annotated[int, Field(ge=1990, le=2100)]


class GoalIn(BaseModel):
    title: Text
    indicators: list[IndicatorIn] = []


class ResolutionIn(BaseModel):
    code: Annotated[str, Field(min_length=1, max_length=60)]
    title: Text
    issued_on: date | None = None
    goals: list[GoalIn] = []


class ValueIn(BaseModel):
    period_end: date
    value: float
    source: Text


class ValueOut(_Out):
    period_end: date
    value: float
    source: str


class IndicatorOut(_Out):
    id: int
    name: str
    unit: str
    baseline: float
    target: float
    target_year: int
    values: list[ValueOut]


class GoalOut(_Out):
    id: int
    title: str
    indicators: list[IndicatorOut]


class ResolutionOut(_Out):
    id: int
    code: str
    title: str
    issued_on: date | None
    goals: list[GoalOut]


# The longest span of each kind of review, in days (a little over, for leap years).
SPAN_DAYS = {
    ReviewKind.six_month: 186,
    ReviewKind.yearly: 366,
    ReviewKind.five_year: 5 * 366,
    ReviewKind.twenty_year: 20 * 366,
}


class ReviewIn(BaseModel):
    kind: ReviewKind
    period_start: date
    period_end: date
    title: Annotated[str, Field(max_length=400)] = ""

    @model_validator(mode="after")
    def _period(self) -> Self:
        _in_order(self.period_start, self.period_end, "period_start", "period_end")
        span = (self.period_end - self.period_start).days + 1
        if span > SPAN_DAYS[self.kind]:
            raise ValueError(
                f"a {self.kind} review covers at most {SPAN_DAYS[self.kind]} days, not {span}"
            )
        return self


class ReviewEdit(BaseModel):
    title: Annotated[str | None, Field(max_length=400)] = None
    summary: Annotated[str | None, Field(max_length=20000)] = None


class ReviewOut(_Out):
    id: int
    kind: ReviewKind
    period_start: date
    period_end: date
    title: str
    summary: str
    state: JobState
    progress: int
    figures: dict[str, Any]
    error: str | None
    finished_at: datetime | None


class SitrepIn(BaseModel):
    countries: Annotated[list[CountryCode], Field(min_length=1, max_length=60)]
    period_start: date
    period_end: date

    @model_validator(mode="after")
    def _period(self) -> Self:
        _in_order(self.period_start, self.period_end, "period_start", "period_end")
        return self


class MemberPlan(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    agency: AgencyCode


class MeetingPlan(BaseModel):
    on: date
    with_: Annotated[str, Field(min_length=1, max_length=300, alias="with")]
    kind: Literal["association", "authority"]

    model_config = ConfigDict(populate_by_name=True)


class DelegationIn(BaseModel):
    purpose: Text
    countries: Annotated[list[CountryCode], Field(min_length=1)]
    starts_on: date
    ends_on: date
    members: list[MemberPlan] = []
    meetings: list[MeetingPlan] = []

    @model_validator(mode="after")
    def _dates(self) -> Self:
        _in_order(self.starts_on, self.ends_on, "starts_on", "ends_on")
        for meeting in self.meetings:
            if not self.starts_on <= meeting.on <= self.ends_on:
                raise ValueError(f"meeting on {meeting.on} is outside the delegation's dates")
        return self


class OutcomeIn(BaseModel):
    outcome: Annotated[str, Field(min_length=1, max_length=20000)]


class DelegationOut(_Out):
    id: int
    purpose: str
    countries: list[str]
    starts_on: date
    ends_on: date
    members: list[dict[str, Any]]
    meetings: list[dict[str, Any]]
    status: str
    outcome: str


NoteStatus = Literal["draft", "submitted", "accepted", "rejected"]


class EvidenceRef(BaseModel):
    kind: Literal["case", "review", "indicator"]
    ref: Annotated[str, Field(min_length=1, max_length=60)]


class PolicyNoteIn(BaseModel):
    title: Text
    proposal: Annotated[str, Field(min_length=1, max_length=20000)]
    evidence: list[EvidenceRef] = []


class NoteStatusIn(BaseModel):
    status: NoteStatus


class PolicyNoteOut(_Out):
    id: int
    title: str
    proposal: str
    status: str
    evidence: list[dict[str, str]]


class CourseIn(BaseModel):
    title: Text
    topic: Annotated[str, Field(min_length=1, max_length=40)]
    held_from: date
    held_to: date

    @model_validator(mode="after")
    def _dates(self) -> Self:
        _in_order(self.held_from, self.held_to, "held_from", "held_to")
        return self


class CourseOut(_Out):
    id: int
    title: str
    topic: str
    held_from: date
    held_to: date


class AttendanceIn(BaseModel):
    user_id: int
    certificate_no: Annotated[str | None, Field(max_length=40)] = None


class TrainedOut(BaseModel):
    """Who at which mission is trained for what."""

    mission: str | None
    officer: str
    topic: str
    course: str
    certified: bool
