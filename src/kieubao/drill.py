"""``kieubao drill``: a past feed replayed against a generated registry, the whole chain timed.

On a fresh database of its own (the configured one is never touched): missions, a
registry of N people (most around the diaspora's cities, a share around the feed's
strongest hazard), then the feed is ingested, the alert raised, a crisis opened on the
hazard holding the most people, a safety check sent through the outbox to a local SMTP
sink, and a share of the people answer through their reply links. Officers train on it;
it proves the chain end to end.
"""

import json
import math
import os
import random
import tempfile
import time
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Annotated, Any

import typer

from kieubao.platform.smtp_sink import Sink

REPLYING = 0.7  # the share of those asked who answer
NEEDING_HELP = 0.1  # of those who answer, the share asking for help
NEAR_SHARE = 0.2  # of the registry, the share living around the strongest hazard


@dataclass
class Figures:
    feed: str
    registry: int
    timeline: list[tuple[float, str]] = field(default_factory=list)
    hazards: int = 0
    alerts: int = 0
    seconds_to_alert: float | None = None
    exposed: int = 0
    asked: int = 0
    not_asked: int = 0
    messages_received: int = 0
    replies: int = 0
    reconciled: int = 0
    unaccounted_left: int = 0


def drill(
    feed: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="a feed document")],
    registry: Annotated[int, typer.Option(min=10, max=200_000, help="people to generate")] = 2000,
    as_json: Annotated[bool, typer.Option("--json", help="the figures as one JSON object")] = False,
    seed: int = 7,
) -> None:
    """Replay a feed against a generated registry and run the chain to the replies."""
    with tempfile.TemporaryDirectory() as tmp, Sink() as sink:
        _fresh_instance(Path(tmp), sink.port)
        figures = _run(feed, registry, random.Random(seed), sink)
    if as_json:
        typer.echo(json.dumps(asdict(figures), ensure_ascii=False))
        return
    for at, what in figures.timeline:
        typer.echo(f"{at:8.2f} s  {what}")
    typer.echo(
        f"time to alert {figures.seconds_to_alert} s · exposed {figures.exposed} · "
        f"asked {figures.asked} (not asked {figures.not_asked}) · mails received "
        f"{figures.messages_received} · replies {figures.replies} (reconciled "
        f"{figures.reconciled}) · unaccounted left {figures.unaccounted_left}"
    )


def _fresh_instance(var: Path, smtp_port: int) -> None:
    from kieubao.platform import db, jobs
    from kieubao.platform.settings import get_settings

    os.environ.update(
        KIEUBAO_VAR_DIR=str(var),
        KIEUBAO_DATABASE_URL=f"sqlite:///{var}/drill.db",
        KIEUBAO_JOBS_IMMEDIATE="true",  # the chain runs in this process, in order
        KIEUBAO_SMTP_HOST="127.0.0.1",
        KIEUBAO_SMTP_PORT=str(smtp_port),
    )
    os.environ.pop("KIEUBAO_REDIS_URL", None)
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    db._session_factory.cache_clear()
    jobs.reset()


