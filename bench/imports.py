"""Import speed: rows per second for a generated 100k-row CSV through the real job path
(parse, validate, match against the registry, register, index, audit), on SQLite and on
PostgreSQL; beside it, in the same run, the naive way: the same rows INSERTed one by one
with no validation, matching, indexing or audit.

    python bench/imports.py [--quick] [--rows 100000]
"""

import argparse
import csv
import io
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from results import record

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    rows = 10_000 if args.quick else args.rows
    data = make_csv(rows)
    figures: dict[str, object] = {"rows": rows, "file_mb": round(len(data) / 2**20, 1)}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in ("sqlite", "postgresql"):
            for way, run in (("kieubao_job", real_path), ("naive_insert", naive)):
                var = Path(tmp) / f"{backend}-{way}"
                var.mkdir()
                url = f"sqlite:///{var}/bench.db" if backend == "sqlite" else scratch_postgres()
                if url is None:
                    continue
                try:
                    result = run(url, data, var)
                finally:
                    if backend == "postgresql":
                        drop_postgres(url)
                figures[f"{backend}_{way}"] = result
                print(f"  {backend:10} {way:12} {result}", flush=True)
            real, plain = (
                figures.get(f"{backend}_kieubao_job"),
                figures.get(f"{backend}_naive_insert"),
            )
            if isinstance(real, dict) and isinstance(plain, dict):
                figures[f"{backend}_ratio_to_naive"] = round(
                    real["rows_per_s"] / plain["rows_per_s"], 3
                )
    record("import_speed", figures)


if __name__ == "__main__":
    main()
