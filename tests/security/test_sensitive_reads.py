"""Sensitive reads are logged, break-glass opens a record beyond one's jurisdiction for a
while on a stated reason, headquarters reviews it, and citizens see who looked at them."""

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kieubao.platform import audit
from kieubao.platform.db import utcnow
from kieubao.platform.models import BreakGlassGrant, RecordRead, User
from kieubao.protection import actions as protection
from kieubao.protection.models import Case, Channel
from kieubao.protection.schemas import CaseIn
from kieubao.registry.models import Citizen
from tests.personas import SYSTEM

Client = Callable[[User | None], TestClient]
REASON = "Gia đình báo anh An bị bắt ở Osaka, đại sứ quán Tokyo không liên lạc được cả đêm."


@pytest.fixture
def detention(session: Session, citizen_in_osaka: Citizen) -> Case:
    """A mother reports that her son, registered in Osaka, is held by the police there."""
    protection.load_case_types(session, acting_user=SYSTEM)
    return protection.open_case(
        session,
        acting_user=SYSTEM,
        report=CaseIn.model_validate(
            {
                "case_type": "arrest_detention",
                "country": "JP",
                "description": "Con trai tôi bị cảnh sát Osaka bắt giữ, không liên lạc được.",
                "reporter": {"name": "Trần Thị Mai", "phone": "+84 912 345 678"},
                "subject": {"full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-17"},
            }
        ),
        channel=Channel.web,
    ).case


