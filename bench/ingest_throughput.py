"""Ingest throughput next to a parse-only loop over the same Cowrie files.

    python bench/ingest_throughput.py [FOLDER ...] [--db URL] [--repeat N]

Defaults to every `cowrie-*` folder of the shared corpus beside the
repository. The parse-only loop reads each line and decodes it with
orjson, nothing else. Ingest runs `decnet.ingest.cowrie.ingest_paths` into
an empty database (a temporary SQLite file unless --db is given), with
ttylog folders when present. Both run in this process, one after the
other, and print events per second and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import orjson

from decnet.ingest.cowrie import COWRIE_PATTERNS, ingest_paths
from decnet.ingest.sources import discover, open_log
from decnet.web.db.engine import create_engine
from decnet.web.db.migrate import upgrade

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
TTY_FOLDERS = ("tty", "term_sessions")


def parse_only(files: list[Path]) -> tuple[int, float, float]:
    """Decode every line of `files` with orjson; return (lines, seconds, CPU s)."""
    started = time.perf_counter()
    cpu = time.process_time()
    lines = 0
    loads = orjson.loads
    for path in files:
        with open_log(path) as handle:
            for line in handle:
                try:
                    loads(line)
                except orjson.JSONDecodeError:
                    pass
                lines += 1
    return lines, time.perf_counter() - started, time.process_time() - cpu


async def ingest(folders: list[Path], url: str) -> tuple[int, float, float]:
    """Ingest each folder into the database at `url`.

    Returns (events, seconds, CPU seconds of this process, all threads).
    """
    engine = create_engine(url)
    await upgrade(engine)
    events = 0
    started = time.perf_counter()
    cpu = time.process_time()
    try:
        for folder in folders:
            tty = next((folder / n for n in TTY_FOLDERS if (folder / n).is_dir()), None)
            report = await ingest_paths(engine, [folder], tty_dir=tty)
            events += report.events
    finally:
        await engine.dispose()
    return events, time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="parse-only repetitions; the fastest counts, so the first one only"
        " fills the page cache that ingest then reads from too",
    )
    args = parser.parse_args()
    folders = args.folders or sorted(CORPUS.glob("cowrie-*"))
    files = discover(folders, COWRIE_PATTERNS)
    size = sum(path.stat().st_size for path in files)
    print(f"{len(files)} files, {size / 1e6:.1f} MB, {len(folders)} folders")

    best = min((parse_only(files) for _ in range(args.repeat)), key=lambda r: r[1])
    lines, seconds, cpu = best
    parse_rate = lines / seconds
    print(
        f"parse only: {lines:,} lines in {seconds:.2f} s (CPU {cpu:.2f} s)"
        f" = {parse_rate:,.0f} lines/s"
    )

    with tempfile.TemporaryDirectory() as scratch:
        url = args.db or f"sqlite:///{Path(scratch) / 'bench.sqlite'}"
        events, seconds, cpu = asyncio.run(ingest(folders, url))
    rate = events / seconds
    print(
        f"ingest:     {events:,} events in {seconds:.2f} s (CPU {cpu:.2f} s)"
        f" = {rate:,.0f} events/s"
    )
    print(f"ratio:      {rate / parse_rate:.3f} of the parse-only rate")


if __name__ == "__main__":
    main()
