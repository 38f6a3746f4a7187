"""Every change to community data: one function each, audited, committed."""

from kieubao.community.actions.directory import (
    log_contact,
    save_association,
    save_expert,
    save_profile,
)

__all__ = ["log_contact", "save_association", "save_expert", "save_profile"]
