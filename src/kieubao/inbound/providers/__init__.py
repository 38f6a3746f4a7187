"""One adapter per provider: its signature check and its payload, read into messages.

Each module has ``verify`` (raises :class:`Forged`), ``parse`` (the messages a call carries;
events that are not messages from a person are left out) and, for providers whose messages
carry files, ``fetch`` (one announced file, from the provider's own hosts only)."""

import base64
import hashlib
import hmac
import json
import mimetypes
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from kieubao.platform.errors import Invalid, Problem
from kieubao.platform.i18n import gettext as _
from kieubao.platform.settings import get_settings
from kieubao.protection.actions import Inbound, IncomingFile


@dataclass(frozen=True)
class Media:
    """A file a message announces, kept by its provider until it is fetched: ``reference`` is
    what the provider gives to fetch it by (a file id, a media id or an address); the rest
    is what the webhook already says of it."""

    reference: str
    filename: str = ""
    content_type: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class Received:
    """A message as a provider adapter read it, with what the provider says of its sender
    and the files it announces (fetched once the webhook is answered)."""

    provider: str
    message: Inbound
    name: str = ""
    country: str | None = None
    subject: str = ""
    media: tuple[Media, ...] = ()


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


class Unfetchable(Exception):
    """The file will not come however often it is asked for: gone, refused, or too large."""


# Types that say nothing: the file's kind is then what the message said of it.
GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_CHUNK = 64 * 1024


def hosts_of(*urls: str) -> set[str]:
    return {host for url in urls if (host := urlsplit(url).hostname)}


def download(http: httpx.Client, url: str, media: Media, **request: Any) -> IncomingFile:
    """The file at ``url``, read no further than the inbound limit, with its type: the
    server's, or the message's when the server says only "bytes"."""
    limit = get_settings().inbound_max_bytes
    too_large = _("the file is larger than the {limit} bytes a message may bring").format(
        limit=f"{limit:,}"
    )
    with http.stream("GET", url, **request) as response:
        answered(response)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise Unfetchable(too_large)
        data = bytearray()
        for chunk in response.iter_bytes(_CHUNK):
            data += chunk
            if len(data) > limit:
                raise Unfetchable(too_large)
        served = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    body = bytes(data)
    if media.sha256 and media.sha256 not in (sha256_hex(body), _b64_sha256(body)):
        # Changed on the way: the next attempt may bring it whole.
        raise httpx.DecodingError(_("the file does not match the digest the message gave"))
    kind = served if served not in GENERIC_TYPES else media.content_type
    kind = kind or mimetypes.guess_type(media.filename)[0] or "application/octet-stream"
    return IncomingFile(media.filename or _name_for(kind), kind, body)


def answered(response: httpx.Response) -> None:
    """A refusal that will stay one (not found, forbidden) ends the attempts; a server's
    trouble or a "slow down" is tried again later."""
    status = response.status_code
    if status < 400:
        return
    if status in (408, 425, 429) or status >= 500:
        raise httpx.HTTPStatusError(f"HTTP {status}", request=response.request, response=response)
    raise Unfetchable(_("the provider answered HTTP {status}").format(status=status))


def _b64_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def _name_for(kind: str) -> str:
    return "attachment" + (mimetypes.guess_extension(kind) or "")