@pytest.fixture
def fresh_exposure(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The exposure index lives in the process: it starts over with this test's database."""
    from kieubao.crisis import exposure

    monkeypatch.setattr(exposure, "SYNC_INTERVAL_S", 0.0)
    exposure.reset()
    yield
    exposure.reset()


def _reads(session: Session, user: User) -> list[RecordRead]:
    return list(session.scalars(select(RecordRead).where(RecordRead.user_id == user.id)))


def test_the_tokyo_officer_reading_a_detention_case_is_logged_for_the_detained_citizen(
    api: Client,
    session: Session,
    tokyo_officer: User,
    detention: Case,
    citizen_in_osaka: Citizen,
) -> None:
    assert api(tokyo_officer).get(f"/api/v1/cases/{detention.number}").status_code == 200
    assert "data-emergency" not in api(tokyo_officer).get(f"/console/cases/{detention.number}").text
    read, _again = _reads(session, tokyo_officer)
    assert (read.record_kind, read.record_id, read.fields) == (
        "case",
        detention.number,
        "arrest_detention",
    )
    assert read.citizen_id == citizen_in_osaka.id and read.mission_id == tokyo_officer.mission_id
    assert not read.break_glass and read.role == "mission_officer"


def test_the_berlin_officer_opens_the_tokyo_case_only_with_a_reason_for_an_hour(
    api: Client,
    session: Session,
    berlin_officer: User,
    hq_officer: User,
    detention: Case,
) -> None:
    berlin = api(berlin_officer)
    # Out of jurisdiction the case is not there: its number is no oracle.
    assert berlin.get(f"/api/v1/cases/{detention.number}").status_code == 404
    assert _reads(session, berlin_officer) == []

    terse = berlin.post(
        "/api/v1/break-glass",
        json={"kind": "case", "reference": detention.number, "reason": "urgent"},
    )
    assert terse.status_code == 422 and "at least 30 characters" in terse.json()["detail"]
    unknown = berlin.post(
        "/api/v1/break-glass", json={"kind": "case", "reference": "BH-1999-9", "reason": REASON}
    )
    assert unknown.status_code == 404
    assert session.scalar(select(BreakGlassGrant)) is None

    opened = berlin.post(
        "/api/v1/break-glass",
        json={"kind": "case", "reference": detention.number.lower(), "reason": REASON},
    )
    assert opened.status_code == 201, opened.text
    grant_id = opened.json()["grant_id"]
    assert opened.json()["url"] == f"/console/cases/{detention.number}"
    assert berlin.get(f"/api/v1/cases/{detention.number}").status_code == 200
    page = berlin.get(f"/console/cases/{detention.number}")
    assert page.status_code == 200 and "data-emergency" in page.text
    reads = _reads(session, berlin_officer)
    assert len(reads) == 2
    assert all(r.break_glass and r.grant_id == grant_id and r.purpose == REASON for r in reads)
    # Reading is all it opens: the case is still not the Berlin officer's to work.
    note = berlin.post(f"/api/v1/cases/{detention.number}/notes", json={"text": "đã xem"})
    assert note.status_code == 404

    session.execute(
        update(BreakGlassGrant)
        .where(BreakGlassGrant.id == grant_id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    assert berlin.get(f"/api/v1/cases/{detention.number}").status_code == 404
    assert len(_reads(session, berlin_officer)) == 2

    # Headquarters reviews it: a verdict of "not justified" must say why, and is final.
    hq = api(hq_officer)
    listed = hq.get("/console/privacy/break-glass")
    assert listed.status_code == 200 and REASON in listed.text
    assert "hoa.berlin@mofa.gov.vn" in listed.text
    bare = hq.post(f"/console/privacy/break-glass/{grant_id}", data={"verdict": "unjustified"})
    assert bare.status_code == 422
    done = hq.post(
        f"/console/privacy/break-glass/{grant_id}",
        data={"verdict": "unjustified", "note": "Tokyo was reachable on the duty phone."},
        follow_redirects=False,
    )
    assert done.status_code == 303
    again = hq.post(f"/console/privacy/break-glass/{grant_id}", data={"verdict": "justified"})
    assert again.status_code == 409
    assert REASON not in hq.get("/console/privacy/break-glass").text
    assert "duty phone" in hq.get("/console/privacy/break-glass?all=true").text

    grant = session.get(BreakGlassGrant, grant_id)
    assert grant is not None and grant.verdict == "unjustified"
    assert grant.reviewed_by_id == hq_officer.id
    assert audit.verify(session).ok


def test_a_case_file_opens_as_its_case_does_and_each_download_is_logged(
    api: Client,
    session: Session,
    tokyo_officer: User,
    berlin_officer: User,
    detention: Case,
) -> None:
    """The Berlin officer's grant opens the Tokyo case's page, and so the files it links."""
    protection.add_note(
        session,
        acting_user=tokyo_officer,
        case=detention,
        text="Bản quyết định tạm giữ của cảnh sát Osaka.",
        public=False,
        files=[protection.IncomingFile("quyết định tạm giữ.pdf", "application/pdf", b"%PDF-1.4")],
    )
    (paper,) = detention.attachments
    url = f"/console/cases/{detention.number}/attachments/{paper.id}"
    tokyo = api(tokyo_officer).get(url)
    assert tokyo.status_code == 200 and tokyo.content == b"%PDF-1.4"
    (read,) = _reads(session, tokyo_officer)
    assert read.fields == f"attachment {paper.id}" and not read.break_glass

    berlin = api(berlin_officer)
    assert berlin.get(url).status_code == 404
    opened = berlin.post(
        "/api/v1/break-glass",
        json={"kind": "case", "reference": detention.number, "reason": REASON},
    )
    assert opened.status_code == 201, opened.text
    assert berlin.get(f"{url}0").status_code == 404
    assert _reads(session, berlin_officer) == []
    assert berlin.get(url).content == b"%PDF-1.4"
    (read,) = _reads(session, berlin_officer)
    assert read.fields == f"attachment {paper.id}"
    assert read.break_glass and read.grant_id == opened.json()["grant_id"]


def test_the_break_glass_form_opens_a_citizen_record(
    api: Client, session: Session, berlin_officer: User, citizen_in_osaka: Citizen
) -> None:
    berlin = api(berlin_officer)
    page = f"/console/citizens/{citizen_in_osaka.id}"
    assert berlin.get(page).status_code == 404
    form = berlin.get("/console/break-glass")
    assert form.status_code == 200 and 'name="reason"' in form.text
    short = berlin.post(
        "/console/break-glass",
        data={"kind": "citizen", "reference": str(citizen_in_osaka.id), "reason": "xem"},
    )
    assert short.status_code == 422 and 'role="alert"' in short.text
    opened = berlin.post(
        "/console/break-glass",
        data={"kind": "citizen", "reference": str(citizen_in_osaka.id), "reason": REASON},
        follow_redirects=False,
    )
    assert opened.status_code == 303 and opened.headers["location"] == page
    assert berlin.get(page).status_code == 200
    (read,) = _reads(session, berlin_officer)
    assert read.record_kind == "citizen" and read.fields == "identity" and read.break_glass


def test_a_citizen_sees_who_viewed_their_record_and_never_anyone_elses(
    api: Client,
    session: Session,
    make_citizen: Callable[..., Citizen],
    tokyo_officer: User,
    berlin_officer: User,
    hq_officer: User,
    citizen_in_osaka: Citizen,
) -> None:
    from kieubao.platform import accounts

    other_user = accounts.citizen_user(session, email="bich.tran@example.de")
    in_berlin = make_citizen(full_name="Trần Thị Bích", country="DE", city="Berlin", phones=[])
    in_berlin.user_id = other_user.id
    session.flush()

    assert api(tokyo_officer).get(f"/api/v1/citizens/{citizen_in_osaka.id}").status_code == 200
    assert api(hq_officer).get(f"/api/v1/citizens/{citizen_in_osaka.id}").status_code == 200
    assert api(berlin_officer).get(f"/api/v1/citizens/{in_berlin.id}").status_code == 200

    citizen_user = session.get(User, citizen_in_osaka.user_id)
    mine = api(citizen_user).get("/me", params={"lang": "en"})
    assert mine.status_code == 200
    viewings = mine.text.split('id="viewings"')[1]
    assert "Embassy of Viet Nam in Japan" in viewings and "Headquarters" in viewings
    assert "Germany" not in viewings
    # Role and office, not the officer's name or address.
    assert "minh.tokyo" not in viewings and "Consular officer" in viewings

    exported = api(citizen_user).get(f"/api/v1/citizens/{citizen_in_osaka.id}/export").json()
    assert [v["office"] for v in exported["viewed_by"]] == ["HQ", "JP-TYO-EMB"]
    assert exported["viewed_by"][1]["role"] == "mission_officer"

    theirs = api(other_user).get("/me", params={"lang": "en"}).text.split('id="viewings"')[1]
    assert "Embassy of Viet Nam in Germany" in theirs and "Japan" not in theirs
    # The citizen reading their own record leaves no trace of staff reading it.
    assert len(list(session.scalars(select(RecordRead)))) == 3


def test_reading_a_crisis_roster_is_logged_for_each_person_shown(
    api: Client,
    session: Session,
    hq_officer: User,
    tokyo_officer: User,
    partner_analyst: User,
    citizen_in_osaka: Citizen,
    fresh_exposure: None,
) -> None:
    from kieubao.crisis import actions as crisis
    from kieubao.crisis import queries as crisis_queries
    from tests.crisis.conftest import usgs_feed

    quake = {"id": "us7000osak", "mag": 6.5, "lat": 34.62, "lon": 135.45}
    hazard_id = crisis.ingest(session, acting_user=SYSTEM, body=usgs_feed(quake)).hazard_ids[0]
    hazard = crisis_queries.get_hazard(session, hazard_id)
    osaka = crisis.open_crisis(session, acting_user=hq_officer, title="", hazard=hazard)

    roster = api(tokyo_officer).get(f"/api/v1/crises/{osaka.id}/roster")
    assert [e["citizen_id"] for e in roster.json()] == [citizen_in_osaka.id]
    (read,) = _reads(session, tokyo_officer)
    assert (read.record_kind, read.record_id, read.fields) == ("roster", str(osaka.id), "needs")
    assert read.citizen_id == citizen_in_osaka.id
    # Counts only for a partner agency: nobody was shown, nothing is logged.
    assert api(partner_analyst).get(f"/console/crisis/crises/{osaka.id}").status_code == 200
    assert _reads(session, partner_analyst) == []
    assert api(hq_officer).get(f"/console/crisis/crises/{osaka.id}").status_code == 200
    assert {r.citizen_id for r in _reads(session, hq_officer)} == {citizen_in_osaka.id}
