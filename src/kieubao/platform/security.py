"""Credentials: argon2id passwords, TOTP, random tokens kept only as digests."""

import gzip
import secrets
import time
from functools import cache
from importlib.resources import files

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kieubao.platform.crypto import digest

TOTP_ISSUER = "kieubao"
MIN_PASSWORD = 12
# What people add to a known password to pass a length rule: it is still that password.
_PADDING = "0123456789!@#$%^&*.?_- "


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's current recommended parameters


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same time as a real check so timing does not reveal unknown accounts.
        _hasher().hash(password)
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"at least {MIN_PASSWORD} characters"
    if len(set(password)) < 5:
        return "too few different characters"
    lowered = password.lower()
    if not lowered.strip(_PADDING):
        return "digits and symbols alone are guessed quickly"
    if {lowered, lowered.rstrip(_PADDING), lowered.lstrip(_PADDING)} & breached_passwords():
        return "a password known from breaches: choose another"
    return None


@cache
def breached_passwords() -> frozenset[str]:
    """The most common passwords in public breach corpora (the list Django ships, from Royce
    Williams' compilation, and Vietnamese favourites), read once."""
    data = files("kieubao.platform").joinpath("data/breached-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split())


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def totp_step(secret: str, code: str, last_step: int, now: float | None = None) -> int | None:
    """The time step a valid code belongs to, or None; a step at or before ``last_step`` is a
    replay and is refused."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    for drift in (0, -1, 1):
        at = now + drift * totp.interval
        step = int(at // totp.interval)
        if step > last_step and secrets.compare_digest(totp.at(at), code):
            return step
    return None


def new_token(prefix: str) -> tuple[str, str]:
    """A token to hand out and the digest to keep."""
    token = f"{prefix}_{secrets.token_urlsafe(32)}"
    return token, digest(token.encode())


def token_digest(token: str) -> str:
    return digest(token.encode())
