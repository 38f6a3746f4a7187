"""The two agencies of the coordination program, and the partner analyst working for one."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from kieubao.coordination import actions
from kieubao.coordination.models import Agency
from kieubao.coordination.schemas import AgencyIn, MemberIn
from kieubao.platform.models import User
from tests.personas import SYSTEM

Api = Callable[[User | None], TestClient]


@pytest.fixture
def agencies(session: Session) -> dict[str, Agency]:
    made = {}
    for code, vi, en in (
        ("UBNV", "Ủy ban Nhà nước về người Việt Nam ở nước ngoài", "State Committee for OV"),
        ("DVTW", "Ban Dân vận Trung ương", "Central Mass Mobilization Commission"),
        ("CLS", "Cục Lãnh sự", "Consular Department"),
    ):
        data = AgencyIn(code=code, name_vi=vi, name_en=en)
        made[code] = actions.save_agency(session, acting_user=SYSTEM, data=data)
    return made


@pytest.fixture
def dvtw_analyst(session: Session, partner_analyst: User, agencies: dict[str, Agency]) -> User:
    """The partner-agency analyst works for the Central Mass Mobilization Commission."""
    actions.link_member(
        session, acting_user=SYSTEM, data=MemberIn(user_id=partner_analyst.id, agency="DVTW")
    )
    return partner_analyst
