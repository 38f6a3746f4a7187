"""The providers' webhooks: each call is checked against its provider's signature before
anything is read into a case, and answered once its messages are on disk."""

from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from kieubao.inbound import routing
from kieubao.inbound.providers import (
    Received,
    gateway,
    json_object,
    telegram,
    twilio,
    whatsapp,
    zalo,
)
from kieubao.platform.deps import Anyone, SessionDep
from kieubao.platform.errors import Problem
from kieubao.platform.settings import get_settings

router = APIRouter(prefix="/hooks", tags=["webhooks"])

# A message names its files, which stay with the provider until fetched: far below this.
MAX_BODY = 1024 * 1024


class BodyTooLarge(Problem):
    status = 413
    title = "Too large"


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise BodyTooLarge(f"a webhook call is at most {MAX_BODY} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise BodyTooLarge(f"a webhook call is at most {MAX_BODY} bytes")
    return bytes(body)


def _take(session: SessionDep, found: list[Received]) -> dict[str, int]:
    counts = {"received": 0, "duplicates": 0}
    for received in found:
        outcome = routing.receive(session, received)
        counts["duplicates" if outcome.kind == "duplicate" else "received"] += 1
    return counts


def _public_url(request: Request) -> str:
    """The address the provider called, as it signed it (this server may sit behind a proxy)."""
    query = f"?{request.url.query}" if request.url.query else ""
    return get_settings().base_url.rstrip("/") + request.url.path + query


@router.post("/sms/twilio")
async def twilio_sms(request: Request, session: SessionDep, _user: Anyone) -> Response:
    body = await _body(request)
    params = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    twilio.verify(_public_url(request), params, request.headers.get("X-Twilio-Signature"))
    _take(session, twilio.parse(params))
    # TwiML: received, no answer sent back from here.
    return Response("<Response></Response>", media_type="text/xml")


@router.post("/sms/gateway")
async def gateway_sms(request: Request, session: SessionDep, _user: Anyone) -> Response:
    body = await _body(request)
    gateway.verify(body, request.headers.get(gateway.HEADER))
    return JSONResponse(_take(session, gateway.parse(body)))


@router.post("/zalo")
async def zalo_event(request: Request, session: SessionDep, _user: Anyone) -> Response:
    body = await _body(request)
    data = json_object(body)
    zalo.verify(body, data, request.headers.get("X-ZEvent-Signature"))
    return JSONResponse(_take(session, zalo.parse(data)))


@router.post("/telegram")
async def telegram_update(request: Request, session: SessionDep, _user: Anyone) -> Response:
    telegram.verify(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
    return JSONResponse(_take(session, telegram.parse(await _body(request))))


@router.get("/whatsapp")
def whatsapp_subscribe(request: Request, _user: Anyone) -> Response:
    query = request.query_params
    value = whatsapp.challenge(
        query.get("hub.mode", ""), query.get("hub.verify_token", ""), query.get("hub.challenge", "")
    )
    return PlainTextResponse(value)


@router.post("/whatsapp")
async def whatsapp_message(request: Request, session: SessionDep, _user: Anyone) -> Response:
    body = await _body(request)
    whatsapp.verify(body, request.headers.get("X-Hub-Signature-256"))
    return JSONResponse(_take(session, whatsapp.parse(body)))
