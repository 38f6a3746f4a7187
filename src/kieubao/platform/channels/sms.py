"""Text messages: a generic HTTP gateway, or Twilio's Messages API."""

import httpx

from kieubao.platform.channels.base import Connection, Outgoing, Rejected, Unconfirmed
from kieubao.platform.channels.http import (
    HttpConnection,
    by_status,
    json_of,
    number,
    unconfigured,
)
from kieubao.platform.settings import get_settings


class SmsGatewayConnection(HttpConnection):
    """A generic HTTP SMS gateway: POST {to, text, reference} as JSON, answer {"id": ...}.
    The outbox key goes as ``reference`` and as the Idempotency-Key header, the same on every
    attempt, so a gateway that honours it takes a message sent again after a crash once."""

    provider = "SMS gateway"

    def __init__(self) -> None:
        settings = get_settings()
        if not settings.sms_gateway_url:
            raise unconfigured("SMS gateway")
        headers = {}
        if settings.sms_gateway_token:
            headers["Authorization"] = f"Bearer {settings.sms_gateway_token}"
        self.url = settings.sms_gateway_url
        super().__init__(headers=headers)

    def request(self, message: Outgoing) -> httpx.Response:
        payload = {"to": message.address, "text": message.body, "reference": message.key}
        return self.post(self.url, json=payload, headers={"Idempotency-Key": message.key})

    def answer(self, response: httpx.Response) -> str:
        if response.status_code >= 400:
            raise by_status(self.provider, response, response.text[:200])
        try:
            found = response.json()["id"]
        except (ValueError, KeyError, TypeError):
            found = None
        # An empty or null id is no id: the message could not be followed up by it.
        if isinstance(found, bool) or not isinstance(found, str | int) or found == "":
            raise Unconfirmed(f"gateway answer without an id: {response.text[:200]}")
        return str(found)


# Twilio error codes that say this number will not take the message, whatever we do:
# invalid "To", unsubscribed recipient (STOP), not a mobile number, unreachable carrier.
TWILIO_FINAL = {21211, 21408, 21610, 21612, 21614, 30004, 30005, 30006}


class TwilioConnection(HttpConnection):
    """Twilio's Messages resource: a form POST with HTTP basic auth (account SID and auth
    token), answered 201 with the message's ``sid`` and ``status``, or an error object
    ``{code, message, more_info, status}``."""

    provider = "Twilio"

    def __init__(self) -> None:
        settings = get_settings()
        sid, token = settings.twilio_account_sid, settings.twilio_auth_token
        if not (sid and token and settings.twilio_from):
            raise unconfigured("Twilio")
        base = settings.twilio_base_url.rstrip("/")
        self.url = f"{base}/2010-04-01/Accounts/{sid}/Messages.json"
        # A Messaging Service SID (MG...) picks the sender itself; otherwise a number.
        sender_field = "MessagingServiceSid" if settings.twilio_from.startswith("MG") else "From"
        self.sender = {sender_field: settings.twilio_from}
        super().__init__(auth=(sid, token))

    def request(self, message: Outgoing) -> httpx.Response:
        return self.post(
            self.url, data={"To": message.address, "Body": message.body, **self.sender}
        )

    def answer(self, response: httpx.Response) -> str:
        data = json_of(response)
        if response.status_code >= 400:
            detail = f"{data.get('code', '')} {data.get('message', response.text[:200])}"
            refusal = by_status(self.provider, response, detail.strip())
            if number(data.get("code")) in TWILIO_FINAL:
                refusal.permanent = True
            raise refusal
        if data.get("status") == "failed":
            raise Rejected(f"Twilio: {data.get('error_message')}", permanent=True)
        if not data.get("sid"):
            raise Unconfirmed(f"Twilio answer without a sid: {response.text[:200]}")
        return str(data["sid"])


class SmsChannel:
    name = "sms"

    def connect(self) -> Connection:
        if get_settings().sms_provider == "twilio":
            return TwilioConnection()
        return SmsGatewayConnection()
