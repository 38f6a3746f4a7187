"""Subscriptions: double opt-in by email link or by a code sent by SMS, Telegram or Zalo,
preferences behind a signed link, one-click unsubscribe, and the addresses bounces disabled."""

import secrets
from collections.abc import Collection
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kieubao.outreach import sending
from kieubao.outreach.bulletin_schemas import (
    MessengerConfirmIn,
    PreferencesIn,
    SmsConfirmIn,
    SubscribeIn,
)
from kieubao.outreach.models import Subscriber, SubscriberChannel
from kieubao.platform import audit, crypto, outbox
from kieubao.platform.db import commit, utcnow
from kieubao.platform.errors import Invalid, NotFound

MAX_CODE_ATTEMPTS = 5
# Confirmations to one address an hour: the form cannot be used to flood someone's inbox.
MAX_CONFIRMATIONS = 3


def _visitor(subscriber: Subscriber) -> audit.System:
    return audit.System(f"subscriber:{subscriber.id}")


def subscribe(
    session: Session, *, acting_user: audit.Actor | None, data: SubscribeIn
) -> Subscriber:
    """Record the wish and ask the address to confirm it; nothing else goes out until then.

    Asking again for a known address changes nothing but sends a new confirmation, so the
    form says the same thing whether or not an address is known."""
    address = data.address
    subscriber = session.scalar(
        select(Subscriber).where(Subscriber.channel == data.channel, Subscriber.address == address)
    )
    if subscriber is None:
        subscriber = Subscriber(channel=data.channel, address=address, code_attempts=0)
        session.add(subscriber)
    if subscriber.confirmed_at is None or subscriber.unsubscribed_at is not None:
        # Preferences given here hold only once confirmed by the address's owner.
        subscriber.countries = data.countries
        subscriber.topics = [t.value for t in data.topics]
        subscriber.language = data.language
        subscriber.confirmed_at = None
        subscriber.unsubscribed_at = None
    session.flush()
    if _confirmations_last_hour(session, subscriber) >= MAX_CONFIRMATIONS:
        commit(session)
        return subscriber
    attempt = secrets.token_hex(4)
    if subscriber.channel is SubscriberChannel.email:
        fields = {"link": sending.link(sending.CONFIRM, subscriber.id)}
        kind = "subscribe_confirm"
    else:
        code = f"{secrets.randbelow(1_000_000):06d}"
        subscriber.code_digest = _code_digest(subscriber, code)
        subscriber.code_attempts = 0
        fields = {"code": code}
        kind = "subscribe_code"
    outbox.queue(
        session,
        send_key=f"subscribe-{subscriber.id}-{attempt}",
        kind=kind,
        context={},
        messages=[
            outbox.Message(
                key=f"subscribe-{subscriber.id}-{attempt}",
                channel=subscriber.channel.value,
                address=subscriber.address,
                language=subscriber.language,
                fields=fields,
            )
        ],
    )
    audit.record(
        session,
        acting_user or _visitor(subscriber),
        "subscription.requested",
        "subscriber",
        subscriber.id,
        after={"channel": subscriber.channel.value, "countries": subscriber.countries},
    )
    commit(session)
    return subscriber


def _confirmations_last_hour(session: Session, subscriber: Subscriber) -> int:
    since = utcnow() - timedelta(hours=1)
    return (
        session.scalar(
            select(func.count())
            .select_from(outbox.OutboxSend)
            .where(
                outbox.OutboxSend.key.like(f"subscribe-{subscriber.id}-%"),
                outbox.OutboxSend.created_at >= since,
            )
        )
        or 0
    )


def _code_digest(subscriber: Subscriber, code: str) -> str:
    return crypto.blind_index(f"subscriber-code:{subscriber.id}:{code}")


def confirm_link(session: Session, *, token: str) -> Subscriber:
    subscriber = sending.subscriber_of(session, sending.CONFIRM, token)
    if subscriber is None:
        raise NotFound("subscription")
    return _confirm(session, subscriber)


def confirm_code(session: Session, *, data: SmsConfirmIn) -> Subscriber:
    """The code sent by SMS; a few wrong tries and the code is spent."""
    digits = "+" + "".join(c for c in data.phone if c.isdigit())
    return _confirm_code(session, SubscriberChannel.sms, digits, data.code)


def confirm_messenger_code(session: Session, *, data: MessengerConfirmIn) -> Subscriber:
    """The code sent to a Telegram chat or a Zalo user, as for SMS."""
    return _confirm_code(session, SubscriberChannel(data.channel), data.address, data.code)


def _confirm_code(
    session: Session, channel: SubscriberChannel, address: str, code: str
) -> Subscriber:
    subscriber = session.scalar(
        select(Subscriber).where(Subscriber.channel == channel, Subscriber.address == address)
    )
    if subscriber is None or subscriber.code_digest is None:
        raise Invalid("code", "this code is not valid")
    if subscriber.code_digest != _code_digest(subscriber, code):
        subscriber.code_attempts += 1
        if subscriber.code_attempts >= MAX_CODE_ATTEMPTS:
            subscriber.code_digest = None
        commit(session)
        raise Invalid("code", "this code is not valid")
    subscriber.code_digest = None
    return _confirm(session, subscriber)


def _confirm(session: Session, subscriber: Subscriber) -> Subscriber:
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = utcnow()
        subscriber.unsubscribed_at = None
        audit.record(
            session, _visitor(subscriber), "subscription.confirmed", "subscriber", subscriber.id
        )
    commit(session)
    return subscriber


def update_preferences(
    session: Session, *, subscriber: Subscriber, data: PreferencesIn
) -> Subscriber:
    before = {"countries": subscriber.countries, "topics": subscriber.topics}
    subscriber.countries = data.countries
    subscriber.topics = [t.value for t in data.topics]
    subscriber.language = data.language
    subscriber.unsubscribed_at = None
    audit.record(
        session,
        _visitor(subscriber),
        "subscription.changed",
        "subscriber",
        subscriber.id,
        before=before,
        after={"countries": subscriber.countries, "topics": subscriber.topics},
    )
    commit(session)
    return subscriber


def unsubscribe(session: Session, *, subscriber: Subscriber, how: str) -> Subscriber:
    """Stop everything to this address; saying it twice is no error."""
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = utcnow()
        audit.record(
            session,
            _visitor(subscriber),
            "subscription.cancelled",
            "subscriber",
            subscriber.id,
            after={"how": how},
        )
    commit(session)
    return subscriber


def forget_addresses(
    session: Session, *, acting_user: audit.Actor, addresses: Collection[str]
) -> int:
    """An erased person's subscriptions go entirely: an address is all a subscription is.
    The caller commits (one erasure, one transaction)."""
    gone = list(
        session.scalars(
            delete(Subscriber)
            .where(Subscriber.address.in_(list(addresses)))
            .returning(Subscriber.id)
        )
    )
    for subscriber_id in gone:
        audit.record(session, acting_user, "subscriber.forgotten", "subscriber", subscriber_id)
    return len(gone)
