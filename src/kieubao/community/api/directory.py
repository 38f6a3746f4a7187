"""Associations, experts and country profiles over JSON, under /api/v1/community."""

from fastapi import APIRouter, Response

from kieubao.community import actions, queries
from kieubao.community.api.roles import Editor, Reader
from kieubao.community.schemas import (
    AssociationIn,
    AssociationOut,
    ContactIn,
    ContactOut,
    Country,
    ExpertIn,
    ExpertOut,
    ProfileIn,
    ProfileOut,
)
from kieubao.platform import openapi
from kieubao.platform.deps import SessionDep, Staff

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/associations", response_model=list[AssociationOut])
def list_associations(
    session: SessionDep, user: Reader, country: Country | None = None
) -> list[AssociationOut]:
    found = queries.associations(session, country=country)
    return [AssociationOut.model_validate(a) for a in found]


@router.post("/associations", response_model=AssociationOut, status_code=201)
def create_association(data: AssociationIn, session: SessionDep, user: Editor) -> AssociationOut:
    association = actions.save_association(session, acting_user=user, data=data)
    return AssociationOut.model_validate(association)


@router.get("/associations/{association_id}", response_model=AssociationOut)
def get_association(association_id: int, session: SessionDep, user: Reader) -> AssociationOut:
    return AssociationOut.model_validate(queries.get_association(session, association_id))


@router.put("/associations/{association_id}", response_model=AssociationOut)
def update_association(
    association_id: int, data: AssociationIn, session: SessionDep, user: Editor
) -> AssociationOut:
    association = queries.get_association(session, association_id)
    actions.save_association(session, acting_user=user, data=data, association=association)
    return AssociationOut.model_validate(association)


@router.post("/associations/{association_id}/contacts", response_model=ContactOut, status_code=201)
def add_contact(
    association_id: int, data: ContactIn, session: SessionDep, user: Reader
) -> ContactOut:
    """Officers at missions log their own contacts with an association."""
    association = queries.get_association(session, association_id)
    contact = actions.log_contact(session, acting_user=user, association=association, data=data)
    return ContactOut.model_validate(contact)


@router.get("/experts", response_model=list[ExpertOut])
def search_experts(
    session: SessionDep,
    user: Reader,
    field: str | None = None,
    country: Country | None = None,
) -> list[ExpertOut]:
    found = queries.experts(session, field=field, country=country)
    return [ExpertOut.model_validate(e) for e in found]


@router.get("/experts.xlsx", **openapi.document(XLSX, "The invitation list, a workbook."))
def export_experts(
    session: SessionDep,
    user: Reader,
    field: str | None = None,
    country: Country | None = None,
) -> Response:
    """The invitation list of a search, with only those who consented to be listed."""
    found = queries.experts(session, field=field, country=country, listed_only=True)
    return Response(
        queries.invitation_workbook(found),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="experts.xlsx"'},
    )


@router.post("/experts", response_model=ExpertOut, status_code=201)
def create_expert(data: ExpertIn, session: SessionDep, user: Editor) -> ExpertOut:
    return ExpertOut.model_validate(actions.save_expert(session, acting_user=user, data=data))


@router.get("/experts/{expert_id}", response_model=ExpertOut)
def get_expert(expert_id: int, session: SessionDep, user: Reader) -> ExpertOut:
    return ExpertOut.model_validate(queries.get_expert(session, expert_id))


@router.put("/experts/{expert_id}", response_model=ExpertOut)
def update_expert(expert_id: int, data: ExpertIn, session: SessionDep, user: Editor) -> ExpertOut:
    expert = queries.get_expert(session, expert_id)
    return ExpertOut.model_validate(
        actions.save_expert(session, acting_user=user, data=data, expert=expert)
    )


@router.get("/profiles", response_model=list[ProfileOut])
def list_profiles(
    session: SessionDep, user: Staff, country: Country | None = None
) -> list[ProfileOut]:
    """Every staff role, partner agencies included: figures only, never a person."""
    return queries.profiles(session, country=country)


@router.put("/profiles", response_model=ProfileOut)
def save_profile(data: ProfileIn, session: SessionDep, user: Editor) -> ProfileOut:
    actions.save_profile(session, acting_user=user, data=data)
    (profile,) = queries.profiles(session, country=data.country)
    return profile
