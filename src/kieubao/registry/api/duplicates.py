"""Suspected duplicates and their decisions."""

from fastapi import APIRouter
from pydantic import BaseModel

from kieubao.platform.deps import AnyOfficer, SessionDep, scope_of
from kieubao.platform.errors import Invalid
from kieubao.registry import actions, queries
from kieubao.registry.api.citizens import summary
from kieubao.registry.schemas import CitizenSummary

router = APIRouter(tags=["duplicates"])


class SuspicionOut(BaseModel):
    id: int
    score: float
    one: CitizenSummary
    other: CitizenSummary


class MergeIn(BaseModel):
    keep: int


@router.get("/duplicates", response_model=list[SuspicionOut])
def open_duplicates(session: SessionDep, officer: AnyOfficer) -> list[SuspicionOut]:
    return [
        SuspicionOut(
            id=s.suspect.id, score=s.suspect.score, one=summary(s.one), other=summary(s.other)
        )
        for s in queries.open_duplicates(session, scope_of(officer))
    ]


@router.post("/duplicates/{suspect_id}/merge")
def merge(
    suspect_id: int, body: MergeIn, session: SessionDep, officer: AnyOfficer
) -> dict[str, int]:
    """Merge the pair, keeping the record named by `keep`; undo with /merges/{id}/undo."""
    scope = scope_of(officer)
    suspect = queries.get_suspicion(session, suspect_id, scope)
    ids = {suspect.citizen_id, suspect.other_id}
    if body.keep not in ids:
        raise Invalid("keep", "must be one of the two records")
    (absorbed_id,) = ids - {body.keep}
    done = actions.merge_citizens(
        session,
        acting_user=officer,
        survivor=queries.get_citizen(session, body.keep, scope),
        absorbed=queries.get_citizen(session, absorbed_id, scope),
    )
    return {"merge_id": done.id, "survivor_id": done.survivor_id, "absorbed_id": done.absorbed_id}


@router.post("/duplicates/{suspect_id}/dismiss", status_code=204)
def dismiss(suspect_id: int, session: SessionDep, officer: AnyOfficer) -> None:
    """They are two different people."""
    suspect = queries.get_suspicion(session, suspect_id, scope_of(officer))
    actions.dismiss_duplicate(session, acting_user=officer, suspect=suspect)


@router.post("/merges/{merge_id}/undo", status_code=204)
def undo(merge_id: int, session: SessionDep, officer: AnyOfficer) -> None:
    merge = queries.get_merge(session, merge_id, scope_of(officer))
    actions.undo_merge(session, acting_user=officer, merge=merge)
