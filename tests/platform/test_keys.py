"""Key rotation: a new key made current while people keep registering, every stored field
re-encrypted under it, the old key retired, and nothing unreadable, unchained or unrestorable
afterwards."""

import json
import os
import string
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from kieubao.domains import load_models
from kieubao.platform import audit, db, keyring, keys
from kieubao.platform.backup import backup, restore
from kieubao.platform.crypto import decrypt, encrypt
from kieubao.platform.settings import get_settings
from kieubao.registry import actions as registry
from kieubao.registry.models import Citizen
from kieubao.registry.schemas import CitizenIn
from tests.backends import POSTGRES_URL, postgres_available
from tests.faults import serving

ACTOR = audit.System("key tests")


@pytest.fixture
def ring_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    load_models()
    at = tmp_path / "data.keys"
    monkeypatch.setenv("KIEUBAO_DATA_KEYRING", str(at))
    get_settings.cache_clear()
    keyring.forget()
    yield at
    monkeypatch.undo()
    get_settings.cache_clear()
    keyring.forget()


@pytest.fixture(params=["sqlite", "postgres"])
def live(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    ring_file: Path,
) -> Iterator[Engine]:
    """A database committed for real, as the service and the command share it."""
    if request.param == "sqlite":
        engine = serving(f"sqlite:///{tmp_path}/live.db", monkeypatch)
        yield engine
        engine.dispose()
        return
    postgres_available()
    name = f"kieubao_keys_{os.getpid()}"
    admin = db.build_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = serving(url, monkeypatch)
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _letters(n: int) -> str:
    return "".join(chr(ord("a") + int(d)) for d in str(n))


def _register(n: int, prefix: str) -> None:
    with db.new_session() as session:
        for i in range(n):
            registry.register_citizen(
                session,
                acting_user=ACTOR,
                data=CitizenIn(
                    full_name=f"Trần Văn {prefix} {_letters(i)}",
                    date_of_birth="1985-03-04",
                    passport_no=f"{prefix[0].upper()}{i:07d}",
                    country="JP",
                    city="Osaka",
                ),
            )


def _stored(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(text("SELECT passport_no FROM citizens ORDER BY id")).all())


def _passports(engine: Engine) -> list[str | None]:
    with Session(engine) as session:
        return list(session.scalars(select(Citizen.passport_no).order_by(Citizen.id)))


def test_fields_written_before_any_rotation_read_as_always(ring_file: Path) -> None:
    token = encrypt("B7654321")
    assert not token.startswith("v") and decrypt(token) == "B7654321"
    assert not ring_file.exists()


def test_rotation_under_concurrent_registrations_leaves_every_field_on_the_new_key(
    live: Engine, tmp_path: Path
) -> None:
    _register(30, "before")
    stop = threading.Event()
    written = []

    def keep_registering() -> None:
        while not stop.is_set():
            _register(1, f"during{_letters(len(written))}")
            written.append(1)

    writer = threading.Thread(target=keep_registering)
    writer.start()
    try:
        with db.new_session() as session:
            done = keys.rotate(session, acting_user=ACTOR, size=7, settle_s=0.05)
    finally:
        stop.set()
        writer.join()

    assert done.version == 2 and done.rewritten >= 30 and written
    # The writer's citizens after the switch were written with key 2 from the start.
    assert all(token.startswith("v2:") for token in _stored(live))
    with db.new_session() as session:
        assert keys.census(session) == {2: 30 + len(written)}
        keys.retire(session, acting_user=ACTOR, version=1)
        assert audit.verify(session).ok
    assert keyring.ring().versions == [2]
    passports = _passports(live)
    assert passports[:2] == ["B0000000", "B0000001"] and len(passports) == 30 + len(written)

    # A copy taken now restores to fields the ring reads.
    url = live.url.render_as_string(hide_password=False)
    copy = backup(url, tmp_path / "copy")
    _register(2, "after")
    live.dispose()  # the service is stopped for a restore
    restore(url, copy.path)
    assert _passports(live) == passports


