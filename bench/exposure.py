"""Exposure counts over 6 million located citizens: kieubao's index against numpy brute force
and PostGIS, on the same points, every answer checked.

Registrations come from kieubao.crisis.synthetic_residents (clustered around the cities of
the Vietnamese diaspora). Queries: 300 km circles around cities drawn with the population
weights (50 km jitter), and 12–40-vertex polygons 300–600 km across (30% with a hole near
the middle). Each asks count, by_country and the first page of 50 ids. The index's times
are medians over --repeats runs; numpy's and PostGIS's come from one run each.

Baselines: (a) numpy: haversine over every point for circles; for polygons a bounding-box
filter over every point, then float ray casting (a point on an edge counts as inside, as
in ST_Covers). (b) PostGIS on the local PostgreSQL (database kieubao_bench; `sh
bench/postgis.sh` installs it): ST_DWithin on a geography column with a GiST index and
use_spheroid false, and ST_Covers on a geometry column (SRID 4326) with a GiST index.
Tuned as one would: the table is written in PostGIS's Hilbert order of the points (ORDER
BY geom) and queries run with work_mem 64MB (in registration order a 1.1M-citizen circle
reads one heap page per citizen, ~5 s). PostGIS's sphere is the WGS84 mean radius,
6371008.7714 m; ours is 6371008.8 m, so the distance given to ST_DWithin is scaled to test
the same angle. A loaded table is reused when the same registrations are asked for again
(its load times are kept with it).

Then churn: moves and erasures go into the index and the baseline's arrays alike; queries
are timed and checked again with the overlay nearly full, then after compaction.

    python bench/exposure.py [--quick] [--n 6000000] [--queries 200] [--repeats 3]
                             [--postgis-queries 60] [--no-postgis]
"""

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from kieubao.crisis import synthetic_residents as synthetic
from kieubao.crisis.spatial import Exposure, ExposureIndex, Resident
from results import median, percentile, record

R_KM = 6371.0088
POSTGIS_SPHERE_M = 6371008.7714150598  # (2a + b) / 3 of WGS84, as spheroid_init computes
DSN = os.environ.get("KIEUBAO_BENCH_DSN", "host=127.0.0.1 user=postgres dbname=kieubao_bench")
PAGE = 50
LAYOUT = b"hilbert-ordered heap"  # a table loaded another way is loaded again
# Far from the usual: across the antimeridian, around both poles, half the earth, all of it.
EDGE_CIRCLES = [(-17.8, 179.6, 500.0), (89.5, 40.0, 1500.0), (-85.0, -120.0, 3000.0)]
EDGE_CIRCLES += [(35.68, 139.69, 10007.5), (20.0, -170.0, 20015.0), (35.68, 139.69, 0.5)]

Answer = tuple[int, dict[str, int], list[int]]  # count, by_country, first page of ids


def rss() -> tuple[int, int]:
    """(resident set size, its peak) of this process, in bytes."""
    status = Path("/proc/self/status").read_text().split("\n")
    kb = {line.split(":")[0]: int(line.split()[1]) for line in status if line.startswith("Vm")}
    return kb["VmRSS"] * 1024, kb["VmHWM"] * 1024


