"""An Osaka resident asks to be forgotten: after the officer carries the request out, nothing
the database holds names her, reaches her or identifies her, while the audit chain still
verifies and the figures that counted her still count."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.community import actions as community
from kieubao.community.schemas import ExpertIn, VolunteerIn
from kieubao.crisis import actions as crisis
from kieubao.crisis import exposure
from kieubao.crisis.models import RosterEntry
from kieubao.crisis.schemas import SelfReportIn
from kieubao.inbound import routing
from kieubao.outreach import subscriptions
from kieubao.outreach.bulletin_schemas import SubscribeIn
from kieubao.platform import audit, outbox
from kieubao.platform.db import Base
from kieubao.platform.models import Role, User
from kieubao.platform.text import fold
from kieubao.privacy import actions
from kieubao.privacy.models import RequestKind, RequestStatus
from kieubao.privacy.schemas import RequestIn
from kieubao.protection import actions as protection
from kieubao.protection import search
from kieubao.protection.models import CaseSubject, Channel
from kieubao.protection.schemas import CaseIn
from kieubao.registry import actions as registry
from kieubao.registry.models import Citizen, RecordStatus
from tests.personas import SYSTEM, citizen_in, make_user

NAME, EMAIL, PHONE, PASSPORT = (
    "Nguyễn Thị Hạnh",
    "hanh.nguyen@example.jp",
    "+81 80 5555 0199",
    "C7654321",
)
NEEDLES = (NAME, "nguyen thi hanh", EMAIL, PHONE, "818055550199", "8055550199", PASSPORT)
OSAKA = {"circles": [{"lat": 34.69, "lon": 135.50, "radius_km": 60}]}


def plaintext_left(session: Session) -> list[str]:
    """Every value of every column of every table, read through the models' types (so
    encrypted columns are read decrypted), searched for anything that identifies her."""
    found = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)).mappings():
            for column, value in row.items():
                text = str(value).lower()
                found += [f"{table.name}.{column}: {n}" for n in NEEDLES if n.lower() in text]
    return found


def test_erasure_reaches_every_domain_and_the_chain_still_verifies(
    session: Session,
    make_citizen: Callable[..., Citizen],
    hq_officer: User,
    tokyo_officer: User,
    api: Callable[[User | None], Any],
) -> None:
    account = make_user(session, EMAIL, Role.citizen)
    hanh = registry.register_citizen(
        session,
        acting_user=account,
        data=citizen_in(
            full_name=NAME, sex="female", date_of_birth="1995-02-14", email=EMAIL,
            phones=[PHONE], passport_no=PASSPORT,
        ),
        source="self",
        user_id=account.id,
    )  # fmt: skip
    neighbour = make_citizen(full_name="Phạm Văn Bình", date_of_birth="1980-01-01")
    # She is the subject of a protection case a friend reported, naming her in the text.
    protection.load_case_types(session, acting_user=SYSTEM)
    case = protection.open_case(
        session,
        acting_user=SYSTEM,
        report=CaseIn.model_validate(
            {
                "case_type": "accident_injury", "country": "JP",
                "description": f"{NAME} bị tai nạn giao thông ở Osaka, đang nằm viện.",
                "reporter": {"name": "Lý Thu Trang", "phone": "+81 90 7777 1111"},
                "subject": {"full_name": NAME, "date_of_birth": "1995-02-14"},
            }
        ),
        channel=Channel.web,
    ).case  # fmt: skip
    assert case.subjects[0].citizen_id == hanh.id  # the intake matched her record
    # She writes about her case by email, the case number in the subject.
    routing.receive(
        session,
        routing.Received(
            provider="smtp",
            subject=f"Vụ việc {case.number}",
            message=protection.Inbound(
                channel=Channel.email, sender=EMAIL, provider_id="<hanh-1@example.jp>",
                text=f"Tôi là {NAME}, đã xuất viện.",
            ),
        ),
    )  # fmt: skip
    # She is on a crisis roster, with a note, and reported herself safe in the area.
    emergency = crisis.open_crisis(session, acting_user=hq_officer, title="Động đất", area=OSAKA)
    entry = session.scalar(select(RosterEntry).where(RosterEntry.citizen_id == hanh.id))
    assert entry is not None
    crisis.record_status(
        session, acting_user=tokyo_officer, entry=entry, status="safe", source="officer_call",
        note=f"Gọi cho {NAME} ở số {PHONE}: an toàn",
    )  # fmt: skip
    crisis.receive_self_report(
        session,
        crisis_id=emergency.id,
        data=SelfReportIn.model_validate(
            {
                "people": [{"full_name": NAME, "date_of_birth": "1995-02-14"}],
                "phone": PHONE,
                "country": "JP",
                "status": "safe",
            }
        ),
    )
    # She is in the experts' directory, and volunteers as a driver.
    community.save_expert(
        session,
        acting_user=hq_officer,
        data=ExpertIn.model_validate(
            {"full_name": NAME, "country": "JP", "email": EMAIL, "fields": ["seismology"],
             "affiliations": ["Đại học Osaka"], "consent_listing": True}
        ),
    )  # fmt: skip
    community.save_volunteer(
        session,
        acting_user=hq_officer,
        data=VolunteerIn.model_validate(
            {"full_name": NAME, "country": "JP", "phone": PHONE, "skills": ["driver"]}
        ),
    )
    # She subscribed to advisories, and messages went to her.
    subscriptions.subscribe(
        session,
        acting_user=None,
        data=SubscribeIn(email=EMAIL, countries=["JP"], topics=["advisories"]),  # type: ignore[arg-type]
    )
    outbox.queue(
        session, send_key="t-1", kind="notice",
        context={"subject": f"Thư cho {NAME}", "body": "…"},
        messages=[outbox.Message(key="t-1-1", channel="email", address=EMAIL)],
    )  # fmt: skip
    # She asked for a sign-in link on the portal.
    sign_in = api(None).post(
        "/login/citizen", data={"email": EMAIL}, headers={"Accept": "text/html"}
    )
    assert sign_in.status_code == 200
    session.commit()
    assert hanh.id in exposure.ids_in_area(session, OSAKA)
    assert search.find(session, hq_officer, fold(NAME)).ids == [case.id]
    assert plaintext_left(session), "the story must have put her data in the database"

    request = actions.receive_request(
        session, acting_user=account, citizen=hanh, data=RequestIn(kind=RequestKind.erasure)
    )
    actions.move_request(
        session, acting_user=hq_officer, request=request, status=RequestStatus.in_progress
    )
    actions.carry_out(session, acting_user=hq_officer, request=request, citizen=hanh)

    assert request.status is RequestStatus.done
    assert plaintext_left(session) == [], "\n".join(plaintext_left(session))
    assert audit.verify(session).ok
    session.refresh(hanh)
    assert hanh.status is RecordStatus.erased and hanh.country == "JP"
    # The case is kept by law, the person in it pseudonymised and unlinked.
    subject = session.get(CaseSubject, case.subjects[0].id)
    assert subject is not None and subject.full_name == "—" and subject.citizen_id is None
    # The roster still counts her as safe; the exposure index no longer holds her.
    assert entry.status == "safe"
    assert hanh.id not in exposure.ids_in_area(session, OSAKA)
    # Nor does the case search find the case by her name, only by its number.
    assert search.find(session, hq_officer, fold(NAME)).ids == []
    assert search.find(session, hq_officer, case.number).ids == [case.id]
    # Others are untouched.
    session.refresh(neighbour)
    assert neighbour.full_name == "Phạm Văn Bình"
    assert session.get(User, account.id).is_active is False  # type: ignore[union-attr]


def test_finished_import_files_go_with_an_imported_persons_erasure(
    session: Session, hq_officer: User, tmp_path: Path
) -> None:
    """Which spreadsheet held a person is not kept, so every finished import's file goes."""
    from kieubao.registry.actions.imports import start_import

    data = "full_name,date_of_birth,country,city\nĐỗ Văn Tâm,1970-03-03,JP,Osaka\n".encode()
    job = start_import(session, acting_user=hq_officer, filename="osaka.csv", data=data)
    session.refresh(job)
    stored = Path(job.stored_path or str(tmp_path / "none"))
    tam = session.scalar(select(Citizen).where(Citizen.full_name == "Đỗ Văn Tâm"))
    assert tam is not None and job.status == "done" and stored.exists()
    actions.erase_everywhere(session, acting_user=hq_officer, citizen=tam)
    session.commit()
    assert not stored.exists()
    assert job.stored_path == ""


def test_the_family_keeps_its_household_without_the_erased_persons_name(
    session: Session, hq_officer: User
) -> None:
    household = registry.register_household(
        session,
        acting_user=hq_officer,
        name="Gia đình Lương Văn Cường",
        members=[
            citizen_in(full_name="Lương Văn Cường", date_of_birth="1975-06-01"),
            citizen_in(full_name="Lương Thị Mai", date_of_birth="2010-09-09", phones=[]),
        ],
        relations=["head", "child"],
    )
    father, daughter = household.members
    actions.erase_everywhere(session, acting_user=hq_officer, citizen=father)
    session.commit()
    session.refresh(household)
    assert household.name == "" and [m.full_name for m in household.members] == ["Lương Thị Mai"]
    assert daughter.household_id == household.id and father.household_id is None
