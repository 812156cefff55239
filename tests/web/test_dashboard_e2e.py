"""The dashboard end to end: headless Chromium against a real `decnet serve`.

A generated scenario is ingested and clustered into a fresh SQLite
database, its largest identity is put in a campaign, an analyst account is
created, and the server is started on a free loopback port. The browser
script decnet_web/e2e/dashboard.e2e.mjs then logs in, searches and sorts
the identity list, watches a merge arrive over the event stream, follows
the merged link to the winner, edits notes, marks cannot-link through the
confirmation dialog, opens an attacker, pages the attacker list, opens an
identity with the keyboard and checks the session-expired flow.
Screenshots of each page go to artifacts/e2e/.

The test needs Node.js, the dashboard's node_modules and build (`make web`)
and Debian's chromium; without them it is skipped, and with
DECNET_REQUIRE_SERVICES=1 (as in CI) it fails instead.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from decnet.clustering.worker import cluster_once
from decnet.evaluation.generator import generate
from decnet.evaluation.scenario import load_scenario
from decnet.ingest.cowrie import ingest_paths
from decnet.web.api.accounts import create_user
from decnet.web.db.engine import create_engine, session_factory, transaction
from decnet.web.db.migrate import upgrade
from decnet.web.db.models import CANONICAL, AttackerIdentity, Campaign

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "decnet_web"
SCRIPT = WEB / "e2e" / "dashboard.e2e.mjs"
ARTIFACTS = ROOT / "artifacts" / "e2e"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Two operators of one campaign: identities of up to ten observations with
# links between them, and more than one page (50 rows) of attackers.
SCENARIO = ROOT / "scenarios" / "multi_operator.yaml"
USER = "e2e-analyst"
PASSWORD = "end-to-end analyst password"
BROWSER_TIMEOUT_S = 300
STARTUP_TIMEOUT_S = 60


def _require(condition: bool, message: str) -> None:
    if condition:
        return
    if os.environ.get("DECNET_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (DECNET_REQUIRE_SERVICES=1 forbids skipping)")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _prepare(home: Path, db_url: str) -> None:
    """Generate, ingest and cluster the scenario, and add the analyst."""
    data = home / "scenario"
    generate(load_scenario(SCENARIO), data)
    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        await ingest_paths(
            engine,
            [data / "logs"],
            tty_dir=data / "tty",
            downloads_dir=data / "downloads",
        )
        await cluster_once(engine)
        async with transaction(session_factory(engine)) as session:
            await _assign_campaign(session)
            await create_user(session, USER, PASSWORD, "analyst")
    finally:
        await engine.dispose()


async def _assign_campaign(session: AsyncSession) -> None:
    """Put the identity with the most observations in a new campaign.

    The identity clusterer does not group identities into campaigns, so the
    test writes the row the dashboard shows as a `CAMPAIGN` badge.
    """
    largest = await session.scalar(
        sa.select(AttackerIdentity)
        .where(col(AttackerIdentity.merge_state) == CANONICAL)
        .order_by(col(AttackerIdentity.observation_count).desc())
        .order_by(col(AttackerIdentity.uuid))
        .limit(1)
    )
    if largest is None:
        raise AssertionError(f"{SCENARIO.name} produced no identity")
    campaign = Campaign(name="end-to-end campaign")
    session.add(campaign)
    await session.flush()
    largest.campaign_id = campaign.uuid


def _server_command(port: int) -> list[str]:
    decnet = Path(sys.executable).with_name("decnet")
    return [str(decnet), "serve", "--host", "127.0.0.1", "--port", str(port)]


def _wait_until_up(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"decnet serve exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"decnet serve did not answer on {url} in time")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A running `decnet serve` on loopback holding a clustered scenario."""
    db_url = f"sqlite:///{tmp_path / 'decnet.sqlite'}"
    asyncio.run(_prepare(tmp_path, db_url))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DECNET_HOME": str(tmp_path),
        "DECNET_DB_URL": db_url,
        "DECNET_BUS_URL": "inproc://",
    }
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        _server_command(port), env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait_until_up(process, url)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.copy(tmp_path / "serve.log", ARTIFACTS / "serve.log")


@pytest.fixture(autouse=True)
def _browser_prerequisites() -> None:
    _require(shutil.which("node") is not None, "node is not installed")
    _require(CHROMIUM.exists(), f"{CHROMIUM} is missing; apt-get install chromium")
    _require(
        (WEB / "node_modules" / "playwright-core").is_dir(),
        "decnet_web/node_modules is missing; run `make web`",
    )
    _require(
        (WEB / "dist" / "index.html").is_file(),
        "decnet_web/dist is missing; run `make web`",
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Screenshots of an earlier run would pass for this run's.
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()


def test_dashboard_end_to_end(server: str) -> None:
    result = subprocess.run(
        ["node", str(SCRIPT)],
        cwd=WEB,
        env={
            **os.environ,
            "E2E_BASE_URL": server,
            "E2E_USER": USER,
            "E2E_PASSWORD": PASSWORD,
            "E2E_ARTIFACTS": str(ARTIFACTS),
            "CHROMIUM": str(CHROMIUM),
        },
        capture_output=True,
        text=True,
        timeout=BROWSER_TIMEOUT_S,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
