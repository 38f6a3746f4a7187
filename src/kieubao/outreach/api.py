"""Advisories over JSON under /api/v1: the published ones for anyone, the workflow for officers."""

from fastapi import APIRouter, status

from kieubao.outreach import actions, bulletin_api, queries
from kieubao.outreach.schemas import AdvisoryIn, AdvisoryOut, DiffOut, VersionOut
from kieubao.platform.deps import HQ, AnyOfficer, Anyone, SessionDep
from kieubao.platform.errors import NotFound

router = APIRouter(tags=["travel advisories"])


@router.get("/advisories", response_model=list[AdvisoryOut])
def list_advisories(session: SessionDep, user: Anyone) -> list[AdvisoryOut]:
    """The advisory in force for every country that has one (and its regions)."""
    return [queries.advisory_out(session, v) for v in queries.published(session)]


@router.get("/advisories/{country}", response_model=list[AdvisoryOut])
def country_advisories(country: str, session: SessionDep, user: Anyone) -> list[AdvisoryOut]:
    found = queries.published(session, country)
    if not found:
        raise NotFound(f"published advisory for {country.upper()}")
    return [queries.advisory_out(session, v) for v in found]


@router.get("/advisories/{country}/versions", response_model=list[VersionOut])
def advisory_history(
    country: str, session: SessionDep, user: AnyOfficer, region: str = ""
) -> list[VersionOut]:
    """Every version, drafts included, oldest first."""
    return [VersionOut.model_validate(v) for v in queries.history(session, country, region)]


@router.post("/advisories", response_model=VersionOut, status_code=status.HTTP_201_CREATED)
def draft(data: AdvisoryIn, session: SessionDep, user: AnyOfficer) -> VersionOut:
    return VersionOut.model_validate(actions.draft_advisory(session, acting_user=user, data=data))


@router.post("/advisory-versions/{version_id}/submit", response_model=VersionOut)
def submit(version_id: int, session: SessionDep, user: AnyOfficer) -> VersionOut:
    version = queries.get_version(session, version_id)
    return VersionOut.model_validate(
        actions.submit_for_review(session, acting_user=user, version=version)
    )


@router.post("/advisory-versions/{version_id}/approve", response_model=VersionOut)
def approve(version_id: int, session: SessionDep, user: HQ) -> VersionOut:
    version = queries.get_version(session, version_id)
    return VersionOut.model_validate(actions.approve(session, acting_user=user, version=version))


@router.post("/advisory-versions/{version_id}/publish", response_model=VersionOut)
def publish(version_id: int, session: SessionDep, user: HQ) -> VersionOut:
    version = queries.get_version(session, version_id)
    return VersionOut.model_validate(actions.publish(session, acting_user=user, version=version))


@router.get("/advisory-versions/{version_id}/diff/{other_id}", response_model=DiffOut)
def diff(version_id: int, other_id: int, session: SessionDep, user: AnyOfficer) -> DiffOut:
    """What changed from one version to another of the same advisory."""
    before = queries.get_version(session, version_id)
    return queries.diff(before, queries.get_version(session, other_id))


router.include_router(bulletin_api.router)
