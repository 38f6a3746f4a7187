"""A feed ingest killed mid-run and run again stores each event once and alerts once: a large
USGS feed (thousands of quakes, a few strong ones beside registered citizens in Osaka) is
ingested by the command, killed with every report applied but before it could commit,
then ingested again, and again as the next poll would.

To kill it at a known point, the test holds a lock on the alert rules: the ingest applies
every report, then waits for the lock to decide who to alert, and is killed there."""

import json
import os
import random
import signal
import subprocess
from collections import Counter
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from kieubao.crisis.actions.setup import save_alert_rule
from kieubao.crisis.models import Alert, AlertRecipient, Hazard, HazardReportRecord
from kieubao.crisis.schemas import AlertRuleIn
from kieubao.platform import accounts, audit
from kieubao.platform.models import Role
from kieubao.registry import actions as registry
from tests.crisis.conftest import QUAKE_TIME, usgs_feed
from tests.faults import KIEUBAO, postgres_database, serving, wait_for, waiting_on_a_lock
from tests.figures import record
from tests.personas import SYSTEM, citizen_in

QUAKES = 300
STRONG = 5  # near Osaka, magnitude 6.5: each raises one alert
RECIPIENTS = ("hq@mofa.gov.vn", "tokyo@mofa.gov.vn")


def _feed() -> bytes:
    rng = random.Random(9)
    quakes: list[dict[str, Any]] = [
        {
            "id": f"us7000k{i:05d}",
            "mag": round(rng.uniform(2.5, 5.4), 1),
            # Out at sea in the South Pacific, far from anyone registered.
            "lat": rng.uniform(-50, -20),
            "lon": rng.uniform(-150, -100),
            "place": "South Pacific Ocean",
            "time": QUAKE_TIME - timedelta(minutes=i),
        }
        for i in range(QUAKES)
    ]
    quakes += [
        {
            "id": f"us7000osk{i}",
            "mag": 6.5,
            "lat": 34.62,
            "lon": 135.45,
            "time": QUAKE_TIME - timedelta(hours=i),
        }
        for i in range(STRONG)
    ]
    return usgs_feed(*quakes)


def _ingest(feed: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [KIEUBAO, "feeds", "ingest", str(feed), "--kind", "usgs", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finished(feed: Path, env: dict[str, str]) -> dict[str, Any]:
    done = _ingest(feed, env)
    out, err = done.communicate(timeout=600)
    assert done.returncode == 0, err[-2000:]
    return json.loads(out)  # type: ignore[no-any-return]


def _mail_to(var: Path) -> Counter[str]:
    return Counter(
        str(message_from_bytes(path.read_bytes(), policy=policy.default)["To"])
        for path in (var / "mail").glob("*.eml")
    )


@pytest.mark.xdist_group("feed-kill")
def test_an_ingest_killed_mid_run_and_rerun_stores_each_event_once_and_alerts_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with postgres_database("kieubao_feed_kill") as url:
        engine = serving(url, monkeypatch)
        with Session(engine) as session:
            accounts.create_user(
                session, acting_user=SYSTEM, email=RECIPIENTS[0], role=Role.hq_officer
            )
            accounts.create_user(
                session,
                acting_user=SYSTEM,
                email=RECIPIENTS[1],
                role=Role.mission_officer,
                mission_code="JP-TYO-EMB",
            )
            for name in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"):
                registry.register_citizen(
                    session, acting_user=SYSTEM, data=citizen_in(full_name=name)
                )
            save_alert_rule(
                session,
                acting_user=SYSTEM,
                data=AlertRuleIn(
                    name="Strong earthquake", hazard_types=["earthquake"], min_magnitude=6.0
                ),
            )
        feed = tmp_path / "usgs-all-week.geojson"
        feed.write_bytes(_feed())
        env = {
            **os.environ,
            "KIEUBAO_VAR_DIR": str(tmp_path),
            "KIEUBAO_DATABASE_URL": url,
            # Alert mail is written as the ingest commits, by the ingest itself.
            "KIEUBAO_JOBS_IMMEDIATE": "true",
        }

        def stored(model: Any) -> int:
            with Session(engine) as session:
                return session.scalar(select(func.count()).select_from(model)) or 0

        with engine.connect() as blocker:
            holding = blocker.begin()
            blocker.execute(text("LOCK TABLE alert_rules IN ACCESS EXCLUSIVE MODE"))
            killed = _ingest(feed, env)
            try:
                wait_for(lambda: waiting_on_a_lock(engine) > 0, 300, "every report applied")
            finally:
                killed.send_signal(signal.SIGKILL)
                killed.communicate()
            holding.rollback()
        assert (stored(HazardReportRecord), stored(Alert)) == (0, 0), "nothing was committed"
        assert not _mail_to(tmp_path)

        first = _finished(feed, env)
        again = _finished(feed, env)  # the next poll brings the same feed

        assert (first["new"], first["unchanged"], first["rejected"]) == (QUAKES + STRONG, 0, [])
        assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, QUAKES + STRONG)
        with Session(engine) as session:
            ids = list(session.scalars(select(HazardReportRecord.external_id)))
            alerts = list(session.scalars(select(Alert)))
            assert audit.verify(session).ok
        assert len(ids) == len(set(ids)) == QUAKES + STRONG == stored(Hazard)
        assert len(alerts) == STRONG and {a.times_raised for a in alerts} == {1}
        assert stored(AlertRecipient) == STRONG * len(RECIPIENTS)
        assert _mail_to(tmp_path) == dict.fromkeys(RECIPIENTS, STRONG)
        record(
            "feed_ingest_kill",
            {
                "events": QUAKES + STRONG,
                "kills": 1,
                "events_stored": len(ids),
                "alerts_raised": len(alerts),
                "alert_mails": sum(_mail_to(tmp_path).values()),
            },
        )
        engine.dispose()
