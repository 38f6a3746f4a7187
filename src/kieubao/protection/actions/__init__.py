"""Every change to a case: one function each, owning its transaction and its audit entry."""

from kieubao.protection.actions.intake import load_case_types, open_case
from kieubao.protection.actions.messages import (
    Inbound,
    IncomingFile,
    TooLarge,
    open_from_message,
    receive_message,
)
from kieubao.protection.actions.working import (
    add_note,
    assign,
    complete_step,
    confirm_triage,
    escalate,
    escalate_overdue,
    log_liaison,
    set_status,
)

__all__ = [
    "Inbound",
    "IncomingFile",
    "TooLarge",
    "add_note",
    "assign",
    "complete_step",
    "confirm_triage",
    "escalate",
    "escalate_overdue",
    "load_case_types",
    "log_liaison",
    "open_case",
    "open_from_message",
    "receive_message",
    "set_status",
]
