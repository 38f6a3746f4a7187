"""Every change in the privacy domain: one function each, owning its transaction and audit."""

from kieubao.privacy.actions.breaches import alert_breaches, move_breach, record_breach
from kieubao.privacy.actions.erasure import erase_everywhere
from kieubao.privacy.actions.processing import load_activities, update_activity
from kieubao.privacy.actions.requests import (
    assign_request,
    carry_out,
    move_request,
    receive_request,
    remind_due,
)

__all__ = [
    "alert_breaches",
    "assign_request",
    "carry_out",
    "erase_everywhere",
    "load_activities",
    "move_breach",
    "move_request",
    "receive_request",
    "record_breach",
    "remind_due",
    "update_activity",
]
