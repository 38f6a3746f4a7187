"""Figures of case work: the dashboard in each reader's scope, the statistics report, the
public performance page."""

import io
from collections.abc import Callable
from datetime import date, timedelta

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from kieubao.platform.db import utcnow
from kieubao.platform.models import User
from kieubao.protection import actions, stats
from kieubao.protection.actions.intake import Intake
from kieubao.protection.models import LiaisonKind, Status
from kieubao.protection.schemas import LiaisonIn, TriageIn

BERLIN = {
    "case_type": "lost_documents",
    "country": "DE",
    "city": "Berlin",
    "description": "Mất hộ chiếu ở Berlin.",
    "subject": {"full_name": "Vũ Thị Thu"},
}


def _work(session: Session, intake: Intake, officer: User, hours: int) -> None:
    """Triage and a call to the police ``hours`` after the case came in."""
    case = intake.case
    case.created_at -= timedelta(hours=hours)
    session.commit()
    actions.confirm_triage(session, acting_user=officer, case=case, decision=TriageIn())
    entry = LiaisonIn(kind=LiaisonKind.call, authority="Osaka police", on=utcnow().date())
    actions.log_liaison(session, acting_user=officer, case=case, entry=entry)


def test_each_reader_counts_their_scope(
    session: Session,
    open_case: Callable[..., Intake],
    tokyo_officer: User,
    berlin_officer: User,
    hq_officer: User,
    partner_analyst: User,
) -> None:
    _work(session, open_case(), tokyo_officer, 10)
    open_case(**BERLIN)
    everything = stats.Filters()
    hq = stats.dashboard(session, hq_officer, everything)
    assert hq.open_by_country == {"JP": 1, "DE": 1} and hq.opened == 2
    assert hq.first_response_hours is not None and 9.9 < hq.first_response_hours < 10.1
    assert stats.dashboard(session, tokyo_officer, everything).open_by_country == {"JP": 1}
    assert stats.dashboard(session, berlin_officer, everything).open_by_type == {
        "lost_documents": 1
    }
    assert stats.dashboard(session, partner_analyst, everything).opened == 2
    only_de = stats.dashboard(session, hq_officer, stats.Filters(country="DE"))
    assert only_de.open_by_country == {"DE": 1}
    points = stats.map_points(session, hq_officer, everything)
    # The Osaka case gave no city: it stands where its mission is.
    assert sorted((p["city"], p["count"]) for p in points) == [("Berlin", 1), ("Tokyo", 1)]


def test_performance_counts_detentions_contacted_within_a_day(
    session: Session, open_case: Callable[..., Intake], hq_officer: User
) -> None:
    _work(session, open_case(), hq_officer, 30)  # contacted after 30 h: late
    _work(session, open_case(subject={"full_name": "Đỗ Thị Lan"}), hq_officer, 5)
    open_case(subject={"full_name": "Hà Văn Tú"})  # not yet contacted
    year = utcnow().date().year
    p = stats.performance(session, date(year, 1, 1), date(year + 1, 1, 1))
    assert p.opened_by_type == {"arrest_detention": 3} and p.detentions == 3
    assert p.detentions_within_24h == 1 and p.share_within_24h == 33
    assert p.first_contact_hours is not None and 17 < p.first_contact_hours < 18


def test_dashboard_pages_by_persona(
    api: Callable[[User | None], TestClient],
    session: Session,
    open_case: Callable[..., Intake],
    tokyo_officer: User,
    berlin_officer: User,
    hq_officer: User,
    partner_analyst: User,
    community_editor: User,
) -> None:
    tokyo_case = open_case().case
    open_case(**BERLIN)
    page = api(hq_officer).get("/console/protection/dashboard?lang=vi")
    assert page.status_code == 200 and 'data-country="DE"' in page.text
    assert 'data-country="JP"' in page.text and tokyo_case.number not in page.text
    tokyo = api(tokyo_officer).get("/console/protection/dashboard")
    assert 'data-country="JP"' in tokyo.text and 'data-country="DE"' not in tokyo.text
    berlin = api(berlin_officer).get("/console/protection/dashboard.csv").text
    assert "open_by_country,DE,1" in berlin and ",JP," not in berlin
    partner = api(partner_analyst)
    assert partner.get("/console/protection/dashboard").status_code == 200
    assert partner.get("/console/cases").status_code == 403  # counts, never the cases
    book = load_workbook(io.BytesIO(partner.get("/console/protection/dashboard.xlsx").content))
    sheet = book.active
    assert sheet is not None and ("open_by_country", "JP", 1) in list(sheet.values)
    layers = api(berlin_officer).get("/console/protection/map.json").json()
    assert [p["city"] for p in layers["density"]] == ["Berlin"]
    assert api(hq_officer).get("/console/protection/dashboard?severity=bad").status_code == 422
    assert api(community_editor).get("/console/protection/dashboard").status_code == 403
    anonymous = api(None).get("/console/protection/dashboard", follow_redirects=False)
    assert anonymous.status_code == 303


def test_statistics_report_by_type_and_country(
    api: Callable[[User | None], TestClient],
    session: Session,
    open_case: Callable[..., Intake],
    hq_officer: User,
    berlin_officer: User,
) -> None:
    case = open_case().case
    open_case(**BERLIN)
    for status in (Status.triaged, Status.in_progress, Status.resolved, Status.closed):
        case.status = status
    case.closed_at = case.created_at
    session.commit()
    year, month = case.created_at.year, case.created_at.month
    client = api(hq_officer)
    page = client.get(f"/console/protection/report?year={year}&month={month}&lang=vi")
    assert page.status_code == 200
    assert 'data-row="arrest_detention-JP"' in page.text and "data-total-closed>1<" in page.text
    xlsx = client.get(f"/console/protection/report.xlsx?year={year}")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.values)  # type: ignore[union-attr]
    assert ("arrest_detention", "JP", 1, 1) in rows and ("lost_documents", "DE", 1, 0) in rows
    assert client.get(f"/console/protection/report?year={year}&month=13").status_code == 422
    berlin = api(berlin_officer).get(f"/console/protection/report?year={year}")
    assert "arrest_detention-JP" not in berlin.text and "lost_documents-DE" in berlin.text
    assert (
        "data-total-opened>0<" in api(hq_officer).get("/console/protection/report?year=2001").text
    )


def test_the_public_performance_page(
    api: Callable[[User | None], TestClient], open_case: Callable[..., Intake]
) -> None:
    open_case()
    page = api(None).get("/protection/performance?lang=vi")
    assert page.status_code == 200 and 'data-type="arrest_detention"' in page.text
    assert "0% (0/1)" in page.text
    assert "Lê Văn Hùng" not in page.text
    assert api(None).get("/protection/performance?year=abc").status_code == 422
