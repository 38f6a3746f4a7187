"""Writes of the crisis domain: each owns its transaction and its audit entry."""

from kieubao.crisis.actions.alerts import evaluate
from kieubao.crisis.actions.erasure import forget_person
from kieubao.crisis.actions.evacuation import (
    add_leg,
    arrive,
    board,
    check_document,
    fill_manifest,
)
from kieubao.crisis.actions.here_by_sms import HereMessage, here_in, names_no_one, register_by_sms
from kieubao.crisis.actions.ingest import IngestResult, apply_reports, ingest
from kieubao.crisis.actions.plans import save_plan
from kieubao.crisis.actions.replies import (
    answer,
    answer_in,
    awaiting_reply,
    entry_for_link_in,
    is_own_address,
)
from kieubao.crisis.actions.roster import (
    add_to_roster,
    bulk_status,
    close_crisis,
    entry_for_reply,
    open_crisis,
    open_protection_case,
    record_status,
    reply_link_token,
)
from kieubao.crisis.actions.roster_lists import import_roster_list
from kieubao.crisis.actions.safety_checks import send_safety_check
from kieubao.crisis.actions.self_reports import (
    receive_self_report,
    receive_self_report_awaited,
)
from kieubao.crisis.actions.setup import acknowledge_alert, save_alert_rule, save_feed_source
from kieubao.crisis.actions.volunteers import add_task, assign_volunteer, set_assignment_status

__all__ = [
    "HereMessage",
    "IngestResult",
    "acknowledge_alert",
    "add_leg",
    "add_task",
    "add_to_roster",
    "answer",
    "answer_in",
    "apply_reports",
    "arrive",
    "assign_volunteer",
    "awaiting_reply",
    "board",
    "bulk_status",
    "check_document",
    "close_crisis",
    "entry_for_link_in",
    "entry_for_reply",
    "evaluate",
    "fill_manifest",
    "forget_person",
    "here_in",
    "import_roster_list",
    "ingest",
    "is_own_address",
    "names_no_one",
    "open_crisis",
    "open_protection_case",
    "receive_self_report",
    "receive_self_report_awaited",
    "record_status",
    "register_by_sms",
    "reply_link_token",
    "save_alert_rule",
    "save_feed_source",
    "save_plan",
    "send_safety_check",
    "set_assignment_status",
]
