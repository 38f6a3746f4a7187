"""The record of processing activities: loaded from data, tied to the retention rules the
platform actually runs, edited by admins only, exported as a spreadsheet."""

import io
from collections.abc import Callable
from typing import Any

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from kieubao.domains import modules
from kieubao.platform import retention
from kieubao.platform.models import User
from kieubao.privacy import actions, queries
from tests.personas import SYSTEM

Api = Callable[[User | None], Any]


def test_every_configured_retention_rule_is_in_the_record_and_every_named_one_exists(
    session: Session,
) -> None:
    modules("retention")
    assert actions.load_activities(session, acting_user=SYSTEM) == 6
    assert actions.load_activities(session, acting_user=SYSTEM) == 0  # safe to run twice
    assert queries.unrecorded_rules(session) == []
    lines = [line for a in queries.activities(session) for line in queries.retention_of(a)]
    assert lines and all(line.configured for line in lines)
    assert {line.name for line in lines} == {r.name for r in retention.rules()}


def test_only_an_admin_edits_and_a_rule_that_does_not_exist_is_refused(
    api: Api, session: Session, admin: User, hq_officer: User
) -> None:
    modules("retention")
    actions.load_activities(session, acting_user=SYSTEM)
    body = {
        "purpose": "Know who is abroad and how to reach them.",
        "legal_basis": "Consent per purpose.",
        "retention_rules": ["platform.sessions"],
    }
    assert api(hq_officer).put("/api/v1/privacy/processing/registry", json=body).status_code == 403
    bad = api(admin).put(
        "/api/v1/privacy/processing/registry",
        json={**body, "retention_rules": ["registry.forever"]},
    )
    assert bad.status_code == 422 and "registry.forever" in bad.text
    done = api(admin).put("/api/v1/privacy/processing/registry", json=body)
    assert done.status_code == 200 and done.json()["purpose"] == body["purpose"]
    assert queries.get_activity(session, "registry").updated_by_id == admin.id


def test_the_record_downloads_as_a_spreadsheet(
    api: Api, session: Session, hq_officer: User
) -> None:
    modules("retention")
    actions.load_activities(session, acting_user=SYSTEM)
    answer = api(hq_officer).get("/console/privacy/processing.xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 7 and rows[1][0] == "registry"
    assert any("crisis.rosters:" in str(cell) for row in rows for cell in row)
    page = api(hq_officer).get("/console/privacy/processing", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "crisis.rosters" in page.text
