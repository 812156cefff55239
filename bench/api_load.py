"""Load benchmark of the identity API: list and detail under concurrent clients.

Fills a fresh database with N identities (one observation each) and starts
the app under uvicorn in a subprocess, with one extra trivial route
(`GET /bench/trivial`, which returns a constant). Then it drives each route
from C concurrent clients for R requests and prints p50, p99 and requests
per second, so the API's own cost can be read against FastAPI's floor.

    python bench/api_load.py                       # 100k identities, SQLite
    python bench/api_load.py --db postgresql://postgres@127.0.0.1:5432/bench_api

The database named by --db is filled from empty; use a throwaway one.
Clients and server share the machine, so the figures are a lower bound of
what the server alone could do.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa

SECRET = "bench-secret-" + "b" * 40
BATCH = 5000


@dataclass(frozen=True)
class Result:
    """Latencies of one route under load."""

    name: str
    requests: int
    errors: int
    elapsed_s: float
    latencies_ms: list[float]
    # Failed requests by status code, or by exception name for transport errors.
    failures: Counter[str] = field(default_factory=Counter)

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p99(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed_s


async def fill(db_url: str, identities: int) -> list[str]:
    """Migrate `db_url`, insert the identities and observations, return uuids."""
    from decnet.web.api.security import hash_password
    from decnet.web.db.engine import create_engine
    from decnet.web.db.migrate import upgrade
    from decnet.web.db.models import Attacker, AttackerIdentity, User

    engine = create_engine(db_url)
    await upgrade(engine)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    uuids = [str(uuid.uuid4()) for _ in range(identities)]
    async with engine.begin() as conn:
        await conn.execute(
            sa.insert(User.__table__),
            [
                {
                    "uuid": str(uuid.uuid4()),
                    "username": "bench",
                    "password_hash": hash_password("bench-password"),
                    "role": "viewer",
                    "token_version": 1,
                    "must_change_password": False,
                    "created_at": base,
                    "updated_at": base,
                }
            ],
        )
    for start in range(0, identities, BATCH):
        chunk = range(start, min(start + BATCH, identities))
        when = [base + timedelta(seconds=n) for n in chunk]
        async with engine.begin() as conn:
            await conn.execute(
                sa.insert(AttackerIdentity.__table__),
                [
                    {
                        "uuid": uuids[n],
                        "schema_version": 1,
                        "created_at": when[i],
                        "updated_at": when[i],
                        "first_seen_at": when[i],
                        "last_seen_at": when[i],
                        "confidence": 0.9,
                        "observation_count": 1,
                        "hassh_hashes": ["92674389fa1e47a27ddd8d9b63ecd42b"],
                        "merge_state": 0,
                        "merge_target_state": 0,
                    }
                    for i, n in enumerate(chunk)
                ],
            )
            await conn.execute(
                sa.insert(Attacker.__table__),
                [
                    {
                        "uuid": str(uuid.uuid4()),
                        "ip": f"2001:db8::{n:x}",
                        "first_seen_at": when[i],
                        "last_seen_at": when[i],
                        "created_at": when[i],
                        "updated_at": when[i],
                        "identity_id": uuids[n],
                    }
                    for i, n in enumerate(chunk)
                ],
            )
    await engine.dispose()
    return uuids


def serve(db_url: str, port: int) -> None:
    """Run the app with the trivial route on 127.0.0.1:`port` (subprocess mode)."""
    import uvicorn

    from decnet.config import Settings
    from decnet.logs import configure_logging
    from decnet.web.api.app import create_app

    # Warnings and errors only, with their fields, so a failed request names
    # its cause without logging every request.
    configure_logging("WARNING")
    app = create_app(
        Settings(db_url=db_url, jwt_secret=SECRET), announce_admin=lambda a: None
    )

    async def trivial() -> dict[str, bool]:
        return {"ok": True}

    app.add_api_route("/bench/trivial", trivial, methods=["GET"])
    # Keep idle connections for 60 s (uvicorn's default is 5 s), so that a
    # client slowed by the load does not reuse a connection being closed.
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=60,
    )


async def drive(
    base: str, name: str, paths: list[str], clients: int, requests: int, token: str
) -> Result:
    """Send `requests` GETs over `clients` connections, cycling through `paths`."""
    latencies: list[float] = []
    failures: Counter[str] = Counter()
    counter = iter(range(requests))
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker() -> None:
            for n in counter:
                started = time.perf_counter()
                try:
                    response = await client.get(paths[n % len(paths)], headers=headers)
                    if response.status_code != 200:
                        failures[str(response.status_code)] += 1
                except httpx.HTTPError as error:
                    failures[type(error).__name__] += 1
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return Result(name, requests, sum(failures.values()), elapsed, latencies, failures)


def wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/bench/trivial", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("server did not start within 60 s")


async def benchmark(args: argparse.Namespace, db_url: str) -> list[Result]:
    from decnet.web.api.security import create_token

    started = time.perf_counter()
    uuids = await fill(db_url, args.identities)
    print(
        f"filled {args.identities} identities in {time.perf_counter() - started:.1f} s"
    )

    port = args.port
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", db_url, "--port", str(port)], env=env
    )
    try:
        wait_ready(base, process)
        token = create_token(
            SECRET, username="bench", role="viewer", version=1, lifetime_s=3600
        )
        rng = random.Random(1)
        picks = [rng.choice(uuids) for _ in range(1000)]
        deep = [rng.randrange(0, args.identities - 50) for _ in range(1000)]
        scenarios = [
            ("trivial route", ["/bench/trivial"]),
            ("list, first page (limit 50)", ["/api/v1/identities?limit=50"]),
            (
                "list, random offset (limit 50)",
                [f"/api/v1/identities?limit=50&offset={o}" for o in deep],
            ),
            ("detail", [f"/api/v1/identities/{u}" for u in picks]),
        ]
        await drive(base, "warm-up", ["/bench/trivial"], args.clients, 500, token)
        results = []
        for name, paths in scenarios:
            result = await drive(base, name, paths, args.clients, args.requests, token)
            print(f"{name}: p50 {result.p50:.1f} ms, {result.rps:.0f}/s", flush=True)
            results.append(result)
        return results
    finally:
        process.terminate()
        process.wait(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--identities", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5000, help="per route")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--serve", metavar="DB_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        db_url = args.db or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        results = asyncio.run(benchmark(args, db_url))
    load_after = os.getloadavg()
    backend = db_url.split(":", 1)[0]
    print(
        f"\n{args.identities} identities on {backend}, {args.clients} clients, "
        f"{args.requests} requests per route, {os.cpu_count()} CPUs, 1-minute load "
        f"average {load_before[0]:.1f} before and {load_after[0]:.1f} after\n"
    )
    print("| route | p50 ms | p99 ms | requests/s | errors |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        failures = ", ".join(f"{n} x {what}" for what, n in sorted(r.failures.items()))
        errors = f"{r.errors} ({failures})" if failures else "0"
        print(f"| {r.name} | {r.p50:.1f} | {r.p99:.1f} | {r.rps:.0f} | {errors} |")


if __name__ == "__main__":
    main()
