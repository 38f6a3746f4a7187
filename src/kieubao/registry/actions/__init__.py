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
from kieubao.registry.actions.rights import erase_citizen, export_citizen_data

__all__ = [
    "confirm_record",
    "dismiss_duplicate",
    "erase_citizen",
    "export_citizen_data",
    "merge_citizens",
    "register_citizen",
    "register_household",
    "register_trip",
    "renew_trip",
    "set_consent",
    "undo_merge",
    "update_citizen",
]
