"""Matching quality and speed against a registry of generated Vietnamese people abroad.

Quality: N people are registered, then queried the ways people really type (noise mix
documented in kieubao.registry.synthetic); the truth is known. Reports recall@5,
precision of `best`, share of present queries with `best`, false `best` for absent people,
by noise kind, for kieubao's matcher and for a naive baseline (rapidfuzz WRatio on the
folded name among the people of the same country) in the same run.

Speed: per-query latency of the real `match()` against 1M registrations in SQLite.

    python bench/matching.py [--quick] [--n-quality 100000] [--n-speed 1000000]
"""

import argparse
import random
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from rapidfuzz import fuzz, process
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parent))
from kieubao.platform import db, migrate
from kieubao.platform.text import fold
from kieubao.registry import matching
from kieubao.registry.models import Citizen, NameKey
from kieubao.registry.synthetic import Person, noisy_query, people
from results import median, percentile, record


def build(path: Path, n: int, seed: int) -> tuple[Session, list[Person]]:
    """A registry of n people, indexed by the same keys registration writes."""
    engine = db.build_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        migrate.upgrade(conn)
    session = Session(engine)
    now = datetime.now(UTC)
    kept: list[Person] = []
    started = time.perf_counter()
    stream = people(seed)
    next_id = 1
    while next_id <= n:
        batch = list(islice(stream, min(20_000, n - next_id + 1)))
        citizens, keys = [], []
        for p in batch:
            citizens.append(
                {
                    "id": next_id,
                    "public_id": str(uuid.UUID(int=next_id)),
                    "external_ref": p.ref,
                    "full_name": p.full_name,
                    "name_folded": fold(p.full_name),
                    "sex": p.sex,
                    "birth_year": p.born.year,
                    "birth_month": p.born.month,
                    "birth_day": p.born.day,
                    "nationality_status": "vietnamese",
                    "phones": [],
                    "country": p.country,
                    "city": p.city,
                    "city_folded": fold(p.city),
                    "stay_status": p.stay_status,
                    "status": "active",
                    "source": "import",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            keys += [
                {"citizen_id": next_id, "key": k}
                for k in matching.name_keys(p.full_name, p.born.year, p.country)
            ]
            next_id += 1
        session.execute(insert(Citizen), citizens)
        session.execute(insert(NameKey), keys)
        session.commit()
        kept.extend(batch)
    session.execute(text("ANALYZE"))
    print(f"  registry of {n:,} built in {time.perf_counter() - started:.0f} s", flush=True)
    return session, kept


def quality(n: int, present: int, absent: int) -> dict[str, object]:
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        session, registered = build(Path(tmp) / "q.db", n, seed=1)
        truth = {p.ref: i + 1 for i, p in enumerate(registered)}
        outsiders = list(islice(people(seed=999, prefix="ABSENT"), absent))
        by_country: dict[str, list[str]] = defaultdict(list)
        ids_by_country: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(registered):
            by_country[p.country].append(fold(p.full_name))
            ids_by_country[p.country].append(i + 1)
        ours = _Tally()
        naive = _Tally()
        for p in rng.sample(registered, present):
            name, born, country, kinds = noisy_query(p, rng)
            result = matching.match(session, name=name, date_of_birth=born, country=country)
            ours.present(
                kinds,
                truth[p.ref],
                [c.id for c in result.candidates[:5]],
                result.best.id if result.best else None,
            )
            top = process.extract(fold(name), by_country[country], scorer=fuzz.WRatio, limit=5)
            ids = [ids_by_country[country][i] for _, _, i in top]
            naive.present(kinds, truth[p.ref], ids, ids[0] if top and top[0][1] >= 90 else None)
        for p in outsiders:
            name, born, country, kinds = noisy_query(p, rng)
            result = matching.match(session, name=name, date_of_birth=born, country=country)
            ours.absent(result.best is not None)
            top = process.extract(fold(name), by_country[country], scorer=fuzz.WRatio, limit=1)
            naive.absent(bool(top) and top[0][1] >= 90)
        session.close()
    return {
        "n_registered": n,
        "present_queries": present,
        "absent_queries": absent,
        "kieubao": ours.figures(),
        "naive_wratio_baseline": naive.figures(),
        "targets": {"recall_at_5": 0.97, "precision_of_best": 0.99, "false_best_on_absent": 0.02},
    }


class _Tally:
    def __init__(self) -> None:
        self.hits = self.asked = self.best_set = self.best_right = 0
        self.absent_asked = self.false_best = 0
        self.by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def present(
        self, kinds: tuple[str, str], truth: int, top5: list[int], best: int | None
    ) -> None:
        self.asked += 1
        hit = truth in top5
        self.hits += hit
        for kind in kinds:
            self.by_kind[kind][0] += hit
            self.by_kind[kind][1] += 1
        if best is not None:
            self.best_set += 1
            self.best_right += best == truth

    def absent(self, claimed: bool) -> None:
        self.absent_asked += 1
        self.false_best += claimed

    def figures(self) -> dict[str, object]:
        return {
            "recall_at_5": round(self.hits / self.asked, 4),
            "precision_of_best": round(self.best_right / self.best_set, 4)
            if self.best_set
            else None,
            "share_with_best": round(self.best_set / self.asked, 4),
            "false_best_on_absent": round(self.false_best / self.absent_asked, 4),
            "recall_at_5_by_noise": {
                k: round(h / t, 4) for k, (h, t) in sorted(self.by_kind.items())
            },
        }


def speed(n: int, queries: int, repeats: int) -> dict[str, object]:
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        session, registered = build(Path(tmp) / "s.db", n, seed=2)
        load_s = time.perf_counter() - started
        sample = [noisy_query(p, rng) for p in rng.sample(registered, queries)]
        runs = []
        for _ in range(repeats):
            times = []
            for name, born, country, _ in sample:
                t0 = time.perf_counter()
                matching.match(session, name=name, date_of_birth=born, country=country)
                times.append((time.perf_counter() - t0) * 1000)
            runs.append(
                {
                    "p50": percentile(times, 0.5),
                    "p95": percentile(times, 0.95),
                    "p99": percentile(times, 0.99),
                }
            )
        by_country: dict[str, list[str]] = defaultdict(list)
        for p in registered:
            by_country[p.country].append(fold(p.full_name))
        naive_times = []
        for name, _, country, _ in sample[:100]:
            t0 = time.perf_counter()
            process.extract(fold(name), by_country[country], scorer=fuzz.WRatio, limit=5)
            naive_times.append((time.perf_counter() - t0) * 1000)
        keys = session.scalar(select(NameKey.id).order_by(NameKey.id.desc()).limit(1))
        session.close()
    p50 = median([r["p50"] for r in runs])
    p95 = median([r["p95"] for r in runs])
    naive_p50 = percentile(naive_times, 0.5)
    return {
        "n_registered": n,
        "name_keys": keys,
        "queries": queries,
        "repeats": repeats,
        "load_seconds": round(load_s, 1),
        "match_ms": {
            "p50": round(p50, 2),
            "p95": round(p95, 2),
            "p99": round(median([r["p99"] for r in runs]), 2),
        },
        "runs": [{k: round(v, 2) for k, v in r.items()} for r in runs],
        "naive_wratio_same_country_ms": {
            "p50": round(naive_p50, 2),
            "p95": round(percentile(naive_times, 0.95), 2),
        },
        "speedup_vs_naive_p50": round(naive_p50 / p50, 1),
        "target_p95_ms": 50,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--n-quality", type=int, default=100_000)
    parser.add_argument("--n-speed", type=int, default=1_000_000)
    args = parser.parse_args()
    n_quality = 20_000 if args.quick else args.n_quality
    n_speed = 100_000 if args.quick else args.n_speed
    print(f"matching quality on {n_quality:,} registrations", flush=True)
    found = quality(
        n_quality, present=500 if args.quick else 2000, absent=250 if args.quick else 1000
    )
    record("matching_quality", found)
    print(f"  kieubao: {found['kieubao']}\n  naive:   {found['naive_wratio_baseline']}", flush=True)
    print(f"matching speed on {n_speed:,} registrations", flush=True)
    timing = speed(n_speed, queries=300 if args.quick else 1000, repeats=3)
    record("matching_speed", timing)
    print(
        f"  match() ms: {timing['match_ms']}; naive: {timing['naive_wratio_same_country_ms']}; "
        f"{timing['speedup_vs_naive_p50']}x faster at p50",
        flush=True,
    )


if __name__ == "__main__":
    main()
