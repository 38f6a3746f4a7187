"""Bulletins, case notices and subscriptions over JSON under /api/v1."""

from fastapi import APIRouter, status

from kieubao.outreach import bulletin_queries as queries
from kieubao.outreach import bulletins, sending, subscriptions
from kieubao.outreach.bulletin_schemas import (
    BulletinDraftOut,
    BulletinIn,
    BulletinOut,
    DeliveryReportOut,
    MessengerConfirmIn,
    PreferencesIn,
    PublishIn,
    SmsConfirmIn,
    SubscribeIn,
    SubscriptionOut,
)
from kieubao.outreach.models import Subscriber
from kieubao.platform.deps import HQ, AnyOfficer, Anyone, SessionDep, scope_of
from kieubao.platform.errors import NotFound

router = APIRouter(tags=["bulletins and subscriptions"])


@router.get("/bulletins", response_model=list[BulletinOut])
def list_bulletins(
    session: SessionDep, user: Anyone, country: str | None = None
) -> list[BulletinOut]:
    """Published bulletins and case notices, newest first (a country's: with those for all)."""
    return [BulletinOut.model_validate(b) for b in queries.published_bulletins(session, country)]


@router.get("/bulletins/{bulletin_id}", response_model=BulletinOut)
def read_bulletin(bulletin_id: int, session: SessionDep, user: Anyone) -> BulletinOut:
    return BulletinOut.model_validate(queries.public_bulletin(session, bulletin_id))


@router.post("/bulletins", response_model=BulletinDraftOut, status_code=status.HTTP_201_CREATED)
def draft_bulletin(data: BulletinIn, session: SessionDep, user: AnyOfficer) -> BulletinDraftOut:
    return BulletinDraftOut.model_validate(
        bulletins.draft_bulletin(session, acting_user=user, data=data)
    )


@router.get("/bulletin-drafts", response_model=list[BulletinDraftOut])
def officers_bulletins(session: SessionDep, user: AnyOfficer) -> list[BulletinDraftOut]:
    found = queries.officers_bulletins(session, scope_of(user))
    return [BulletinDraftOut.model_validate(b) for b in found]


@router.post("/bulletin-drafts/{bulletin_id}/submit", response_model=BulletinDraftOut)
def submit(bulletin_id: int, session: SessionDep, user: AnyOfficer) -> BulletinDraftOut:
    bulletin = queries.get_bulletin(session, bulletin_id, scope_of(user))
    return BulletinDraftOut.model_validate(
        bulletins.submit_bulletin(session, acting_user=user, bulletin=bulletin)
    )


@router.post("/bulletin-drafts/{bulletin_id}/approve", response_model=BulletinDraftOut)
def approve(bulletin_id: int, session: SessionDep, user: HQ) -> BulletinDraftOut:
    bulletin = queries.get_bulletin(session, bulletin_id, scope_of(user))
    return BulletinDraftOut.model_validate(
        bulletins.approve_bulletin(session, acting_user=user, bulletin=bulletin)
    )


@router.post("/bulletin-drafts/{bulletin_id}/publish", response_model=BulletinDraftOut)
def publish(
    bulletin_id: int, session: SessionDep, user: HQ, data: PublishIn | None = None
) -> BulletinDraftOut:
    """Now, or at ``send_at``: the scheduler sends it within the minute after."""
    bulletin = queries.get_bulletin(session, bulletin_id, scope_of(user))
    send_at = data.send_at if data else None
    return BulletinDraftOut.model_validate(
        bulletins.publish_bulletin(session, acting_user=user, bulletin=bulletin, send_at=send_at)
    )


@router.get("/bulletin-drafts/{bulletin_id}/report", response_model=DeliveryReportOut)
def report(bulletin_id: int, session: SessionDep, user: AnyOfficer) -> DeliveryReportOut:
    """Sent, delivered, bounced and failed; opens are not reported by any channel in use."""
    bulletin = queries.get_bulletin(session, bulletin_id, scope_of(user))
    return queries.delivery_report(session, bulletin)


@router.post("/subscriptions", status_code=status.HTTP_202_ACCEPTED)
def subscribe(data: SubscribeIn, session: SessionDep, user: Anyone) -> dict[str, str]:
    """Asks the address to confirm; the answer is the same for a known address."""
    subscriptions.subscribe(session, acting_user=user, data=data)
    return {"status": "confirmation sent"}


@router.post("/subscriptions/sms/confirm", response_model=SubscriptionOut)
def confirm_sms(data: SmsConfirmIn, session: SessionDep, user: Anyone) -> SubscriptionOut:
    subscriber = subscriptions.confirm_code(session, data=data)
    return queries.subscription_out(session, subscriber)


def by_token(session: SessionDep, purpose: str, token: str) -> Subscriber:
    subscriber = sending.subscriber_of(session, purpose, token)
    if subscriber is None:
        raise NotFound("subscription")
    return subscriber


@router.post("/subscriptions/messenger/confirm", response_model=SubscriptionOut)
def confirm_messenger(
    data: MessengerConfirmIn, session: SessionDep, user: Anyone
) -> SubscriptionOut:
    """The code sent to a Telegram chat or a Zalo user, with the id it went to."""
    subscriber = subscriptions.confirm_messenger_code(session, data=data)
    return queries.subscription_out(session, subscriber)


@router.get("/subscriptions/{token}", response_model=SubscriptionOut)
def read_subscription(token: str, session: SessionDep, user: Anyone) -> SubscriptionOut:
    return queries.subscription_out(session, by_token(session, sending.MANAGE, token))


@router.put("/subscriptions/{token}", response_model=SubscriptionOut)
def change_subscription(
    token: str, data: PreferencesIn, session: SessionDep, user: Anyone
) -> SubscriptionOut:
    subscriber = by_token(session, sending.MANAGE, token)
    subscriber = subscriptions.update_preferences(session, subscriber=subscriber, data=data)
    return queries.subscription_out(session, subscriber)
