"""Volunteers, programs and contributions over JSON; the figures partner agencies see."""

from fastapi import APIRouter

from kieubao.community import actions, queries
from kieubao.community.api.roles import Editor, Reader
from kieubao.community.schemas import (
    ContributionIn,
    ContributionOut,
    Country,
    Figures,
    ProgramIn,
    ProgramOut,
    Skill,
    VolunteerIn,
    VolunteerOut,
)
from kieubao.platform.deps import SessionDep, Staff

router = APIRouter()


@router.get("/volunteers", response_model=list[VolunteerOut])
def list_volunteers(
    session: SessionDep,
    user: Reader,
    skill: Skill | None = None,
    country: Country | None = None,
    available: bool = False,
) -> list[VolunteerOut]:
    found = queries.volunteers(session, skill=skill, country=country, available_only=available)
    return [VolunteerOut.model_validate(v) for v in found]


@router.post("/volunteers", response_model=VolunteerOut, status_code=201)
def create_volunteer(data: VolunteerIn, session: SessionDep, user: Editor) -> VolunteerOut:
    return VolunteerOut.model_validate(actions.save_volunteer(session, acting_user=user, data=data))


@router.put("/volunteers/{volunteer_id}", response_model=VolunteerOut)
def update_volunteer(
    volunteer_id: int, data: VolunteerIn, session: SessionDep, user: Editor
) -> VolunteerOut:
    volunteer = queries.get_volunteer(session, volunteer_id)
    return VolunteerOut.model_validate(
        actions.save_volunteer(session, acting_user=user, data=data, volunteer=volunteer)
    )


@router.get("/programs", response_model=list[ProgramOut])
def list_programs(
    session: SessionDep, user: Reader, country: Country | None = None, kind: str | None = None
) -> list[ProgramOut]:
    """Programs name their teachers: officers and editors only; partners see the figures."""
    return [
        ProgramOut.model_validate(p) for p in queries.programs(session, country=country, kind=kind)
    ]


@router.post("/programs", response_model=ProgramOut, status_code=201)
def create_program(data: ProgramIn, session: SessionDep, user: Editor) -> ProgramOut:
    return ProgramOut.model_validate(actions.save_program(session, acting_user=user, data=data))


@router.get("/contributions", response_model=list[ContributionOut])
def list_contributions(
    session: SessionDep, user: Reader, country: Country | None = None, kind: str | None = None
) -> list[ContributionOut]:
    found = queries.contributions(session, country=country, kind=kind)
    return [ContributionOut.model_validate(c) for c in found]


@router.post("/contributions", response_model=ContributionOut, status_code=201)
def create_contribution(data: ContributionIn, session: SessionDep, user: Editor) -> ContributionOut:
    return ContributionOut.model_validate(
        actions.save_contribution(session, acting_user=user, data=data)
    )


@router.get("/figures", response_model=Figures)
def figures(session: SessionDep, user: Staff, country: Country | None = None) -> Figures:
    """Counts and sums only: every staff role, partner agencies included."""
    return queries.figures(session, country=country)
