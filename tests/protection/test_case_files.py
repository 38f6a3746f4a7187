"""Officers keep papers with a case from the console: the scan of a note verbale with the
liaison entry, photos with an internal note, a document with a message to the reporter, who
downloads it from the tracking page. Plain forms: no script needed."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kieubao.platform.models import User
from kieubao.platform.settings import get_settings
from kieubao.protection.actions.intake import Intake
from kieubao.protection.models import CaseAttachment, CaseEvent

SCAN = b"%PDF-1.7\n" + b"0" * 4000 + b"\n%%EOF\n"
PHOTO = b"\xff\xd8\xff\xe0" + b"1" * 3000
File = tuple[str, tuple[str, bytes, str]]


def scan(
    name: str = "cong-ham-so-12.pdf", data: bytes = SCAN, kind: str = "application/pdf"
) -> File:
    return ("files", (name, data, kind))


def stored_files() -> list[Path]:
    return [p for p in (get_settings().var_dir / "attachments").rglob("*") if p.is_file()]


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def osaka(open_case: Callable[..., Intake]) -> Intake:
    return open_case()


def test_the_note_verbale_scan_is_kept_with_its_liaison_entry(
    osaka: Intake,
    api: Callable[[User | None], TestClient],
    tokyo_officer: User,
    berlin_officer: User,
    session: Session,
) -> None:
    number = osaka.case.number
    page = api(tokyo_officer).get(f"/console/cases/{number}").text
    assert 'enctype="multipart/form-data"' in page and 'type="file" name="files" multiple' in page
    answer = api(tokyo_officer).post(
        f"/console/cases/{number}/liaisons",
        data={
            "kind": "note_verbale",
            "authority": "Osaka Prefectural Police",
            "on": "2026-11-20",
            "reference": "12/NV-OSA",
        },
        files=[scan(), scan("phu-luc.jpg", PHOTO, "image/jpeg")],
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    session.expire_all()
    liaison = next(e for e in osaka.case.events if e.kind == "liaison")
    kept = sorted((a.filename, a.event_id, a.size) for a in osaka.case.attachments)
    assert kept == [
        ("cong-ham-so-12.pdf", liaison.id, len(SCAN)),
        ("phu-luc.jpg", liaison.id, len(PHOTO)),
    ]
    first = osaka.case.attachments[0]
    url = f"/console/cases/{number}/attachments/{first.id}"
    assert api(tokyo_officer).get(url).content == SCAN
    assert api(berlin_officer).get(url).status_code == 404


def test_a_message_to_the_reporter_carries_its_file_to_the_tracking_page_and_a_note_does_not(
    osaka: Intake, api: Callable[[User | None], TestClient], tokyo_officer: User, session: Session
) -> None:
    number = osaka.case.number
    officer = api(tokyo_officer)
    officer.post(
        f"/console/cases/{number}/notes",
        data={"text": "Ảnh chụp biên bản (nội bộ)"},
        files=[scan("bien-ban.jpg", PHOTO, "image/jpeg")],
    )
    officer.post(
        f"/console/cases/{number}/notes",
        data={"text": "Giấy xác nhận của cảnh sát Osaka", "public": "yes"},
        files=[scan("xac-nhan.pdf")],
    )
    session.expire_all()
    internal, public = sorted(osaka.case.attachments, key=lambda a: a.id)

    reporter = api(None)
    page = reporter.get("/protection/track", params={"number": number, "pin": osaka.pin}).text
    assert "xac-nhan.pdf" in page and f'data-file="{public.id}"' in page
    assert "bien-ban.jpg" not in page
    form = {"number": number, "pin": osaka.pin}
    download = reporter.post(f"/protection/track/files/{public.id}", data=form)
    assert download.status_code == 200 and download.content == SCAN
    assert download.headers["content-disposition"].startswith("attachment;")
    assert reporter.post(f"/protection/track/files/{internal.id}", data=form).status_code == 404
    wrong = {"number": number, "pin": "0000" if osaka.pin != "0000" else "1111"}
    assert reporter.post(f"/protection/track/files/{public.id}", data=wrong).status_code == 404


def test_guessing_pins_for_files_is_limited_like_tracking(
    osaka: Intake, api: Callable[[User | None], TestClient]
) -> None:
    wrong = {"number": osaka.case.number, "pin": "0000" if osaka.pin != "0000" else "1111"}
    answers = [
        api(None).post("/protection/track/files/1", data=wrong).status_code for _ in range(6)
    ]
    assert answers == [404] * 5 + [429]


@pytest.mark.parametrize(
    ("file", "status", "says"),
    [
        (scan("trang.html", b"<script>alert(1)</script>", "text/html"), 422, "text/html"),
        (scan("anh.jpg", b"MZ\x90\x00 not a photo", "image/jpeg"), 422, "is not a image/jpeg file"),
        (scan("rong.pdf", b"", "application/pdf"), 422, "rong.pdf is empty"),
        (scan("", b"", "application/octet-stream"), 200, ""),
    ],
    ids=["refused type", "mislabelled", "empty file", "file input left empty"],
)
def test_a_refused_file_leaves_nothing_behind(
    file: File,
    status: int,
    says: str,
    osaka: Intake,
    api: Callable[[User | None], TestClient],
    tokyo_officer: User,
    session: Session,
) -> None:
    before = (stored_files(), count(session, CaseEvent))
    answer = api(tokyo_officer).post(
        f"/console/cases/{osaka.case.number}/notes",
        data={"text": "Kèm tệp"},
        files=[file],
        params={"lang": "en"},
    )
    assert answer.status_code == status
    assert says in answer.text
    session.expire_all()
    assert count(session, CaseAttachment) == 0
    if status != 200:
        assert (stored_files(), count(session, CaseEvent)) == before


def test_a_file_name_is_a_label_and_reaches_no_folder(
    osaka: Intake, api: Callable[[User | None], TestClient], tokyo_officer: User, session: Session
) -> None:
    api(tokyo_officer).post(
        f"/console/cases/{osaka.case.number}/notes",
        data={"text": "Hộ chiếu"},
        files=[scan("../../../../etc/cron.d/ho-chieu.pdf")],
    )
    session.expire_all()
    (kept,) = osaka.case.attachments
    assert kept.filename == "ho-chieu.pdf"
    assert ".." not in kept.storage_key and kept.storage_key.startswith(
        f"cases/{osaka.case.number}/"
    )
    root = get_settings().var_dir / "attachments"
    assert all(root in p.resolve().parents for p in stored_files())


def test_too_many_or_too_large_files_are_refused(
    osaka: Intake,
    api: Callable[[User | None], TestClient],
    tokyo_officer: User,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"/console/cases/{osaka.case.number}/notes"
    officer = api(tokyo_officer)
    eleven = [scan(f"{n}.pdf") for n in range(11)]
    assert officer.post(url, data={"text": "Nhiều tệp"}, files=eleven).status_code == 400
    monkeypatch.setattr(get_settings(), "inbound_max_bytes", 6000)
    # Over the limit once added up: the action refuses.
    refused = officer.post(url, data={"text": "Hai tệp"}, files=[scan(), scan("b.pdf")])
    assert refused.status_code == 413
    # Far over it: the guard stops the body before it is read.
    huge = officer.post(url, data={"text": "Rất lớn"}, files=[scan(data=SCAN * 200)])
    assert huge.status_code == 413 and huge.headers["content-type"] == "application/problem+json"
    session.expire_all()
    assert count(session, CaseAttachment) == 0


def test_a_form_posted_from_another_site_is_refused(
    osaka: Intake, api: Callable[[User | None], TestClient], tokyo_officer: User, session: Session
) -> None:
    answer = api(tokyo_officer).post(
        f"/console/cases/{osaka.case.number}/notes",
        data={"text": "Từ trang khác"},
        files=[scan()],
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert answer.status_code == 403
    session.expire_all()
    assert count(session, CaseAttachment) == 0


def test_the_guard_limit_follows_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from kieubao.platform import guard
    from kieubao.protection import pages  # noqa: F401  (the case forms' limits, by path)

    monkeypatch.setattr(get_settings(), "inbound_max_bytes", 1000)
    scope: dict[str, Any] = {
        "path": "/console/cases/BH-2026-000001/notes",
        "headers": [(b"content-type", b"multipart/form-data; boundary=x")],
    }
    assert guard._body_limit(scope, guard._read(scope)) == 1000 + 256 * 1024
    scope["path"] = "/console/cases/BH-2026-000001/notes/extra"
    larger = get_settings().import_max_bytes + 1024 * 1024
    assert guard._body_limit(scope, guard._read(scope)) == larger
    # A form without files is read whole into memory: it keeps the small limit.
    scope["path"] = "/console/cases/BH-2026-000001/notes"
    scope["headers"] = [(b"content-type", b"application/x-www-form-urlencoded")]
    assert guard._body_limit(scope, guard._read(scope)) == guard.MAX_BODY
