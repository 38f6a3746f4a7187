"""Reads of coordination, by topic: programs and tasks, resolutions, figures for reviews and
situation reports, delegations and training."""

from kieubao.coordination.queries.programs import (
    agency_of,
    get_agency,
    get_program,
    get_task,
    may_update,
    programs,
    programs_editors,
    tasks,
    visible_tasks,
)
from kieubao.coordination.queries.resolutions import get_indicator, get_resolution, resolutions
from kieubao.coordination.queries.work import (
    delegations,
    get_course,
    get_delegation,
    get_note,
    get_review,
    notes,
    reviews,
    trained,
)

__all__ = [
    "agency_of",
    "delegations",
    "get_agency",
    "get_course",
    "get_delegation",
    "get_indicator",
    "get_note",
    "get_program",
    "get_resolution",
    "get_review",
    "get_task",
    "may_update",
    "notes",
    "programs",
    "programs_editors",
    "resolutions",
    "reviews",
    "tasks",
    "trained",
    "visible_tasks",
]
