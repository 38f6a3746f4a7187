"""Situation reports: community figures by country shared with partner agencies, with every
cell about fewer than K people suppressed, and enough others that no sum gives one back."""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from kieubao.community import queries as community
from kieubao.coordination.queries import figures
from kieubao.protection import queries as protection

K = 5  # no published count of people is below this


@dataclass
class Table:
    """A grid of counts of people with its row and column totals; None is suppressed."""

    rows: list[str]
    columns: list[str]
    cells: list[list[int | None]]
    row_totals: list[int | None] = field(default_factory=list)
    column_totals: list[int | None] = field(default_factory=list)
    grand_total: int | None = None


def suppress(counts: Sequence[Sequence[int]], rows: list[str], columns: list[str]) -> Table:
    """Primary suppression of 1..K-1, then complementary suppression.

    The table is taken with its margins, totals of rows, of columns and the grand total. In
    any row or column whose total is published, a lone hidden value would be the total minus
    the others, so the smallest other value (or the total, if none is left) is hidden too,
    until no line has a lone hidden value. A zero is the last choice: hidden beside a small
    count, it would leave their sum, the small count itself, in plain sight."""
    n, m = len(rows), len(columns)
    grid = [[*list(r), sum(r)] for r in counts]
    grid.append([sum(grid[i][j] for i in range(n)) for j in range(m + 1)])
    hidden = {(i, j) for i in range(n + 1) for j in range(m + 1) if 0 < grid[i][j] < K}
    lines = [([(i, j) for j in range(m)], (i, m)) for i in range(n + 1)]
    lines += [([(i, j) for i in range(n)], (n, j)) for j in range(m + 1)]
    changed = True
    while changed:
        changed = False
        for cells, total in lines:
            if total in hidden or sum(c in hidden for c in cells) != 1:
                continue
            others = sorted(
                (grid[i][j] == 0, grid[i][j], (i, j)) for i, j in cells if (i, j) not in hidden
            )
            hidden.add(others[0][2] if others else total)
            changed = True
    shown = [[None if (i, j) in hidden else grid[i][j] for j in range(m + 1)] for i in range(n + 1)]
    return Table(
        rows,
        columns,
        [r[:m] for r in shown[:n]],
        [r[m] for r in shown[:n]],
        shown[n][:m],
        shown[n][m],
    )


def _shown(table: Table) -> dict[str, object]:
    return {
        "rows": table.rows,
        "columns": table.columns,
        "cells": table.cells,
        "row_totals": table.row_totals,
        "column_totals": table.column_totals,
        "grand_total": table.grand_total,
    }


def _column(counts: Mapping[str, int], countries: list[str], name: str) -> Table:
    """One count of people per country as a one-column table, suppressed."""
    return suppress([[counts.get(c, 0)] for c in countries], countries, [name])


def situation_report(
    session: Session, *, countries: list[str], start: date, end: date
) -> dict[str, object]:
    """Registered citizens, protection cases and event delegates by country (people:
    suppressed below K), with the associations, crises and events held in each country (not
    people: shown as they are)."""
    registered = figures.registration_figures(session, start, end, countries)["by_country"]
    cases = protection.opened_between(session, start=start, end=end, countries=countries)
    types = sorted({t for _c, t, _n, _k in cases})
    by_cell = {(c, t): n for c, t, n, _k in cases}
    # Registered and registered in the period overlap: two tables, never summed together.
    people = {
        key: _column({c: n.get(key, 0) for c, n in registered.items()}, countries, key)
        for key in ("total", "new")
    }
    case_table = suppress(
        [[by_cell.get((c, t), 0) for t in types] for c in countries], countries, types
    )
    associations = Counter(a.country for a in community.associations(session))
    crises = figures.crises_opened(session, start, end)
    held = community.events_held(session, start=start, end=end, countries=countries).held
    # Delegates approved and those of them checked in overlap too: one table each.
    delegates = {
        key: _column(
            {c: sum(getattr(e, key) for e in held if e.country == c) for c in countries},
            countries,
            key,
        )
        for key in ("approved", "checked_in")
    }
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "threshold": K,
        "registered": _shown(people["total"]),
        "registered_in_period": _shown(people["new"]),
        "cases": _shown(case_table),
        "associations": {c: associations.get(c, 0) for c in countries},
        "crises": {c: sum(c in x.countries for x in crises) for c in countries},
        "events": {c: sum(e.country == c for e in held) for c in countries},
        "delegates_approved": _shown(delegates["approved"]),
        "delegates_checked_in": _shown(delegates["checked_in"]),
    }
