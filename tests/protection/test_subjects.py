"""A case's person not found in the registry is registered by an officer's action."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.platform.errors import Conflict, NotFound
from kieubao.platform.models import User
from kieubao.protection import actions
from kieubao.protection.actions.intake import Intake
from kieubao.registry.models import Citizen


def test_an_unknown_son_gets_a_registry_record_once(
    session: Session, open_case: Callable[..., Intake], tokyo_officer: User
) -> None:
    case = open_case(city="Osaka").case
    subject = case.subjects[0]
    assert subject.citizen_id is None
    actions.register_subject(session, acting_user=tokyo_officer, case=case, subject_id=subject.id)
    citizen = session.get(Citizen, subject.citizen_id)
    assert citizen is not None and citizen.full_name == "Lê Văn Hùng"
    assert citizen.country == "JP" and citizen.source == "protection"
    assert citizen.phones == []  # the mother's phone is hers, not his
    assert case.events[-1].data["how"] == "created"
    with pytest.raises(Conflict):
        actions.register_subject(
            session, acting_user=tokyo_officer, case=case, subject_id=subject.id
        )
    with pytest.raises(NotFound):
        actions.register_subject(session, acting_user=tokyo_officer, case=case, subject_id=999)


def test_a_citizen_registered_since_the_report_is_linked_not_copied(
    session: Session,
    open_case: Callable[..., Intake],
    make_citizen: Callable[..., Citizen],
    tokyo_officer: User,
) -> None:
    case = open_case().case
    registered = make_citizen(full_name="Lê Văn Hùng", date_of_birth="1998-03-02")
    subject = case.subjects[0]
    actions.register_subject(session, acting_user=tokyo_officer, case=case, subject_id=subject.id)
    assert subject.citizen_id == registered.id
    assert len(session.scalars(select(Citizen)).all()) == 1


def test_register_subject_page_by_persona(
    api: Callable[[User | None], TestClient],
    open_case: Callable[..., Intake],
    tokyo_officer: User,
    berlin_officer: User,
    partner_analyst: User,
) -> None:
    case = open_case().case
    url = f"/console/cases/{case.number}/subjects/{case.subjects[0].id}/register"
    page = api(tokyo_officer).get(f"/console/cases/{case.number}")
    assert f'data-register-subject="{case.subjects[0].id}"' in page.text
    assert api(berlin_officer).post(url).status_code == 404
    assert api(partner_analyst).post(url).status_code == 403
    assert api(None).post(url, follow_redirects=False).status_code == 303
    done = api(tokyo_officer).post(url, follow_redirects=False)
    assert done.status_code == 303
    assert api(tokyo_officer).post(url).status_code == 409
