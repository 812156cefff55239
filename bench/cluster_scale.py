"""Clusterer time and memory at 10k, 100k and 1M observations.

Writes a synthetic fleet straight into the `attackers` and
`observation_features` tables of a fresh SQLite database (the log
generator and ingest are far slower than the clusterer at this size),
then measures, each in this one process:

1. the first full pass (every identity formed, every row written);
2. a second full pass on unchanged data (reads and decides, writes nothing);
3. an incremental pass after 1,000 new observations.

Peak memory is the process's maximum resident set size, and `load` the
1-minute load average when the pass ended. Run one size per process so
that the peaks do not mix:

    python bench/cluster_scale.py 100000 --db /tmp/bench-100k.sqlite

The fleet: 95 % scanners on a few dozen SSH clients (Zipf), trying 3 to 8
credentials from a 2,000-entry wordlist, a third of them running one of
500 common scripts (SimHash with a few flipped bits); 5 % actors in groups
of 2 to 2,000 addresses sharing a payload, a C2 host and a script.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import resource
import sqlite3
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from decnet.clustering.worker import cluster_once
from decnet.web.db.engine import create_engine
from decnet.web.db.migrate import upgrade

START = datetime(2026, 6, 1, tzinfo=UTC)


def _zipf(rng: random.Random, n: int, s: float = 1.2) -> int:
    # Inverse-CDF sampling on a truncated Zipf; small n, so a table is fine.
    return min(int(rng.paretovariate(s)) - 1, n - 1)


def _flip(value: int, bits: int, rng: random.Random) -> int:
    for _ in range(bits):
        value ^= 1 << rng.randrange(64)
    return value


class Fleet:
    """A reproducible synthetic fleet; `rows(start, count)` yields its rows."""

    def __init__(self, seed: int = 7) -> None:
        rng = random.Random(seed)
        self.seed = seed
        self.hassh = [f"{rng.getrandbits(128):032x}" for _ in range(40)]
        self.scripts = [rng.getrandbits(64) for _ in range(500)]
        self.words = [f"user{i}\x1fpass{i}" for i in range(2000)]

    def observation(self, n: int) -> tuple[dict, list[tuple[str, str]]]:
        rng = random.Random(self.seed * 1_000_003 + n)
        obs = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        seen = START + timedelta(seconds=n * 7)
        row = {
            "uuid": obs,
            "ip": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
            if n < 1 << 24
            else f"2001:db8::{n:x}",
            "first_seen_at": seen.isoformat(sep=" ")[:26],
            "last_seen_at": (seen + timedelta(minutes=3)).isoformat(sep=" ")[:26],
        }
        tool = _zipf(rng, len(self.hassh))
        feats = [("hassh", self.hassh[tool]), ("client_version", f"SSH-2.0-tool{tool}")]
        for _ in range(rng.randint(3, 8)):
            feats.append(("credential", self.words[_zipf(rng, len(self.words), 1.1)]))
        if rng.random() < 0.05:
            group = self._group(n, rng)
            feats += [
                ("payload_sha256", hashlib.sha256(f"p{group}".encode()).hexdigest()),
                ("c2_endpoint", f"h{rng.randrange(1000)}.c2-{group}.example:443"),
                ("command_shingle", f"{group * 7919 % (1 << 64):016x}"),
                (
                    "command_simhash",
                    f"{_flip(group * 104729 % (1 << 64), 1, rng):016x}",
                ),
            ]
        elif rng.random() < 0.33:
            script = self.scripts[_zipf(rng, len(self.scripts), 1.1)]
            feats.append(
                ("command_simhash", f"{_flip(script, rng.randint(0, 2), rng):016x}")
            )
        return row, feats

    @staticmethod
    def _group(n: int, rng: random.Random) -> int:
        # Group ids drawn so that group sizes range from 2 to a few thousand.
        return int(rng.paretovariate(0.9)) % 20_000

    def rows(self, start: int, count: int) -> Iterator[tuple[dict, list]]:
        for n in range(start, start + count):
            yield self.observation(n)


def write(db: Path, fleet: Fleet, start: int, count: int, updated: str) -> None:
    """Insert `count` observations from index `start` with raw sqlite3."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    attackers, features = [], []

    def flush() -> None:
        conn.executemany(
            "INSERT INTO attackers (uuid, ip, first_seen_at, last_seen_at, "
            "session_count, event_count, credential_count, login_success_count, "
            "command_count, is_private, is_gateway, multi_stack, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, 1, 1, 0, 0, 0, 0, 0, 0, ?, ?)",
            attackers,
        )
        conn.executemany(
            "INSERT OR IGNORE INTO observation_features (observation_uuid, kind, "
            "value, value_key, occurrences) VALUES (?, ?, ?, ?, 1)",
            features,
        )
        attackers.clear()
        features.clear()

    for row, feats in fleet.rows(start, count):
        attackers.append(
            (
                row["uuid"],
                row["ip"],
                row["first_seen_at"],
                row["last_seen_at"],
                updated,
                updated,
            )
        )
        for kind, value in feats:
            key = hashlib.sha256(value.encode()).hexdigest()
            features.append((row["uuid"], kind, value, key))
        if len(attackers) >= 20_000:
            flush()
    flush()
    conn.commit()
    conn.close()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    """Return the 1-minute load average, since other jobs share the cores."""
    return f"{os.getloadavg()[0]:.1f}"


def cpu_s() -> float:
    """Return the CPU seconds (user and system) this process has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(size: int, db: Path) -> None:
    if db.exists():
        db.unlink()
    engine = create_engine(f"sqlite:///{db}")
    await upgrade(engine)
    fleet = Fleet()
    started = time.perf_counter()
    write(db, fleet, 0, size, "2026-06-01 00:00:00.000000")
    print(f"size={size} synthesise_s={time.perf_counter() - started:.1f}")

    for label in ("first_full", "repeat_full"):
        started, cpu = time.perf_counter(), cpu_s()
        report = await cluster_once(engine, full=True)
        print(
            f"size={size} pass={label} seconds={time.perf_counter() - started:.1f} "
            f"cpu_s={cpu_s() - cpu:.1f} "
            f"identities={report.identities} formed={report.formed} "
            f"candidate_pairs={report.candidate_pairs} "
            f"accepted_links={report.accepted_links} changed={report.changed} "
            f"peak_rss_mb={peak_mb():.0f} load={load()}"
        )
    write(db, fleet, size, 1000, "2026-06-02 00:00:00.000000")
    started, cpu = time.perf_counter(), cpu_s()
    report = await cluster_once(engine, full=False)
    seconds = time.perf_counter() - started
    print(
        f"size={size} pass=incremental_1000 seconds={seconds:.1f} "
        f"cpu_s={cpu_s() - cpu:.1f} "
        f"observations_read={report.observations} formed={report.formed} "
        f"linked={report.linked} peak_rss_mb={peak_mb():.0f} load={load()}"
    )
    await engine.dispose()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int, help="observations to synthesise")
    parser.add_argument(
        "--db", type=Path, default=Path("/tmp/decnet-cluster-bench.sqlite")
    )
    args = parser.parse_args(argv)
    asyncio.run(measure(args.size, args.db))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
