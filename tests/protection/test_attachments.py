"""Files that come with a case: kept with it, read only by those who may read the case."""

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kieubao.platform.models import User
from kieubao.platform.settings import get_settings
from kieubao.protection import actions
from kieubao.protection.actions import messages
from kieubao.protection.actions.intake import Intake
from kieubao.protection.models import CaseAttachment, Channel
from kieubao.protection.schemas import CaseIn
from tests.personas import SYSTEM
from tests.protection.conftest import report

PHOTO = actions.IncomingFile("ảnh hiện trường.jpg", "image/jpeg", b"\xff\xd8\xff photo")


@pytest.fixture
def berlin_case(session: Session, case_types: None) -> Callable[..., Intake]:
    def make(*files: actions.IncomingFile) -> Intake:
        return actions.open_from_message(
            session,
            acting_user=SYSTEM,
            report=CaseIn.model_validate(report(country="DE", city="Berlin")),
            message=actions.Inbound(
                channel=Channel.email,
                sender="mai.tran@example.vn",
                provider_id="<1@example.vn>",
                text="Tai nạn ở Berlin",
                files=files,
            ),
        )

    return make


def stored_files() -> list[Any]:
    return [p for p in (get_settings().var_dir / "attachments").rglob("*") if p.is_file()]


def test_only_officers_of_the_case_download_its_files(
    berlin_case: Callable[..., Intake],
    api: Any,
    berlin_officer: User,
    tokyo_officer: User,
    hq_officer: User,
    partner_analyst: User,
) -> None:
    case = berlin_case(PHOTO).case
    (attachment,) = case.attachments
    url = f"/console/cases/{case.number}/attachments/{attachment.id}"
    for officer in (berlin_officer, hq_officer):
        response = api(officer).get(url)
        assert response.status_code == 200 and response.content == PHOTO.data
        assert response.headers["x-content-type-options"] == "nosniff"
    assert api(tokyo_officer).get(url).status_code == 404
    assert api(partner_analyst).get(url).status_code == 403
    assert api(berlin_officer).get(f"{url}0").status_code == 404
    page = api(berlin_officer).get(f"/console/cases/{case.number}")
    assert "ảnh hiện trường.jpg" in page.text


def test_files_larger_than_allowed_are_refused_before_anything_is_written(
    berlin_case: Callable[..., Intake], session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "inbound_max_bytes", 4)
    before = stored_files()
    with pytest.raises(actions.TooLarge):
        berlin_case(PHOTO)
    session.rollback()
    assert stored_files() == before


def test_files_are_taken_back_out_when_the_case_cannot_be_written(
    berlin_case: Callable[..., Intake], session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = stored_files()

    def fail(_session: Session) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(messages, "commit", fail)
    with pytest.raises(RuntimeError):
        berlin_case(PHOTO)
    session.rollback()
    assert stored_files() == before
    assert session.scalar(select(func.count()).select_from(CaseAttachment)) == 0


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\mai\\hộ chiếu.pdf", "hộ chiếu.pdf"),
        ("\x00\x1b[31m.bashrc", "[31m.bashrc"),
        ("", "attachment"),
    ],
)
def test_a_senders_file_name_is_only_a_label(given: str, kept: str) -> None:
    assert messages.safe_filename(given) == kept


def test_a_case_closed_long_ago_forgets_its_files(
    berlin_case: Callable[..., Intake], session: Session
) -> None:
    from datetime import timedelta

    from kieubao.domains import modules
    from kieubao.platform.db import utcnow
    from kieubao.platform.retention import apply_rules

    modules("retention")
    case = berlin_case(PHOTO).case
    (attachment,) = case.attachments
    path = get_settings().var_dir / "attachments" / attachment.storage_key
    assert path.exists()
    case.status, case.closed_at = "closed", utcnow() - timedelta(days=365 * 11)
    session.commit()
    apply_rules(session, acting_user=SYSTEM, dry_run=False)
    assert session.scalar(select(func.count()).select_from(CaseAttachment)) == 0
    assert not path.exists()
