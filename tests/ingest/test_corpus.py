"""Real public Cowrie logs: every folder ingests with no skipped line.

Skipped when the shared corpus folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.ingest.cowrie import ingest_paths
from tests.ingest.support import count

pytestmark = pytest.mark.corpus

# folder, ttylog folder, events, source IPs (as the corpus documents them)
FOLDERS = [
    ("cowrie-2018-kareiva", "tty", 102_686, 1_583),
    ("cowrie-2020-ghostwalkr", "term_sessions", 15_345, 689),
    ("cowrie-2022-alvarogar23", None, 15_667, 419),
    ("cowrie-2024-radec73", None, 40_333, 1_729),
    ("cowrie-2026-pratixa22", None, 3_127, 162),
]


@pytest.mark.parametrize(("folder", "tty", "events", "ips"), FOLDERS)
async def test_corpus_folder_ingests_whole(
    sqlite_engine: AsyncEngine,
    shared_dir: Path,
    folder: str,
    tty: str | None,
    events: int,
    ips: int,
) -> None:
    root = shared_dir / "corpus" / folder
    report = await ingest_paths(
        sqlite_engine, [root], tty_dir=root / tty if tty else None
    )
    assert report.skipped_count == 0
    assert report.events == events
    assert await count(sqlite_engine, "attackers") == ips
    assert report.hassh_mismatches == 0


async def scalar(engine: AsyncEngine, sql: str) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(sa.text(sql))).scalar_one()


async def test_radec_redirects_and_shared_payload(
    sqlite_engine: AsyncEngine, shared_dir: Path
) -> None:
    report = await ingest_paths(
        sqlite_engine, [shared_dir / "corpus" / "cowrie-2024-radec73"]
    )
    assert report.hassh_checked == 7_176
    async with sqlite_engine.connect() as conn:
        downloads = [
            item
            for (value,) in (
                await conn.execute(sa.text("SELECT downloads FROM attacker_sessions"))
            ).all()
            if value
            for item in orjson.loads(value)
        ]
    redirects = [d for d in downloads if d["kind"] == "redirect" and "url" not in d]
    assert len(redirects) == 228
    shared = await scalar(
        sqlite_engine,
        "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM observation_features "
        "WHERE kind = 'payload_sha256' GROUP BY value_key)",
    )
    assert shared >= 24


async def test_kareiva_hassh_computed_and_few_typed(
    sqlite_engine: AsyncEngine, shared_dir: Path
) -> None:
    root = shared_dir / "corpus" / "cowrie-2018-kareiva"
    await ingest_paths(sqlite_engine, [root], tty_dir=root / "tty")
    with_hassh = await scalar(
        sqlite_engine, "SELECT COUNT(*) FROM attackers WHERE hassh_hashes IS NOT NULL"
    )
    typed = await scalar(
        sqlite_engine, "SELECT COUNT(*) FROM attackers WHERE kd_typed_sessions > 0"
    )
    assert with_hassh > 1_000
    assert 0 < typed < 50


async def test_ghostwalkr_bot_replays_not_typed(
    sqlite_engine: AsyncEngine, shared_dir: Path
) -> None:
    root = shared_dir / "corpus" / "cowrie-2020-ghostwalkr"
    await ingest_paths(sqlite_engine, [root], tty_dir=root / "term_sessions")
    read = await scalar(
        sqlite_engine,
        "SELECT COUNT(*) FROM attacker_sessions WHERE input_typed IS NOT NULL",
    )
    typed = await scalar(
        sqlite_engine, "SELECT COUNT(*) FROM attacker_sessions WHERE input_typed"
    )
    assert read > 150
    assert typed < 10
