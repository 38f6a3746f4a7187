"""Case types: the ministry's bundled types with their procedures, seeded as data (an admin
may add more)."""

import json
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform import audit
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit, forget_held, on_commit
from kieubao.protection.models import CaseType, Severity
from kieubao.protection.queries import TYPES_HELD


def bundled_types() -> list[dict[str, Any]]:
    """The case types the ministry starts with (data/case_types.json)."""
    path = resources.files("kieubao.protection").joinpath("data/case_types.json")
    return list(json.loads(path.read_text("utf-8")))


def load_case_types(session: Session, *, acting_user: Actor) -> int:
    """Create or refresh the case types bundled with the application; returns how many
    changed. Types an admin added are left as they are."""
    changed = 0
    for seed in bundled_types():
        case_type = session.scalar(select(CaseType).where(CaseType.code == seed["code"]))
        before = _type_state(case_type) if case_type else None
        case_type = case_type or CaseType(code=seed["code"])
        for field in ("name_vi", "name_en", "keywords", "fields", "procedure"):
            setattr(case_type, field, seed[field])
        case_type.default_severity = Severity(seed["default_severity"])
        session.add(case_type)
        session.flush()
        if before != (after := _type_state(case_type)):
            audit.record(
                session,
                acting_user,
                "case_type.seeded",
                "case_type",
                case_type.code,
                before=before,
                after=after,
            )
            changed += 1
    # Intake keeps the types a few seconds: it reads them again once these are on disk.
    on_commit(session, forget_held, TYPES_HELD)
    commit(session)
    return changed


def _type_state(case_type: CaseType) -> dict[str, Any]:
    return {
        "names": [case_type.name_vi, case_type.name_en],
        "severity": str(case_type.default_severity),
        "keywords": case_type.keywords,
        "fields": case_type.fields,
        "procedure": case_type.procedure,
    }
