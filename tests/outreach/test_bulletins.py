"""Bulletins: the Tokyo embassy warns workers in Osaka of a job scam, headquarters approves it,
and it reaches those it was meant for, now or at the hour it was set for."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from kieubao.outreach import bulletin_queries, bulletins, jobs
from kieubao.outreach.models import Bulletin, Status, Subscriber
from kieubao.platform import audit
from kieubao.platform.db import utcnow
from kieubao.platform.deps import scope_of
from kieubao.platform.errors import Forbidden, NotFound
from kieubao.platform.models import User
from kieubao.registry.models import Citizen, Purpose
from tests.outreach.conftest import bulletin_in
from tests.personas import mails_to


def _news(**overrides: object) -> dict[Purpose, bool]:
    return {Purpose.community_news: True, **overrides}  # type: ignore[dict-item]


def test_the_author_cannot_approve_their_own_bulletin(
    session: Session, hq_officer: User, second_hq_officer: User
) -> None:
    bulletin = bulletins.draft_bulletin(session, acting_user=hq_officer, data=bulletin_in())
    bulletins.submit_bulletin(session, acting_user=hq_officer, bulletin=bulletin)
    with pytest.raises(Forbidden, match="second officer"):
        bulletins.approve_bulletin(session, acting_user=hq_officer, bulletin=bulletin)
    assert bulletin.status is Status.in_review
    bulletins.approve_bulletin(session, acting_user=second_hq_officer, bulletin=bulletin)
    assert bulletin.status.value == "approved"


def test_a_bulletin_reaches_the_city_and_stay_status_it_targets(
    make_citizen: Callable[..., Citizen],
    subscribe: Callable[..., Subscriber],
    publish_bulletin: Callable[..., Bulletin],
    session: Session,
) -> None:
    make_citizen(email="worker.osaka@example.jp", consents=_news())
    make_citizen(
        full_name="Trần Thị Bình", email="student.osaka@example.jp", stay_status="student",
        consents=_news(),
    )  # fmt: skip
    make_citizen(full_name="Lê Văn Cường", email="worker.tokyo@example.jp", city="Tokyo",
                 consents=_news())  # fmt: skip
    make_citizen(full_name="Phạm Văn Dũng", email="no.news@example.jp")  # no consent to news
    subscribe("follower@example.org")  # chose countries only: not part of a narrower audience

    bulletin = publish_bulletin(cities=["ōsaka"], stay_statuses=["worker"])

    assert len(mails_to("worker.osaka@example.jp")) == 1
    for address in ("student.osaka@example.jp", "worker.tokyo@example.jp", "no.news@example.jp"):
        assert mails_to(address) == []
    assert len(mails_to("follower@example.org")) == 1  # the confirmation only
    report = bulletin_queries.delivery_report(session, bulletin)
    assert (report.recipients, report.sent) == (1, 1)


def test_a_country_bulletin_reaches_subscribers_and_consenting_citizens_once_each(
    make_citizen: Callable[..., Citizen],
    subscribe: Callable[..., Subscriber],
    publish_bulletin: Callable[..., Bulletin],
    session: Session,
) -> None:
    make_citizen(email="an@example.jp", consents=_news())
    subscribe("an@example.jp")  # the same person, subscribed as well
    subscribe("seoul@example.org", countries=["KR"])
    subscribe("advisories.only@example.org", topics=["advisories"])
    subscribe("english@example.org", language="en")

    bulletin = publish_bulletin()

    an = mails_to("an@example.jp")
    assert len(an) == 2  # the confirmation, then the bulletin once
    assert "Cảnh giác lừa đảo việc làm" in an[1]
    assert "/unsubscribe/" in an[1]
    assert "Beware of job scams in Japan" in mails_to("english@example.org")[-1]
    assert len(mails_to("seoul@example.org")) == 1
    assert len(mails_to("advisories.only@example.org")) == 1
    report = bulletin_queries.delivery_report(session, bulletin)
    assert (report.recipients, report.sent, report.queued, report.failed) == (2, 2, 0, 0)


def test_a_language_targeted_bulletin_skips_the_others(
    subscribe: Callable[..., Subscriber], publish_bulletin: Callable[..., Bulletin]
) -> None:
    subscribe("vi@example.org")
    subscribe("en@example.org", language="en")
    publish_bulletin(languages=["en"])
    assert len(mails_to("vi@example.org")) == 1
    assert len(mails_to("en@example.org")) == 2


def test_a_scheduled_bulletin_goes_out_when_its_time_comes_and_only_once(
    session: Session,
    subscribe: Callable[..., Subscriber],
    publish_bulletin: Callable[..., Bulletin],
) -> None:
    subscribe("hoa@example.org")
    bulletin = publish_bulletin(send_at=utcnow() + timedelta(hours=2))
    assert bulletin.status is Status.approved and bulletin.send_at is not None
    scheduler = audit.System("scheduler")
    assert bulletins.send_due(session, acting_user=scheduler) == []
    assert len(mails_to("hoa@example.org")) == 1

    bulletin.send_at = utcnow() - timedelta(minutes=1)  # two hours later
    session.commit()
    jobs.send_scheduled_bulletins()  # the scheduler's minute
    jobs.send_scheduled_bulletins()
    session.refresh(bulletin)
    assert bulletin.status.value == "published"
    assert len(mails_to("hoa@example.org")) == 2


def test_a_mission_writes_only_for_its_countries_and_sees_only_theirs(
    session: Session, tokyo_officer: User, berlin_officer: User, hq_officer: User
) -> None:
    with pytest.raises(Forbidden):
        bulletins.draft_bulletin(session, acting_user=berlin_officer, data=bulletin_in())
    with pytest.raises(Forbidden):
        bulletins.draft_bulletin(session, acting_user=tokyo_officer, data=bulletin_in(countries=[]))
    tokyo = bulletins.draft_bulletin(session, acting_user=tokyo_officer, data=bulletin_in())
    everyone = bulletins.draft_bulletin(
        session, acting_user=hq_officer, data=bulletin_in(countries=[])
    )

    berlin_scope = scope_of(berlin_officer)
    with pytest.raises(NotFound):
        bulletin_queries.get_bulletin(session, tokyo.id, berlin_scope)
    with pytest.raises(Forbidden):
        bulletins.submit_bulletin(session, acting_user=berlin_officer, bulletin=tokyo)
    tokyo_sees = bulletin_queries.officers_bulletins(session, scope_of(tokyo_officer))
    assert [b.id for b in tokyo_sees] == [tokyo.id]
    assert {b.id for b in bulletin_queries.officers_bulletins(session, scope_of(hq_officer))} == {
        tokyo.id,
        everyone.id,
    }
    with pytest.raises(Forbidden):
        bulletins.approve_bulletin(session, acting_user=tokyo_officer, bulletin=tokyo)


def test_the_api_workflow_with_personas_and_bad_input(
    api: Callable[[User | None], TestClient],
    tokyo_officer: User,
    hq_officer: User,
    partner_analyst: User,
    subscribe: Callable[..., Subscriber],
) -> None:
    subscribe("hoa@example.org")
    body = bulletin_in().model_dump(mode="json")
    assert api(partner_analyst).post("/api/v1/bulletins", json=body).status_code == 403
    assert api(None).post("/api/v1/bulletins", json=body).status_code == 401

    bad = api(tokyo_officer).post("/api/v1/bulletins", json={**body, "countries": ["ZZ"]})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    scripted = {**body, "body_vi": "<script>alert(1)</script>"}
    assert api(tokyo_officer).post("/api/v1/bulletins", json=scripted).status_code == 422

    created = api(tokyo_officer).post("/api/v1/bulletins", json=body)
    assert created.status_code == 201
    bid = created.json()["id"]
    assert api(None).get(f"/api/v1/bulletins/{bid}").status_code == 404  # not published yet
    assert api(tokyo_officer).post(f"/api/v1/bulletin-drafts/{bid}/submit").status_code == 200
    assert api(tokyo_officer).post(f"/api/v1/bulletin-drafts/{bid}/approve").status_code == 403
    assert api(hq_officer).post(f"/api/v1/bulletin-drafts/{bid}/publish").status_code == 409
    assert api(hq_officer).post(f"/api/v1/bulletin-drafts/{bid}/approve").status_code == 200
    published = api(hq_officer).post(f"/api/v1/bulletin-drafts/{bid}/publish")
    assert published.json()["status"] == "published"

    report = api(tokyo_officer).get(f"/api/v1/bulletin-drafts/{bid}/report").json()
    assert report == {
        "send_key": f"bulletin-{bid}",
        "recipients": 1,
        "queued": 0,
        "sent": 1,
        "delivered": 0,
        "bounced": 0,
        "failed": 0,
        "opened": None,
    }
    listed = api(None).get("/api/v1/bulletins?country=JP").json()
    assert [b["id"] for b in listed] == [bid]
    assert "cities" not in listed[0]


def test_the_portal_lists_and_shows_bulletins_in_both_languages(
    app_client: TestClient, publish_bulletin: Callable[..., Bulletin]
) -> None:
    bulletin = publish_bulletin()
    vi = app_client.get("/bulletins?lang=vi")
    assert "Cảnh báo lừa đảo" in vi.text and "Cảnh giác lừa đảo việc làm tại Nhật Bản" in vi.text
    en = app_client.get(f"/bulletins/{bulletin.id}?lang=en")
    assert "Scam warning" in en.text and "Do not pay brokers without a licence." in en.text
    assert app_client.get("/bulletins/999999").status_code == 404
