"""Community news on the portal's home: the latest bulletins, in the reader's language."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from kieubao.outreach import bulletins
from kieubao.outreach.models import Bulletin
from kieubao.platform.models import User
from tests.outreach.conftest import bulletin_in


def test_publishing_a_bulletin_puts_it_on_the_kept_home(
    app_client: TestClient, publish_bulletin: Callable[..., Bulletin]
) -> None:
    before = app_client.get("/?lang=en")
    assert "Community news" in before.text and "Nothing has been published yet." in before.text
    bulletin = publish_bulletin()
    after = app_client.get("/", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert f'<a href="/bulletins/{bulletin.id}">Beware of job scams in Japan</a>' in after.text
    vietnamese = app_client.get("/?lang=vi")
    assert f'<a href="/bulletins/{bulletin.id}">Cảnh giác lừa đảo việc làm tại Nhật Bản</a>' in (
        vietnamese.text
    )
    assert 'href="/bulletins"' in vietnamese.text and 'href="/subscribe"' in vietnamese.text


def test_the_news_is_newest_first_and_only_for_readers_of_its_languages(
    app_client: TestClient, publish_bulletin: Callable[..., Bulletin]
) -> None:
    older = publish_bulletin(title_en="Passport renewal hours")
    newer = publish_bulletin(title_en="Tet gathering in Osaka")
    only_vi = publish_bulletin(title_en="Meant for Vietnamese readers", languages=["vi"])
    english = app_client.get("/?lang=en").text
    assert english.index(newer.title_en) < english.index(older.title_en)
    assert only_vi.title_en not in english
    assert f'href="/bulletins/{only_vi.id}"' in app_client.get("/?lang=vi").text


def test_a_drafted_bulletin_is_not_news(
    app_client: TestClient, session: Session, tokyo_officer: User
) -> None:
    bulletins.draft_bulletin(session, acting_user=tokyo_officer, data=bulletin_in())
    assert "Beware of job scams" not in app_client.get("/?lang=en").text


def test_the_shared_navigation_leads_to_news_and_subscriptions(app_client: TestClient) -> None:
    page = app_client.get("/missions?lang=en").text
    assert '<a href="/bulletins">News</a>' in page and '<a href="/subscribe">Subscribe</a>' in page
