"""Twilio Programmable Messaging: an SMS arrives as a form POST signed with
X-Twilio-Signature = base64(HMAC-SHA1(auth token, full URL + each parameter's name and value,
sorted by name)). https://www.twilio.com/docs/usage/webhooks/webhooks-security"""

import base64
import hashlib
import hmac
from collections.abc import Sequence

from kieubao.inbound.providers import Forged, require, same
from kieubao.inbound.routing import Received
from kieubao.platform.settings import get_settings
from kieubao.protection.actions import Inbound
from kieubao.protection.models import Channel

NAME = "twilio"


def signature(token: str, url: str, params: Sequence[tuple[str, str]]) -> str:
    signed = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify(url: str, params: Sequence[tuple[str, str]], header: str | None) -> None:
    token = require(get_settings().twilio_auth_token, NAME)
    if not header or not same(header, signature(token, url, params)):
        raise Forged("X-Twilio-Signature does not match this request")


def parse(params: Sequence[tuple[str, str]]) -> list[Received]:
    form = dict(params)
    sid = form.get("MessageSid") or form.get("SmsSid")
    sender = form.get("From", "")
    if not sid or not sender:
        return []
    media = int(form.get("NumMedia") or 0)
    text = form.get("Body", "")
    if not text.strip() and not media:
        return []
    return [
        Received(
            provider=NAME,
            message=Inbound(channel=Channel.sms, sender=sender, provider_id=sid, text=text),
            country=form.get("FromCountry") or None,
        )
    ]
