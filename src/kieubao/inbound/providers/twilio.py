"""Twilio Programmable Messaging: an SMS arrives as a form POST signed with
X-Twilio-Signature = base64(HMAC-SHA1(auth token, full URL + each parameter's name and value,
sorted by name)). https://www.twilio.com/docs/usage/webhooks/webhooks-security

An MMS names its files in MediaUrl<n> and MediaContentType<n> (NumMedia of them), fetched
with the account's credentials; Twilio answers with a redirect to its file host.
https://www.twilio.com/docs/messaging/guides/webhook-request"""

import base64
import hashlib
import hmac
import mimetypes
from collections.abc import Sequence

import httpx

from kieubao.inbound.providers import (
    Forged,
    Media,
    Received,
    Unfetchable,
    download,
    hosts_of,
    require,
    same,
)
from kieubao.platform.i18n import gettext as _
from kieubao.platform.settings import get_settings
from kieubao.protection.actions import Inbound, IncomingFile
from kieubao.protection.models import Channel

NAME = "twilio"
# Twilio's own file hosts, which media addresses redirect to.
FILE_HOSTS = ("twiliocdn.com",)
# Twilio sends at most ten files with a message.
MAX_MEDIA = 10


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
    media = _media(form)
    text = form.get("Body", "")
    if not text.strip() and not media:
        return []
    return [
        Received(
            provider=NAME,
            message=Inbound(channel=Channel.sms, sender=sender, provider_id=sid, text=text),
            country=form.get("FromCountry") or None,
            media=media,
        )
    ]


def _media(form: dict[str, str]) -> tuple[Media, ...]:
    count = form.get("NumMedia", "")
    found = []
    for n in range(min(int(count), MAX_MEDIA) if count.isdigit() else 0):
        url = form.get(f"MediaUrl{n}", "")
        if url:
            kind = form.get(f"MediaContentType{n}", "")
            extension = mimetypes.guess_extension(kind) or ""
            found.append(Media(url, f"mms-{n + 1}{extension}", kind))
    return tuple(found)


def hosts() -> set[str]:
    return hosts_of(get_settings().twilio_base_url) | set(FILE_HOSTS)


def fetch(media: Media, http: httpx.Client) -> IncomingFile:
    settings = get_settings()
    if not settings.twilio_account_sid or not settings.twilio_auth_token:
        raise Unfetchable(
            _("no {provider} credentials are set on this server").format(provider="Twilio")
        )
    # httpx leaves the credentials behind when the redirect leaves Twilio's API host.
    auth = (settings.twilio_account_sid, settings.twilio_auth_token)
    return download(http, media.reference, media, auth=auth)
