"""What citizen protection forgets: the personal content of cases closed more than the kept
years ago. The case stays for the statistics (its number, type, country, mission, severity,
dates and steps); who it was about, who reported it, what was written and the files sent go."""

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from kieubao.platform import storage
from kieubao.platform.db import on_commit
from kieubao.platform.retention import Rule, limited, register
from kieubao.platform.settings import get_settings
from kieubao.protection import search
from kieubao.protection.models import (
    Case,
    CaseAttachment,
    CaseEvent,
    CaseReporter,
    CaseSubject,
    Liaison,
)

FORGOTTEN = "—"


def _closed_cases(session: Session, now: datetime, limit: int | None) -> list[int]:
    before = now - timedelta(days=365.25 * get_settings().retention_closed_cases_years)
    query = (
        select(Case.id)
        .where(Case.closed_at < before, Case.description != FORGOTTEN)
        .order_by(Case.id)
    )
    return limited(session, query, limit)


def _forget_cases(session: Session, ids: list[int]) -> None:
    session.execute(update(Case).where(Case.id.in_(ids)).values(description=FORGOTTEN, details={}))
    session.execute(
        update(CaseSubject)
        .where(CaseSubject.case_id.in_(ids))
        .values(full_name=FORGOTTEN, date_of_birth=None, name_key="", citizen_id=None)
    )
    session.execute(
        update(CaseReporter)
        .where(CaseReporter.case_id.in_(ids))
        .values(name=FORGOTTEN, phone="", email="", relation="")
    )
    session.execute(update(CaseEvent).where(CaseEvent.case_id.in_(ids)).values(text="", data={}))
    session.execute(update(Liaison).where(Liaison.case_id.in_(ids)).values(summary=""))
    # Only the number is still found.
    kept = select(Case.id, Case.number, Case.mission_id).where(Case.id.in_(ids))
    for case_id, number, mission_id in session.execute(kept):
        search.index_case(session, case_id, search.CaseText(number, mission_id))
    # Files (passport scans, photos) go with the rows, once the rows are surely gone.
    keys = list(
        session.scalars(
            delete(CaseAttachment)
            .where(CaseAttachment.case_id.in_(ids))
            .returning(CaseAttachment.storage_key)
        )
    )
    if keys:
        on_commit(session, _delete_files, keys)


def _delete_files(keys: list[str]) -> None:
    store = storage.storage()
    for key in keys:
        store.delete(key)


register(
    Rule(
        "protection.closed_cases",
        "names, contacts and texts of cases closed more than the kept years ago",
        _closed_cases,
        _forget_cases,
    )
)
