"""Situation reports hide every count of fewer than five people, and what would give it back."""

from collections.abc import Callable
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from kieubao.coordination.sitrep import K, Table, suppress
from kieubao.platform.models import User
from kieubao.registry.models import Citizen
from tests.coordination.conftest import Api, MakeEvent


def _lone_hidden(table: Table) -> list[str]:
    """Lines whose total is shown with exactly one hidden value: differencing gives it back."""
    found = []
    rows = [(*r, t) for r, t in zip(table.cells, table.row_totals, strict=True)]
    rows.append((*table.column_totals, table.grand_total))
    width = len(table.columns)
    for i, row in enumerate(rows):
        if row[width] is not None and sum(v is None for v in row[:width]) == 1:
            found.append(f"row {i}")
    for j in range(width + 1):
        column = [r[j] for r in rows]
        if column[-1] is not None and sum(v is None for v in column[:-1]) == 1:
            found.append(f"column {j}")
    return found


def test_a_small_cell_and_its_complement_are_suppressed_not_zeroed() -> None:
    table = suppress([[120, 3], [40, 60]], ["JP", "DE"], ["registered", "detained"])
    # With every margin shown, a 2 x 2 table hides all four: any three give the fourth.
    assert table.cells == [[None, None], [None, None]]
    assert table.row_totals == [123, 100] and table.column_totals == [160, 63]
    assert _lone_hidden(table) == []


def test_a_small_total_is_hidden_with_its_cells() -> None:
    table = suppress([[2, 1]], ["KH"], ["a", "b"])
    assert table.cells == [[None, None]] and table.row_totals == [None]
    assert table.grand_total is None


@given(
    st.integers(1, 5).flatmap(
        lambda m: st.lists(
            st.lists(st.integers(0, 30), min_size=m, max_size=m), min_size=1, max_size=6
        )
    )
)
def test_no_shown_count_is_small_and_no_sum_gives_one_back(counts: list[list[int]]) -> None:
    rows = [f"r{i}" for i in range(len(counts))]
    columns = [f"c{j}" for j in range(len(counts[0]))]
    table = suppress(counts, rows, columns)
    shown = [v for r in table.cells for v in r] + table.row_totals + table.column_totals
    assert all(v is None or v == 0 or v >= K for v in [*shown, table.grand_total])
    assert _lone_hidden(table) == []
    for r, row in enumerate(table.cells):
        for c, value in enumerate(row):
            assert value is None or value == counts[r][c]


def test_the_partner_agency_gets_a_report_with_small_cells_hidden(
    api: Api, partner_analyst: User, make_citizen: Callable[..., Citizen]
) -> None:
    names = ("Lê Văn Nam", "Hồ Thị Mai", "Vũ Đức Anh", "Bùi Thị Yến", "Ngô Văn Tài", "Lý Thị Hà")
    for i, name in enumerate(names):
        make_citizen(full_name=name, date_of_birth=f"1985-02-1{i}")
    make_citizen(full_name="Phạm Thị Lan", country="DE", city="Berlin")
    report = api(partner_analyst).post(
        "/api/v1/coordination/sitreps",
        json={"countries": ["JP", "DE"], "period_start": "2020-01-01", "period_end": "2030-12-31"},
    )
    assert report.status_code == 200, report.text
    registered = report.json()["registered"]
    # One person in Germany is not shown, nor Japan's six: seven in all, less six, is one.
    assert registered["cells"] == [[None], [None]]
    assert registered["grand_total"] == 7
    assert report.json()["threshold"] == 5
    bad = api(partner_analyst).post(
        "/api/v1/coordination/sitreps",
        json={"countries": ["JP"], "period_start": "2026-02-01", "period_end": "2026-01-01"},
    )
    assert bad.status_code == 422


def test_a_small_count_of_delegates_is_suppressed_with_its_complement(
    api: Api, partner_analyst: User, held_event: MakeEvent
) -> None:
    held_event(title="Tết cộng đồng Osaka", country="JP", city="Osaka",
               starts_on=date(2026, 2, 1), approved=3, checked_in=1)  # fmt: skip
    held_event(title="Diễn đàn trí thức Berlin", country="DE", city="Berlin",
               starts_on=date(2026, 3, 5), approved=7, checked_in=6)  # fmt: skip
    held_event(title="Gặp mặt Berlin", country="DE", city="Berlin", starts_on=date(2026, 4, 5))
    report = (
        api(partner_analyst)
        .post(
            "/api/v1/coordination/sitreps",
            json={
                "countries": ["JP", "DE"],
                "period_start": "2026-01-01",
                "period_end": "2026-06-30",
            },
        )
        .json()
    )
    # Events are not people: shown as they are.
    assert report["events"] == {"JP": 1, "DE": 2}
    approved = report["delegates_approved"]
    # Japan's three are hidden, and Germany's seven with them: ten less seven gives three.
    assert approved["cells"] == [[None], [None]]
    assert approved["row_totals"] == [None, None] and approved["grand_total"] == 10
    checked_in = report["delegates_checked_in"]
    assert checked_in["cells"] == [[None], [None]] and checked_in["grand_total"] == 7
    assert _lone_hidden(Table(**approved)) == [] and _lone_hidden(Table(**checked_in)) == []


def test_the_partner_agency_reads_the_report_in_the_console(
    api: Api, partner_analyst: User, make_citizen: Callable[..., Citizen]
) -> None:
    make_citizen(full_name="Phạm Thị Lan", country="DE", city="Berlin")
    client = api(partner_analyst)
    client.headers["Accept"] = "text/html"
    empty = client.get("/console/coordination/sitreps?lang=en")
    assert empty.status_code == 200 and 'id="sitrep"' not in empty.text
    page = client.get(
        "/console/coordination/sitreps?lang=en&country=DE&country=JP"
        "&period_start=2020-01-01&period_end=2030-12-31"
    )
    assert page.status_code == 200 and 'id="sitrep"' in page.text
    # The one person in Germany is a suppressed cell, never her name.
    assert "&lt;5" in page.text and "Phạm Thị Lan" not in page.text
    bad = client.get(
        "/console/coordination/sitreps?country=JP&period_start=2026-02-01&period_end=2026-01-01"
    )
    assert bad.status_code == 422 and 'role="alert"' in bad.text


def test_a_zero_is_not_chosen_to_hide_a_small_count_beside() -> None:
    # Japan's three hidden with Korea's zero would show their sum: three, Japan's own.
    table = suppress([[3], [0], [7]], ["JP", "KR", "DE"], ["registered"])
    assert table.cells == [[None], [0], [None]] and table.grand_total == 10
