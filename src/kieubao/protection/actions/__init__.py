"""Every change to a case: one function each, owning its transaction and its audit entry."""

from kieubao.protection.actions.case_types import load_case_types
from kieubao.protection.actions.erasure import pseudonymise_person
from kieubao.protection.actions.escalation import escalate, escalate_overdue
from kieubao.protection.actions.files import IncomingFile, TooLarge
from kieubao.protection.actions.inbox import alert_unread, claim_next, mark_read
from kieubao.protection.actions.intake import open_case, receive_report
from kieubao.protection.actions.merge import merge_cases
from kieubao.protection.actions.messages import (
    Inbound,
    attach_fetched,
    fetch_failed,
    open_from_message,
    receive_message,
)
from kieubao.protection.actions.sos import call_for_help
from kieubao.protection.actions.subjects import correct_subject, register_subject
from kieubao.protection.actions.working import (
    add_note,
    assign,
    complete_step,
    confirm_triage,
    log_liaison,
    set_status,
)

__all__ = [
    "Inbound",
    "IncomingFile",
    "TooLarge",
    "add_note",
    "alert_unread",
    "assign",
    "attach_fetched",
    "call_for_help",
    "claim_next",
    "complete_step",
    "confirm_triage",
    "correct_subject",
    "escalate",
    "escalate_overdue",
    "fetch_failed",
    "load_case_types",
    "log_liaison",
    "mark_read",
    "merge_cases",
    "open_case",
    "open_from_message",
    "pseudonymise_person",
    "receive_message",
    "receive_report",
    "register_subject",
    "set_status",
]
