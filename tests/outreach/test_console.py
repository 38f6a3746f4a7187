"""The console: the Tokyo embassy drafts in a form, headquarters approves and publishes."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from kieubao.platform.models import User

FORM = {
    "country": "JP",
    "level": "3",
    "reasons": ["disaster", "health"],
    "advice_vi": "Tránh vùng ven biển.",
    "advice_en": "Stay away from the coast.",
}


def test_a_draft_goes_through_the_console_to_the_portal(
    api: Callable[[User | None], TestClient], tokyo_officer: User, hq_officer: User
) -> None:
    drafted = api(tokyo_officer).post("/console/advisories/new", data=FORM, follow_redirects=False)
    assert drafted.status_code == 303
    page = drafted.headers["location"]
    assert "Nhật Bản" in api(tokyo_officer).get("/console/advisories").text
    api(tokyo_officer).post(f"{page}/submit")

    own = api(tokyo_officer).post(f"{page}/approve?lang=en")
    assert own.status_code == 403 and "headquarters" in own.text
    api(hq_officer).post(f"{page}/approve")
    published = api(hq_officer).post(f"{page}/publish?lang=en")
    assert 'id="version-status">published<' in published.text
    assert "Stay away from the coast." in api(None).get("/advisories/JP?lang=en").text


def test_the_form_answers_bad_input_beside_the_fields(
    api: Callable[[User | None], TestClient], tokyo_officer: User
) -> None:
    bad = {**FORM, "level": "9", "advice_en": "<script>x</script>"}
    response = api(tokyo_officer).post("/console/advisories/new?lang=en", data=bad)
    assert response.status_code == 422
    assert 'id="e-level"' in response.text and 'id="e-advice_en"' in response.text
    assert "<script>x" not in response.text and "Tránh vùng ven biển." in response.text
    outside = api(tokyo_officer).post("/console/advisories/new", data={**FORM, "country": "DE"})
    assert outside.status_code == 403
