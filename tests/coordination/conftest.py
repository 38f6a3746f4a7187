"""The two agencies of the coordination program, the partner analyst working for one, and
community events with their delegates for reviews and situation reports to count."""

from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from kieubao.community import actions as community
from kieubao.community.models import Event
from kieubao.community.schemas import DelegateIn, EventIn
from kieubao.coordination import actions
from kieubao.coordination.models import Agency
from kieubao.coordination.schemas import AgencyIn, MemberIn
from kieubao.platform.models import User
from tests.personas import SYSTEM

Api = Callable[[User | None], TestClient]
MakeEvent = Callable[..., Event]
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hải", "Khoa", "Linh", "Minh", "Nga")


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


@pytest.fixture
def held_event(session: Session, community_editor: User) -> MakeEvent:
    """An event with ``approved`` delegates approved, the first ``checked_in`` of them checked
    in at the door, and ``pending`` more still waiting."""

    def make(
        *,
        title: str,
        country: str,
        city: str,
        starts_on: date,
        approved: int = 0,
        checked_in: int = 0,
        pending: int = 0,
    ) -> Event:
        data = EventIn(
            title=title, kind="forum", country=country, city=city, venue=None,
            starts_on=starts_on, ends_on=starts_on, capacity=max(approved + pending, 1),
        )  # fmt: skip
        event = community.save_event(session, acting_user=community_editor, data=data)
        for i in range(approved + pending):
            person = DelegateIn(
                full_name=f"{SURNAMES[i % 10]} Văn {GIVEN[i // 10 % 10]}",
                date_of_birth=f"19{70 + i % 30}-03-{1 + i % 28:02d}",
                country=country,
                email=f"delegate{event.id}-{i}@example.org",
            )
            delegate = community.register_delegate(
                session, acting_user=community_editor, event=event, data=person
            )
            if i < approved:
                community.decide_delegate(
                    session, acting_user=community_editor, delegate=delegate, status="approved"
                )
            if i < min(checked_in, approved):
                community.check_in(session, acting_user=community_editor, delegate=delegate)
        return event

    return make
