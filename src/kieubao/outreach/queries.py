"""Reads: the advisories in force, a version's history and what changed between two."""

import difflib
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kieubao.outreach.feeds import LEVEL_NAMES, LEVEL_NAMES_VI
from kieubao.outreach.models import Advisory, AdvisoryVersion, Status
from kieubao.outreach.schemas import AdvisoryOut, ContactOut, DiffOut, FieldChange, VersionOut
from kieubao.platform import missions
from kieubao.platform.deps import Scope
from kieubao.platform.errors import NotFound

# The Consular Department's citizen-protection (bảo hộ công dân) hotline, answered day and night.
PROTECTION_HOTLINE = "+84 981 84 84 84"

COMPARED = ("level", "reasons", "advice_vi", "advice_en", "entry_vi", "entry_en", "region_geometry")
Change = Literal["raised", "lowered", "unchanged", "new"]
TEXTS = ("advice_vi", "advice_en", "entry_vi", "entry_en")


def level_names(locale: str) -> dict[int, str]:
    """The four levels' names in the viewer's language."""
    return LEVEL_NAMES_VI if locale == "vi" else LEVEL_NAMES


def published(session: Session, country: str | None = None) -> list[AdvisoryVersion]:
    """The version in force of every advisory (or one country's), country then region."""
    query = (
        select(AdvisoryVersion)
        .join(Advisory)
        .where(AdvisoryVersion.status == Status.published)
        .order_by(Advisory.country, Advisory.region)
    )
    if country is not None:
        query = query.where(Advisory.country == country.upper())
    return list(session.scalars(query))


def recent_publications(
    session: Session, country: str | None = None, *, cap_only: bool = False, limit: int = 50
) -> list[AdvisoryVersion]:
    """Every publication, superseded ones too, newest first: what the feeds announce."""
    query = (
        select(AdvisoryVersion)
        .join(Advisory)
        .where(AdvisoryVersion.published_at.is_not(None))
        .order_by(AdvisoryVersion.published_at.desc(), AdvisoryVersion.id.desc())
        .limit(limit)
    )
    if country is not None:
        query = query.where(Advisory.country == country.upper())
    if cap_only:
        query = query.where(AdvisoryVersion.cap_identifier.is_not(None))
    return list(session.scalars(query))


def in_flight(session: Session, scope: Scope) -> list[AdvisoryVersion]:
    """Versions not yet published, in the officer's countries, oldest first."""
    query = (
        select(AdvisoryVersion)
        .join(Advisory)
        .where(AdvisoryVersion.status.in_([Status.draft, Status.in_review, Status.approved]))
        .order_by(AdvisoryVersion.id)
    )
    if scope.countries is not None:
        query = query.where(Advisory.country.in_(scope.countries))
    return list(session.scalars(query))


def get_version(session: Session, version_id: int) -> AdvisoryVersion:
    version = session.get(AdvisoryVersion, version_id)
    if version is None:
        raise NotFound("advisory version")
    return version


def by_cap_identifier(session: Session, identifier: str) -> AdvisoryVersion:
    version = session.scalar(
        select(AdvisoryVersion).where(AdvisoryVersion.cap_identifier == identifier)
    )
    if version is None:
        raise NotFound("CAP alert")
    return version


def history(session: Session, country: str, region: str = "") -> list[AdvisoryVersion]:
    advisory = session.scalar(
        select(Advisory).where(Advisory.country == country.upper(), Advisory.region == region)
    )
    if advisory is None:
        raise NotFound("advisory")
    return list(advisory.versions)


def contacts(session: Session, country: str) -> list[ContactOut]:
    """The missions answering for the country, with their own protection hotlines."""
    return [
        ContactOut(
            mission=m.code,
            name_vi=m.name_vi,
            name_en=m.name_en,
            city=m.city,
            phone=m.phone,
            email=m.email,
            hotline=m.hotline,
        )
        for m in missions.all_missions(session)
        if country in m.countries
    ]


def change_of(version: AdvisoryVersion) -> Change:
    if version.previous_level is None:
        return "new"
    if version.level_change > 0:
        return "raised"
    return "lowered" if version.level_change < 0 else "unchanged"


def advisory_out(session: Session, version: AdvisoryVersion) -> AdvisoryOut:
    advisory = version.advisory
    return AdvisoryOut(
        country=advisory.country,
        region=advisory.region,
        region_geometry=version.region_geometry,
        level=version.level,
        level_change=change_of(version),
        published=VersionOut.model_validate(version),
        contacts=contacts(session, advisory.country),
        protection_hotline=PROTECTION_HOTLINE,
    )


def diff(before: AdvisoryVersion, after: AdvisoryVersion) -> DiffOut:
    """Field by field; texts also as a unified diff an officer can read line by line."""
    if before.advisory_id != after.advisory_id:
        raise NotFound("version of the same advisory")
    changes = []
    for name in COMPARED:
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        unified = None
        if name in TEXTS:
            unified = "\n".join(
                difflib.unified_diff(
                    old.splitlines(),
                    new.splitlines(),
                    f"v{before.number}",
                    f"v{after.number}",
                    lineterm="",
                )
            )
        changes.append(FieldChange(field=name, before=old, after=new, unified_diff=unified))
    return DiffOut(from_version=before.number, to_version=after.number, changes=changes)


def levels_by_country(session: Session) -> dict[str, int]:
    """The highest level in force per country, a region's included."""
    rows = session.execute(
        select(Advisory.country, func.max(AdvisoryVersion.level))
        .join(Advisory)
        .where(AdvisoryVersion.status == Status.published)
        .group_by(Advisory.country)
    )
    return {country: int(level) for country, level in rows}
