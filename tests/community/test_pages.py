"""The community console and the portal's registration form, as people use them."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from kieubao.community import queries
from kieubao.community.models import Delegate
from kieubao.platform.models import Role, User
from tests.community.test_events import CONFERENCE, FORUM
from tests.personas import make_user

Api = Callable[[User | None], TestClient]


def browser(api: Api, user: User | None) -> TestClient:
    client = api(user)
    client.headers["Accept"] = "text/html"
    return client


def test_an_editor_adds_an_expert_through_the_form(api: Api, community_editor: User) -> None:
    client = browser(api, community_editor)
    form = {
        "full_name": "Lê Quang Huy",
        "country": "Đức",
        "fields": "Artificial intelligence, Robotics",
        "languages": "vi, de",
        "contributions": ["advice", "technology_transfer"],
        "consent_listing": "on",
    }
    saved = client.post("/console/community/experts/new", data=form, follow_redirects=False)
    assert saved.status_code == 303
    listed = client.get("/console/community/experts?field=robot&lang=vi")
    assert "Lê Quang Huy" in listed.text and "Đồng ý" in listed.text
    wrong = form | {"country": "Atlantis", "fields": ""}
    bad = client.post("/console/community/experts/new?lang=en", data=wrong)
    assert bad.status_code == 422
    assert "unknown country &#39;Atlantis&#39;" in bad.text and 'id="e-fields"' in bad.text


def test_a_delegate_registers_on_the_portal_and_an_officer_checks_her_in(
    api: Api, session: Session, community_editor: User, tokyo_officer: User
) -> None:
    editor = browser(api, community_editor)
    open_event = CONFERENCE | {"registration_open": "on"}
    created = editor.post("/console/community/events", data=open_event, follow_redirects=False)
    assert created.status_code == 303
    event_url = created.headers["location"]
    event_id = int(event_url.rsplit("/", 1)[1])
    session_form = FORUM | {"starts_at": "2024-08-22T09:00", "ends_at": "2024-08-22T11:00"}
    assert editor.post(f"{event_url}/sessions", data=session_form).status_code == 200
    clash = editor.post(f"{event_url}/sessions", data=session_form | {"title": "Again"})
    assert clash.status_code == 409 and "Hall A" in clash.text

    public = browser(api, None)
    form = public.get(f"/events/{event_id}/register?lang=en")
    assert "Register as a delegate" in form.text and "Diễn đàn trí thức" in form.text
    event = queries.get_event(session, event_id)
    person = {
        "full_name": "Trần Thị Mai",
        "country": "Japan",
        "email": "mai@example.jp",
        "sessions": [str(event.sessions[0].id)],
    }
    done = public.post(f"/events/{event_id}/register?lang=vi", data=person)
    assert done.status_code == 200 and "Đã nhận đăng ký" in done.text
    twice = public.post(f"/events/{event_id}/register?lang=en", data=person)
    assert twice.status_code == 409 and "already registered" in twice.text

    (delegate,) = queries.delegates(session, event)
    editor = browser(api, community_editor)  # one client: acting as the editor again
    approve = editor.post(
        f"{event_url}/delegates/{delegate.id}", data={"status": "approved"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert approve.text.lstrip().startswith(f'<tr id="delegate-{delegate.id}"')
    session.expire_all()
    row = session.get(Delegate, delegate.id)
    assert row is not None and row.status == "approved"
    path = queries.checkin_url(row).removeprefix("http://testserver")
    officer = browser(api, tokyo_officer)
    assert 'id="check-in"' in officer.get(path).text
    checked = officer.post(f"{path}?lang=en")
    assert "Checked in at" in checked.text
    assert "Already checked in" in officer.post(f"{path}?lang=en").text
    page = browser(api, community_editor).get(f"{event_url}?lang=en")
    assert '<b id="checked-in">1</b>' in page.text


def test_partner_agencies_see_the_community_overview_only(
    api: Api, session: Session, partner_analyst: User, community_editor: User
) -> None:
    editor = api(community_editor)
    profile = {
        "country": "DE",
        "estimated_size": 200000,
        "size_source": "Destatis",
        "size_year": 2024,
        "main_cities": ["Berlin", "Leipzig"],
    }
    assert editor.put("/api/v1/community/profiles", json=profile).status_code == 200
    partner = browser(api, partner_analyst)
    home = partner.get("/console/community?lang=en")
    assert home.status_code == 200 and "Destatis, 2024" in home.text
    assert "52.5" in home.text  # Berlin on the map
    for page in ("experts", "associations", "events", "volunteers", "programs", "contributions"):
        assert partner.get(f"/console/community/{page}").status_code == 403


@pytest.mark.parametrize(
    "page", ["", "/experts", "/associations", "/events", "/volunteers", "/programs",
             "/contributions", "/experts/new"],
)  # fmt: skip
def test_every_console_page_speaks_both_languages(
    api: Api, page: str, community_editor: User, session: Session
) -> None:
    client = browser(api, community_editor)
    english = client.get(f"/console/community{page}?lang=en")
    vietnamese = client.get(f"/console/community{page}?lang=vi")
    assert english.status_code == vietnamese.status_code == 200
    assert english.text != vietnamese.text
    citizen = make_user(session, "an.nguyen@example.jp", Role.citizen)
    assert browser(api, citizen).get(f"/console/community{page}").status_code == 403


def test_bad_forms_are_shown_again_with_the_reason(api: Api, community_editor: User) -> None:
    client = browser(api, community_editor)
    bad: dict[str, dict[str, Any]] = {
        "volunteers": {"full_name": "Tùng", "country": "JP", "skills": ["interpreter"],
                       "languages": "vi"},
        "programs": {"title": "Lớp", "kind": "language_class", "country": "DE",
                     "starts_on": "2025-09-01", "ends_on": "2025-01-01"},
        "contributions": {"kind": "donation", "contributor": "Hội", "country": "DE",
                          "area": "Lũ", "made_on": "2025-02-30"},
    }  # fmt: skip
    for topic, form in bad.items():
        response = client.post(f"/console/community/{topic}?lang=en", data=form)
        assert response.status_code == 422, topic
        assert 'class="error"' in response.text


def test_an_editor_keeps_a_country_profile_and_its_history(
    api: Api, community_editor: User, partner_analyst: User
) -> None:
    client = browser(api, community_editor)
    form = {
        "country": "CZ",
        "estimated_size": "60000",
        "size_source": "Czech Statistical Office",
        "size_year": "2020",
        "main_cities": "Praha, Brno",
        "language_schools": "Trường tiếng Việt Hạt Giống",
        "media": "Báo Thời Đại",
        "legal_status_issues": "Residence permits renewed late",
        "mix_resident": "70",
        "mix_worker": "20",
    }
    saved = client.post("/console/community/profiles", data=form, follow_redirects=False)
    assert saved.status_code == 303
    newer = form | {"estimated_size": "65000", "size_year": "2024"}
    assert client.post("/console/community/profiles", data=newer).status_code == 200
    too_much = form | {"mix_student": "30"}
    refused = client.post("/console/community/profiles?lang=en", data=too_much)
    assert refused.status_code == 422 and "more than 100%" in refused.text
    (profile,) = api(partner_analyst).get("/api/v1/community/profiles").json()
    assert profile["estimated_size"] == 65000
    assert profile["stay_status_mix"] == {"resident": 70, "worker": 20}
    assert profile["language_schools"] == ["Trường tiếng Việt Hạt Giống"]
    assert [(f["year"], f["estimated_size"]) for f in profile["history"]] == [
        (2020, 60000),
        (2024, 65000),
    ]
    page = browser(api, partner_analyst).get("/console/community?lang=en")
    assert "2020: 60,000 (Czech Statistical Office)" in page.text
    assert 'id="profile-form"' not in page.text