class Brute:
    """Every point looked at for every query, on arrays the churn keeps in step."""

    def __init__(self, reg: synthetic.Registrations) -> None:
        self.ids, self.lat, self.lon = reg.ids, reg.lat.copy(), reg.lon.copy()
        self.country, self.names = reg.country.copy(), reg.countries
        self.alive = np.ones(len(reg.ids), dtype=bool)
        self.row_of = np.empty(len(reg.ids) + 1, dtype=np.int64)
        self.row_of[reg.ids] = np.arange(len(reg.ids))

    def answer(self, mask: np.ndarray) -> Answer:
        mask &= self.alive
        counts = np.bincount(self.country[mask], minlength=len(self.names))
        ids = self.ids[mask]
        first = np.sort(np.partition(ids, PAGE - 1)[:PAGE] if len(ids) > PAGE else ids)
        by_country = {self.names[i]: int(counts[i]) for i in np.flatnonzero(counts)}
        return int(mask.sum()), by_country, first.tolist()

    def circle(self, lat: float, lon: float, radius_km: float) -> Answer:
        p1, p2 = np.radians(lat), np.radians(self.lat)
        h = np.sin((p2 - p1) / 2) ** 2
        h += np.cos(p1) * np.cos(p2) * np.sin(np.radians(self.lon - lon) / 2) ** 2
        return self.answer(2 * R_KM * np.arcsin(np.minimum(1.0, np.sqrt(h))) <= radius_km)

    def polygon(self, geometry: dict[str, Any]) -> Answer:
        rings = geometry["coordinates"]
        xs, ys = [p[0] for p in rings[0]], [p[1] for p in rings[0]]
        near = np.flatnonzero(
            (self.lon >= min(xs)) & (self.lon <= max(xs))
            & (self.lat >= min(ys)) & (self.lat <= max(ys))
        )  # fmt: skip
        x, y = self.lon[near], self.lat[near]
        odd, on_edge = np.zeros(len(near), bool), np.zeros(len(near), bool)
        for ring in rings:
            for (ax, ay), (bx, by) in pairwise(ring):
                straddles = (ay > y) != (by > y)
                with np.errstate(divide="ignore", invalid="ignore"):
                    odd ^= straddles & (x < ax + (y - ay) * (bx - ax) / (by - ay))
                in_box = (x >= min(ax, bx)) & (x <= max(ax, bx))
                in_box &= (y >= min(ay, by)) & (y <= max(ay, by))
                on_edge |= in_box & ((bx - ax) * (y - ay) == (by - ay) * (x - ax))
        mask = np.zeros(len(self.ids), bool)
        mask[near] = odd | on_edge
        return self.answer(mask)


def of(found: Exposure) -> Answer:
    return found.count, found.by_country, list(found.first_ids)


