"""Coordination over JSON, under /api/v1/coordination."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Response

from kieubao.coordination import actions, queries, sitrep
from kieubao.coordination.document import as_docx
from kieubao.coordination.schemas import (
    AgencyIn,
    AgencyOut,
    AttendanceIn,
    CourseIn,
    CourseOut,
    DelegationIn,
    DelegationOut,
    MemberIn,
    NoteStatusIn,
    OutcomeIn,
    PolicyNoteIn,
    PolicyNoteOut,
    ProgramIn,
    ProgramOut,
    ResolutionIn,
    ResolutionOut,
    ReviewEdit,
    ReviewIn,
    ReviewOut,
    SitrepIn,
    TaskIn,
    TaskOut,
    TaskUpdate,
    TrainedOut,
    ValueIn,
    ValueOut,
)
from kieubao.platform import i18n, openapi
from kieubao.platform.deps import HQ, Allow, AnyOfficer, SessionDep
from kieubao.platform.errors import Conflict
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import OFFICER_ROLES, Role, User

router = APIRouter(prefix="/coordination", tags=["coordination"])

# Partner agencies read programs, resolutions, reviews and situation reports: figures and
# joint work, no person's record is behind any of them.
Reader = Annotated[User, Depends(Allow(*OFFICER_ROLES, Role.partner_agency))]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.post("/agencies", response_model=AgencyOut, status_code=201)
def save_agency(data: AgencyIn, session: SessionDep, user: HQ) -> AgencyOut:
    return AgencyOut.model_validate(actions.save_agency(session, acting_user=user, data=data))


@router.post("/members", status_code=204)
def link_member(data: MemberIn, session: SessionDep, user: HQ) -> None:
    actions.link_member(session, acting_user=user, data=data)


@router.get("/programs", response_model=list[ProgramOut])
def list_programs(session: SessionDep, user: Reader) -> list[ProgramOut]:
    return [ProgramOut.model_validate(p) for p in queries.programs(session)]


@router.post("/programs", response_model=ProgramOut, status_code=201)
def create_program(data: ProgramIn, session: SessionDep, user: HQ) -> ProgramOut:
    return ProgramOut.model_validate(actions.create_program(session, acting_user=user, data=data))


@router.get("/tasks", response_model=list[TaskOut])
def list_tasks(
    session: SessionDep,
    user: Reader,
    program_id: int | None = None,
    goal_id: int | None = None,
    overdue: bool = False,
) -> list[TaskOut]:
    """A partner agency sees the tasks it leads or supports; HQ and missions all of them."""
    found = queries.tasks(
        session, user, program_id=program_id, goal_id=goal_id, overdue_only=overdue
    )
    return [TaskOut.model_validate(t) for t in found]


@router.post("/tasks", response_model=TaskOut, status_code=201)
def create_task(data: TaskIn, session: SessionDep, user: HQ) -> TaskOut:
    return TaskOut.model_validate(actions.create_task(session, acting_user=user, data=data))


@router.patch("/tasks/{task_id}", response_model=TaskOut)
def update_task(task_id: int, data: TaskUpdate, session: SessionDep, user: Reader) -> TaskOut:
    task = queries.get_task(session, user, task_id)
    return TaskOut.model_validate(
        actions.update_task(session, acting_user=user, task=task, data=data)
    )


@router.get("/resolutions", response_model=list[ResolutionOut])
def list_resolutions(session: SessionDep, user: Reader) -> list[ResolutionOut]:
    return [ResolutionOut.model_validate(r) for r in queries.resolutions(session)]


@router.post("/resolutions", response_model=ResolutionOut, status_code=201)
def create_resolution(data: ResolutionIn, session: SessionDep, user: HQ) -> ResolutionOut:
    resolution = actions.create_resolution(session, acting_user=user, data=data)
    return ResolutionOut.model_validate(resolution)


@router.put("/indicators/{indicator_id}/values", response_model=ValueOut)
def report_value(indicator_id: int, data: ValueIn, session: SessionDep, user: HQ) -> ValueOut:
    indicator = queries.get_indicator(session, indicator_id)
    value = actions.report_value(session, acting_user=user, indicator=indicator, data=data)
    return ValueOut.model_validate(value)


@router.get("/reviews", response_model=list[ReviewOut])
def list_reviews(session: SessionDep, user: Reader) -> list[ReviewOut]:
    return [ReviewOut.model_validate(r) for r in queries.reviews(session)]


@router.post("/reviews", response_model=ReviewOut, status_code=202)
def request_review(data: ReviewIn, session: SessionDep, user: HQ) -> ReviewOut:
    """Accepted: a job computes the figures; poll the review for its progress."""
    return ReviewOut.model_validate(actions.request_review(session, acting_user=user, data=data))


@router.get("/reviews/{review_id}", response_model=ReviewOut)
def get_review(review_id: int, session: SessionDep, user: Reader) -> ReviewOut:
    return ReviewOut.model_validate(queries.get_review(session, review_id))


@router.patch("/reviews/{review_id}", response_model=ReviewOut)
def edit_review(review_id: int, data: ReviewEdit, session: SessionDep, user: HQ) -> ReviewOut:
    review = queries.get_review(session, review_id)
    actions.edit_review(session, acting_user=user, review=review, data=data)
    return ReviewOut.model_validate(review)


@router.get("/reviews/{review_id}/review.docx", **openapi.document(DOCX, "The review, a document."))
def review_docx(
    review_id: int, session: SessionDep, user: Reader, lang: Literal["vi", "en"] = "vi"
) -> Response:
    """The document is in Vietnamese unless English is asked for (``?lang=en``)."""
    review = queries.get_review(session, review_id)
    if not review.figures:
        raise Conflict(_("the review is still being generated"))
    with i18n.speaking(lang):
        document = as_docx(review)
    return Response(
        document,
        media_type=DOCX,
        headers={"Content-Disposition": f'attachment; filename="review-{review.id}.docx"'},
    )


@router.post("/sitreps")
def situation_report(data: SitrepIn, session: SessionDep, user: Reader) -> dict[str, Any]:
    """Figures by country with every count of fewer than five people suppressed."""
    return sitrep.situation_report(
        session, countries=data.countries, start=data.period_start, end=data.period_end
    )


@router.get("/delegations", response_model=list[DelegationOut])
def list_delegations(session: SessionDep, user: Reader) -> list[DelegationOut]:
    return [DelegationOut.model_validate(d) for d in queries.delegations(session)]


@router.post("/delegations", response_model=DelegationOut, status_code=201)
def plan_delegation(data: DelegationIn, session: SessionDep, user: HQ) -> DelegationOut:
    delegation = actions.plan_delegation(session, acting_user=user, data=data)
    return DelegationOut.model_validate(delegation)


@router.post("/delegations/{delegation_id}/approval", response_model=DelegationOut)
def approve_delegation(delegation_id: int, session: SessionDep, user: HQ) -> DelegationOut:
    delegation = queries.get_delegation(session, delegation_id)
    actions.approve_delegation(session, acting_user=user, delegation=delegation)
    return DelegationOut.model_validate(delegation)


@router.post("/delegations/{delegation_id}/outcome", response_model=DelegationOut)
def record_outcome(
    delegation_id: int, data: OutcomeIn, session: SessionDep, user: HQ
) -> DelegationOut:
    delegation = queries.get_delegation(session, delegation_id)
    actions.record_outcome(session, acting_user=user, delegation=delegation, data=data)
    return DelegationOut.model_validate(delegation)


@router.get("/notes", response_model=list[PolicyNoteOut])
def list_notes(session: SessionDep, user: AnyOfficer) -> list[PolicyNoteOut]:
    return [PolicyNoteOut.model_validate(n) for n in queries.notes(session)]


@router.post("/notes", response_model=PolicyNoteOut, status_code=201)
def write_note(data: PolicyNoteIn, session: SessionDep, user: HQ) -> PolicyNoteOut:
    return PolicyNoteOut.model_validate(actions.write_note(session, acting_user=user, data=data))


@router.post("/notes/{note_id}/status", response_model=PolicyNoteOut)
def move_note(note_id: int, data: NoteStatusIn, session: SessionDep, user: HQ) -> PolicyNoteOut:
    note = queries.get_note(session, note_id)
    actions.move_note(session, acting_user=user, note=note, status=data.status)
    return PolicyNoteOut.model_validate(note)


@router.post("/courses", response_model=CourseOut, status_code=201)
def add_course(data: CourseIn, session: SessionDep, user: HQ) -> CourseOut:
    return CourseOut.model_validate(actions.add_course(session, acting_user=user, data=data))


@router.post("/courses/{course_id}/attendance", status_code=204)
def record_attendance(course_id: int, data: AttendanceIn, session: SessionDep, user: HQ) -> None:
    course = queries.get_course(session, course_id)
    actions.record_attendance(session, acting_user=user, course=course, data=data)


@router.get("/trained", response_model=list[TrainedOut])
def trained(session: SessionDep, user: AnyOfficer, topic: str | None = None) -> list[TrainedOut]:
    """Who at which mission is trained for what: officers only, names of staff in it."""
    return queries.trained(session, topic=topic)
