"""Demo data: the coordination program with its articles and a few tasks, and Resolution 36
with indicators. Figures are marked as illustrative in their source."""

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.coordination import actions
from kieubao.coordination.models import Program, Resolution
from kieubao.coordination.schemas import (
    AgencyIn,
    ArticleIn,
    GoalIn,
    IndicatorIn,
    MemberIn,
    ProgramIn,
    ResolutionIn,
    TaskIn,
    ValueIn,
)
from kieubao.platform import audit
from kieubao.platform.db import utcnow
from kieubao.platform.models import User

ILLUSTRATIVE = "Số liệu minh họa (demo)"
AGENCIES = [
    (
        "UBNV",
        "Ủy ban Nhà nước về người Việt Nam ở nước ngoài",
        "State Committee for Overseas Vietnamese",
    ),
    ("DVTW", "Ban Dân vận Trung ương", "Central Mass Mobilization Commission"),
    ("CLS", "Cục Lãnh sự", "Consular Department"),
]
ARTICLES = [
    "Tuyên truyền, vận động đồng bào ở nước ngoài hướng về quê hương",
    "Trao đổi thông tin về tình hình cộng đồng và công tác vận động",
    "Phối hợp tổ chức sự kiện, đoàn công tác và hội nghị",
    "Sơ kết, tổng kết thực hiện chương trình",
]


def load(session: Session, *, acting_user: audit.Actor, partner_email: str) -> None:
    """Safe to run again: nothing is added twice."""
    for code, vi, en in AGENCIES:
        data = AgencyIn(code=code, name_vi=vi, name_en=en)
        actions.save_agency(session, acting_user=acting_user, data=data)
    partner = session.scalar(select(User).where(User.email == partner_email))
    if partner is not None:
        member = MemberIn(user_id=partner.id, agency="DVTW")
        actions.link_member(session, acting_user=acting_user, data=member)
    if session.scalar(select(Program.id).limit(1)) is None:
        _program(session, acting_user)
    if session.scalar(select(Resolution.id).limit(1)) is None:
        _resolution_36(session, acting_user)


def _program(session: Session, actor: audit.Actor) -> None:
    program = actions.create_program(
        session,
        acting_user=actor,
        data=ProgramIn(
            title="Chương trình phối hợp giữa Ban Dân vận Trung ương và Ủy ban Nhà nước về "
            "người Việt Nam ở nước ngoài",
            signed_on=date(2024, 3, 15),
            ends_on=date(2029, 3, 15),
            agencies=["DVTW", "UBNV"],
            articles=[ArticleIn(number=i, title=t) for i, t in enumerate(ARTICLES, 1)],
        ),
    )
    today = utcnow().date()
    plan = [
        (0, "Biên soạn tài liệu tuyên truyền cho kiều bào", "UBNV", ["DVTW"], -20),
        (1, "Báo cáo tình hình cộng đồng sáu tháng", "UBNV", ["DVTW", "CLS"], 25),
        (2, "Đoàn công tác thăm cộng đồng tại Nhật Bản", "DVTW", ["UBNV"], 60),
        (3, "Sơ kết một năm thực hiện chương trình", "UBNV", ["DVTW"], 120),
    ]
    for article, title, lead, support, days in plan:
        task = TaskIn(
            title=title,
            article_id=program.articles[article].id,
            lead_agency=lead,
            supporting_agencies=support,
            owner="Vụ Thông tin – Văn hóa" if lead == "UBNV" else "Vụ Dân tộc – Tôn giáo",
            deadline=today + timedelta(days=days),
        )
        actions.create_task(session, acting_user=_hq(session), data=task)


def _hq(session: Session) -> User:
    """Tasks are set by headquarters: the demo's HQ officer."""
    hq = session.scalar(select(User).where(User.email == "hq@kieubao.test"))
    assert hq is not None, "demo officers are loaded first"
    return hq


def _resolution_36(session: Session, actor: audit.Actor) -> None:
    resolution = actions.create_resolution(
        session,
        acting_user=actor,
        data=ResolutionIn(
            code="36-NQ/TW",
            title="Nghị quyết 36-NQ/TW về công tác đối với người Việt Nam ở nước ngoài",
            issued_on=date(2004, 3, 26),
            goals=[
                GoalIn(
                    title="Huy động nguồn lực kiều bào cho phát triển đất nước",
                    indicators=[
                        IndicatorIn(
                            name="Kiều hối",
                            unit="tỷ USD",
                            baseline=3.0,
                            target=20.0,
                            target_year=2030,
                        ),
                        IndicatorIn(
                            name="Trí thức kiều bào tham gia tư vấn",
                            unit="người",
                            baseline=100,
                            target=1000,
                            target_year=2030,
                        ),
                    ],
                ),
                GoalIn(
                    title="Giữ gìn tiếng Việt trong cộng đồng",
                    indicators=[
                        IndicatorIn(
                            name="Lớp tiếng Việt ở nước ngoài",
                            unit="lớp",
                            baseline=50,
                            target=500,
                            target_year=2030,
                        ),
                    ],
                ),
            ],
        ),
    )
    series: dict[int, list[float]] = {
        0: [10.0, 12.5, 15.0, 16.5],
        1: [250, 380, 520, 610],
        2: [120, 180, 240, 310],
    }
    indicators = [i for g in resolution.goals for i in g.indicators]
    for n, values in series.items():
        for year, value in zip(range(2021, 2025), values, strict=True):
            data = ValueIn(period_end=date(year, 12, 31), value=value, source=ILLUSTRATIVE)
            actions.report_value(session, acting_user=actor, indicator=indicators[n], data=data)
