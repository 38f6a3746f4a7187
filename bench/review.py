"""A yearly review at national scale: 1M registrations, 50k protection cases and 10k tasks
(with indicators), its figures computed the way the review job computes them (aggregate
SQL), against the naive way in the same run on the same database: one query per row, the
figures counted in Python. Both answers are checked to be the same.

Registrations take their countries from kieubao.registry.synthetic (the weights of the
diaspora); 80% were registered within the year, the rest before. Rows go in through Core
inserts in batches (the load is not what is measured). SQLite, as `make demo` runs.

    python bench/review.py [--quick] [--citizens 1000000] [--cases 50000] [--tasks 10000]
"""

import argparse
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from imports import configure
from results import median, record

YEAR = 2025
START, END = date(YEAR, 1, 1), date(YEAR, 12, 31)
BATCH = 20_000


def _moment(rng: random.Random, within: float) -> datetime:
    """A time in the review's year with probability ``within``, else in the two years before."""
    base = datetime(YEAR, 1, 1, tzinfo=UTC)
    days = rng.uniform(0, 365) if rng.random() < within else -rng.uniform(1, 730)
    return base + timedelta(days=days)


def load(citizens: int, cases: int, tasks: int) -> None:
    from sqlalchemy import insert, select

    from kieubao.coordination.models import (
        Agency,
        Goal,
        Indicator,
        IndicatorValue,
        Resolution,
        Task,
        TaskSupporter,
    )
    from kieubao.platform import audit, db, migrate, missions
    from kieubao.protection.actions import load_case_types
    from kieubao.protection.models import Case, CaseType
    from kieubao.registry import synthetic
    from kieubao.registry.models import Citizen

    system = audit.System("bench")
    with db.get_engine().begin() as conn:
        migrate.upgrade(conn)
    rng = random.Random(2025)
    with db.session_scope() as session:
        missions.load_seed(session, acting_user=system)
        load_case_types(session, acting_user=system)
        type_ids = list(session.scalars(select(CaseType.id)))
        countries = [synthetic._COUNTRY(rng) for _ in range(5000)]  # the diaspora's weights
        rows: list[dict[str, Any]] = []
        for n in range(citizens):
            at = _moment(rng, 0.8)
            rows.append(
                {
                    "public_id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "full_name": f"Công dân {n}",
                    "name_folded": f"cong dan {n}",
                    "country": countries[n % len(countries)],
                    "phones": [],
                    "status": "active" if rng.random() < 0.95 else "erased",
                    "source": "import",
                    "created_at": at,
                    "updated_at": at,
                }
            )
            if len(rows) == BATCH:
                session.execute(insert(Citizen), rows)
                rows = []
        if rows:
            session.execute(insert(Citizen), rows)
        case_rows = []
        for n in range(cases):
            at = _moment(rng, 0.9)
            closed = rng.random() < 0.6
            case_rows.append(
                {
                    "number": f"BH-B-{n:07d}",
                    "case_type_id": rng.choice(type_ids),
                    "status": "closed" if closed else "in_progress",
                    "severity": "medium",
                    "country": countries[(n * 7) % len(countries)],
                    "channel": "web",
                    "description": "",
                    "details": {},
                    "triage": {},
                    "created_at": at,
                    "updated_at": at,
                    "closed_at": at + timedelta(days=3) if closed else None,
                }
            )
        session.execute(insert(Case), case_rows)
        agencies = [Agency(code=c, name_vi=c, name_en=c) for c in ("UBNV", "DVTW", "CLS", "BNG")]
        session.add_all(agencies)
        session.flush()
        task_rows = []
        for n in range(tasks):
            deadline = START + timedelta(days=rng.randrange(-60, 365))
            status = rng.choice(["planned", "in_progress", "done", "done", "cancelled"])
            done_on = (
                deadline + timedelta(days=rng.randrange(-30, 20)) if status == "done" else None
            )
            task_rows.append(
                {
                    "title": f"Nhiệm vụ {n}",
                    "lead_agency_id": rng.choice(agencies).id,
                    "owner": "",
                    "deadline": deadline,
                    "status": status,
                    "done_on": done_on,
                    "evidence": [],
                    "created_at": datetime(YEAR, 1, 1, tzinfo=UTC),
                    "updated_at": datetime(YEAR, 1, 1, tzinfo=UTC),
                }
            )
        session.execute(insert(Task), task_rows)
        first = session.scalar(select(Task.id).order_by(Task.id)) or 1
        supporters = [
            {"task_id": first + n, "agency_id": agencies[(n + 1) % len(agencies)].id}
            for n in range(0, tasks, 3)
        ]
        session.execute(insert(TaskSupporter), supporters)
        goal = Goal(title="Mục tiêu", indicators=[
            Indicator(name=f"Chỉ tiêu {i}", unit="%", baseline=0, target=100, target_year=2030,
                      values=[IndicatorValue(period_end=date(y, 12, 31), value=10.0 * (y - 2020),
                                             source="bench") for y in range(2021, 2027)])
            for i in range(40)
        ])  # fmt: skip
        session.add(Resolution(code="36-NQ/TW", title="Nghị quyết 36", goals=[goal]))
        session.commit()


