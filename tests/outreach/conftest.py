"""Advisory stories: officers at a mission and at headquarters warning citizens about a country."""

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from kieubao.outreach import actions
from kieubao.outreach.models import AdvisoryVersion
from kieubao.outreach.schemas import AdvisoryIn
from kieubao.platform.models import Role, User
from tests.personas import make_user


def advisory_in(**overrides: Any) -> AdvisoryIn:
    values: dict[str, Any] = {
        "country": "JP",
        "level": 2,
        "reasons": ["disaster"],
        "advice_vi": "<p>Theo dõi thông tin động đất và sóng thần.</p>",
        "advice_en": "<p>Follow earthquake and tsunami warnings.</p>",
        "entry_vi": "<p>Miễn thị thực 15 ngày không áp dụng.</p>",
        "entry_en": "<p>A visa is required.</p>",
    }
    values.update(overrides)
    return AdvisoryIn.model_validate(values)


@pytest.fixture
def second_hq_officer(session: Session) -> User:
    return make_user(session, "tuan.hq@mofa.gov.vn", Role.hq_officer)


@pytest.fixture
def publish_advisory(
    session: Session, tokyo_officer: User, hq_officer: User
) -> Callable[..., AdvisoryVersion]:
    """Drafted at the Tokyo embassy, approved and published at headquarters."""

    def publish(**overrides: Any) -> AdvisoryVersion:
        version = actions.draft_advisory(
            session, acting_user=tokyo_officer, data=advisory_in(**overrides)
        )
        actions.submit_for_review(session, acting_user=tokyo_officer, version=version)
        actions.approve(session, acting_user=hq_officer, version=version)
        return actions.publish(session, acting_user=hq_officer, version=version)

    return publish
