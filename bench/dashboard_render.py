"""Render benchmark of the dashboard's identity list over N identities.

Fills a fresh SQLite database with N identities of one observation each,
using the filler of bench/api_load.py, gives every observation the same
HASSH feature and one observation a C2 endpoint, and starts `decnet serve`
on a free loopback port. Headless Debian Chromium then loads R times each:
the first, middle and last page of the identity list, the first page by
observation count, the last page by last seen, and searches for an IP,
the rare C2 endpoint and the HASSH that every identity shares. Prints the
median and worst time from navigation to rows on screen, the DOM element
count and the JS heap in use.

    python bench/dashboard_render.py                  # 100k identities
    python bench/dashboard_render.py --identities 1000000 --runs 5

Needs `make web` (the build and node_modules) and /usr/bin/chromium. Times
include a full page load of the built bundle from the local server.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "decnet_web" / "e2e" / "render.bench.mjs"


def _filler() -> Callable[[str, int], Awaitable[list[str]]]:
    spec = importlib.util.spec_from_file_location(
        "api_load", ROOT / "bench" / "api_load.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up in sys.modules while it executes.
    sys.modules["api_load"] = module
    spec.loader.exec_module(module)
    return module.fill


# Search cases: the rare C2 endpoint is on one observation, the common HASSH
# (as written by the filler) on all of them.
RARE_C2 = "cdn.bench.example:8080"
COMMON_HASSH = "92674389fa1e47a27ddd8d9b63ecd42b"


async def _add_features(db_url: str) -> None:
    """Give every observation the HASSH feature and the first one a C2 endpoint."""
    import hashlib

    import sqlalchemy as sa

    from decnet.web.db.engine import create_engine
    from decnet.web.db.models import Attacker, ObservationFeature

    def key(value: str) -> str:
        return hashlib.sha256(value.encode()).hexdigest()

    features = ObservationFeature.__table__
    attackers = Attacker.__table__
    columns = ["observation_uuid", "kind", "value", "value_key", "occurrences"]

    def rows(kind: str, value: str) -> sa.Select[Any]:
        return sa.select(
            attackers.c.uuid,
            sa.literal(kind),
            sa.literal(value),
            sa.literal(key(value)),
            sa.literal(1),
        )

    engine = create_engine(db_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.insert(features).from_select(columns, rows("hassh", COMMON_HASSH))
            )
            rare = rows("c2_endpoint", RARE_C2).order_by(attackers.c.ip).limit(1)
            await conn.execute(sa.insert(features).from_select(columns, rare))
    finally:
        await engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--identities", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10, help="page loads per case")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        db_url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        started = time.perf_counter()
        asyncio.run(_filler()(db_url, args.identities))
        asyncio.run(_add_features(db_url))
        print(
            f"filled {args.identities} identities "
            f"in {time.perf_counter() - started:.0f} s"
        )

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "DECNET_HOME": folder, "DECNET_DB_URL": db_url}
        decnet = Path(sys.executable).with_name("decnet")
        server = subprocess.Popen(
            [str(decnet), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    if httpx.get(f"{base}/api/v1/health", timeout=2).status_code < 500:
                        break
                except httpx.TransportError:
                    time.sleep(0.3)
            result = subprocess.run(
                ["node", str(SCRIPT)],
                cwd=SCRIPT.parents[1],
                env={
                    **os.environ,
                    "BENCH_BASE_URL": base,
                    "BENCH_USER": "bench",
                    "BENCH_PASSWORD": "bench-password",
                    "BENCH_RUNS": str(args.runs),
                    "BENCH_SEARCHES": json.dumps(
                        [
                            ["search IP", "2001:db8::1"],
                            ["search rare C2 endpoint", RARE_C2],
                            ["search HASSH on every identity", COMMON_HASSH],
                        ]
                    ),
                },
                capture_output=True,
                text=True,
                timeout=1800,
            )
        finally:
            server.terminate()
            server.wait(timeout=15)
    if result.returncode != 0:
        sys.exit(f"browser benchmark failed:\n{result.stdout}{result.stderr}")

    print(f"\n{args.identities} identities on SQLite, {args.runs} loads per page\n")
    print(
        "| case | address | median ms | max ms | DOM elements | table rows "
        "| JS heap MB |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for line in result.stdout.splitlines():
        row = json.loads(line)
        heap = "—" if row["heapMb"] is None else f"{row['heapMb']:.1f}"
        print(
            f"| {row['case']} | `{row['address']}` | {row['median_ms']:.0f} | "
            f"{row['max_ms']:.0f} | {row['elements']} | {row['rows']} | {heap} |"
        )


if __name__ == "__main__":
    main()
