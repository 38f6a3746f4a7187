"""Citizens read advisories on the portal and over the API; officers run the workflow."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from kieubao.outreach.models import AdvisoryVersion
from kieubao.platform.models import User

DRAFT = {
    "country": "jp",
    "level": 3,
    "reasons": ["disaster"],
    "advice_vi": "<p>Tránh vùng ven biển.<script>alert(1)</script></p>",
    "advice_en": "<p>Stay away from the coast.</p>",
}


def test_officers_run_the_workflow_over_the_api(
    api: Callable[[User | None], TestClient],
    tokyo_officer: User,
    hq_officer: User,
    second_hq_officer: User,
) -> None:
    created = api(tokyo_officer).post("/api/v1/advisories", json=DRAFT)
    assert created.status_code == 201
    version = created.json()
    assert version["status"] == "draft" and "script" not in version["advice_vi"]
    vid = version["id"]

    assert api(tokyo_officer).post(f"/api/v1/advisory-versions/{vid}/submit").status_code == 200
    assert api(tokyo_officer).post(f"/api/v1/advisory-versions/{vid}/approve").status_code == 403
    early = api(hq_officer).post(f"/api/v1/advisory-versions/{vid}/publish")
    assert early.status_code == 409
    assert early.json()["detail"].startswith("only an approved version can be published")
    assert api(hq_officer).post(f"/api/v1/advisory-versions/{vid}/approve").status_code == 200
    published = api(second_hq_officer).post(f"/api/v1/advisory-versions/{vid}/publish")
    assert published.json()["status"] == "published"

    public = api(None).get("/api/v1/advisories/JP").json()
    assert [a["level"] for a in public] == [3]
    assert public[0]["protection_hotline"] == "+84 981 84 84 84"
    assert {c["mission"] for c in public[0]["contacts"]} >= {"JP-TYO-EMB", "JP-OSA-CG"}
    assert [a["country"] for a in api(None).get("/api/v1/advisories").json()] == ["JP"]


def test_the_author_is_told_why_they_cannot_approve(
    api: Callable[[User | None], TestClient], hq_officer: User
) -> None:
    vid = api(hq_officer).post("/api/v1/advisories", json=DRAFT).json()["id"]
    api(hq_officer).post(f"/api/v1/advisory-versions/{vid}/submit")
    refused = api(hq_officer).post(f"/api/v1/advisory-versions/{vid}/approve")
    assert refused.status_code == 403
    assert "second officer" in refused.json()["detail"]


def test_bad_input_is_answered_field_by_field(
    api: Callable[[User | None], TestClient], hq_officer: User
) -> None:
    bad = {
        **DRAFT,
        "country": "XX",
        "level": 5,
        "reasons": ["aliens"],
        "region_geometry": {"type": "Polygon", "coordinates": [[[500, 1]]]},
    }
    response = api(hq_officer).post("/api/v1/advisories", json=bad)
    assert response.status_code == 422
    fields = {e["field"].split(".")[0] for e in response.json()["errors"]}
    assert fields == {"country", "level", "reasons", "region_geometry"}


def test_drafting_needs_an_officer(
    api: Callable[[User | None], TestClient], partner_analyst: User
) -> None:
    assert api(None).post("/api/v1/advisories", json=DRAFT).status_code == 401
    assert api(partner_analyst).post("/api/v1/advisories", json=DRAFT).status_code == 403


def test_unknown_things_are_404(api: Callable[[User | None], TestClient], hq_officer: User) -> None:
    assert api(None).get("/api/v1/advisories/DE").status_code == 404
    assert api(hq_officer).post("/api/v1/advisory-versions/999999/approve").status_code == 404


def test_the_country_page_in_vietnamese_and_english_shows_the_raise(
    api: Callable[[User | None], TestClient],
    publish_advisory: Callable[..., AdvisoryVersion],
) -> None:
    publish_advisory(level=2)
    publish_advisory(level=3, reasons=["disaster", "kidnapping"])
    client = api(None)

    vi = client.get("/advisories/JP?lang=vi").text
    assert '<html lang="vi">' in vi
    assert "Nhật Bản" in vi and "Cân nhắc lại việc đi lại" in vi
    assert "Theo dõi thông tin động đất" in vi
    en = client.get("/advisories/JP?lang=en").text
    assert '<html lang="en">' in en
    assert "Japan" in en and "Reconsider travel" in en and "kidnapping" in en
    assert "Level raised from 2 to 3 on" in en
    assert "Follow earthquake and tsunami warnings." in en


def test_the_world_overview_groups_countries_by_level(
    api: Callable[[User | None], TestClient],
    publish_advisory: Callable[..., AdvisoryVersion],
) -> None:
    publish_advisory(level=3)
    page = api(None).get("/advisories?lang=en").text
    level_3 = page.split('id="level-3"')[1].split("</section>")[0]
    assert '<a href="/advisories/JP">Japan</a>' in level_3
    assert "No country at this level." in page.split('id="level-4"')[1].split("</section>")[0]


def test_an_unknown_country_page_is_a_translated_404(
    api: Callable[[User | None], TestClient],
) -> None:
    response = api(None).get("/advisories/ZZ?lang=en")
    assert response.status_code == 404 and "<html" in response.text
