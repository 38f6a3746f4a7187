"""Every change to community data: one function each, audited, committed."""

from kieubao.community.actions.directory import (
    log_contact,
    save_association,
    save_expert,
    save_profile,
)
from kieubao.community.actions.erasure import forget_person
from kieubao.community.actions.events import (
    add_session,
    check_in,
    decide_delegate,
    invite,
    register_delegate,
    save_event,
    save_follow_up,
)
from kieubao.community.actions.work import save_contribution, save_program, save_volunteer

__all__ = [
    "add_session",
    "check_in",
    "decide_delegate",
    "forget_person",
    "invite",
    "log_contact",
    "register_delegate",
    "save_association",
    "save_contribution",
    "save_event",
    "save_expert",
    "save_follow_up",
    "save_profile",
    "save_program",
    "save_volunteer",
]
