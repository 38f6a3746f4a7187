"""Reads: bulletins on the portal, those in the officers' hands, and how each send went."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.outbox import queries as outbox_queries
from kieubao.outreach.bulletin_schemas import DeliveryReportOut, NewsItem, SubscriptionOut
from kieubao.outreach.models import Bulletin, Status, Subscriber
from kieubao.platform.deps import Scope
from kieubao.platform.errors import NotFound
from kieubao.platform.outbox import Status as Delivery


def published_bulletins(
    session: Session, country: str | None = None, *, limit: int = 50
) -> list[Bulletin]:
    """Newest first; a country's list includes bulletins for everyone."""
    query = (
        select(Bulletin)
        .where(Bulletin.status == Status.published)
        .order_by(Bulletin.published_at.desc(), Bulletin.id.desc())
    )
    found = list(session.scalars(query))
    if country is not None:
        code = country.upper()
        found = [b for b in found if not b.countries or code in b.countries]
    return found[:limit]


def latest_news(session: Session, language: str, *, limit: int = 5) -> list[NewsItem]:
    """The newest published bulletins meant for readers of ``language``, titled in it."""
    found = (
        b
        for b in published_bulletins(session, limit=200)
        if not b.languages or language in b.languages
    )
    return [
        NewsItem(
            id=b.id,
            kind=b.kind,
            title=b.title_vi if language == "vi" else b.title_en,
            published_at=b.published_at,
        )
        for b in found
        if b.published_at is not None
    ][:limit]


def public_bulletin(session: Session, bulletin_id: int) -> Bulletin:
    bulletin = session.get(Bulletin, bulletin_id)
    if bulletin is None or bulletin.status is not Status.published:
        raise NotFound("bulletin")
    return bulletin


def get_bulletin(session: Session, bulletin_id: int, scope: Scope) -> Bulletin:
    """A bulletin an officer may see: headquarters any, a mission those of its countries."""
    bulletin = session.get(Bulletin, bulletin_id)
    if bulletin is None or not _within(bulletin, scope):
        raise NotFound("bulletin")
    return bulletin


def officers_bulletins(session: Session, scope: Scope, *, limit: int = 100) -> list[Bulletin]:
    """The latest bulletins in the officer's countries, in flight or sent, newest first."""
    # Audiences are JSON lists, which databases do not compare alike: filtered here.
    found = session.scalars(select(Bulletin).order_by(Bulletin.id.desc()))
    return [b for b in found if _within(b, scope)][:limit]


def _within(bulletin: Bulletin, scope: Scope) -> bool:
    if scope.countries is None:
        return True
    return bool(bulletin.countries) and all(scope.covers(c) for c in bulletin.countries)


def delivery_report(session: Session, bulletin: Bulletin) -> DeliveryReportOut:
    counts = outbox_queries.send_counts(session, bulletin.send_key) if bulletin.send_key else {}
    return DeliveryReportOut(
        send_key=bulletin.send_key,
        recipients=sum(counts.values()),
        queued=counts.get(Delivery.queued, 0) + counts.get(Delivery.sending, 0),
        # Handed to the provider, whatever it said after.
        sent=sum(counts.get(s, 0) for s in (Delivery.sent, Delivery.delivered, Delivery.bounced)),
        delivered=counts.get(Delivery.delivered, 0),
        bounced=counts.get(Delivery.bounced, 0),
        failed=counts.get(Delivery.failed, 0),
    )


def subscription_out(session: Session, subscriber: Subscriber) -> SubscriptionOut:
    disabled = outbox_queries.disabled_address(
        session, subscriber.channel.value, subscriber.address
    )
    return SubscriptionOut(
        channel=subscriber.channel,
        address=subscriber.address,
        language=subscriber.language,
        countries=subscriber.countries,
        topics=subscriber.topics,
        confirmed=subscriber.confirmed_at is not None,
        active=subscriber.confirmed_at is not None
        and subscriber.unsubscribed_at is None
        and not disabled,
    )
