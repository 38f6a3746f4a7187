"""Any SMS gateway that can post JSON {"id", "from", "to", "text"} with
X-Kieubao-Signature: sha256=<hex HMAC-SHA256 of the raw body with the shared secret>, the
shape GitHub and Meta use for theirs."""

from kieubao.inbound.providers import Forged, Received, hmac_hex, json_object, require, same
from kieubao.platform.errors import Invalid
from kieubao.platform.settings import get_settings
from kieubao.protection.actions import Inbound
from kieubao.protection.models import Channel

NAME = "sms-gateway"
HEADER = "X-Kieubao-Signature"


def verify(body: bytes, header: str | None) -> None:
    secret = require(get_settings().sms_gateway_inbound_secret, NAME)
    if not header or not same(header, "sha256=" + hmac_hex(secret, body)):
        raise Forged(f"{HEADER} does not match this request")


def parse(body: bytes) -> list[Received]:
    data = json_object(body)
    sid, sender, text = (str(data.get(k) or "") for k in ("id", "from", "text"))
    if not sid or not sender:
        raise Invalid("body", "id and from are required")
    if not text.strip():
        return []
    country = data.get("country")
    return [
        Received(
            provider=NAME,
            message=Inbound(channel=Channel.sms, sender=sender, provider_id=sid, text=text),
            country=str(country) if country else None,
        )
    ]
