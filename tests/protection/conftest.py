"""Protection stories: relatives reporting people in trouble, officers working the cases."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from kieubao.platform.models import User
from kieubao.protection import actions, limits
from kieubao.protection.actions.intake import Intake
from kieubao.protection.models import Channel
from kieubao.protection.schemas import CaseIn
from tests.personas import SYSTEM


@pytest.fixture(autouse=True)
def fresh_limits() -> Iterator[None]:
    """Counts of attempts live in the process: each story starts with none."""
    limits.intake.reset()
    limits.wrong_pin.reset()
    yield
    limits.intake.reset()
    limits.wrong_pin.reset()


@pytest.fixture
def case_types(session: Session) -> None:
    actions.load_case_types(session, acting_user=SYSTEM)


def report(**overrides: Any) -> dict[str, Any]:
    """A mother in Nghệ An reports her son held by the police in Osaka."""
    body: dict[str, Any] = {
        "case_type": "arrest_detention",
        "country": "JP",
        "description": (
            "Con trai tôi bị cảnh sát Osaka bắt giữ từ hôm qua, gia đình không liên lạc được."
        ),
        "reporter": {"name": "Trần Thị Mai", "phone": "+84 912 345 678", "relation": "mother"},
        "subject": {"full_name": "Lê Văn Hùng", "date_of_birth": "1998-03-02"},
    }
    body.update(overrides)
    return body


@pytest.fixture
def open_case(session: Session, case_types: None) -> Callable[..., Intake]:
    def make(actor: User | None = None, **overrides: Any) -> Intake:
        return actions.open_case(
            session,
            acting_user=actor or SYSTEM,
            report=CaseIn.model_validate(report(**overrides)),
            channel=Channel.web,
        )

    return make
