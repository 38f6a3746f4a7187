"""Who hears of a publication, and the send that reaches them through the outbox.

The audience is the confirmed subscribers of the topic and country, then the registered
citizens of the place who agreed to that kind of message; an address hears once.
Subscribers get a one-click unsubscribe link; citizens are told how to change their consent.
"""

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.outreach import feeds
from kieubao.outreach.models import AdvisoryVersion, Bulletin, Subscriber, Topic
from kieubao.outreach.sanitize import plain_text
from kieubao.platform import countries, crypto, i18n, outbox
from kieubao.platform.i18n import gettext as _
from kieubao.platform.settings import get_settings
from kieubao.registry import queries as registry
from kieubao.registry.models import Purpose

MANAGE = "subscription"
UNSUBSCRIBE = "unsubscribe"
CONFIRM = "subscribe-confirm"
PATHS = {MANAGE: "subscriptions", UNSUBSCRIBE: "unsubscribe", CONFIRM: "subscribe/confirm"}


@dataclass(frozen=True)
class Recipient:
    key: str
    channel: str
    address: str
    language: str
    subscriber_id: int | None = None


def link(purpose: str, subscriber_id: int) -> str:
    """A subscriber's own link for one purpose, signed: nothing secret is stored."""
    base = get_settings().base_url.rstrip("/")
    return f"{base}/{PATHS[purpose]}/{crypto.signed(purpose, str(subscriber_id))}"


def subscriber_of(session: Session, purpose: str, token: str) -> Subscriber | None:
    value = crypto.unsigned(purpose, token)
    return session.get(Subscriber, int(value)) if value and value.isdigit() else None


def audience(
    session: Session,
    *,
    topic: Topic,
    purpose: Purpose,
    countries: Collection[str] = (),
    cities_folded: Collection[str] = (),
    stay_statuses: Collection[str] = (),
    languages: Collection[str] = (),
) -> Iterator[Recipient]:
    seen: set[tuple[str, str]] = set()
    subscribers = session.scalars(
        select(Subscriber).where(
            Subscriber.confirmed_at.is_not(None), Subscriber.unsubscribed_at.is_(None)
        )
    )
    # A subscriber chose countries, not cities or stay statuses: a narrower audience is
    # the registry's to find.
    if not cities_folded and not stay_statuses:
        for s in subscribers:
            if topic not in s.topics or (countries and not set(countries) & set(s.countries)):
                continue
            if languages and s.language not in languages:
                continue
            seen.add((s.channel.value, s.address))
            yield Recipient(f"s{s.id}", s.channel.value, s.address, s.language, s.id)
    # The registry has no language per citizen: they are written to in Vietnamese.
    if languages and i18n.DEFAULT_LOCALE not in languages:
        return
    for c in registry.reachable(
        session,
        purpose=purpose,
        countries=countries,
        cities_folded=cities_folded,
        stay_statuses=stay_statuses,
    ):
        channel, address = ("email", c.email) if c.email else ("sms", c.phone)
        assert address is not None  # reachable() yields only citizens with one of them
        if (channel, address) in seen:
            continue
        seen.add((channel, address))
        yield Recipient(f"c{c.citizen_id}", channel, address, i18n.DEFAULT_LOCALE)


def _messages(send_key: str, recipients: list[Recipient], language: str) -> list[outbox.Message]:
    messages = []
    with i18n.speaking(language):
        for r in recipients:
            if r.language != language:
                continue
            if r.subscriber_id is None:
                stop = _(
                    "You receive this because you agreed to it when you registered with "
                    "the mission; your mission can change that at any time."
                )
                unsubscribe = ""
            else:
                unsubscribe = link(UNSUBSCRIBE, r.subscriber_id)
                stop = _("Your subscription: {manage}\nStop these messages: {unsubscribe}").format(
                    manage=link(MANAGE, r.subscriber_id), unsubscribe=unsubscribe
                )
            messages.append(
                outbox.Message(
                    key=f"{send_key}-{r.key}",
                    channel=r.channel,
                    address=r.address,
                    language=language,
                    fields={"stop": stop},
                    unsubscribe_url=unsubscribe if r.channel == "email" else "",
                )
            )
    return messages


def _queue(
    session: Session,
    send_key: str,
    kind: str,
    recipients: list[Recipient],
    contexts: dict[str, dict[str, Any]],
) -> int:
    total = 0
    for language, context in contexts.items():
        messages = _messages(send_key, recipients, language)
        if messages:
            outbox.queue(session, send_key=send_key, kind=kind, context=context, messages=messages)
            total += len(messages)
    return total


def send_advisory(session: Session, version: AdvisoryVersion) -> int:
    """A published advisory to those who follow its country; the number of messages queued."""
    country = version.advisory.country
    recipients = list(
        audience(
            session, topic=Topic.advisories, purpose=Purpose.crisis_alerts, countries=[country]
        )
    )
    base = get_settings().base_url.rstrip("/")
    place = countries.get(country)
    level_names = {"vi": feeds.LEVEL_NAMES_VI, "en": feeds.LEVEL_NAMES}
    contexts = {
        language: {
            "place": getattr(place, f"name_{language}") if place else country,
            "level": version.level,
            "level_name": level_names[language][version.level],
            "text": plain_text(getattr(version, f"advice_{language}")),
            "link": f"{base}/advisories/{country}?lang={language}",
        }
        for language in i18n.LOCALES
    }
    return _queue(session, f"advisory-{version.id}", "advisory", recipients, contexts)


def bulletin_send_key(bulletin: Bulletin) -> str:
    return f"bulletin-{bulletin.id}"


def send_bulletin(session: Session, bulletin: Bulletin) -> int:
    """A published bulletin to its audience; the number of messages queued."""
    recipients = list(
        audience(
            session,
            topic=Topic.bulletins,
            purpose=Purpose.community_news,
            countries=bulletin.countries,
            cities_folded=bulletin.cities,
            stay_statuses=bulletin.stay_statuses,
            languages=bulletin.languages,
        )
    )
    base = get_settings().base_url.rstrip("/")
    contexts = {
        language: {
            "title": getattr(bulletin, f"title_{language}"),
            "text": plain_text(getattr(bulletin, f"body_{language}")),
            "link": f"{base}/bulletins/{bulletin.id}?lang={language}",
        }
        for language in i18n.LOCALES
    }
    return _queue(session, bulletin_send_key(bulletin), "bulletin", recipients, contexts)


def send_crisis_alert(
    session: Session, *, crisis_id: int, title: str, country_codes: Collection[str]
) -> int:
    """A crisis opened in their countries, to those who subscribed to crisis alerts: where to
    say they are in the area. Registered citizens inside it get the safety check instead."""
    recipients = [
        r
        for r in audience(
            session,
            topic=Topic.crisis_alerts,
            purpose=Purpose.crisis_alerts,
            countries=country_codes,
        )
        if r.subscriber_id is not None
    ]
    base = get_settings().base_url.rstrip("/")
    contexts = {
        language: {
            "title": title,
            "places": ", ".join(
                getattr(place, f"name_{language}") if (place := countries.get(code)) else code
                for code in country_codes
            ),
            "link": f"{base}/crises/{crisis_id}/here?lang={language}",
        }
        for language in i18n.LOCALES
    }
    return _queue(session, f"crisis-{crisis_id}", "crisis_alert", recipients, contexts)
