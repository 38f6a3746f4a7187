"""The life of an advisory version: drafted, sent for review, approved by a second officer,
published. Each step is one transaction with its audit entry."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.outreach import sending, workflow
from kieubao.outreach.models import Advisory, AdvisoryVersion, Status
from kieubao.outreach.schemas import AdvisoryIn
from kieubao.platform import audit
from kieubao.platform.db import commit, utcnow
from kieubao.platform.deps import scope_of
from kieubao.platform.errors import Forbidden
from kieubao.platform.models import User

# Levels from which a change goes out as a CAP alert as well (reconsider / do not travel).
CAP_LEVELS = (3, 4)


def draft_advisory(session: Session, *, acting_user: User, data: AdvisoryIn) -> AdvisoryVersion:
    """A new version of a country's (or region's) advisory, not yet visible to anyone outside."""
    _may_write_for(acting_user, data.country)
    advisory = session.scalar(
        select(Advisory).where(Advisory.country == data.country, Advisory.region == data.region)
    )
    if advisory is None:
        advisory = Advisory(country=data.country, region=data.region)
        session.add(advisory)
    session.flush()
    number = 1 + max((v.number for v in advisory.versions), default=0)
    version = AdvisoryVersion(
        advisory=advisory,
        number=number,
        status=Status.draft,
        level=data.level,
        reasons=[r.value for r in data.reasons],
        advice_vi=data.advice_vi,
        advice_en=data.advice_en,
        entry_vi=data.entry_vi,
        entry_en=data.entry_en,
        region_geometry=data.region_geometry,
        author_id=acting_user.id,
    )
    session.add(version)
    session.flush()
    audit.record(
        session,
        acting_user,
        "advisory.drafted",
        "advisory_version",
        version.id,
        after=_state(version),
    )
    commit(session)
    return version


def submit_for_review(
    session: Session, *, acting_user: User, version: AdvisoryVersion
) -> AdvisoryVersion:
    _may_write_for(acting_user, version.advisory.country)
    workflow.submit(version)
    audit.record(session, acting_user, "advisory.submitted", "advisory_version", version.id)
    commit(session)
    return version


def approve(session: Session, *, acting_user: User, version: AdvisoryVersion) -> AdvisoryVersion:
    """A second officer at headquarters checks the wording; the author may not approve it."""
    workflow.approve(acting_user, version, noun="version", what="approve an advisory")
    audit.record(session, acting_user, "advisory.approved", "advisory_version", version.id)
    commit(session)
    return version


def publish(session: Session, *, acting_user: User, version: AdvisoryVersion) -> AdvisoryVersion:
    """The version goes live on the portal and the feeds, and goes out to those who follow the
    country; the one before it is superseded."""
    workflow.headquarters(acting_user, "publish an advisory")
    workflow.expect(version, Status.approved, "only an approved version can be published")
    current = session.scalar(
        select(AdvisoryVersion).where(
            AdvisoryVersion.advisory_id == version.advisory_id,
            AdvisoryVersion.status == Status.published,
        )
    )
    if current is not None:
        current.status = Status.superseded
        version.previous_level = current.level
    version.status = Status.published
    version.publisher_id = acting_user.id
    version.published_at = utcnow()
    if version.level in CAP_LEVELS and version.level != version.previous_level:
        advisory = version.advisory
        region = f"-{advisory.id}" if advisory.region else ""
        version.cap_identifier = f"kieubao-advisory-{advisory.country}{region}-v{version.number}"
    audit.record(
        session,
        acting_user,
        "advisory.published",
        "advisory_version",
        version.id,
        before={"level": current.level} if current else None,
        after={"level": version.level},
    )
    sending.send_advisory(session, version)
    commit(session)
    return version


def _may_write_for(user: User, country: str) -> None:
    if not scope_of(user).covers(country):
        raise Forbidden(f"your mission does not answer for {country}")


def _state(version: AdvisoryVersion) -> dict[str, object]:
    return {
        "country": version.advisory.country,
        "region": version.advisory.region,
        "level": version.level,
        "reasons": version.reasons,
        "advice_vi": version.advice_vi,
        "advice_en": version.advice_en,
        "entry_vi": version.entry_vi,
        "entry_en": version.entry_en,
        "region_geometry": version.region_geometry,
    }
