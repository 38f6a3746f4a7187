"""Personal data at rest: encrypted columns and keyed blind indexes for exact lookup."""

import base64
import hashlib
import hmac
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

from kieubao.platform.settings import get_settings


def _derive(purpose: bytes) -> bytes:
    return hmac.new(get_settings().encryption_key().encode(), purpose, hashlib.sha256).digest()


@cache
def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"kieubao.fields.v1")))


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("encrypted field cannot be read with this key") from exc


def blind_index(normalized: str) -> str:
    """A keyed digest: equal inputs meet in an index; the value cannot be recovered from it."""
    return hmac.new(_derive(b"kieubao.blind.v1"), normalized.encode(), hashlib.sha256).hexdigest()


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