def _run(feed: Path, count: int, rng: random.Random, sink: Sink) -> Figures:
    from sqlalchemy import select

    from kieubao.crisis import actions, exposure, queries
    from kieubao.crisis.feeds import parse
    from kieubao.crisis.models import Hazard
    from kieubao.crisis.schemas import AlertRuleIn
    from kieubao.domains import load_models, modules
    from kieubao.platform import audit, migrate, missions
    from kieubao.platform.db import get_engine, session_scope
    from kieubao.platform.deps import Scope
    from kieubao.registry.actions.registration import add_citizen
    from kieubao.registry.schemas import CitizenIn
    from kieubao.registry.synthetic import as_registration, people

    load_models()
    modules("jobs")
    exposure.reset()
    drill_officer = audit.System("drill")
    figures = Figures(feed=feed.name, registry=count)
    started = time.perf_counter()

    def mark(what: str) -> None:
        figures.timeline.append((round(time.perf_counter() - started, 2), what))

    with get_engine().begin() as connection:
        migrate.upgrade(connection)
    body = feed.read_bytes()
    centre = _strongest(parse(body).reports)
    with session_scope() as session:
        missions.load_seed(session, acting_user=drill_officer)
        actions.save_alert_rule(
            session, acting_user=drill_officer, data=AlertRuleIn(name="Drill: any exposure")
        )
        directory = missions.directory(session)
        near = int(count * NEAR_SHARE) if centre else 0
        for n, person in enumerate(islice(people(seed=rng.randrange(10**6)), count - near)):
            data = CitizenIn.model_validate(as_registration(person))
            add_citizen(session, drill_officer, data, source="import", missions=directory)
            if n % 500 == 499:
                session.commit()
        neighbours = people(seed=rng.randrange(10**6))
        for n in range(near):
            assert centre is not None
            lat, lon = _around(rng, *centre)
            values = as_registration(next(neighbours))
            values |= {"latitude": lat, "longitude": lon, "email": f"drill{n}@example.org"}
            values |= {"external_ref": None, "consents": {"crisis_alerts": True}}
            add_citizen(
                session, drill_officer, CitizenIn.model_validate(values), source="import",
                missions=directory,
            )  # fmt: skip
        session.commit()
        mark(f"registry of {count} generated ({near} around the strongest hazard)")

        ingest_started = time.perf_counter()
        result = actions.ingest(session, acting_user=drill_officer, body=body)
        figures.hazards = result.new + result.updated
        alerts = queries.alerts(session)
        figures.alerts = len(alerts)
        mark(f"feed ingested: {result.new} new hazards, {len(result.rejected)} items rejected")
        if alerts:
            figures.seconds_to_alert = round(time.perf_counter() - ingest_started, 2)
            mark(f"{len(alerts)} alerts raised")
        worst = session.scalar(
            select(Hazard).where(Hazard.exposed > 0).order_by(Hazard.exposed.desc()).limit(1)
        )
        if worst is None:
            mark("no registered citizen in any hazard's area: nothing to respond to")
            return figures
        figures.exposed = worst.exposed or 0
        crisis = actions.open_crisis(session, acting_user=drill_officer, title="", hazard=worst)
        mark(f"crisis opened on {worst.title}: {figures.exposed} on the roster")

        check = actions.send_safety_check(session, acting_user=drill_officer, crisis=crisis)
        figures.asked, figures.not_asked = check.recipients, check.not_asked
        figures.messages_received = sink.received
        mark(f"safety check: {check.recipients} asked, {sink.received} mails received")

        everyone = Scope(None, True)
        answering = [
            entry
            for entry, _ in queries.roster(session, crisis, everyone, limit=count)
            if entry.status == "unaccounted" and rng.random() < REPLYING
        ]
        for entry in answering:
            linked = actions.entry_for_reply(session, actions.reply_link_token(entry))
            needs_help = rng.random() < NEEDING_HELP
            actions.record_status(
                session,
                acting_user=audit.System("reply link"),
                entry=linked,
                status="needs_help" if needs_help else "safe",
                source="citizen_reply",
                needs=["shelter"] if needs_help else [],
            )
        figures.replies = len(answering)
        (progress,) = queries.safety_checks(session, crisis)
        figures.reconciled = progress.replied
        counts = queries.roster_counts(session, crisis, everyone)
        figures.unaccounted_left = counts.by_status.get("unaccounted", 0)
        mark(f"{figures.replies} replies; {figures.unaccounted_left} still unaccounted for")
    return figures


def _strongest(reports: Any) -> tuple[float, float, float] | None:
    """(lat, lon, radius km) of the report with the largest footprint circle."""
    best = None
    for report in reports:
        for circle in report.footprint.circles if report.footprint else ():
            if best is None or circle.radius_km > best[2]:
                best = (circle.lat, circle.lon, circle.radius_km)
    return best


def _around(rng: random.Random, lat: float, lon: float, radius_km: float) -> tuple[float, float]:
    """A point within half the radius: inside the footprint for certain."""
    distance = radius_km * 0.5 * math.sqrt(rng.random())
    bearing = rng.random() * 2 * math.pi
    dlat = distance / 111.2 * math.cos(bearing)
    dlon = distance / (111.2 * max(math.cos(math.radians(lat)), 0.05)) * math.sin(bearing)
    return max(min(lat + dlat, 89.9), -89.9), (lon + dlon + 180) % 360 - 180
