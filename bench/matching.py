"""Matching quality and speed against a registry of generated Vietnamese people abroad.

Quality: N people (100,000) are registered, then 2,000 of them are queried the ways people
really type (the noise mix documented in kieubao.registry.synthetic), and 1,000 people who
are not registered are queried the same ways; the truth is known. For kieubao's matcher
and, in the same run, a naive baseline (rapidfuzz WRatio of the folded name against every
folded name of the same country, best = the top one when it scores 90 or more): recall@5,
precision of `best`, share of present people given a `best`, false `best` for absent
people, recall by noise kind. Some queries cannot be answered by anyone: more than five
people registered in that country share the name and as much of the birth date as the
query gives ("Nguyễn Văn Anh", no date, in Japan); their share and the recall on the
others are reported too.

Speed: p50/p95/p99 of the real `match()` over 1,000 such queries against 1,000,000
registrations in SQLite, three runs (the medians are reported), the time to load them,
and the naive baseline's time per query over 100,000 for the ratio.

Loading goes through the real keys (`name_keys`, `digest`), in bulk: secondary indexes are
dropped, rows inserted with executemany in one transaction, the indexes built again.

    python bench/matching.py [--quick] [--n-quality 100000] [--n 1000000] [--only quality|speed]
"""

import argparse
import random
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import Engine
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parent))
from kieubao.platform import db, migrate
from kieubao.registry import blocking, matching
from kieubao.registry.models import Citizen, NameKey
from kieubao.registry.names import fold
from kieubao.registry.synthetic import Person, noisy_query, people
from results import median, percentile, record

BATCH = 20_000
COLUMNS = (
    "id public_id external_ref full_name name_folded sex birth_year birth_month birth_day "
    "nationality_status phones country city city_folded stay_status status source "
    "created_at updated_at"
).split()


def load(
    path: Path, stream: Iterator[Person], n: int, seen: Callable[[int, Person], None]
) -> Engine:
    """Register n people in a fresh SQLite file; `seen(id, person)` is told of each."""
    engine = db.build_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        migrate.upgrade(conn)
    indexes = [*Citizen.__table__.indexes, *NameKey.__table__.indexes]
    with engine.begin() as conn:
        for index in indexes:
            index.drop(conn)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    raw = engine.raw_connection()
    cursor = raw.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")  # ours are right by construction
    cursor.execute("PRAGMA cache_size=-1000000")
    cursor.execute("BEGIN")
    citizens_sql = (
        f"INSERT INTO citizens ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    )
    keys_sql = "INSERT INTO citizen_name_keys (citizen_id, key) VALUES (?, ?)"
    next_id = 1
    for _ in range(0, n, BATCH):
        batch = list(islice(stream, min(BATCH, n - next_id + 1)))
        citizens, keys = [], []
        for p in batch:
            b = p.born
            citizens.append((
                next_id, str(uuid.UUID(int=next_id)), p.ref, p.full_name, fold(p.full_name),
                p.sex, b.year, b.month, b.day, "vietnamese", "[]", p.country, p.city,
                fold(p.city), p.stay_status, "active", "import", now, now,
            ))  # fmt: skip
            keys += [
                (next_id, blocking.digest(k))
                for k in blocking.name_keys(p.full_name, b.year, b.month, b.day)
            ]
            seen(next_id, p)
            next_id += 1
        cursor.executemany(citizens_sql, citizens)
        cursor.executemany(keys_sql, keys)
    cursor.execute("COMMIT")
    cursor.close()
    raw.close()
    with engine.begin() as conn:
        for index in indexes:
            index.create(conn)
        conn.exec_driver_sql("ANALYZE")
    return engine


class Tally:
    def __init__(self) -> None:
        self.asked = self.hits = self.best_set = self.best_right = 0
        self.absent_asked = self.false_best = 0
        self.clear_asked = self.clear_hits = 0
        # noise kind -> [hits, queries, hits on answerable, answerable queries]
        self.by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])

    def present(
        self, kinds: tuple[str, ...], clear: bool, truth: int, top5: list[int], best: int | None
    ) -> bool:
        hit = truth in top5
        self.asked += 1
        self.hits += hit
        self.clear_asked += clear
        self.clear_hits += clear and hit
        for kind in kinds:
            counts = self.by_kind[kind]
            counts[0] += hit
            counts[1] += 1
            counts[2] += clear and hit
            counts[3] += clear
        if best is not None:
            self.best_set += 1
            self.best_right += best == truth
        return hit

    def absent(self, claimed: bool) -> None:
        self.absent_asked += 1
        self.false_best += claimed

    def figures(self) -> dict[str, Any]:
        return {
            "recall_at_5": round(self.hits / self.asked, 4),
            "recall_at_5_answerable": round(self.clear_hits / max(self.clear_asked, 1), 4),
            "precision_of_best": round(self.best_right / self.best_set, 4)
            if self.best_set
            else None,
            "share_with_best": round(self.best_set / self.asked, 4),
            "false_best_on_absent": round(self.false_best / self.absent_asked, 4),
            "recall_at_5_by_noise": {
                kind: {
                    "recall": round(hits / asked, 4),
                    "recall_answerable": round(clear_hits / max(clear, 1), 4),
                    "queries": asked,
                }
                for kind, (hits, asked, clear_hits, clear) in sorted(self.by_kind.items())
            },
        }