def naive() -> dict[str, Any]:
    """The same figures, one query per row."""
    from sqlalchemy import select

    from kieubao.coordination.models import Agency, Indicator, IndicatorValue, Task
    from kieubao.platform import db
    from kieubao.protection.models import Case, CaseType
    from kieubao.registry.models import Citizen

    until = datetime(YEAR + 1, 1, 1, tzinfo=UTC)
    since = datetime(YEAR, 1, 1, tzinfo=UTC)
    registered: dict[str, Counter[str]] = {"total": Counter(), "new": Counter()}
    by_type: Counter[str] = Counter()
    by_agency: dict[str, Counter[str]] = {}
    latest: dict[int, float] = {}
    with db.read_scope() as session:
        for cid in session.scalars(select(Citizen.id)).all():
            country, status, at = session.execute(
                select(Citizen.country, Citizen.status, Citizen.created_at).where(Citizen.id == cid)
            ).one()
            if status in ("active", "stale", "expired") and at < until:
                registered["total"][country] += 1
                registered["new"][country] += at >= since
        for kid in session.scalars(select(Case.id)).all():
            type_id, at = session.execute(
                select(Case.case_type_id, Case.created_at).where(Case.id == kid)
            ).one()
            if since <= at < until:
                by_type[session.scalar(select(CaseType.code).where(CaseType.id == type_id))] += 1
        today = min(END, datetime.now(UTC).date())
        for tid in session.scalars(select(Task.id)).all():
            task = session.execute(select(Task.__table__).where(Task.id == tid)).one()
            code = session.scalar(select(Agency.code).where(Agency.id == task.lead_agency_id))
            counts = by_agency.setdefault(code, Counter())
            counts["total"] += 1
            counts["done"] += task.status == "done" and START <= task.done_on <= END
            late = task.status in ("planned", "in_progress") or (
                task.status == "done" and task.done_on > task.deadline
            )
            counts["overdue"] += task.deadline < today and task.status != "cancelled" and late
            counts["open"] += task.status in ("planned", "in_progress")
        for iid in session.scalars(select(Indicator.id)).all():
            values = session.execute(
                select(IndicatorValue.period_end, IndicatorValue.value).where(
                    IndicatorValue.indicator_id == iid
                )
            ).all()
            latest[iid] = max((v for v in values if v[0] <= END), key=lambda v: v[0])[1]
    return {
        "registrations": {
            c: {"total": n, "new": registered["new"][c]} for c, n in registered["total"].items()
        },
        "cases": dict(by_type),
        "tasks": {a: dict(c) for a, c in by_agency.items()},
        "indicators": latest,
    }


def ours() -> dict[str, Any]:
    from kieubao.coordination.queries.figures import review_figures
    from kieubao.platform import db

    with db.read_scope() as session:
        return review_figures(session, START, END)


def comparable(figures: dict[str, Any]) -> dict[str, Any]:
    return {
        "registrations": figures["registrations"]["by_country"],
        "cases": figures["cases"]["by_type"],
        "tasks": figures["tasks"]["by_agency"],
        "indicators": {i["id"]: i["value"] for i in figures["indicators"]},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--citizens", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.quick:
        args.citizens, args.cases, args.tasks = 100_000, 5_000, 1_000
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        configure(f"sqlite:///{var}/review.db", var)
        started = time.perf_counter()
        load(args.citizens, args.cases, args.tasks)
        load_s = time.perf_counter() - started
        print(f"loaded {args.citizens} registrations, {args.cases} cases, {args.tasks} tasks "
              f"in {load_s:.1f} s")  # fmt: skip
        times, figures = [], {}
        for _ in range(args.repeats):
            started = time.perf_counter()
            figures = ours()
            times.append(time.perf_counter() - started)
        started = time.perf_counter()
        baseline = naive()
        naive_s = time.perf_counter() - started
    if comparable(figures) != baseline:
        raise SystemExit("the aggregate figures differ from the naive ones")
    result = {
        "citizens": args.citizens,
        "cases": args.cases,
        "tasks": args.tasks,
        "backend": "sqlite",
        "review_s_median": round(median(times), 3),
        "review_s_max": round(max(times), 3),
        "naive_per_row_s": round(naive_s, 2),
        "speedup": round(naive_s / median(times), 1),
        "budget_s": 5.0,
        "within_budget": max(times) <= 5.0,
        "figures_checked": True,
    }
    print(result)
    record("review_quick" if args.quick else "review", result)


if __name__ == "__main__":
    main()
