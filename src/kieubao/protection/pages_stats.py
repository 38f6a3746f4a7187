"""The dashboard and statistics of case work, for HQ, missions and partner agencies, and
the public performance page. Figures only: no case behind them is shown."""

import csv
import io
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from openpyxl import Workbook

from kieubao.platform import countries
from kieubao.platform.db import utcnow
from kieubao.platform.deps import Allow, Anyone, SessionDep
from kieubao.platform.errors import Invalid
from kieubao.platform.i18n import gettext as _
from kieubao.platform.models import OFFICER_ROLES, Role, User
from kieubao.platform.text import neutralise
from kieubao.platform.web import render
from kieubao.protection import queries, stats, views
from kieubao.protection.models import Severity

router = APIRouter(include_in_schema=False)
Reader = Annotated[User, Depends(Allow(*OFFICER_ROLES, Role.partner_agency))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(
    case_type: str = "",
    country: str = "",
    severity: str = "",
    since: date | None = None,
    until: date | None = None,
) -> stats.Filters:
    try:
        level = Severity(severity) if severity else None
    except ValueError:
        raise Invalid("severity", _("unknown severity")) from None
    return stats.Filters(case_type or None, country.upper() or None, level, since, until)


FiltersDep = Annotated[stats.Filters, Depends(_filters)]


def _rows(d: stats.Dashboard) -> list[tuple[str, str, Any]]:
    rows: list[tuple[str, str, Any]] = []
    for measure, values in (
        ("open_by_type", d.open_by_type),
        ("open_by_country", d.open_by_country),
        ("open_by_severity", d.open_by_severity),
    ):
        rows.extend((measure, key, n) for key, n in sorted(values.items()))
    rows += [
        ("overdue_steps", "", d.overdue_steps),
        ("opened", "", d.opened),
        ("closed", "", d.closed),
        ("median_first_response_hours", "", d.first_response_hours),
        ("median_resolution_days", "", d.resolution_days),
    ]
    return rows


@router.get("/console/protection/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, user: Reader, f: FiltersDep) -> Response:
    return render(
        request,
        "protection/dashboard.html",
        d=stats.dashboard(session, user, f),
        f=f,
        query=request.url.query,
        case_types=queries.case_types(session),
        countries=countries.all_countries(),
        severities=list(Severity),
        severity_label=views.severity_label,
        localized=views.localized,
    )


@router.get("/console/protection/map.json")
def map_layers(session: SessionDep, user: Reader, f: FiltersDep) -> JSONResponse:
    """The crisis board's map drawing, fed with open cases by city and no hazard."""
    points = stats.map_points(session, user, f)
    return JSONResponse(
        {"density": points, "hazards": {"type": "FeatureCollection", "features": []}}
    )


@router.get("/console/protection/dashboard.csv")
def dashboard_csv(session: SessionDep, user: Reader, f: FiltersDep) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["measure", "key", "value"])
    for measure, key, value in _rows(stats.dashboard(session, user, f)):
        writer.writerow([measure, neutralise(key), "" if value is None else value])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="protection-dashboard.csv"'},
    )


def _book(title: str, header: list[str], rows: list[tuple[Any, ...]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append([neutralise(v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@router.get("/console/protection/dashboard.xlsx")
def dashboard_xlsx(session: SessionDep, user: Reader, f: FiltersDep) -> Response:
    rows = _rows(stats.dashboard(session, user, f))
    return Response(
        _book(_("Dashboard"), [_("Measure"), _("Key"), _("Value")], rows),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="protection-dashboard.xlsx"'},
    )


def _period(year: int | None, month: int | None) -> tuple[int, int | None, date, date]:
    year = year or utcnow().year
    if month is not None and not 1 <= month <= 12:
        raise Invalid("month", _("a month is 1 to 12"))
    if not 2000 <= year <= 2100:
        raise Invalid("year", _("a year between 2000 and 2100"))
    since, until = stats.period(year, month)
    return year, month, since, until


Year = Annotated[int | None, Query()]
Month = Annotated[int | None, Query()]


@router.get("/console/protection/report", response_class=HTMLResponse)
def report(
    request: Request, session: SessionDep, user: Reader, year: Year = None, month: Month = None
) -> Response:
    """The monthly or yearly table by type and country, ready to print."""
    year, month, since, until = _period(year, month)
    rows = stats.report(session, user, stats.Filters(since=since, until=until))
    names = {t.code: views.localized(t.name_vi, t.name_en) for t in queries.case_types(session)}
    return render(
        request,
        "protection/report_stats.html",
        rows=rows,
        names=names,
        year=year,
        month=month,
        totals=(sum(r[2] for r in rows), sum(r[3] for r in rows)),
    )


@router.get("/console/protection/report.xlsx")
def report_xlsx(
    session: SessionDep, user: Reader, year: Year = None, month: Month = None
) -> Response:
    year, month, since, until = _period(year, month)
    rows = stats.report(session, user, stats.Filters(since=since, until=until))
    name = f"protection-{year}" + (f"-{month:02d}" if month else "")
    return Response(
        _book(name, [_("Type"), _("Country"), _("Opened"), _("Closed")], list(rows)),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


@router.get("/protection/performance", response_class=HTMLResponse)
def performance(
    request: Request, session: SessionDep, _user: Anyone, year: Year = None
) -> Response:
    """What the ministry did with the cases of a year, for anyone to read."""
    year, _month, since, until = _period(year, None)
    names = {t.code: views.localized(t.name_vi, t.name_en) for t in queries.case_types(session)}
    return render(
        request,
        "protection/performance.html",
        p=stats.performance(session, since, until),
        names=names,
        year=year,
    )