def _given(born: date, date_kind: str) -> tuple[int, ...]:
    """How much of the birth date a query gives."""
    if date_kind in ("full_date", "swapped_date"):
        return (born.year, born.month, born.day)
    return (born.year,) if date_kind == "year_only" else ()


def _ends(folded: str) -> str:
    words = folded.split()
    return f"{words[0]} … {words[-1]}"


def quality(n: int, present: int, absent: int, show_misses: int) -> dict[str, Any]:
    rng = random.Random(11)
    names: dict[str, list[str]] = defaultdict(list)  # country -> folded names
    ids: dict[str, list[int]] = defaultdict(list)
    registered: list[Person] = []
    # (name, country, date as far as a query gives it) -> how many people share it; the
    # name is the folded full name, or surname and given name for a query without middle.
    alike: Counter[tuple[str, str, tuple[int, ...]]] = Counter()

    def seen(id_: int, p: Person) -> None:
        folded = fold(p.full_name)
        names[p.country].append(folded)
        ids[p.country].append(id_)
        registered.append(p)
        for name in {folded, _ends(folded)}:
            for kind in ("full_date", "year_only", "no_date"):
                alike[(name, p.country, _given(p.born, kind))] += 1

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        engine = load(Path(tmp) / "quality.db", people(seed=1), n, seen)
        print(f"  {n:,} registered in {time.perf_counter() - started:.0f} s", flush=True)
        ours, naive = Tally(), Tally()
        misses = []
        with Session(engine) as session:
            for at in rng.sample(range(n), present):
                p, truth = registered[at], at + 1
                name, born, country, kinds = noisy_query(p, rng)
                result = matching.match(session, name=name, date_of_birth=born, country=country)
                session.commit()
                said = _ends(fold(p.full_name)) if "no_middle_name" in kinds else fold(p.full_name)
                clear = alike[(said, p.country, _given(p.born, kinds[-1]))] <= 5
                top5 = [c.id for c in result.candidates[:5]]
                best = result.best.id if result.best else None
                if not ours.present(kinds, clear, truth, top5, best) and clear:
                    misses.append((p.full_name, p.born, name, born, kinds, result.candidates[:3]))
                if best is not None and best != truth:
                    misses.append(("WRONG BEST", p.full_name, p.born, name, born, result.best))
                top = process.extract(fold(name), names[country], scorer=fuzz.WRatio, limit=5)
                found = [ids[country][i] for _, _, i in top]
                naive_best = found[0] if top and top[0][1] >= 90 else None
                naive.present(kinds, clear, truth, found, naive_best)
            for p in islice(people(seed=999, prefix="ABSENT"), absent):
                name, born, country, _ = noisy_query(p, rng)
                result = matching.match(session, name=name, date_of_birth=born, country=country)
                session.commit()
                ours.absent(result.best is not None)
                if result.best is not None:
                    misses.append(("ABSENT BEST", p.full_name, p.born, name, born, result.best))
                top = process.extract(fold(name), names[country], scorer=fuzz.WRatio, limit=1)
                naive.absent(bool(top) and top[0][1] >= 90)
        engine.dispose()
    for miss in misses[:show_misses]:
        print("   ", miss)
    return {
        "n_registered": n,
        "present_queries": present,
        "absent_queries": absent,
        "kieubao": ours.figures(),
        "naive_wratio_baseline": naive.figures(),
        "unanswerable_share": round(1 - ours.clear_asked / ours.asked, 4),
        "targets": {"recall_at_5": 0.97, "precision_of_best": 0.99, "false_best_on_absent": 0.02},
    }


