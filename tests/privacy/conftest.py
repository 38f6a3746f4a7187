"""Privacy stories: people asking about their data, officers answering within the law's
time limits, and HQ keeping the breach register."""

from collections.abc import Iterator

import pytest

from kieubao.crisis import exposure
from kieubao.domains import install_templates


@pytest.fixture(autouse=True)
def _templates() -> None:
    """Actions render mail and outbox messages from every domain's templates."""
    install_templates()


@pytest.fixture(autouse=True)
def _fresh_exposure_index(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The index lives in the process: each story builds it from its own database, and
    reads the registry's changes at every count."""
    monkeypatch.setattr(exposure, "SYNC_INTERVAL_S", 0.0)
    exposure.reset()
    yield
    exposure.reset()
