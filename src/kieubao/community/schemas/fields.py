"""The field types the community's schemas share."""

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
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


EventKind = Literal["conference", "forum", "meeting", "cultural"]
Skill = Literal["interpreter", "medical", "legal", "driver", "host_family", "it"]
ProgramKind = Literal["language_class", "summer_camp", "youth_program", "cultural_event"]
ContributionKind = Literal["investment", "donation", "technology_transfer", "advisory"]
FollowUpStatus = Literal["planned", "in_progress", "done"]


def _utc(value: datetime) -> datetime:
    """A time typed without a zone is taken as UTC, the zone the console shows it in."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# A date of birth as typed (YYYY-MM-DD), never in the future.
BirthDate = Annotated[str | None, AfterValidator(_day)]
# A time, in UTC whatever zone it was typed in.
UtcTime = Annotated[datetime, AfterValidator(_utc)]
