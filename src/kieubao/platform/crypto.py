"""Personal data at rest: encrypted columns and keyed blind indexes for exact lookup."""

import base64
import hashlib
import hmac
from functools import cache, lru_cache
from typing import Any

from cryptography.fernet import InvalidToken
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

from kieubao.platform import keyring
from kieubao.platform.settings import get_settings


def _derive(purpose: bytes) -> bytes:
    return hmac.new(get_settings().encryption_key.encode(), purpose, hashlib.sha256).digest()


def encrypt(text: str) -> str:
    """A token under the current key of the ring, marked with that key's version."""
    version = keyring.ring().current
    fernet = keyring.fernet(version)
    if fernet is None:
        raise ValueError(f"the current data key (version {version}) is not in the key ring")
    return keyring.prefix(version) + fernet.encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The text of a token written under any key the ring still holds."""
    version, body = keyring.split(token)
    fernet = keyring.fernet(version)
    if fernet is None:
        raise ValueError(f"encrypted field needs data key version {version}, not in the key ring")
    try:
        return fernet.decrypt(body.encode()).decode()
    except InvalidToken as exc:
        raise ValueError(f"encrypted field cannot be read with data key {version}") from exc


def blind_index(normalized: str) -> str:
    """A keyed digest: equal inputs meet in an index; the value cannot be recovered from it."""
    return hmac.new(_derive(b"kieubao.blind.v1"), normalized.encode(), hashlib.sha256).hexdigest()


def keyed_digest(purpose: str, value: str) -> str:
    """An HMAC of ``value`` under a key derived for ``purpose``, hex."""
    key = _derive(f"kieubao.{purpose}.v1".encode())
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


@cache
def _token_key() -> bytes:
    return _derive(b"kieubao.tokens.v1")


@lru_cache(maxsize=65536)  # names and common words come back again and again
def keyed_token(word: str) -> int:
    """A word as a signed 64-bit keyed digest: a search index finds equal words without
    holding them, and without the key nobody can test a guess against it."""
    raw = hashlib.blake2b(word.encode(), key=_token_key(), digest_size=8).digest()
    return int.from_bytes(raw, "big", signed=True)


def signed(purpose: str, value: str) -> str:
    """``value`` with a keyed signature for one purpose: a link that needs no stored secret."""
    return f"{value}.{_mac(purpose, value)}"


def unsigned(purpose: str, token: str) -> str | None:
    """The value of a token :func:`signed` made for ``purpose``; None for anything else."""
    value, _, mac = token.rpartition(".")
    return value if value and hmac.compare_digest(mac, _mac(purpose, value)) else None


def _mac(purpose: str, value: str) -> str:
    key = _derive(b"kieubao.links.v1")
    raw = hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Encrypted(TypeDecorator[str]):
    """A text column stored as a Fernet token."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else decrypt(value)
