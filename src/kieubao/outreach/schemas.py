"""The API's advisories in and out."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kieubao.outreach.models import Reason, Status
from kieubao.outreach.sanitize import clean_html
from kieubao.platform import countries


class AdvisoryIn(BaseModel):
    """A new version of the advisory for a country (or a region of it), as drafted."""

    model_config = ConfigDict(extra="forbid")

    country: str = Field(min_length=2, max_length=2)
    region: str = Field("", max_length=120)
    region_geometry: dict[str, Any] | None = None
    level: int = Field(ge=1, le=4)
    reasons: list[Reason] = Field(default_factory=list, max_length=len(Reason))
    advice_vi: str = Field(min_length=1, max_length=20_000)
    advice_en: str = Field(min_length=1, max_length=20_000)
    entry_vi: str = Field("", max_length=20_000)
    entry_en: str = Field("", max_length=20_000)

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        value = value.upper()
        if not countries.is_valid(value):
            raise ValueError("not an ISO 3166-1 alpha-2 country code")
        return value

    @field_validator("region_geometry")
    @classmethod
    def _polygon(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        if value.get("type") not in ("Polygon", "MultiPolygon"):
            raise ValueError("must be a GeoJSON Polygon or MultiPolygon")
        polygons = value.get("coordinates")
        if value["type"] == "Polygon":
            polygons = [polygons]
        if not isinstance(polygons, list) or not polygons:
            raise ValueError("coordinates missing")
        for polygon in polygons:
            if not isinstance(polygon, list) or not polygon or not _ring(polygon[0]):
                raise ValueError("each polygon needs an outer ring of 4+ [longitude, latitude]")
        return value

    @field_validator("advice_vi", "advice_en", "entry_vi", "entry_en")
    @classmethod
    def _sanitised(cls, value: str) -> str:
        return clean_html(value)

    @field_validator("advice_vi", "advice_en")
    @classmethod
    def _not_empty_once_clean(cls, value: str) -> str:
        if not value:
            raise ValueError("nothing left once scripts and markup are removed")
        return value


class ContactOut(BaseModel):
    mission: str
    name_vi: str
    name_en: str
    city: str
    phone: str
    email: str
    hotline: str


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: int
    status: Status
    level: int
    previous_level: int | None
    reasons: list[str]
    advice_vi: str
    advice_en: str
    entry_vi: str
    entry_en: str
    submitted_at: datetime | None
    approved_at: datetime | None
    published_at: datetime | None
    cap_identifier: str | None


class AdvisoryOut(BaseModel):
    country: str
    region: str
    region_geometry: dict[str, Any] | None
    level: int
    level_change: Literal["raised", "lowered", "unchanged", "new"]
    published: VersionOut
    contacts: list[ContactOut]
    protection_hotline: str


class FieldChange(BaseModel):
    field: str
    before: Any
    after: Any
    unified_diff: str | None = None


class DiffOut(BaseModel):
    from_version: int
    to_version: int
    changes: list[FieldChange]


def _ring(ring: Any) -> bool:
    return (
        isinstance(ring, list)
        and len(ring) >= 4
        and all(
            isinstance(p, list)
            and len(p) >= 2
            and all(isinstance(c, int | float) and not isinstance(c, bool) for c in p[:2])
            and -180 <= p[0] <= 180
            and -90 <= p[1] <= 90
            for p in ring
        )
    )