def timed(call: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call(*args)
    return (time.perf_counter() - started) * 1000, result


def spread(times: Sequence[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(list(times), 0.5), 2),
        "p95": round(percentile(list(times), 0.95), 2),
    }


def check(
    what: str, ours: Sequence[Answer], theirs: Sequence[Answer], shapes: Sequence[Any]
) -> None:
    """Fail loudly: the first answers that differ, with their shapes."""
    wrong = [(s, a, b) for s, a, b in zip(shapes, ours, theirs, strict=False) if a != b]
    for shape, a, b in wrong[:3]:
        print(
            f"  MISMATCH with {what}: {json.dumps(shape)[:300]}\n"
            f"    index {a[:2]}\n    {what} {b[:2]}"
        )
        print(f"    pages differ: {a[2] != b[2]}")
    if wrong:
        raise SystemExit(f"{len(wrong)} of {len(theirs)} answers differ from {what}")


def ask_all(
    index: ExposureIndex, circles: Sequence[Any], polygons: Sequence[Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {"circle": [], "polygon": []}
    out["circle"] = [timed(lambda c: of(index.circle(*c, first_page=PAGE)), c) for c in circles]
    out["polygon"] = [timed(lambda g: of(index.polygon(g, first_page=PAGE)), g) for g in polygons]
    return out


def churn(
    index: ExposureIndex, brute: Brute, n: int, circles: Sequence[Any], polygons: Sequence[Any]
) -> dict[str, Any]:
    """Moves and erasures that keep the overlay just under its limit, then compaction."""
    rng = np.random.default_rng(11)
    moves, erasures = 6_000 if n >= 100_000 else n // 20, 2_000 if n >= 100_000 else n // 60
    places = synthetic.registrations(moves, seed=2)
    who = rng.choice(np.arange(1, n + 1), size=moves + erasures, replace=False)
    started = time.perf_counter()
    for citizen, r in zip(who[:moves].tolist(), places.residents(), strict=False):
        index.upsert(
            Resident(citizen, r.lat, r.lon, r.country, r.city, r.stay_status, r.crisis_consent)
        )
    for citizen in who[moves:].tolist():
        index.remove(citizen)
    writes_s = time.perf_counter() - started
    rows = brute.row_of[who[:moves]]
    brute.lat[rows], brute.lon[rows], brute.country[rows] = places.lat, places.lon, places.country
    brute.alive[brute.row_of[who[moves:]]] = False
    assert len(index) == int(brute.alive.sum())
    full = ask_all(index, circles, polygons)
    check(
        "numpy (overlay full)",
        [a for _, a in full["circle"]],
        [brute.circle(*c) for c in circles],
        circles,
    )
    check(
        "numpy (overlay full)",
        [a for _, a in full["polygon"]],
        [brute.polygon(p) for p in polygons],
        polygons,
    )
    compact_ms, _ = timed(index.compact)
    after = ask_all(index, circles, polygons)
    check(
        "numpy (compacted)",
        [a for _, a in after["circle"]],
        [a for _, a in full["circle"]],
        circles,
    )
    check(
        "numpy (compacted)",
        [a for _, a in after["polygon"]],
        [a for _, a in full["polygon"]],
        polygons,
    )
    return {
        "moves": moves,
        "erasures": erasures,
        "write_us": round(writes_s / (moves + erasures) * 1e6, 1),
        "index_ms_overlay_full": {k: spread([t for t, _ in v]) for k, v in full.items()},
        "compact_seconds": round(compact_ms / 1000, 2),
        "index_ms_after_compaction": {k: spread([t for t, _ in v]) for k, v in after.items()},
        "queries_checked": 2 * (len(circles) + len(polygons)),
    }


def _load(conn: Any, reg: synthetic.Registrations, digest: str) -> dict[str, Any]:
    """The registrations into kieubao_bench.exposure_points by binary COPY, then indexes."""
    row = np.dtype([("fields", ">i2"), ("l1", ">i4"), ("id", ">i8"), ("l2", ">i4"), ("code", ">i2"),
                    ("l3", ">i4"), ("lon", ">f8"), ("l4", ">i4"), ("lat", ">f8")])  # fmt: skip
    conn.execute("DROP TABLE IF EXISTS exposure_points, exposure_stage, exposure_meta")
    conn.execute("SET maintenance_work_mem = '1GB'")
    conn.execute(
        "CREATE UNLOGGED TABLE exposure_stage (id bigint, code smallint, lon float8, lat float8)"
    )
    started, steps = time.perf_counter(), {}
    with conn.cursor().copy("COPY exposure_stage FROM STDIN WITH (FORMAT BINARY)") as copy:
        copy.write(b"PGCOPY\n\xff\r\n\x00" + bytes(8))
        for at in range(0, len(reg.ids), 500_000):
            chunk = np.zeros(len(reg.ids[at : at + 500_000]), row)
            chunk["fields"], chunk["l1"], chunk["l2"], chunk["l3"], chunk["l4"] = 4, 8, 2, 8, 8
            chunk["id"], chunk["code"] = reg.ids[at : at + 500_000], reg.country[at : at + 500_000]
            chunk["lon"], chunk["lat"] = reg.lon[at : at + 500_000], reg.lat[at : at + 500_000]
            copy.write(chunk.tobytes())
        copy.write(b"\xff\xff")
    names = "ARRAY[" + ",".join(f"'{c}'" for c in reg.countries) + "]"
    steps["copy"] = time.perf_counter() - started
    for step, sql in [
        ("points", "CREATE UNLOGGED TABLE exposure_points AS SELECT id,"
                   f" ({names})[code + 1] AS country,"
                   " ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom,"
                   " ST_MakePoint(lon, lat)::geography AS geog FROM exposure_stage"
                   " ORDER BY geom"),  # Hilbert order: neighbours share heap pages
        ("primary_key", "ALTER TABLE exposure_points ADD PRIMARY KEY (id)"),
        ("geography_gist", "CREATE INDEX ON exposure_points USING gist (geog)"),
        ("geometry_gist", "CREATE INDEX ON exposure_points USING gist (geom)"),
        ("analyze", "ANALYZE exposure_points"),
    ]:  # fmt: skip
        began = time.perf_counter()
        conn.execute(sql)
        steps[step] = time.perf_counter() - began
    conn.execute("DROP TABLE exposure_stage")
    figures = {k: round(v, 1) for k, v in steps.items()}
    conn.execute("CREATE TABLE exposure_meta (digest text, figures jsonb)")
    conn.execute("INSERT INTO exposure_meta VALUES (%s, %s)", (digest, json.dumps(figures)))
    return figures


def postgis(reg: synthetic.Registrations, circles: Sequence[Any], polygons: Sequence[Any],
            answers: dict[str, list[Answer]]) -> dict[str, Any]:  # fmt: skip
    import psycopg

    conn = psycopg.connect(DSN, autocommit=True)
    if not conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone():
        raise SystemExit("PostGIS is not enabled in kieubao_bench: run `sh bench/postgis.sh`")
    digest = hashlib.blake2b(
        LAYOUT + b"".join(a.tobytes() for a in (reg.ids, reg.lat, reg.lon, reg.country))
    ).hexdigest()
    kept = None
    if conn.execute("SELECT to_regclass('exposure_meta')").fetchone()[0]:
        sql = "SELECT figures FROM exposure_meta WHERE digest = %s"
        kept = conn.execute(sql, (digest,)).fetchone()
    load = kept[0] if kept else _load(conn, reg, digest)
    print(f"  PostGIS table {'reused' if kept else 'loaded'}: {load} s", flush=True)
    conn.execute("SET work_mem = '64MB'")  # counts of a million rows sort in memory
    scale = POSTGIS_SPHERE_M / (R_KM * 1000)
    near = "ST_DWithin(geog, ST_MakePoint(%(lon)s, %(lat)s)::geography, %(m)s, false)"
    covered = "ST_Covers(ST_SetSRID(ST_GeomFromGeoJSON(%(g)s), 4326), geom)"

    def ask(where: str, params: dict[str, Any]) -> Answer:
        rows = conn.execute(
            f"SELECT country, count(*) FROM exposure_points WHERE {where} GROUP BY country", params
        ).fetchall()
        page = conn.execute(
            f"SELECT id FROM exposure_points WHERE {where} ORDER BY id LIMIT {PAGE}", params
        ).fetchall()
        return sum(n for _, n in rows), {c: n for c, n in rows}, [i for (i,) in page]

    def circle(c: Any) -> Answer:
        return ask(near, {"lat": c[0], "lon": c[1], "m": c[2] * 1000 * scale})

    def polygon(g: Any) -> Answer:
        return ask(covered, {"g": json.dumps(g)})

    for c in circles[:3]:  # warm the caches
        circle(c)
    found = {"circle": [timed(circle, c) for c in circles]}
    found["polygon"] = [timed(polygon, g) for g in polygons]
    for kind, shapes in (("circle", circles), ("polygon", polygons)):
        check("PostGIS", answers[kind][: len(shapes)], [a for _, a in found[kind]], shapes)
    settings = {
        k: conn.execute(f"SHOW {k}").fetchone()[0]
        for k in ("shared_buffers", "max_parallel_workers_per_gather", "jit")
    }
    version = conn.execute(
        "SELECT postgis_lib_version(), current_setting('server_version')"
    ).fetchone()
    conn.close()
    return {
        "queries": {k: len(v) for k, v in found.items()},
        "ms": {k: spread([t for t, _ in v]) for k, v in found.items()},
        "load_seconds": load,
        "sphere_radius_m": POSTGIS_SPHERE_M,
        "server": {"postgis": version[0], "postgresql": version[1], **settings},
        "tuning": "heap in Hilbert order (ORDER BY geom at load), work_mem 64MB",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="300,000 registrations, fewer queries")
    parser.add_argument("--n", type=int, default=6_000_000)
    parser.add_argument("--queries", type=int, default=200, help="of each shape")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--postgis-queries", type=int, default=60, help="of each shape")
    parser.add_argument("--no-postgis", action="store_true")
    args = parser.parse_args()
    n = 300_000 if args.quick else args.n
    queries = 100 if args.quick else args.queries
    print(f"exposure over {n:,} registrations", flush=True)
    generate_ms, reg = timed(synthetic.registrations, n)
    build_ms, index = timed(ExposureIndex.build, reg.residents())
    memory, (resident, peak) = index.memory_bytes, rss()
    print(
        f"  generated in {generate_ms / 1000:.1f} s, built in {build_ms / 1000:.1f} s: index "
        f"{memory / 1e6:.0f} MB, process {resident / 1e9:.2f} GB (peak {peak / 1e9:.2f})",
        flush=True,
    )
    rng = np.random.default_rng(7)
    circles = [(lat, lon, 300.0) for lat, lon in synthetic.centres(rng, queries, 50.0)]
    polygons = [synthetic.polygon_near(rng, lat, lon, rng.random() < 0.3)
                for lat, lon in synthetic.centres(rng, queries, 50.0)]  # fmt: skip
    runs = [ask_all(index, circles, polygons) for _ in range(args.repeats)]
    answers = {k: [a for _, a in runs[-1][k]] for k in ("circle", "polygon")}
    ours = {
        k: {q: median([spread([t for t, _ in run[k]])[q] for run in runs]) for q in ("p50", "p95")}
        for k in answers
    }
    print(f"  index ms: {ours}", flush=True)
    brute = Brute(reg)
    numpy_circles = [timed(brute.circle, *c) for c in circles]
    numpy_polygons = [timed(brute.polygon, g) for g in polygons]
    check("numpy", answers["circle"], [a for _, a in numpy_circles], circles)
    check("numpy", answers["polygon"], [a for _, a in numpy_polygons], polygons)
    edge = [of(index.circle(*c)) for c in EDGE_CIRCLES]
    check("numpy", edge, [brute.circle(*c) for c in EDGE_CIRCLES], EDGE_CIRCLES)
    numpy_ms = {
        "circle": spread([t for t, _ in numpy_circles]),
        "polygon": spread([t for t, _ in numpy_polygons]),
    }
    print(
        f"  numpy ms: {numpy_ms}; all {2 * queries + len(EDGE_CIRCLES)} answers identical",
        flush=True,
    )
    figures: dict[str, Any] = {
        "n_registered": n,
        "cells_per_degree": 32,
        "generate_seconds": round(generate_ms / 1000, 1),
        "build_seconds": round(build_ms / 1000, 1),
        "index_memory_bytes": memory,
        "process_rss_bytes": resident,
        "process_peak_rss_bytes": peak,
        "queries": {"circle": queries, "polygon": queries, "edge_circles": len(EDGE_CIRCLES)},
        "repeats": args.repeats,
        "index_ms": ours,
        "index_runs_ms": [{k: spread([t for t, _ in run[k]]) for k in answers} for run in runs],
        "numpy_ms": numpy_ms,
        "numpy_p50_over_index_p50": {
            k: round(numpy_ms[k]["p50"] / ours[k]["p50"], 1) for k in ours
        },
        "answers_checked_against_numpy": 2 * queries + len(EDGE_CIRCLES),
        "targets": {"index_p50_ms": 10, "postgis_p50_over_index_p50": 20, "build_seconds": 60},
    }
    if not args.no_postgis:
        size = 20 if args.quick else args.postgis_queries
        figures["postgis"] = postgis(reg, circles[:size], polygons[:size], answers)
        theirs = figures["postgis"]["ms"]
        figures["postgis_p50_over_index_p50"] = {
            k: round(theirs[k]["p50"] / ours[k]["p50"], 1) for k in ours
        }
        print(f"  PostGIS ms: {theirs}; all answers identical", flush=True)
    few = max(10, queries // 4)
    figures["churn"] = churn(index, brute, n, circles[:few], polygons[:few])
    print(f"  churn: {figures['churn']}", flush=True)
    record("exposure", figures)
    for key in ("numpy_p50_over_index_p50", "postgis_p50_over_index_p50"):
        if key in figures:
            print(f"  {key}: {figures[key]}")


if __name__ == "__main__":
    main()
