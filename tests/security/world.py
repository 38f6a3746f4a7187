"""The world the security tests speak of: a citizen (A) in Osaka and one (B) in Berlin, an
officer of each mission, headquarters, a partner agency's analyst, an editor and an
administrator; a protection case and a crisis in Japan; a bearer token per persona."""

from typing import Any

from sqlalchemy.orm import Session

from kieubao.coordination import actions as coordination
from kieubao.coordination.schemas import AgencyIn, MemberIn
from kieubao.crisis import actions as crisis
from kieubao.crisis import queries as crisis_queries
from kieubao.platform import accounts
from kieubao.platform.db import utcnow
from kieubao.platform.deps import scope_of
from kieubao.platform.models import Role
from kieubao.privacy import actions as privacy
from kieubao.privacy.models import RequestKind
from kieubao.privacy.schemas import BreachIn, RequestIn
from kieubao.protection import actions as protection
from kieubao.protection.models import Channel
from kieubao.protection.schemas import CaseIn
from kieubao.registry import actions as registry
from tests.crisis.conftest import usgs_feed
from tests.personas import SYSTEM, citizen_in, make_user

ANONYMOUS, A, B = "anonymous", "citizen_a", "citizen_b"
TOKYO, BERLIN, HQ, PARTNER, EDITOR, ADMIN = (
    "tokyo_officer",
    "berlin_officer",
    "hq_officer",
    "partner_analyst",
    "community_editor",
    "admin",
)
PERSONAS = (ANONYMOUS, A, B, TOKYO, BERLIN, HQ, PARTNER, EDITOR, ADMIN)


def build_world(session: Session) -> dict[str, Any]:
    """The objects the paths name, and a bearer token per persona."""
    protection.load_case_types(session, acting_user=SYSTEM)
    users = {
        A: make_user(session, "a@example.jp", Role.citizen),
        B: make_user(session, "b@example.de", Role.citizen),
        TOKYO: make_user(session, "tokyo@mofa.gov.vn", Role.mission_officer, "JP-TYO-EMB"),
        BERLIN: make_user(session, "berlin@mofa.gov.vn", Role.mission_officer, "DE-BER-EMB"),
        HQ: make_user(session, "hq@mofa.gov.vn", Role.hq_officer),
        PARTNER: make_user(session, "partner@danvan.vn", Role.partner_agency),
        EDITOR: make_user(session, "editor@mofa.gov.vn", Role.community_editor),
        ADMIN: make_user(session, "admin@mofa.gov.vn", Role.admin),
    }
    a = registry.register_citizen(
        session, acting_user=SYSTEM, data=citizen_in(), source="self", user_id=users[A].id
    )
    registry.register_citizen(
        session,
        acting_user=SYSTEM,
        data=citizen_in(full_name="Trần Thị Bích", country="DE", city="Berlin", phones=[]),
        source="self",
        user_id=users[B].id,
    )
    case = protection.open_case(
        session,
        acting_user=SYSTEM,
        report=CaseIn.model_validate(
            {
                "case_type": "arrest_detention",
                "country": "JP",
                "description": "Bị cảnh sát Osaka bắt giữ, gia đình không liên lạc được.",
                "reporter": {"name": "Trần Thị Mai", "phone": "+84 912 345 678"},
                "subject": {"full_name": "Lê Văn Hùng", "date_of_birth": "1998-03-02"},
            }
        ),
        channel=Channel.web,
    ).case
    protection.receive_message(
        session,
        acting_user=SYSTEM,
        case=case,
        message=protection.Inbound(
            channel=Channel.email,
            sender="mai.tran@example.vn",
            provider_id="<scan@example.vn>",
            text="Ảnh hộ chiếu của cháu.",
            files=[protection.IncomingFile("passport.jpg", "image/jpeg", b"\xff\xd8 scan")],
        ),
    )
    quake = {"id": "us7000osak", "mag": 6.5, "lat": 34.62, "lon": 135.45}
    hazard_id = crisis.ingest(session, acting_user=SYSTEM, body=usgs_feed(quake)).hazard_ids[0]
    hazard = crisis_queries.get_hazard(session, hazard_id)
    japan = crisis.open_crisis(session, acting_user=users[HQ], title="", hazard=hazard)
    entry, _ = crisis_queries.roster(session, japan, scope_of(users[HQ]))[0]
    # The partner analyst works for the Central Mass Mobilization Commission.
    coordination.save_agency(
        session,
        acting_user=SYSTEM,
        data=AgencyIn(
            code="BDVTW",
            name_vi="Ban Dân vận Trung ương",
            name_en="Central Mass Mobilization Commission",
        ),
    )
    coordination.link_member(
        session, acting_user=SYSTEM, data=MemberIn(user_id=users[PARTNER].id, agency="BDVTW")
    )
    asked = privacy.receive_request(
        session, acting_user=users[A], citizen=a, data=RequestIn(kind=RequestKind.access)
    )
    breach = privacy.record_breach(
        session,
        acting_user=users[HQ],
        data=BreachIn(title="Laptop lost", discovered_at=utcnow(), description="Unencrypted."),
    )
    tokens = {
        name: accounts.create_api_token(session, acting_user=SYSTEM, user=user)
        for name, user in users.items()
    }
    accounts.create_api_token(session, acting_user=SYSTEM, user=users[EDITOR], label="spare")
    spare_id = accounts.api_tokens(session, user=users[EDITOR])[0].id
    return {
        "tokens": tokens,
        "params": {
            "citizen_id": str(a.id),
            "request_id": str(asked.id),
            "breach_id": str(breach.id),
            "number": case.number,
            "hazard_id": str(hazard_id),
            "crisis_id": str(japan.id),
            "entry_id": str(entry.id),
            "country": "JP",
            "/r/{token}": crisis.reply_link_token(entry),
            "/countries/{code}": "JP",
            "/api/v1/cases/{number}/steps/{code}": case.steps[0].code,
            "/console/cases/{number}/steps/{code}": case.steps[0].code,
            "subject_id": str(case.subjects[0].id),
            "attachment_id": str(case.attachments[0].id),
            "gateway_name": "gateway",
            "token_id": str(spare_id),
        },
    }
