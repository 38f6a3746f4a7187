"""Privacy stories: people asking about their data, officers answering within the law's
time limits, and HQ keeping the breach register."""

import pytest

from kieubao.domains import install_templates


@pytest.fixture(autouse=True)
def _templates() -> None:
    """Actions render mail and outbox messages from every domain's templates."""
    install_templates()
