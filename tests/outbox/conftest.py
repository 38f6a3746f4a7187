"""An SMTP sink for the outbox tests, with the settings pointing email at it."""

from collections.abc import Iterator

import pytest

from kieubao.platform.settings import get_settings
from kieubao.platform.smtp_sink import Sink


@pytest.fixture
def sink(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sink]:
    with Sink() as running:
        monkeypatch.setattr(get_settings(), "smtp_host", "127.0.0.1")
        monkeypatch.setattr(get_settings(), "smtp_port", running.port)
        yield running
