"""The key ring of encrypted fields: numbered keys, one of them current, the others kept to read
what they wrote until a rotation has re-encrypted it.

Version 1 is the data key itself (``KIEUBAO_DATA_KEY`` or ``var/data.key``), so fields written
before any rotation read as they always did. Later versions live in the key ring file
(``KIEUBAO_DATA_KEYRING``, ``var/data.keys`` by default), a JSON object
``{"current": 3, "keys": {"2": "...", "3": "..."}, "retired": [1]}`` kept apart from the
database like the data key. Every process re-reads the file when it changes (looked at once a
second at most), so a rotation started from the command line is followed by the running app
within :data:`RELOAD_S`: from then on its writers write with the new key.

Only the field key rotates. Blind indexes, signed links and keyed digests stay derived from
the data key: a blind index is an HMAC, so a new key would have to be recomputed from every
plaintext together with the lookups that meet it, and signed links already sent out would
break; the data key is the root those lean on, and rotating it is a migration of its own.
"""

import base64
import fcntl
import hashlib
import hmac
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet

from kieubao.platform.settings import get_settings

# Seconds a process may go on writing with a key after the ring file made another current.
RELOAD_S = 1.0


@dataclass(frozen=True)
class Ring:
    current: int
    # Versions after 1 and their secrets; version 1 is the data key.
    keys: dict[int, str] = field(default_factory=dict)
    retired: frozenset[int] = frozenset()

    @property
    def versions(self) -> list[int]:
        return sorted(({1} | set(self.keys)) - self.retired)

    def secret(self, version: int) -> str | None:
        if version in self.retired:
            return None
        return get_settings().encryption_key if version == 1 else self.keys.get(version)


def prefix(version: int) -> str:
    """What a token of this version begins with; version 1 tokens carry none (they predate
    the ring)."""
    return "" if version == 1 else f"v{version}:"


def split(token: str) -> tuple[int, str]:
    """The key version a stored token was written with, and the Fernet token itself."""
    head, colon, rest = token.partition(":")
    if colon and head[:1] == "v" and head[1:].isdigit():
        return int(head[1:]), rest
    return 1, token


def path() -> Path:
    settings = get_settings()
    return settings.data_keyring or settings.var_path("data.keys")


def read(at: Path) -> Ring:
    if not at.exists():
        return Ring(current=1)
    raw = json.loads(at.read_text())
    return Ring(
        current=int(raw["current"]),
        keys={int(v): str(s) for v, s in raw.get("keys", {}).items()},
        retired=frozenset(int(v) for v in raw.get("retired", [])),
    )


def update(change: Callable[[Ring], Ring]) -> Ring:
    """Change the ring as the file holds it now, one command at a time: two rotations at once
    would otherwise each add "the next" key, and the fields one of them wrote be lost."""
    at = path()
    with open(at.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ring = change(read(at))
        _write(ring, at)
    return ring


def _write(ring: Ring, at: Path) -> None:
    """Replace the ring file in one step: a process reading it sees the old ring or the new."""
    body = {
        "current": ring.current,
        "keys": {str(v): s for v, s in sorted(ring.keys.items())},
        "retired": sorted(ring.retired),
    }
    temporary = at.with_suffix(".tmp")
    temporary.write_text(json.dumps(body, indent=2))
    temporary.chmod(0o600)
    os.replace(temporary, at)
    _loaded.forget()


class _Loaded:
    """The ring as last read, and when the file was last looked at."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ring: Ring | None = None
        self._stamp: tuple[str, int, int] | None = None
        self._looked = 0.0

    def get(self) -> Ring:
        now = time.monotonic()
        if self._ring is not None and now - self._looked < RELOAD_S:
            return self._ring
        with self._lock:
            at = path()
            try:
                stat = at.stat()
                stamp = (str(at), stat.st_mtime_ns, stat.st_size)
            except FileNotFoundError:
                stamp = (str(at), 0, 0)
            if self._ring is None or stamp != self._stamp:
                self._ring, self._stamp = read(at), stamp
            self._looked = now
            return self._ring

    def forget(self) -> None:
        with self._lock:
            self._ring = None


_loaded = _Loaded()


def ring() -> Ring:
    return _loaded.get()


def forget() -> None:
    """Read the ring again on next use (settings changed)."""
    _loaded.forget()


@cache
def _fernet(secret: str) -> Fernet:
    derived = hmac.new(secret.encode(), b"kieubao.fields.v1", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def fernet(version: int) -> Fernet | None:
    secret = ring().secret(version)
    return None if secret is None else _fernet(secret)
