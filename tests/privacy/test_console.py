"""The Tokyo officer works the queue in the console: a letter recorded, identity verified,
the copy of the data made, the request closed; the citizen sees it done on the portal."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform.models import User
from kieubao.privacy.models import RequestStatus, SubjectRequest
from kieubao.registry.models import Citizen

Api = Callable[[User | None], Any]
HTML = {"Accept": "text/html"}


def test_a_letter_asking_for_a_copy_is_worked_through_the_console(
    api: Api, session: Session, citizen_in_osaka: Citizen, tokyo_officer: User
) -> None:
    client = api(tokyo_officer)
    form = {
        "citizen_id": str(citizen_in_osaka.id),
        "kind": "access",
        "channel": "letter",
        "identity_note": "Certified passport copy enclosed; signature matches the record.",
        "details": "A copy of everything the embassy holds about me.",
    }
    made = client.post("/console/privacy/requests", data=form, headers=HTML, follow_redirects=False)
    assert made.status_code == 303
    page = made.headers["location"]
    request = session.scalar(select(SubjectRequest))
    assert request is not None and page == f"/console/privacy/requests/{request.id}"
    queue = client.get("/console/privacy/requests", headers=HTML)
    assert queue.status_code == 200 and page in queue.text
    for status in ("verified", "in_progress"):
        moved = client.post(
            f"{page}/status", data={"status": status}, headers=HTML, follow_redirects=False
        )
        assert moved.status_code == 303
    session.refresh(request)
    assert request.status is RequestStatus.in_progress
    copy = client.get(f"/api/v1/privacy/requests/{request.id}/export")
    assert copy.status_code == 200 and copy.json()["full_name"] == "Nguyễn Văn An"
    done = client.post(
        f"{page}/done",
        data={"note": "Sent by registered post."},
        headers=HTML,
        follow_redirects=False,
    )
    session.refresh(request)
    assert done.status_code == 303 and request.status is RequestStatus.done
    assert "Sent by registered post." in client.get(page, headers=HTML).text
    mine = api(session.get(User, citizen_in_osaka.user_id)).get("/me/privacy", headers=HTML)
    assert "Sent by registered post." in mine.text


def test_a_form_without_the_identity_check_is_refused_with_a_reason(
    api: Api, session: Session, citizen_in_osaka: Citizen, tokyo_officer: User
) -> None:
    form = {"citizen_id": str(citizen_in_osaka.id), "kind": "erasure", "channel": "phone"}
    answer = api(tokyo_officer).post("/console/privacy/requests", data=form, headers=HTML)
    assert answer.status_code == 422
    assert session.scalars(select(SubjectRequest)).all() == []
