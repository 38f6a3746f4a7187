"""Lists from host authorities, employers, schools and airlines put on a crisis roster; the
roster on the map."""

from collections.abc import Callable
from io import BytesIO
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.crisis import actions, queries
from kieubao.crisis.models import Crisis, RosterChange, RosterEntry
from kieubao.platform.deps import scope_of
from kieubao.platform.errors import Invalid
from kieubao.platform.models import User
from kieubao.registry.models import Citizen
from tests.personas import SYSTEM

from .conftest import usgs_feed
from .test_rosters import OSAKA_QUAKE


@pytest.fixture
def osaka_crisis(session: Session, osaka_residents: list[Any], hq_officer: User) -> Crisis:
    result = actions.ingest(session, acting_user=SYSTEM, body=usgs_feed(OSAKA_QUAKE))
    hazard = queries.get_hazard(session, result.hazard_ids[0])
    return actions.open_crisis(session, acting_user=hq_officer, title="", hazard=hazard)


def _workbook(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_airline_list_matches_the_registered_and_registers_the_others(
    session: Session, osaka_crisis: Crisis, hq_officer: User, osaka_residents: list[Any]
) -> None:
    # The Tokyo resident flew out with the Osaka ones; one passenger was never registered,
    # and a row without a name is told back.
    data = _workbook(
        [
            ["Họ và tên", "Ngày sinh", "Điện thoại"],
            ["HOANG MINH EM", "09/08/1980", ""],
            ["Trần Thị Bình", "1985-01-02", ""],
            ["Vũ Thị Hạnh", "1990-12-01", "+81 90 1234 5678"],
            ["", "1990-01-01", ""],
        ]
    )
    result = actions.import_roster_list(
        session,
        acting_user=hq_officer,
        crisis=osaka_crisis,
        filename="JL751.xlsx",
        data=data,
        kind="airline",
        status="evacuated",
    )
    assert (result.rows, result.matched, result.registered, result.added) == (4, 2, 1, 2)
    assert [(e.row, e.column) for e in result.errors] == [(5, "Họ và tên")]
    counts = queries.roster_counts(session, osaka_crisis, scope_of(hq_officer))
    assert counts.total == 6 and counts.by_status == {"unaccounted": 3, "evacuated": 3}
    hanh = session.scalar(select(Citizen).where(Citizen.full_name == "Vũ Thị Hạnh"))
    assert hanh is not None and hanh.source == "crisis_list" and hanh.country == "JP"
    changes = session.scalars(
        select(RosterChange).join(RosterEntry).where(RosterEntry.citizen_id == hanh.id)
    ).all()
    assert [(c.status, c.source, c.note) for c in changes] == [
        ("evacuated", "import", "JL751.xlsx")
    ]


def test_a_host_authority_list_is_recorded_as_theirs(
    session: Session, osaka_crisis: Crisis, hq_officer: User
) -> None:
    data = "full_name,date_of_birth\nPhạm Thu Dung,1992-06-07\n".encode()
    actions.import_roster_list(
        session,
        acting_user=hq_officer,
        crisis=osaka_crisis,
        filename="hyogo-police.csv",
        data=data,
        kind="host_authority",
        status="injured",
    )
    entry = session.scalar(
        select(RosterEntry).where(
            RosterEntry.crisis_id == osaka_crisis.id, RosterEntry.status == "injured"
        )
    )
    assert entry is not None and entry.last_source == "host_authority" and entry.city == "Kobe"


@pytest.mark.parametrize(
    ("filename", "data", "kind", "status", "field"),
    [
        ("list.pdf", b"%PDF", "airline", None, "file"),
        ("list.csv", b"", "airline", None, "file"),
        ("list.csv", b"seat\n12A\n", "airline", None, "file"),  # no name column
        ("list.csv", b"full_name\nAn\n", "embassy", None, "kind"),
        ("list.csv", b"full_name\nAn\n", "airline", "lost", "status"),
    ],
)
def test_a_list_that_cannot_be_read_changes_nothing(
    session: Session,
    osaka_crisis: Crisis,
    hq_officer: User,
    filename: str,
    data: bytes,
    kind: str,
    status: str | None,
    field: str,
) -> None:
    with pytest.raises(Invalid) as refused:
        actions.import_roster_list(
            session,
            acting_user=hq_officer,
            crisis=osaka_crisis,
            filename=filename,
            data=data,
            kind=kind,
            status=status,
        )
    assert refused.value.errors[0]["field"] == field
    assert queries.roster_counts(session, osaka_crisis, scope_of(hq_officer)).total == 4


def test_the_console_takes_a_list_in_its_jurisdiction_only(
    session: Session,
    osaka_crisis: Crisis,
    tokyo_officer: User,
    berlin_officer: User,
    api: Callable[[User | None], Any],
) -> None:
    path = f"/console/crisis/crises/{osaka_crisis.id}/lists?lang=en"
    upload = {"file": ("school.csv", "full_name\nĐặng Văn Tú\n".encode(), "text/csv")}
    berlin = api(berlin_officer)
    berlin.headers["Accept"] = "text/html"
    assert berlin.post(path, files=upload, data={"kind": "school"}).status_code == 403
    tokyo = api(tokyo_officer)
    tokyo.headers["Accept"] = "text/html"
    page = tokyo.post(path, files=upload, data={"kind": "school"})
    assert page.status_code == 200 and 'id="list-added">1<' in page.text
    bad = tokyo.post(path, files={"file": ("x.csv", b"", "text/csv")}, data={"kind": "school"})
    assert bad.status_code == 422 and "the file is empty" in bad.text


def test_the_roster_map_counts_people_by_city_and_status(
    session: Session,
    osaka_crisis: Crisis,
    hq_officer: User,
    partner_analyst: User,
    api: Callable[[User | None], Any],
) -> None:
    entry, _ = queries.roster(session, osaka_crisis, scope_of(hq_officer))[0]
    actions.record_status(
        session, acting_user=hq_officer, entry=entry, status="needs_help", source="officer_call"
    )
    path = f"/console/crisis/crises/{osaka_crisis.id}/map.json"
    assert api(None).get(path, follow_redirects=False).status_code in (303, 307, 401)
    layers = api(partner_analyst).get(path).json()
    (area,) = layers["hazards"]["features"]
    assert area["geometry"]["type"] in ("Polygon", "MultiPolygon")
    places = {p["city"]: p for p in layers["density"]}
    assert set(places) == {"Osaka", "Kobe"}
    assert places["Osaka"]["by_status"] == {"unaccounted": 2, "needs_help": 1}
    assert places["Osaka"]["colour"] != places["Kobe"]["colour"]
    assert "full_name" not in str(layers) and "Nguyễn" not in str(layers)