def _timed_matches(session: Session, queries: list[Any]) -> list[float]:
    """Milliseconds per match, each in its own transaction as the API runs it."""
    times = []
    for name, born, country, _ in queries:
        t0 = time.perf_counter()
        matching.match(session, name=name, date_of_birth=born, country=country)
        session.commit()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def speed(n: int, queries: int, repeats: int) -> dict[str, Any]:
    rng = random.Random(5)
    chosen = set(rng.sample(range(1, n + 1), queries))
    kept: list[Person] = []
    sample_names: dict[str, list[str]] = defaultdict(list)  # the naive baseline's 100,000

    def seen(id_: int, p: Person) -> None:
        if id_ in chosen:
            kept.append(p)
        if id_ <= 100_000:
            sample_names[p.country].append(fold(p.full_name))

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        engine = load(Path(tmp) / "speed.db", people(seed=2), n, seen)
        load_s = time.perf_counter() - started
        print(f"  {n:,} registered in {load_s:.0f} s", flush=True)
        sample = [noisy_query(p, rng) for p in kept]
        rng.shuffle(sample)
        runs = []
        absent = [noisy_query(p, rng) for p in islice(people(seed=999, prefix="ABSENT"), 300)]
        with Session(engine) as session:
            key_rows = session.query(NameKey).count()
            for _ in range(repeats):
                times = _timed_matches(session, sample)
                runs.append({q: percentile(times, q / 100) for q in (50, 95, 99)})
                print(f"  run: {runs[-1]}", flush=True)
            absent_times = _timed_matches(session, absent)
        engine.dispose()
    naive_times = []
    for name, _, country, _ in sample[:200]:
        t0 = time.perf_counter()
        process.extract(fold(name), sample_names[country], scorer=fuzz.WRatio, limit=5)
        naive_times.append((time.perf_counter() - t0) * 1000)
    p50 = median([r[50] for r in runs])
    naive_p50 = percentile(naive_times, 0.5)
    return {
        "n_registered": n,
        "name_key_rows": key_rows,
        "queries": len(sample),
        "repeats": repeats,
        "load_seconds": round(load_s, 1),
        "match_ms": {f"p{q}": round(median([r[q] for r in runs]), 2) for q in (50, 95, 99)},
        "runs": [{f"p{q}": round(v, 2) for q, v in r.items()} for r in runs],
        "absent_people_match_ms": {
            f"p{q}": round(percentile(absent_times, q / 100), 2) for q in (50, 95, 99)
        },
        "naive_wratio_same_country_100k_ms": {
            "p50": round(naive_p50, 2),
            "p95": round(percentile(naive_times, 0.95), 2),
        },
        "naive_p50_over_ours_p50": round(naive_p50 / p50, 1),
        "target_p95_ms": 50,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 and 100,000 registrations")
    parser.add_argument("--n-quality", type=int, default=100_000)
    parser.add_argument("--n", type=int, default=1_000_000, help="registrations for speed")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--only", choices=["quality", "speed"])
    parser.add_argument("--show-misses", type=int, default=0)
    args = parser.parse_args()
    n_quality = 20_000 if args.quick else args.n_quality
    n_speed = 100_000 if args.quick else args.n
    if args.only != "speed":
        print(f"matching quality on {n_quality:,} registrations", flush=True)
        found = quality(
            n_quality,
            present=500 if args.quick else 2000,
            absent=250 if args.quick else 1000,
            show_misses=args.show_misses,
        )
        record("matching_quality", found)
        for who in ("kieubao", "naive_wratio_baseline"):
            figures = {k: v for k, v in found[who].items() if k != "recall_at_5_by_noise"}
            print(f"  {who}: {figures}")
        print(f"  recall@5 by noise: {found['kieubao']['recall_at_5_by_noise']}", flush=True)
    if args.only != "quality":
        print(f"matching speed on {n_speed:,} registrations", flush=True)
        timing = speed(n_speed, queries=300 if args.quick else args.queries, repeats=3)
        record("matching_speed", timing)
        print(
            f"  match() ms: {timing['match_ms']}; naive over 100k: "
            f"{timing['naive_wratio_same_country_100k_ms']}; load {timing['load_seconds']} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
