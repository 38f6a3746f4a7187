"""Every change to coordination data: one function each, audited, committed."""

from kieubao.coordination.actions.programs import (
    create_program,
    create_task,
    link_member,
    save_agency,
    update_task,
)
from kieubao.coordination.actions.resolutions import create_resolution, report_value
from kieubao.coordination.actions.reviews import (
    compute_review,
    edit_review,
    request_review,
)
from kieubao.coordination.actions.work import (
    add_course,
    approve_delegation,
    move_note,
    plan_delegation,
    record_attendance,
    record_outcome,
    write_note,
)

__all__ = [
    "add_course",
    "approve_delegation",
    "compute_review",
    "create_program",
    "create_resolution",
    "create_task",
    "edit_review",
    "link_member",
    "move_note",
    "plan_delegation",
    "record_attendance",
    "record_outcome",
    "report_value",
    "request_review",
    "save_agency",
    "update_task",
    "write_note",
]
