"""Closed cases forget their people after the kept years; the figures stay."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.domains import modules
from kieubao.platform.audit import AuditEntry
from kieubao.platform.db import utcnow
from kieubao.platform.retention import apply_rules
from kieubao.protection.models import Case
from tests.personas import SYSTEM

modules("retention")


def _outcome(session: Session, *, dry_run: bool) -> Any:
    return next(
        o
        for o in apply_rules(session, acting_user=SYSTEM, dry_run=dry_run)
        if o.rule == "protection.closed_cases"
    )


def test_a_case_closed_long_ago_forgets_who_it_was_about(
    session: Session, open_case: Callable[..., Any]
) -> None:
    old = open_case().case
    recent = open_case(subject={"full_name": "Phạm Minh Tuấn", "date_of_birth": "1990-01-01"}).case
    old.status = recent.status = "closed"
    old.closed_at = utcnow() - timedelta(days=365 * 11)
    recent.closed_at = utcnow() - timedelta(days=365)
    session.commit()

    assert _outcome(session, dry_run=True).due == 1
    session.refresh(old)
    assert old.subjects[0].full_name == "Lê Văn Hùng"  # a dry run forgets nothing

    assert _outcome(session, dry_run=False).forgotten == 1
    session.refresh(old)
    assert [s.full_name for s in old.subjects] == ["—"] and old.subjects[0].date_of_birth is None
    assert [(r.name, r.phone) for r in old.reporters] == [("—", "")]
    assert old.description == "—" and all(e.text == "" for e in old.events)
    # What the statistics need stays.
    assert old.number.startswith("BH-") and old.case_type.code == "arrest_detention"
    assert old.country == "JP" and old.closed_at is not None
    session.refresh(recent)
    assert recent.subjects[0].full_name == "Phạm Minh Tuấn"

    assert _outcome(session, dry_run=False).due == 0  # nothing twice
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "retention.forgotten"))
    assert entry is not None and "Lê Văn Hùng" not in str(entry.fields)
    assert session.scalar(select(Case).where(Case.id == old.id)) is not None
