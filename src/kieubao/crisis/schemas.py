"""The crisis domain's API in and out."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from kieubao.registry.schemas import BirthDate, CountryCode, PersonName, Text


class CircleIn(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_km: float = Field(gt=0, le=20015)


class ExposureIn(BaseModel):
    """One circle or one GeoJSON Polygon/MultiPolygon ([lon, lat] positions)."""

    circle: CircleIn | None = None
    polygon: dict[str, Any] | None = None
    after_id: int = Field(0, ge=0, description="keyset paging: the last id of the page before")
    limit: int = Field(50, ge=1, le=500)

    @model_validator(mode="after")
    def one_shape(self) -> "ExposureIn":
        if (self.circle is None) == (self.polygon is None):
            raise ValueError("give exactly one of circle or polygon")
        return self

    def area(self) -> dict[str, Any]:
        if self.circle is not None:
            return {"circles": [self.circle.model_dump()], "polygons": []}
        return {"circles": [], "polygons": [self.polygon]}


class ExposedCitizen(BaseModel):
    id: int
    full_name: str
    country: str
    city: str | None
    stay_status: str
    phones: list[str]
    email: str | None
    mission_code: str | None
    crisis_consent: bool


class ExposureOut(BaseModel):
    count: int
    by_country: dict[str, int]
    by_city: dict[str, int]
    by_stay_status: dict[str, int]
    consenting: int
    citizens: list[ExposedCitizen] | None = Field(
        None, description="officers with jurisdiction only; partner agencies get counts"
    )
    next_after_id: int | None = None


class ReportOut(BaseModel):
    source: str
    external_id: str
    version: str
    message_type: str
    title: str
    url: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    languages: list[str]


class HazardOut(BaseModel):
    id: int
    hazard_type: str
    title: str
    status: str
    occurred_at: datetime
    latitude: float | None
    longitude: float | None
    magnitude: float | None
    alert_level: str | None
    severity: str | None
    countries: list[str]
    exposed: int | None
    footprint: dict[str, Any] | None
    footprint_rule: str | None
    url: str | None
    sources: list[ReportOut]


class IngestOut(BaseModel):
    kind: str | None
    new: int
    updated: int
    unchanged: int
    rejected: list[dict[str, str]]
    links: list[str]
    hazards: list[int]


class FeedSourceIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    url: str = Field(pattern=r"^https?://", max_length=1000)
    kind: Literal["usgs", "gdacs", "cap"] | None = None
    poll_seconds: int = Field(300, ge=30, le=86400)
    enabled: bool = True


class FeedSourceOut(FeedSourceIn):
    id: int
    last_polled_at: datetime | None
    next_poll_at: datetime | None
    failures: int
    last_error: str | None
    last_result: dict[str, Any] | None


class AlertRuleIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    hazard_types: list[str] = []
    min_magnitude: float | None = Field(None, ge=0, le=10)
    min_alert_level: Literal["green", "yellow", "orange", "red"] | None = None
    min_severity: Literal["minor", "moderate", "severe", "extreme"] | None = None
    min_exposed: int = Field(1, ge=0)
    countries: list[str] = []
    notify_missions: bool = True
    notify_hq: bool = True
    webhook_url: str | None = Field(None, pattern=r"^https?://", max_length=1000)
    enabled: bool = True


class AlertRuleOut(AlertRuleIn):
    id: int


class AlertOut(BaseModel):
    id: int
    hazard_id: int
    hazard_title: str
    rule: str
    exposed: int
    by_country: dict[str, int]
    level_rank: int
    times_raised: int
    raised_at: datetime
    message_vi: str
    message_en: str
    acknowledged_at: datetime | None


RosterStatus = Literal[
    "unaccounted", "safe", "needs_help", "injured", "deceased", "evacuated", "left_area"
]
Need = Literal["medical", "shelter", "documents", "food", "evacuation"]


class CrisisIn(BaseModel):
    """From a hazard (its footprint is the area), or by hand with a circle or polygon."""

    title: str = Field("", max_length=300)
    hazard_id: int | None = None
    circle: CircleIn | None = None
    polygon: dict[str, Any] | None = None
    countries: list[str] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def one_area(self) -> "CrisisIn":
        given = [x for x in (self.hazard_id, self.circle, self.polygon) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of hazard_id, circle or polygon")
        if self.hazard_id is None and not self.title.strip():
            raise ValueError("a crisis opened by hand needs a title")
        return self

    def area(self) -> dict[str, Any] | None:
        if self.circle is not None:
            return {"circles": [self.circle.model_dump()], "polygons": []}
        if self.polygon is not None:
            return {"circles": [], "polygons": [self.polygon]}
        return None


class RosterCountsOut(BaseModel):
    total: int
    by_status: dict[str, int]
    by_city: dict[str, dict[str, int]]


class CrisisOut(BaseModel):
    id: int
    title: str
    hazard_id: int | None
    status: str
    countries: list[str]
    opened_at: datetime
    closed_at: datetime | None
    roster: RosterCountsOut


class RosterEntryOut(BaseModel):
    id: int
    citizen_id: int
    full_name: str
    country: str
    city: str | None
    phones: list[str]
    email: str | None
    status: str
    needs: list[str]
    last_source: str | None
    last_heard_at: datetime | None


class StatusIn(BaseModel):
    status: RosterStatus
    source: Literal["relative", "officer_call", "host_authority"] = "officer_call"
    needs: list[Need] = Field(default_factory=list)
    note: str | None = Field(None, max_length=1000)


class PersonHere(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: PersonName
    date_of_birth: BirthDate = None


class SelfReportIn(BaseModel):
    """ "I am in the affected area": the sender first, then the family with them."""

    model_config = ConfigDict(extra="forbid")

    people: list[PersonHere] = Field(min_length=1, max_length=10)
    phone: Text | None = None
    email: EmailStr | None = None
    country: CountryCode
    city: Text | None = None
    # None: where they are, not how they are (an SMS keyword): the roster keeps them unaccounted.
    status: Literal["safe", "needs_help"] | None = "safe"
    needs: list[Need] = Field(default_factory=list)
    note: str | None = Field(None, max_length=1000)

    @model_validator(mode="after")
    def reachable(self) -> "SelfReportIn":
        if not self.phone and not self.email:
            raise ValueError("give a phone number or an email address, so that we can reach you")
        return self


class SelfReportOut(BaseModel):
    reference: str
