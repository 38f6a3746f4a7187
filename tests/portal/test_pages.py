"""A citizen abroad on the portal: what is happening, where to turn, how to ask for help."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from kieubao.outreach.models import AdvisoryVersion
from kieubao.portal.cache import pages


def test_home_is_vietnamese_first_and_says_where_to_turn(
    app_client: TestClient, publish_advisory: Callable[..., AdvisoryVersion]
) -> None:
    publish_advisory(country="UA", level=4, reasons=["conflict"])
    home = app_client.get("/")
    assert home.status_code == 200 and 'lang="vi"' in home.text
    assert "Gặp khó khăn ở nước ngoài?" in home.text
    assert 'href="tel:+84981848484"' in home.text
    assert 'href="/countries/UA"' in home.text and 'src="/map/advisories.svg"' in home.text
    assert 'href="/help"' in home.text and 'action="/missions"' in home.text
    english = app_client.get("/?lang=en")
    assert 'lang="en"' in english.text and "In trouble abroad?" in english.text
    assert "Ukraine" in english.text


def test_the_map_colours_countries_by_advisory_level(
    app_client: TestClient, publish_advisory: Callable[..., AdvisoryVersion]
) -> None:
    publish_advisory(country="UA", level=4, reasons=["conflict"])
    svg = app_client.get("/map/advisories.svg?lang=en")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    # Ukraine in the level-4 red, Viet Nam in the grey of no advisory.
    assert '<path d="' in svg.text and 'fill="#c92a2a"><title>Ukraine</title>' in svg.text
    assert 'fill="#d5dbe2"><title>Viet Nam</title>' in svg.text


def test_a_country_page_gives_level_missions_and_hotline(
    app_client: TestClient, publish_advisory: Callable[..., AdvisoryVersion]
) -> None:
    publish_advisory(country="JP", level=2)
    page = app_client.get("/countries/JP?lang=en")
    assert page.status_code == 200
    assert "Level 2" in page.text and 'href="/advisories/JP"' in page.text
    assert "Embassy of Viet Nam in Japan" in page.text
    assert "Consulate General of Viet Nam in Osaka" in page.text
    assert 'href="/help?country=JP"' in page.text
    assert "+84 981 84 84 84" in page.text


def test_a_country_without_an_advisory_still_has_a_page_and_nonsense_is_not_found(
    app_client: TestClient,
) -> None:
    page = app_client.get("/countries/de?lang=en", follow_redirects=False)
    assert page.status_code == 301 and page.headers["location"] == "/countries/DE"
    assert "No travel advisory is in force" in app_client.get("/countries/DE").text
    missing = app_client.get("/countries/XX", headers={"Accept": "application/json"})
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_the_country_chooser_leads_to_the_country_page(app_client: TestClient) -> None:
    assert 'name="country"' in app_client.get("/countries").text
    chosen = app_client.get("/countries?country=Nh%E1%BA%ADt+B%E1%BA%A3n", follow_redirects=False)
    assert chosen.status_code == 303 and chosen.headers["location"] == "/countries/JP"
    assert app_client.get("/countries?country=Atlantis").status_code == 422


def test_the_mission_finder_follows_jurisdiction_down_to_the_city(
    app_client: TestClient,
) -> None:
    osaka = app_client.get("/missions?country=JP&city=Kyoto&lang=en")
    assert osaka.status_code == 200
    found = osaka.text.split("Other missions in this country")[0]
    assert "Consulate General of Viet Nam in Osaka" in found
    tokyo = app_client.get("/missions?country=Japan&city=Sapporo&lang=vi").text
    assert "Đại sứ quán" in tokyo.split("Other missions")[0].split("Cơ quan đại diện khác")[0]
    wrong = app_client.get("/missions?country=Atlantis")
    assert wrong.status_code == 422 and 'aria-invalid="true"' in wrong.text


def test_guided_help_asks_three_questions_and_ends_in_the_form_prefilled(
    app_client: TestClient, case_types: None
) -> None:
    first = app_client.get("/help?lang=en")
    assert "Step 1 of 3" in first.text and 'name="country"' in first.text
    second = app_client.get("/help?country=JP&city=Osaka")
    assert 'name="what"' in second.text and 'type="hidden" name="city" value="Osaka"' in second.text
    third = app_client.get("/help?country=JP&city=Osaka&what=arrest_detention")
    assert 'name="danger"' in third.text
    done = app_client.get("/help?country=JP&city=Osaka&what=arrest_detention&danger=yes&lang=en")
    assert "Someone is in danger: call now" in done.text
    assert (
        "/protection/report?country=JP&amp;city=Osaka&amp;case_type=arrest_detention" in done.text
    )
    assert "Consulate General of Viet Nam in Osaka" in done.text
    form = app_client.get("/protection/report?country=JP&city=Osaka&case_type=arrest_detention")
    assert '<option value="JP" selected>' in form.text
    assert '<option value="arrest_detention" selected>' in form.text
    assert 'name="city" type="text" value="Osaka"' in form.text


def test_guided_help_refuses_answers_it_does_not_know(
    app_client: TestClient, case_types: None
) -> None:
    assert app_client.get("/help?country=Narnia").status_code == 422
    assert app_client.get("/help?country=JP&what=abduction_by_aliens").status_code == 422
    assert app_client.get("/help?country=JP&what=unsure&danger=maybe").status_code == 422
    form = app_client.get("/protection/report?country=ZZ&case_type=nonsense")
    assert form.status_code == 200 and " selected>" not in form.text


def test_signed_in_pages_are_private(app_client: TestClient, session: Session) -> None:
    pages.clear()
    anonymous = app_client.get("/")
    assert anonymous.headers["cache-control"] == "public, no-cache"
    assert anonymous.headers["vary"] == "Cookie" and anonymous.headers["etag"]
