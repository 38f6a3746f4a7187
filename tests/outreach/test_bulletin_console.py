"""The console's bulletins: the Tokyo embassy drafts a labour warning in a form, headquarters
approves it and sets the hour it goes out; the delivery report shows how far it got."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from kieubao.outreach.models import Subscriber
from kieubao.platform.models import User

FORM = {
    "kind": "labour_warning",
    "title_vi": "Cảnh báo tuyển dụng lao động trái phép",
    "title_en": "Warning on unlicensed labour recruitment",
    "body_vi": "Chỉ làm việc qua doanh nghiệp được cấp phép.",
    "body_en": "Only work through licensed companies.",
    "countries": ["JP"],
    "cities": "Osaka, Nagoya",
    "stay_statuses": ["worker"],
}


def test_a_bulletin_goes_through_the_console_with_its_report(
    api: Callable[[User | None], TestClient],
    tokyo_officer: User,
    hq_officer: User,
    subscribe: Callable[..., Subscriber],
    make_citizen: Callable[..., object],
) -> None:
    from kieubao.registry.models import Purpose

    make_citizen(email="worker@example.jp", consents={Purpose.community_news: True})
    drafted = api(tokyo_officer).post("/console/bulletins/new", data=FORM, follow_redirects=False)
    assert drafted.status_code == 303
    page = drafted.headers["location"]
    assert "Cảnh báo tuyển dụng" in api(tokyo_officer).get("/console/bulletins").text
    api(tokyo_officer).post(f"{page}/submit")
    own = api(tokyo_officer).post(f"{page}/approve?lang=en")
    assert own.status_code == 403 and "headquarters" in own.text
    api(hq_officer).post(f"{page}/approve")

    bad_time = api(hq_officer).post(f"{page}/publish?lang=en", data={"send_at": "tomorrow"})
    assert bad_time.status_code == 422
    published = api(hq_officer).post(f"{page}/publish?lang=en", data={"send_at": ""})
    assert 'id="bulletin-status">published<' in published.text
    assert "<th>Recipients</th><td>1</td>" in published.text.replace("\n", "").replace("  ", "")


def test_a_scheduled_bulletin_waits_in_the_console(
    session: Session, api: Callable[[User | None], TestClient], hq_officer: User, admin: User
) -> None:
    drafted = api(hq_officer).post("/console/bulletins/new", data=FORM, follow_redirects=False)
    page = drafted.headers["location"]
    api(hq_officer).post(f"{page}/submit")
    api(admin).post(f"{page}/approve")
    answer = api(hq_officer).post(f"{page}/publish?lang=en", data={"send_at": "2099-01-01T08:00"})
    assert 'id="bulletin-status">approved<' in answer.text and "scheduled for" in answer.text
    assert "Cảnh báo tuyển dụng" not in api(None).get("/bulletins").text


def test_the_form_answers_bad_input_beside_the_fields(
    api: Callable[[User | None], TestClient], tokyo_officer: User, berlin_officer: User
) -> None:
    bad = {**FORM, "title_en": "", "countries": ["ZZ"]}
    response = api(tokyo_officer).post("/console/bulletins/new?lang=en", data=bad)
    assert response.status_code == 422
    assert 'id="e-title_en"' in response.text and 'id="e-countries"' in response.text
    outside = api(berlin_officer).post("/console/bulletins/new", data=FORM)
    assert outside.status_code == 403
