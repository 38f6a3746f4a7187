"""Case notices: the spokesperson says in public that citizens were affected, by case number,
without a name."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from kieubao.outreach import bulletins
from kieubao.platform.errors import Invalid, NotFound
from kieubao.platform.models import User
from kieubao.protection import actions as protection
from kieubao.protection.actions.intake import Intake
from kieubao.protection.models import Channel
from kieubao.protection.schemas import CaseIn
from tests.outreach.conftest import bulletin_in
from tests.personas import SYSTEM


@pytest.fixture
def detention(session: Session) -> Intake:
    """Lê Văn Hùng, held by the police in Osaka."""
    protection.load_case_types(session, acting_user=SYSTEM)
    return protection.open_case(
        session,
        acting_user=SYSTEM,
        report=CaseIn.model_validate(
            {
                "case_type": "arrest_detention",
                "country": "JP",
                "description": "Con trai tôi bị cảnh sát Osaka bắt giữ từ hôm qua.",
                "reporter": {"name": "Trần Thị Mai", "phone": "+84 912 345 678"},
                "subject": {"full_name": "Lê Văn Hùng", "date_of_birth": "1998-03-02"},
            }
        ),
        channel=Channel.web,
    )


def notice(number: str, **overrides: object) -> dict[str, object]:
    return {
        "kind": "case_notice",
        "case_number": number,
        "title_vi": "Công dân bị tạm giữ tại Osaka",
        "title_en": "Citizen detained in Osaka",
        "body_vi": "<p>Đại sứ quán đã liên hệ nhà chức trách sở tại.</p>",
        "body_en": "<p>The embassy is in contact with the local authorities.</p>",
        "countries": ["JP"],
        **overrides,
    }


def test_a_case_notice_links_its_case_and_shows_no_name(
    session: Session,
    app_client: TestClient,
    detention: Intake,
    hq_officer: User,
    second_hq_officer: User,
) -> None:
    number = detention.case.number
    bulletin = bulletins.draft_bulletin(
        session, acting_user=hq_officer, data=bulletin_in(**notice(number))
    )
    bulletins.submit_bulletin(session, acting_user=hq_officer, bulletin=bulletin)
    bulletins.approve_bulletin(session, acting_user=second_hq_officer, bulletin=bulletin)
    bulletins.publish_bulletin(session, acting_user=hq_officer, bulletin=bulletin)

    page = app_client.get(f"/bulletins/{bulletin.id}?lang=vi")
    assert number in page.text and "Thông báo bảo hộ công dân" in page.text
    assert "Hùng" not in page.text and "Mai" not in page.text


def test_a_case_notice_that_names_the_person_is_refused(
    session: Session, detention: Intake, hq_officer: User
) -> None:
    named = notice(detention.case.number, body_en="<p>Mr Le Van Hung was detained.</p>")
    with pytest.raises(Invalid, match="must not name"):
        bulletins.draft_bulletin(session, acting_user=hq_officer, data=bulletin_in(**named))


def test_a_case_notice_needs_a_case_the_officer_can_see(
    session: Session,
    detention: Intake,
    berlin_officer: User,
    hq_officer: User,
    api: Callable[[User | None], TestClient],
) -> None:
    with pytest.raises(NotFound):
        bulletins.draft_bulletin(
            session, acting_user=hq_officer, data=bulletin_in(**notice("2026-999999"))
        )
    # Another mission's case is not found by a number it guesses.
    berlin = notice(detention.case.number, countries=["DE"])
    with pytest.raises(NotFound):
        bulletins.draft_bulletin(session, acting_user=berlin_officer, data=bulletin_in(**berlin))
    answer = api(hq_officer).post("/api/v1/bulletins", json=notice(""))
    assert answer.status_code == 422
    plain = api(hq_officer).post(
        "/api/v1/bulletins", json={**notice(detention.case.number), "kind": "news"}
    )
    assert plain.status_code == 422
