"""Lists from outside — a host authority's, an employer's, a school's, an airline's — put on a
crisis roster: each name matched to the registry, or registered, and given the list's word."""

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.crisis.actions.people import find_or_register
from kieubao.crisis.actions.roster import note_status, put_on_roster, require_open
from kieubao.crisis.models import ROSTER_STATUSES, Crisis, RosterEntry
from kieubao.platform import audit
from kieubao.platform.audit import Actor
from kieubao.platform.db import commit
from kieubao.platform.errors import Invalid
from kieubao.platform.i18n import gettext as _
from kieubao.platform.missions import directory
from kieubao.platform.settings import get_settings
from kieubao.registry.imports import FileProblem, RowError, open_table, registration

# Who sent the list, as a roster change records it.
LIST_KINDS = {
    "host_authority": "host_authority",
    "employer": "import",
    "school": "import",
    "airline": "import",
}
SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
# Read while the officer waits: a longer list goes through the registry's bulk import first.
MAX_ROWS = 5_000


@dataclass
class ListResult:
    rows: int = 0
    matched: int = 0
    registered: int = 0
    added: int = 0
    errors: list[RowError] = field(default_factory=list)


def import_roster_list(
    session: Session,
    *,
    acting_user: Actor,
    crisis: Crisis,
    filename: str,
    data: bytes,
    kind: str,
    status: str | None = None,
) -> ListResult:
    """Every readable row is on the roster afterwards (with ``status`` when the list says how
    they are, e.g. an airline's list of the evacuated); unreadable rows are told back by row
    and column, and change nothing."""
    require_open(crisis)
    if kind not in LIST_KINDS:
        raise Invalid("kind", _("must be one of {kinds}").format(kinds=", ".join(LIST_KINDS)))
    if status is not None and status not in ROSTER_STATUSES:
        raise Invalid(
            "status", _("must be one of {kinds}").format(kinds=", ".join(ROSTER_STATUSES))
        )
    name = PureWindowsPath(filename).name or "list.csv"
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise Invalid("file", _("send a CSV or XLSX file"))
    if not data:
        raise Invalid("file", _("the file is empty"))
    settings = get_settings()
    if len(data) > settings.import_max_bytes:
        limit = settings.import_max_bytes // 2**20
        raise Invalid("file", _("the file is larger than {mb} MB").format(mb=limit))
    folder = settings.var_path("imports", name).parent
    descriptor, temporary = tempfile.mkstemp(suffix=suffix, dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        return _place_rows(session, acting_user, crisis, Path(temporary), name, kind, status)
    finally:
        os.unlink(temporary)


def _place_rows(
    session: Session,
    actor: Actor,
    crisis: Crisis,
    path: Path,
    name: str,
    kind: str,
    status: str | None,
) -> ListResult:
    try:
        table = open_table(path, name)
    except FileProblem as exc:
        raise Invalid("file", str(exc)) from exc
    result = ListResult()
    missions = directory(session)
    country = crisis.countries[0] if len(crisis.countries) == 1 else None
    ids: list[int] = []
    try:
        for number, values in table.rows:
            result.rows += 1
            if result.rows > MAX_ROWS:
                raise Invalid(
                    "file",
                    _("a list of more than {n} rows goes through the registry import first").format(
                        n=MAX_ROWS
                    ),
                )
            row = registration(table, number, values, default_country=country)
            if isinstance(row, list):
                result.errors.extend(row)
                continue
            citizen, new = find_or_register(
                session, actor, row, source="crisis_list", missions=missions
            )
            result.registered += new
            result.matched += not new
            ids.append(citizen.id)
    finally:
        table.close()
    result.added = put_on_roster(session, crisis, ids)
    if status is not None and ids:
        entries = session.scalars(
            select(RosterEntry).where(
                RosterEntry.crisis_id == crisis.id, RosterEntry.citizen_id.in_(ids)
            )
        )
        for entry in entries:
            note_status(session, actor, entry, status, LIST_KINDS[kind], (), False, name)
    audit.record(
        session,
        actor,
        "crisis.list_imported",
        "crisis",
        crisis.id,
        after={
            "file": name,
            "kind": kind,
            "status": status,
            "rows": result.rows,
            "added": result.added,
            "registered": result.registered,
            "errors": len(result.errors),
        },
    )
    commit(session)
    return result
