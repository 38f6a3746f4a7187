"""Import speed: rows per second for a generated 100k-row CSV through the real job path
(``run_import``: count, parse, validate, match against the registry, register, index for
matching, note duplicate suspects, audit, a transaction per 500 rows), on SQLite and on
PostgreSQL, each run into an empty registry.

The baseline for the ratio, measured in the same run on the same database: the naive way,
the same rows INSERTed one by one (one statement per row, one transaction) with no
decoding, validation, matching, indexing or audit.

    python bench/imports.py [--quick] [--rows 100000] [--repeats 3]
"""

import argparse
import csv
import io
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from results import median, record

Runner = Callable[[str, bytes, Path], dict[str, float]]
POSTGRES = os.environ.get(
    "KIEUBAO_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def make_csv(rows: int) -> bytes:
    from kieubao.registry.synthetic import people

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["external_ref", "full_name", "sex", "date_of_birth", "country", "city", "stay_status"]
    )
    for p in islice(people(seed=42, prefix="BENCH"), rows):
        writer.writerow(
            [
                p.ref,
                p.full_name,
                p.sex,
                p.born.strftime("%d/%m/%Y"),
                p.country,
                p.city,
                p.stay_status,
            ]
        )
    return out.getvalue().encode("utf-8")


def configure(url: str, var: Path) -> None:
    from kieubao.platform import db, jobs
    from kieubao.platform.settings import get_settings

    os.environ.update(
        KIEUBAO_DATABASE_URL=url, KIEUBAO_VAR_DIR=str(var), KIEUBAO_JOBS_IMMEDIATE="false"
    )
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    db._session_factory.cache_clear()
    jobs.reset()


def real_path(url: str, data: bytes, var: Path) -> dict[str, float]:
    """One import through the job, timed from the job's start to its end."""
    from kieubao.platform import audit, db, migrate, missions
    from kieubao.platform.models import Role, User
    from kieubao.registry.actions.imports import start_import
    from kieubao.registry.jobs import run_import
    from kieubao.registry.models import ImportJob

    configure(url, var)
    with db.get_engine().begin() as conn:
        migrate.upgrade(conn)
    with db.session_scope() as session:
        missions.load_seed(session, acting_user=audit.System("bench"))
        officer = User(email="bench@kieubao.test", role=Role.hq_officer)
        session.add(officer)
        session.commit()
        job = start_import(session, acting_user=officer, filename="bench.csv", data=data)
        import_id = job.id
    started = time.perf_counter()
    run_import(import_id=import_id)
    seconds = time.perf_counter() - started
    with db.session_scope() as session:
        done = session.get(ImportJob, import_id)
        assert done is not None and done.status == "done", done and done.error
        created = done.created
    db.get_engine().dispose()
    return {
        "seconds": round(seconds, 1),
        "rows_per_s": round(done.rows_done / seconds, 1),
        "created": created,
    }


def naive(url: str, data: bytes, var: Path) -> dict[str, float]:
    """The baseline: INSERT row by row, nothing checked, nothing derived."""
    from sqlalchemy import insert

    from kieubao.platform import db, migrate
    from kieubao.registry.models import Citizen

    configure(url, var)
    engine = db.get_engine()
    with engine.begin() as conn:
        migrate.upgrade(conn)
    now = datetime.now(UTC)
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    started = time.perf_counter()
    with engine.begin() as conn:
        for row in rows:
            conn.execute(
                insert(Citizen).values(
                    public_id=str(uuid.uuid4()),
                    external_ref=row["external_ref"],
                    full_name=row["full_name"],
                    name_folded=row["full_name"].lower(),
                    country=row["country"],
                    city=row["city"],
                    phones=[],
                    created_at=now,
                    updated_at=now,
                )
            )
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": round(seconds, 1), "rows_per_s": round(len(rows) / seconds, 1)}


def scratch_postgres() -> str | None:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"kieubao_bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(
            POSTGRES.replace("+psycopg", ""), autocommit=True, connect_timeout=3
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"  PostgreSQL not reachable, skipped: {exc}")
        return None
    return make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)


def drop_postgres(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    with psycopg.connect(POSTGRES.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(backend: str, run: Runner, data: bytes, var: Path) -> dict[str, float] | None:
    """One run on a fresh database: a file under ``var`` or a scratch PostgreSQL database."""
    var.mkdir()
    url = f"sqlite:///{var}/bench.db" if backend == "sqlite" else scratch_postgres()
    if url is None:
        return None
    try:
        return run(url, data, var)
    finally:
        if backend == "postgresql":
            drop_postgres(url)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=None, help="runs per measure (median)")
    args = parser.parse_args()
    rows = 10_000 if args.quick else args.rows
    repeats = args.repeats or (3 if args.quick else 1)
    data = make_csv(rows)
    figures: dict[str, object] = {
        "rows": rows,
        "file_mb": round(len(data) / 2**20, 1),
        "repeats": repeats,
        "baseline": "naive row-by-row INSERT of the same rows, no validation or matching",
    }
    with tempfile.TemporaryDirectory() as tmp:
        for backend in ("sqlite", "postgresql"):
            speeds: dict[str, float] = {}
            for way, run in (("kieubao_job", real_path), ("naive_insert", naive)):
                runs = []
                for attempt in range(repeats):
                    result = measure(backend, run, data, Path(tmp) / f"{backend}-{way}-{attempt}")
                    if result is None:
                        break
                    runs.append(result)
                    print(f"  {backend:10} {way:12} {result}", flush=True)
                if runs:
                    speeds[way] = median([r["rows_per_s"] for r in runs])
                    figures[f"{backend}_{way}"] = {
                        "rows_per_s_median": speeds[way],
                        "seconds_median": median([r["seconds"] for r in runs]),
                        "runs": runs,
                    }
            if len(speeds) == 2:
                ratio = round(speeds["kieubao_job"] / speeds["naive_insert"], 3)
                figures[f"{backend}_ratio_to_naive"] = ratio
    record("import_speed", figures)


if __name__ == "__main__":
    main()
