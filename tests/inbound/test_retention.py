"""Old inbound messages forget who sent them; a provider's late retry is still known."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kieubao.domains import modules
from kieubao.inbound.models import InboundMessage
from kieubao.platform.db import utcnow
from kieubao.platform.retention import apply_rules
from kieubao.protection.models import Case
from tests.inbound.conftest import PROVIDERS
from tests.personas import SYSTEM

pytestmark = pytest.mark.usefixtures("case_types")
modules("retention")
GATEWAY = next(p for p in PROVIDERS if p.name == "gateway")


def sms(client: TestClient, sid: str, text: str) -> None:
    body, kind = GATEWAY.build("+818012345678", sid, text)
    response = client.post(
        GATEWAY.path, content=body, headers={"Content-Type": kind, **GATEWAY.sign(body)}
    )
    assert response.status_code == 200


def test_an_old_message_forgets_its_sender(session: Session, app_client: TestClient) -> None:
    sms(app_client, "old-1", "Tôi bị mất hộ chiếu ở Osaka")
    session.execute(update(InboundMessage).values(received_at=utcnow() - timedelta(days=400)))
    session.commit()
    apply_rules(session, acting_user=SYSTEM, dry_run=False)
    (message,) = session.scalars(select(InboundMessage))
    assert "8012345678" not in message.thread_key

    sms(app_client, "old-1", "Tôi bị mất hộ chiếu ở Osaka")  # the provider retries, late
    sms(app_client, "new-1", "Tôi vẫn chưa có giấy tờ")  # a new thread: a new case
    assert len(list(session.scalars(select(Case)))) == 2
