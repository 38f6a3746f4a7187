"""Advisories published at headquarters, for any country, to read on the portal."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from kieubao.outreach import actions
from kieubao.outreach.models import AdvisoryVersion
from kieubao.platform.models import Role, User
from kieubao.portal.cache import pages
from kieubao.protection import actions as protection
from tests.outreach.conftest import (
    advisory_in,
    publish_bulletin,  # noqa: F401 - the home shows bulletins
)
from tests.personas import SYSTEM, make_user


@pytest.fixture(autouse=True)
def no_kept_pages() -> Iterator[None]:
    """Each test's database is rolled back; the pages kept from it go too."""
    pages.clear()
    yield
    pages.clear()


@pytest.fixture
def case_types(session: Session) -> None:
    protection.load_case_types(session, acting_user=SYSTEM)


@pytest.fixture
def publish_advisory(session: Session, hq_officer: User) -> Callable[..., AdvisoryVersion]:
    """Drafted by one officer at headquarters, approved and published by another."""
    reviewer = make_user(session, "tuan.hq@mofa.gov.vn", Role.hq_officer)

    def publish(**overrides: Any) -> AdvisoryVersion:
        version = actions.draft_advisory(
            session, acting_user=hq_officer, data=advisory_in(**overrides)
        )
        actions.submit_for_review(session, acting_user=hq_officer, version=version)
        actions.approve(session, acting_user=reviewer, version=version)
        return actions.publish(session, acting_user=reviewer, version=version)

    return publish
