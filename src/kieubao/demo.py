"""``kieubao demo load``: missions, officers and a few thousand registrations to look at."""

import json
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from kieubao.coordination import demo_data as coordination
from kieubao.crisis import actions as crisis
from kieubao.crisis.models import AlertRule, FeedSource
from kieubao.crisis.schemas import AlertRuleIn, FeedSourceIn
from kieubao.platform import accounts, audit, missions
from kieubao.platform.db import session_scope
from kieubao.platform.models import Role, User
from kieubao.privacy import actions as privacy
from kieubao.protection import actions as protection
from kieubao.registry import actions
from kieubao.registry.actions.registration import add_citizen
from kieubao.registry.models import Citizen
from kieubao.registry.schemas import CitizenIn
from kieubao.registry.synthetic import as_registration, people

app = typer.Typer(help="Demo data.", no_args_is_help=True)
DEMO = audit.System("demo")
PASSWORD = "kieubao-demo-2026"  # noqa: S105 - the published demo password
OFFICERS = [
    ("admin@kieubao.test", Role.admin, None, "Quản trị hệ thống"),
    ("hq@kieubao.test", Role.hq_officer, None, "Trần Thị Lan"),
    ("tokyo@kieubao.test", Role.mission_officer, "JP-TYO-EMB", "Lê Văn Minh"),
    ("osaka@kieubao.test", Role.mission_officer, "JP-OSA-CG", "Phạm Thu Hà"),
    ("berlin@kieubao.test", Role.mission_officer, "DE-BER-EMB", "Đỗ Quang Huy"),
    ("analyst@kieubao.test", Role.partner_agency, None, "Ban Dân vận Trung ương"),
    ("editor@kieubao.test", Role.community_editor, None, "Biên tập cộng đồng"),
]


def _officers(session: Session) -> None:
    for email, role, mission, name in OFFICERS:
        if session.scalar(select(User.id).where(User.email == email)) is None:
            accounts.create_user(
                session,
                acting_user=DEMO,
                email=email,
                role=role,
                mission_code=mission,
                password=PASSWORD,
                full_name=name,
            )


def _citizens(session: Session, count: int) -> int:
    directory = missions.directory(session)
    made = 0
    for person in islice(people(seed=2026), count):
        data = CitizenIn.model_validate(as_registration(person))
        if data.external_ref and session.scalar(
            select(Citizen.id).where(Citizen.external_ref == data.external_ref)
        ):
            continue
        add_citizen(session, DEMO, data, source="import", missions=directory)
        made += 1
        if made % 500 == 0:
            session.commit()
    session.commit()
    return made


def _duplicates(session: Session) -> None:
    """The same people typed again the way officers and spreadsheets really do it."""
    for name, born, city in [
        ("Nguyen Van An", "17/05/1990", "Osaka"),
        ("Thi Hoa Tran", "1988-02-03", "Tokyo"),
    ]:
        original = "Nguyễn Văn An" if name.startswith("Nguyen") else "Trần Thị Hoa"
        exists = session.scalar(select(Citizen.id).where(Citizen.full_name == original))
        if exists is None:
            actions.register_citizen(
                session,
                acting_user=DEMO,
                data=CitizenIn(
                    full_name=original,
                    date_of_birth=born,
                    country="JP",
                    city=city,
                    phones=["+81 90 1111 2222"],
                    stay_status="worker",
                ),
            )
            actions.register_citizen(
                session,
                acting_user=DEMO,
                data=CitizenIn(
                    full_name=name,
                    date_of_birth=born,
                    country="JP",
                    city=city,
                    email=f"{name.replace(' ', '.').lower()}@example.jp",
                    stay_status="worker",
                ),
            )


FEEDS = [
    (
        "USGS M2.5+ past day",
        "https://earthquake.usgs.gov/earthquakes/feed/v1.0/summary/2.5_day.geojson",
        "usgs",
        300,
    ),
    ("GDACS all events", "https://www.gdacs.org/xml/rss.xml", "gdacs", 600),
    (
        "Japan Meteorological Agency (CAP)",
        "https://www.data.jma.go.jp/developer/xml/feed/extra.xml",
        None,
        600,
    ),
]
RULES = [
    AlertRuleIn(
        name="Strong earthquake near registered citizens",
        hazard_types=["earthquake"],
        min_magnitude=5.5,
    ),
    AlertRuleIn(name="GDACS orange or red", min_alert_level="orange"),
    AlertRuleIn(name="Severe or extreme CAP warning", min_severity="severe", min_exposed=10),
]


def _early_warning(session: Session) -> None:
    for name, url, kind, every in FEEDS:
        if session.scalar(select(FeedSource.id).where(FeedSource.name == name)) is None:
            data = FeedSourceIn(name=name, url=url, kind=kind, poll_seconds=every)
            crisis.save_feed_source(session, acting_user=DEMO, data=data)
    for rule in RULES:
        if session.scalar(select(AlertRule.id).where(AlertRule.name == rule.name)) is None:
            crisis.save_alert_rule(session, acting_user=DEMO, data=rule)
    # A drill: an earthquake near Osaka, as USGS would publish it, two hours ago.
    when = datetime.now(UTC) - timedelta(hours=2)
    millis = int(when.timestamp() * 1000)
    drill = {
        "type": "FeatureCollection",
        "metadata": {"generated": millis, "title": "kieubao drill"},
        "features": [
            {
                "type": "Feature",
                "id": "drill2026osaka",
                "properties": {
                    "mag": 6.6,
                    "place": "12 km S of Osaka, Japan (drill)",
                    "time": millis,
                    "updated": millis,
                    "alert": "orange",
                    "tsunami": 0,
                    "type": "earthquake",
                    "title": "M 6.6 - 12 km S of Osaka, Japan (drill)",
                    "url": None,
                },
                "geometry": {"type": "Point", "coordinates": [135.50, 34.58, 10.0]},
            }
        ],
    }
    crisis.ingest(session, acting_user=DEMO, body=json.dumps(drill).encode(), kind="usgs")


@app.command("load")
def load(citizens: Annotated[int, typer.Option(help="synthetic registrations")] = 3000) -> None:
    """Load missions, demo officers and synthetic citizens (safe to run again)."""
    with session_scope() as session:
        missions.load_seed(session, acting_user=DEMO)
        protection.load_case_types(session, acting_user=DEMO)
        _officers(session)
        have = session.scalar(select(Citizen.id).limit(1)) is not None
        made = 0 if have else _citizens(session, citizens)
        _duplicates(session)
        _early_warning(session)
        coordination.load(session, acting_user=DEMO, partner_email="analyst@kieubao.test")
        privacy.load_activities(session, acting_user=DEMO)
    typer.echo(f"missions loaded; {made} registrations added")
    typer.echo(f"officers (password {PASSWORD}; set up TOTP at first sign-in):")
    for email, role, mission, _name in OFFICERS:
        typer.echo(f"  {email:24} {role.value}{' ' + mission if mission else ''}")
