"""What the HTTP providers' adapters share: one client per connection, a request that tells
"never reached the provider" (safe to try again) from "no answer" (maybe accepted), and the
reading of a provider's request to slow down."""

from abc import abstractmethod
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from kieubao.platform.channels.base import OneByOne, Outgoing, Rejected, Unconfirmed
from kieubao.platform.db import utcnow
from kieubao.platform.settings import get_settings

# When a provider says "too many requests" without saying for how long.
DEFAULT_PAUSE_S = 30.0


def retry_after(response: httpx.Response) -> float:
    """Seconds a Retry-After header asks for, as a number or an HTTP date."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return DEFAULT_PAUSE_S
    if moment.tzinfo is None:  # "-0000": UTC, by RFC 5322
        moment = moment.replace(tzinfo=UTC)
    return max((moment - utcnow()).total_seconds(), 0.0)


def json_of(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def number(value: object) -> float | None:
    """A number a provider's answer gives, or None for anything else in its place."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def by_status(provider: str, response: httpx.Response, detail: str) -> Rejected:
    """A refusal told by its HTTP status: 429 waits as asked, 5xx and a refused credential
    (the operator's to fix, not the recipient's) are tried again, other 4xx are final."""
    reason = f"{provider} {response.status_code}: {detail}"[:500]
    if response.status_code == 429:
        return Rejected(reason, permanent=False, retry_after=retry_after(response))
    permanent = 400 <= response.status_code < 500 and response.status_code not in (401, 403)
    return Rejected(reason, permanent=permanent)


class HttpConnection(OneByOne):
    provider = "provider"

    def __init__(self, **client: Any) -> None:
        self.concurrency = max(get_settings().outbox_http_concurrency, 1)
        self.http = httpx.Client(timeout=30, **client)

    def post(self, url: str, **request: Any) -> httpx.Response:
        try:
            return self.http.post(url, **request)
        except httpx.ConnectError as exc:
            # No connection, so nothing reached the provider: safe to try again.
            raise Rejected(f"{self.provider} unreachable: {exc}", permanent=False) from exc
        except httpx.HTTPError as exc:
            raise Unconfirmed(str(exc)) from exc

    def deliver(self, message: Outgoing, prepared: bytes) -> str:
        return self.answer(self.request(message))

    @abstractmethod
    def request(self, message: Outgoing) -> httpx.Response:
        """Send the message in the provider's shape."""

    @abstractmethod
    def answer(self, response: httpx.Response) -> str:
        """The provider's id for the message, or the refusal it stands for."""

    def close(self) -> None:
        self.http.close()


def unconfigured(provider: str) -> Rejected:
    # Temporary: once the operator sets it up, what waits is sent.
    return Rejected(f"no {provider} account configured", permanent=False)
