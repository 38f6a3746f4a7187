"""What the process keeps a few seconds instead of reading it for every batch."""

import pytest
from sqlalchemy.orm import Session

from kieubao.platform import db
from kieubao.platform.db import HELD_S, forget_held, held_briefly


def test_what_is_held_is_read_again_when_old_forgotten_or_of_another_database(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []

    def load() -> int:
        reads.append(len(reads))
        return len(reads)

    clock = [1000.0]
    monkeypatch.setattr(db.time, "monotonic", lambda: clock[0])
    forget_held("test.counted")
    assert [held_briefly(session, "test.counted", load) for _ in range(3)] == [1, 1, 1]
    clock[0] += HELD_S - 0.1
    assert held_briefly(session, "test.counted", load) == 1
    clock[0] += 0.2
    assert held_briefly(session, "test.counted", load) == 2
    forget_held("test.counted")
    assert held_briefly(session, "test.counted", load) == 3
    with db.new_session() as elsewhere:
        monkeypatch.setattr(elsewhere, "get_bind", lambda: object())
        assert held_briefly(elsewhere, "test.counted", load) == 4
    forget_held("test.counted")
