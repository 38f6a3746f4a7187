"""One adapter per provider: its signature check and its payload, read into messages.

Each module has ``verify`` (raises :class:`Forged`) and ``parse`` (the messages a call
carries; events that are not messages from a person are left out)."""

import hashlib
import hmac
import json
from typing import Any

from kieubao.platform.errors import Invalid, Problem


class Forged(Problem):
    status = 403
    title = "Forbidden"


def require(secret: str | None, provider: str) -> str:
    if not secret:
        raise Forged(f"{provider} webhook is not set up on this server")
    return secret


def hmac_hex(secret: str, body: bytes, digest: str = "sha256") -> str:
    return hmac.new(secret.encode(), body, digest).hexdigest()


def same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.strip().encode(), expected.encode())


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise Invalid("body", "not JSON") from exc
    if not isinstance(data, dict):
        raise Invalid("body", "a JSON object is expected")
    return data
