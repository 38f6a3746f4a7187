"""Every change to the registry is one of these actions: each audits and owns its transaction."""

from kieubao.registry.actions.duplicates import dismiss_duplicate, merge_citizens, undo_merge
from kieubao.registry.actions.registration import (
    confirm_record,
    register_citizen,
    register_household,
    register_trip,
    renew_trip,
    set_consent,
    update_citizen,
)
from kieubao.registry.actions.rights import approve_erasure, export_citizen_data, request_erasure

__all__ = [
    "approve_erasure",
    "confirm_record",
    "dismiss_duplicate",
    "export_citizen_data",
    "merge_citizens",
    "register_citizen",
    "register_household",
    "register_trip",
    "renew_trip",
    "request_erasure",
    "set_consent",
    "undo_merge",
    "update_citizen",
]
