"""The World Conference of Overseas Vietnamese: sessions, invitations, delegates who register
on the portal, are approved, get a badge and are checked in at the door."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.community import queries
from kieubao.community.models import Delegate
from kieubao.platform.audit import AuditEntry
from kieubao.platform.models import Role, User
from kieubao.registry.models import Citizen
from tests.community.roles import assert_refused
from tests.community.test_directory import OSAKA_ASSOCIATION, expert
from tests.personas import mails_to, make_user

Api = Callable[[User | None], TestClient]
EVENTS = "/api/v1/community/events"

CONFERENCE = {
    "title": "Hội nghị Người Việt Nam ở nước ngoài toàn thế giới lần thứ tư",
    "kind": "conference",
    "country": "VN",
    "city": "Hà Nội",
    "venue": "Trung tâm Hội nghị Quốc gia",
    "starts_on": "2024-08-21",
    "ends_on": "2024-08-24",
    "capacity": 3,
}
FORUM = {
    "title": "Diễn đàn trí thức, chuyên gia",
    "room": "Hall A",
    "starts_at": "2024-08-22T02:00:00Z",
    "ends_at": "2024-08-22T05:00:00Z",
    "capacity": 2,
}


def delegate(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "full_name": "Trần Thị Mai",
        "date_of_birth": "1980-04-12",
        "country": "JP",
        "city": "Osaka",
        "email": "mai@example.jp",
        "organisation": "Hội người Việt Nam tại Osaka",
        "language": "vi",
    }
    values.update(overrides)
    return values


@pytest.fixture
def conference(api: Api, community_editor: User) -> dict[str, Any]:
    created = api(community_editor).post(EVENTS, json=CONFERENCE)
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


def test_a_delegate_registers_is_approved_gets_a_badge_and_checks_in_once(
    api: Api,
    session: Session,
    conference: dict[str, Any],
    community_editor: User,
    hq_officer: User,
    make_citizen: Callable[..., Citizen],
) -> None:
    citizen = make_citizen(full_name="Trần Thị Mai", date_of_birth="1980-04-12", city="Osaka")
    url = f"{EVENTS}/{conference['id']}"
    forum = api(community_editor).post(f"{url}/sessions", json=FORUM).json()
    registered = api(None).post(f"{url}/delegates", json=delegate(sessions=[forum["id"]]))
    assert registered.status_code == 201, registered.text
    assert registered.json()["status"] == "pending"
    delegate_id = registered.json()["id"]

    approved = api(community_editor).post(
        f"{url}/delegates/{delegate_id}/decision", json={"status": "approved"}
    )
    assert approved.json()["status"] == "approved"
    assert approved.json()["citizen_id"] == citizen.id
    assert approved.json()["session_ids"] == [forum["id"]]

    (mail,) = mails_to("mai@example.jp")
    assert "Trần Thị Mai" in mail and "được duyệt" in mail
    badge_link = next(w for w in mail.split() if "/events/badge/" in w)
    own = api(None).get(
        badge_link.removeprefix("http://testserver"), headers={"Accept": "text/html"}
    )
    assert own.status_code == 200 and "<svg" in own.text and "Trần Thị Mai" in own.text
    assert api(None).get(f"/events/badge/{delegate_id}.forged").status_code == 404

    badge = api(community_editor).get(f"{url}/badges.pdf")
    assert badge.status_code == 200 and badge.content.startswith(b"%PDF")
    assert b"/Count 1" in badge.content and b"DejaVu" in badge.content

    row = session.get(Delegate, delegate_id)
    assert row is not None
    link = queries.checkin_url(row)
    token = link.rsplit("/", 1)[1]
    assert link.startswith("http://testserver/console/community/checkin/")
    first = api(hq_officer).post(f"/api/v1/community/checkin/{token}")
    assert first.status_code == 200 and first.json()["checked_in_at"]
    again = api(hq_officer).post(f"/api/v1/community/checkin/{token}")
    assert again.json()["checked_in_at"] == first.json()["checked_in_at"]
    forged = api(hq_officer).post(f"/api/v1/community/checkin/{delegate_id}.forged")
    assert forged.status_code == 404

    figures = api(hq_officer).get(f"{url}/attendance").json()
    assert figures | {"follow_ups": {}} == {
        "event_id": conference["id"],
        "capacity": 3,
        "registered": 1,
        "approved": 1,
        "checked_in": 1,
        "by_country": {"JP": 1},
        "follow_ups": {},
    }
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {"delegate.registered", "delegate.decided", "delegate.checked_in"} <= actions


def test_a_pending_delegate_cannot_be_checked_in(
    api: Api, session: Session, conference: dict[str, Any], hq_officer: User
) -> None:
    registered = api(None).post(f"{EVENTS}/{conference['id']}/delegates", json=delegate())
    row = session.get(Delegate, registered.json()["id"])
    assert row is not None
    token = queries.checkin_url(row).rsplit("/", 1)[1]
    refused = api(hq_officer).post(f"/api/v1/community/checkin/{token}")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "this delegate is not approved"


def test_the_same_person_twice_is_refused_however_the_name_is_typed(
    api: Api, conference: dict[str, Any]
) -> None:
    url = f"{EVENTS}/{conference['id']}/delegates"
    assert api(None).post(url, json=delegate()).status_code == 201
    retyped = delegate(full_name="Tran Thi Mai", email="mai.tran@example.com")
    twice = api(None).post(url, json=retyped)
    assert twice.status_code == 409
    assert "already registered" in twice.json()["detail"]
    same_email = delegate(full_name="Phạm Văn Bình", date_of_birth="1970-01-01")
    assert api(None).post(url, json=same_email).status_code == 409
    namesake = delegate(email="other.mai@example.jp", date_of_birth="1992-09-30")
    assert api(None).post(url, json=namesake).status_code == 201


def test_the_event_and_its_sessions_refuse_what_cannot_be(
    api: Api, conference: dict[str, Any], community_editor: User
) -> None:
    editor = api(community_editor)
    backwards = editor.post(EVENTS, json=CONFERENCE | {"ends_on": "2024-08-20"})
    assert backwards.status_code == 422 and "ends before it starts" in backwards.text
    bad_date = editor.post(EVENTS, json=CONFERENCE | {"starts_on": "2024-02-30"})
    assert bad_date.status_code == 422
    assert {e["field"] for e in bad_date.json()["errors"]} == {"starts_on"}

    url = f"{EVENTS}/{conference['id']}/sessions"
    assert editor.post(url, json=FORUM).status_code == 201
    overlapping = FORUM | {"title": "Youth", "starts_at": "2024-08-22T04:00:00Z",
                           "ends_at": "2024-08-22T06:00:00Z"}  # fmt: skip
    clash = editor.post(url, json=overlapping)
    assert clash.status_code == 409 and "Hall A" in clash.json()["detail"]
    assert editor.post(url, json=overlapping | {"room": "Hall B"}).status_code == 201
    too_big = editor.post(url, json=FORUM | {"room": "Hall C", "capacity": 10})
    assert too_big.status_code == 422
    outside = FORUM | {"room": "Hall D", "starts_at": "2024-09-01T02:00:00Z",
                       "ends_at": "2024-09-01T03:00:00Z"}  # fmt: skip
    assert editor.post(url, json=outside).status_code == 422
    inverted = FORUM | {"room": "Hall E", "ends_at": "2024-08-22T01:00:00Z"}
    assert editor.post(url, json=inverted).status_code == 422


def test_sessions_fill_up_and_a_delegate_cannot_be_in_two_at_once(
    api: Api, conference: dict[str, Any], community_editor: User
) -> None:
    url = f"{EVENTS}/{conference['id']}"
    editor = api(community_editor)
    forum = editor.post(f"{url}/sessions", json=FORUM).json()
    youth = editor.post(
        f"{url}/sessions",
        json=FORUM | {"title": "Youth", "room": "Hall B", "starts_at": "2024-08-22T04:00:00Z"},
    ).json()
    both = api(None).post(f"{url}/delegates", json=delegate(sessions=[forum["id"], youth["id"]]))
    assert both.status_code == 422 and "same time" in both.text
    others = [("Lê Văn Hùng", "hung@example.de"), ("Đỗ Thị Lan", "lan@example.fr")]
    for name, email in others:
        one = delegate(full_name=name, email=email, sessions=[forum["id"]])
        assert api(None).post(f"{url}/delegates", json=one).status_code == 201
    full = api(None).post(f"{url}/delegates", json=delegate(sessions=[forum["id"]]))
    assert full.status_code == 409 and "full" in full.json()["detail"]
    assert api(None).post(f"{url}/delegates", json=delegate()).status_code == 201
    fourth = delegate(full_name="Vũ Minh", email="minh@example.us")
    assert api(None).post(f"{url}/delegates", json=fourth).status_code == 409  # event full


def test_invitations_come_from_the_directories_once_each(
    api: Api, conference: dict[str, Any], community_editor: User
) -> None:
    editor = api(community_editor)
    editor.post("/api/v1/community/experts", json=expert())
    editor.post(
        "/api/v1/community/experts", json=expert(full_name="Vũ Thị Hạnh", consent_listing=False)
    )
    editor.post("/api/v1/community/associations", json=OSAKA_ASSOCIATION)
    url = f"{EVENTS}/{conference['id']}/invitations"
    wanted = {"field": "robot", "countries": ["DE", "JP"], "associations": True}
    made = editor.post(url, json=wanted)
    assert sorted(i["name"] for i in made.json()) == [
        "Hội người Việt Nam tại Osaka",
        "Lê Quang Huy",
    ]
    assert editor.post(url, json=wanted).json() == []
    listed = editor.get(url).json()
    assert {i["email"] for i in listed} == {"huy.le@example.de", "mai@example.jp"}


def test_recommendations_become_follow_up_tasks(
    api: Api, conference: dict[str, Any], community_editor: User, partner_analyst: User
) -> None:
    url = f"{EVENTS}/{conference['id']}/follow-ups"
    task = {
        "recommendation": "Simplify procedures for overseas experts to work in Viet Nam",
        "task": "Draft a fast-track visa proposal",
        "owner": "Ministry of Public Security",
        "due_on": "2024-12-31",
    }
    created = api(community_editor).post(url, json=task)
    assert created.status_code == 201
    done = api(community_editor).put(
        f"{url}/{created.json()['id']}", json=task | {"status": "done"}
    )
    assert done.json()["status"] == "done"
    assert api(partner_analyst).get(url).json()[0]["status"] == "done"
    figures = api(partner_analyst).get(f"{EVENTS}/{conference['id']}/attendance").json()
    assert figures["follow_ups"] == {"done": 1}


PERSONAL = [
    ("get", f"{EVENTS}/1/delegates"),
    ("get", f"{EVENTS}/1/invitations"),
    ("post", "/api/v1/community/checkin/1.x"),
]
EDITS = [
    ("post", EVENTS),
    ("put", f"{EVENTS}/1"),
    ("post", f"{EVENTS}/1/sessions"),
    ("post", f"{EVENTS}/1/delegates/1/decision"),
    ("get", f"{EVENTS}/1/badges.pdf"),
    ("post", f"{EVENTS}/1/invitations"),
    ("post", f"{EVENTS}/1/follow-ups"),
    ("put", f"{EVENTS}/1/follow-ups/1"),
]


@pytest.mark.parametrize(("method", "url"), PERSONAL + EDITS)
def test_partner_agencies_and_citizens_never_reach_a_delegate(
    api: Api, method: str, url: str, partner_analyst: User, session: Session
) -> None:
    citizen = make_user(session, "an.nguyen@example.jp", Role.citizen)
    assert_refused(api, method, url, partner_analyst, citizen)


@pytest.mark.parametrize(("method", "url"), EDITS)
def test_officers_do_not_edit_events(
    api: Api, method: str, url: str, hq_officer: User, tokyo_officer: User
) -> None:
    for user in (hq_officer, tokyo_officer):
        assert api(user).request(method, url, json={}).status_code == 403


def test_registration_closes(api: Api, community_editor: User) -> None:
    closed = api(community_editor).post(EVENTS, json=CONFERENCE | {"registration_open": False})
    response = api(None).post(f"{EVENTS}/{closed.json()['id']}/delegates", json=delegate())
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")


def test_the_events_held_in_a_period_are_counted_with_no_person_in_them(
    api: Api,
    session: Session,
    conference: dict[str, Any],
    community_editor: User,
    hq_officer: User,
) -> None:
    url = f"{EVENTS}/{conference['id']}"
    first = api(None).post(f"{url}/delegates", json=delegate()).json()
    other = delegate(full_name="Lê Văn Hùng", date_of_birth="1975-01-02", country="DE",
                     city="Berlin", email="hung@example.de")  # fmt: skip
    assert api(None).post(f"{url}/delegates", json=other).status_code == 201
    decision = {"status": "approved"}
    api(community_editor).post(f"{url}/delegates/{first['id']}/decision", json=decision)
    row = session.get(Delegate, first["id"])
    assert row is not None
    token = queries.checkin_url(row).rsplit("/", 1)[1]
    assert api(hq_officer).post(f"/api/v1/community/checkin/{token}").status_code == 200
    later = CONFERENCE | {"title": "Hội nghị năm sau", "starts_on": "2025-08-21",
                          "ends_on": "2025-08-22"}  # fmt: skip
    assert api(community_editor).post(EVENTS, json=later).status_code == 201

    held = queries.events_held(session, start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert (held.events, held.approved, held.checked_in) == (1, 1, 1)
    (event,) = held.held
    assert (event.title, event.city, event.country) == (CONFERENCE["title"], "Hà Nội", "VN")
    assert "Trần Thị Mai" not in held.model_dump_json()
    # Held where it takes place: none of it in Japan, where its delegate came from.
    japan = queries.events_held(session, start=date(2024, 1, 1), end=date(2024, 12, 31),
                                countries=["JP"])  # fmt: skip
    assert japan.events == 0 and japan.held == []
    # Counted in the period it starts in, not again in the one it ends in.
    after = queries.events_held(session, start=date(2024, 8, 22), end=date(2025, 8, 20))
    assert after.events == 0
