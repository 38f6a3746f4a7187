"""The portal's community news (bulletins and case notices) and the subscription pages:
subscribe, confirm, preferences behind a signed link, unsubscribe in one click."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from kieubao.outreach import bulletin_queries as queries
from kieubao.outreach import sending, subscriptions
from kieubao.outreach.bulletin_api import by_token
from kieubao.outreach.bulletin_schemas import (
    MessengerConfirmIn,
    PreferencesIn,
    SmsConfirmIn,
    SubscribeIn,
)
from kieubao.outreach.models import BulletinKind, Subscriber, Topic
from kieubao.outreach.pages.portal import page_context
from kieubao.platform import countries
from kieubao.platform.deps import Anyone, SessionDep
from kieubao.platform.errors import Problem
from kieubao.platform.i18n import gettext as _
from kieubao.platform.web import render

router = APIRouter()


def kind_name(kind: str) -> str:
    names = {
        BulletinKind.news: _("Community news"),
        BulletinKind.consular_notice: _("Consular notice"),
        BulletinKind.scam_warning: _("Scam warning"),
        BulletinKind.labour_warning: _("Labour migration warning"),
        BulletinKind.case_notice: _("Citizen protection notice"),
    }
    return names.get(BulletinKind(kind), kind) if kind in set(BulletinKind) else kind


def topic_name(topic: str) -> str:
    names = {
        Topic.advisories: _("Travel advisories"),
        Topic.bulletins: _("Bulletins and notices"),
        Topic.crisis_alerts: _("Crisis alerts"),
    }
    return names[Topic(topic)] if topic in set(Topic) else topic


def _context() -> dict[str, Any]:
    return {
        **page_context(),
        "kind_name": kind_name,
        "topic_name": topic_name,
        "topics": list(Topic),
        "countries": countries.all_countries(),
    }


@router.get("/bulletins", response_class=HTMLResponse)
def bulletin_list(
    request: Request, session: SessionDep, user: Anyone, country: str | None = None
) -> Response:
    found = queries.published_bulletins(session, country)
    return render(request, "outreach/bulletins.html", bulletins=found, **_context())


@router.get("/bulletins/{bulletin_id:int}", response_class=HTMLResponse)
def bulletin_page(
    bulletin_id: int, request: Request, session: SessionDep, user: Anyone
) -> Response:
    bulletin = queries.public_bulletin(session, bulletin_id)
    return render(request, "outreach/bulletin.html", bulletin=bulletin, **_context())


def _choices(form: FormData) -> dict[str, Any]:
    return {
        "countries": [str(c) for c in form.getlist("countries")],
        "topics": [str(t) for t in form.getlist("topics")],
        "language": str(form.get("language") or "vi"),
    }


def _errors(exc: ValidationError) -> dict[str, str]:
    return {str(e["loc"][0]) if e["loc"] else "form": e["msg"] for e in exc.errors()}


@router.get("/subscribe", response_class=HTMLResponse)
def subscribe_form(request: Request, user: Anyone) -> Response:
    values = {"channel": "email", "countries": [], "topics": [t.value for t in Topic]}
    return render(request, "outreach/subscribe.html", values=values, errors={}, **_context())


@router.post("/subscribe", response_class=HTMLResponse)
async def subscribe(request: Request, session: SessionDep, user: Anyone) -> Response:
    form = await request.form()
    values = {
        **_choices(form),
        "channel": str(form.get("channel") or "email"),
        "email": str(form.get("email") or "").strip() or None,
        "phone": str(form.get("phone") or "").strip() or None,
        "telegram": str(form.get("telegram") or "").strip() or None,
        "zalo": str(form.get("zalo") or "").strip() or None,
    }
    try:
        data = SubscribeIn.model_validate(values)
        subscriptions.subscribe(session, acting_user=user, data=data)
    except ValidationError as exc:
        return render(
            request,
            "outreach/subscribe.html",
            422,
            values=values,
            errors=_errors(exc),
            **_context(),
        )
    # The code form sends back where the code went: a phone number, or a messenger's id.
    return render(
        request, "outreach/subscribe_sent.html", channel=data.channel.value, address=data.address
    )


@router.post("/subscribe/code", response_class=HTMLResponse)
async def confirm_code(request: Request, session: SessionDep, user: Anyone) -> Response:
    form = await request.form()
    channel = str(form.get("channel") or "sms")
    address, code = str(form.get("address") or ""), str(form.get("code") or "").strip()
    try:
        if channel == "sms":
            data = SmsConfirmIn(phone=address, code=code)
            subscriber = subscriptions.confirm_code(session, data=data)
        else:
            sent = MessengerConfirmIn.model_validate(
                {"channel": channel, "address": address, "code": code}
            )
            subscriber = subscriptions.confirm_messenger_code(session, data=sent)
    except (ValidationError, Problem):
        return render(
            request,
            "outreach/subscribe_sent.html",
            422,
            channel=channel if channel in ("telegram", "zalo") else "sms",
            address=address,
            error=_("This code is not valid."),
        )
    return _confirmed(request, subscriber)


@router.get("/subscribe/confirm/{token}", response_class=HTMLResponse)
def confirm_link(token: str, request: Request, session: SessionDep, user: Anyone) -> Response:
    return _confirmed(request, subscriptions.confirm_link(session, token=token))


def _confirmed(request: Request, subscriber: Subscriber) -> Response:
    return render(
        request,
        "outreach/subscribe_confirmed.html",
        manage=sending.link(sending.MANAGE, subscriber.id),
    )


@router.get("/subscriptions/{token}", response_class=HTMLResponse)
def preferences(token: str, request: Request, session: SessionDep, user: Anyone) -> Response:
    subscriber = by_token(session, sending.MANAGE, token)
    return _preferences_page(request, session, subscriber, {})


def _preferences_page(
    request: Request,
    session: SessionDep,
    subscriber: Subscriber,
    errors: dict[str, str],
    status: int = 200,
    saved: bool = False,
) -> Response:
    return render(
        request,
        "outreach/preferences.html",
        status,
        subscription=queries.subscription_out(session, subscriber),
        unsubscribe=sending.link(sending.UNSUBSCRIBE, subscriber.id),
        errors=errors,
        saved=saved,
        **_context(),
    )


@router.post("/subscriptions/{token}", response_class=HTMLResponse)
async def save_preferences(
    token: str, request: Request, session: SessionDep, user: Anyone
) -> Response:
    subscriber = by_token(session, sending.MANAGE, token)
    try:
        data = PreferencesIn.model_validate(_choices(await request.form()))
    except ValidationError as exc:
        return _preferences_page(request, session, subscriber, _errors(exc), 422)
    subscriber = subscriptions.update_preferences(session, subscriber=subscriber, data=data)
    return _preferences_page(request, session, subscriber, {}, saved=True)


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(token: str, request: Request, session: SessionDep, user: Anyone) -> Response:
    """A page with a button: mail scanners follow links, so a GET never unsubscribes."""
    subscriber = by_token(session, sending.UNSUBSCRIBE, token)
    return render(
        request,
        "outreach/unsubscribe.html",
        subscription=queries.subscription_out(session, subscriber),
        done=False,
    )


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe(token: str, request: Request, session: SessionDep, user: Anyone) -> Response:
    """The button of the page, or RFC 8058's one-click POST of ``List-Unsubscribe=One-Click``
    by a mail client to the List-Unsubscribe URL (no cookie, no page needed)."""
    subscriber = by_token(session, sending.UNSUBSCRIBE, token)
    form = await request.form()
    how = "one-click" if form.get("List-Unsubscribe") == "One-Click" else "page"
    subscriber = subscriptions.unsubscribe(session, subscriber=subscriber, how=how)
    return render(
        request,
        "outreach/unsubscribe.html",
        subscription=queries.subscription_out(session, subscriber),
        done=True,
    )