def test_a_retired_key_reads_nothing_and_a_key_in_use_is_not_retired(live: Engine) -> None:
    _register(3, "old")
    with db.new_session() as session:
        keys.make_current(session, acting_user=ACTOR)
        with pytest.raises(keys.KeyProblem, match="3 stored fields still use key 1"):
            keys.retire(session, acting_user=ACTOR, version=1)
        with pytest.raises(keys.KeyProblem, match="current key"):
            keys.retire(session, acting_user=ACTOR, version=2)
        keys.rotate(session, acting_user=ACTOR, resume=True, settle_s=0)
        keys.retire(session, acting_user=ACTOR, version=1)
        with pytest.raises(keys.KeyProblem, match="not in the ring"):
            keys.retire(session, acting_user=ACTOR, version=1)
    old_token = _stored(live)[0].removeprefix("v2:")
    with pytest.raises(ValueError, match="version 1, not in the key ring"):
        decrypt(old_token)


def test_a_pass_cut_short_is_resumed_where_it_stopped(live: Engine) -> None:
    _register(10, "resumed")

    def power_cut(n: int) -> None:
        raise KeyboardInterrupt

    with db.new_session() as session, pytest.raises(KeyboardInterrupt):
        keys.rotate(session, acting_user=ACTOR, size=4, progress=power_cut, settle_s=0)
    # The first batch was committed before the cut.
    with db.new_session() as session:
        assert keys.stale_count(session, 2) == 6
    with db.new_session() as session:
        done = keys.rotate(session, acting_user=ACTOR, resume=True, settle_s=0)
    assert done.version == 2 and done.rewritten == 6 and done.census == {2: 10}


def test_a_given_key_must_be_long_enough(live: Engine) -> None:
    with db.new_session() as session, pytest.raises(keys.KeyProblem, match="32 characters"):
        keys.make_current(session, acting_user=ACTOR, secret="short")
    assert keyring.ring().current == 1


def test_the_commands_rotate_report_and_retire(live: Engine) -> None:
    from kieubao.cli import build

    _register(4, "cli")
    runner = CliRunner()
    rotated = runner.invoke(build(), ["keys", "rotate", "--key", "k" * 40])
    assert rotated.exit_code == 0, rotated.output
    assert "key 2 is current; 4 fields re-encrypted" in rotated.output
    refused = runner.invoke(build(), ["keys", "retire", "--version", "2"])
    assert refused.exit_code == 1 and "current key" in refused.output
    retired = runner.invoke(build(), ["keys", "retire", "--version", "1"])
    assert retired.exit_code == 0, retired.output
    status = runner.invoke(build(), ["keys", "status"])
    assert "key 2 (current): 4 fields" in status.output
    assert keyring.read(keyring.path()).keys == {2: "k" * 40}


@given(
    version=st.integers(min_value=1, max_value=10**6),
    body=st.text(alphabet=string.ascii_letters + string.digits + "-_=", min_size=1),
)
def test_a_token_names_the_key_that_wrote_it(version: int, body: str) -> None:
    # Fernet tokens are URL-safe base64: never a colon, so no body is mistaken for a mark.
    assert keyring.split(keyring.prefix(version) + body) == (version, body)


def test_a_running_process_follows_a_ring_another_process_changed(
    ring_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keyring, "RELOAD_S", 0.05)
    assert keyring.ring().current == 1
    before = encrypt("C7654321")
    # The command line writes the file; this process's cached ring does not know yet.
    ring_file.write_text(json.dumps({"current": 2, "keys": {"2": "n" * 40}, "retired": []}))
    time.sleep(0.1)
    after = encrypt("C7654321")
    assert not before.startswith("v2:") and after.startswith("v2:")
    assert decrypt(before) == decrypt(after) == "C7654321"


def test_two_rotations_started_at_once_each_add_their_own_key(live: Engine) -> None:
    def make() -> None:
        with db.new_session() as session:
            keys.make_current(session, acting_user=ACTOR)

    both = [threading.Thread(target=make) for _ in range(2)]
    for thread in both:
        thread.start()
    for thread in both:
        thread.join()
    ring = keyring.ring()
    assert ring.current == 3 and sorted(ring.keys) == [2, 3]
