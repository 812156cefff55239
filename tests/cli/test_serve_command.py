"""`decnet serve` start-up errors: one line and an exit status, no traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.ingest.support import write_log
from tests.ingest.test_store import attack_log
from tests.support.cli import (
    run_decnet,
    stop_process,
    terminate_after,
    wait_for_password,
)
from tests.web.sse import free_port


def test_serve_unreachable_database_exits_three(tmp_path: Path) -> None:
    closed = free_port()
    result = run_decnet(
        "serve",
        "--port",
        str(free_port()),
        "--db",
        f"postgresql://postgres@127.0.0.1:{closed}/none",
        home=tmp_path,
    )
    assert result.returncode == 3
    assert "cannot connect to database" in result.stderr
    assert "serving on" not in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_foreign_address_names_host(tmp_path: Path) -> None:
    result = run_decnet(
        "serve", "--host", "203.0.113.9", "--port", str(free_port()), home=tmp_path
    )
    assert result.returncode == 2
    assert "pass --host with an address of this machine" in result.stderr


def test_serve_relays_in_process_outbox(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    log = write_log(tmp_path / "logs" / "cowrie.json", attack_log())
    ingested = run_decnet("ingest", "cowrie", str(log), "--no-progress", home=tmp_path)
    assert ingested.returncode == 0, ingested.stderr
    port = free_port()
    env = {**os.environ, "DECNET_HOME": str(tmp_path), "COLUMNS": "200"}
    env.pop("DECNET_DB_URL", None)
    env.pop("DECNET_BUS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "decnet.cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        health = None
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for _ in range(600):
                assert process.poll() is None, "decnet serve exited"
                try:
                    health = client.get("/api/v1/health").json()
                except httpx.TransportError:
                    health = None
                if health is not None and health["bus"]["unpublished"] == 0:
                    break
                time.sleep(0.1)
        assert health is not None
        assert health["bus"]["unpublished"] == 0
        assert health["bus"]["ok"] is True
    finally:
        stop_process(process)


def test_serve_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "DECNET_HOME": str(tmp_path), "COLUMNS": "200"}
    env.pop("DECNET_DB_URL", None)
    env.pop("DECNET_BUS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "decnet.cli.main", "serve", "--port", str(free_port())],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        rest = terminate_after(process, "api started")
    finally:
        process.kill()
    assert "Traceback" not in rest
    assert "lease released" in rest
    with sqlite3.connect(tmp_path / "decnet.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM leases").fetchone() == (0,)


def test_run_applies_split_without_other_processes(tmp_path: Path) -> None:
    env = {**os.environ, "DECNET_HOME": str(tmp_path), "COLUMNS": "200"}
    env.pop("DECNET_DB_URL", None)
    env.pop("DECNET_BUS_URL", None)
    logs = tmp_path / "scenario"
    generated = run_decnet("generate", "vpn_hopping", str(logs), home=tmp_path)
    assert generated.returncode == 0, generated.stderr
    port = free_port()
    stderr_path = tmp_path / "run.err"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "decnet.cli.main", "run", str(logs)]
            + ["--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        password = wait_for_password(process, stderr_path)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            token = client.post(
                "/api/v1/auth/login", json={"username": "admin", "password": password}
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            page = client.get(
                "/api/v1/identities",
                params={"sort": "observations", "limit": 1},
                headers=headers,
            ).json()
            (largest,) = page["data"]
            assert largest["observation_count"] >= 2
            observations = client.get(
                f"/api/v1/identities/{largest['uuid']}/observations",
                params={"limit": 1},
                headers=headers,
            ).json()["data"]
            moved = observations[0]["uuid"]
            split = client.post(
                f"/api/v1/identities/{largest['uuid']}/split",
                json={"observation_uuids": [moved]},
                headers=headers,
            )
            assert split.status_code == 202, split.text
            identity = None
            for _ in range(600):
                detail = client.get(f"/api/v1/attackers/{moved}", headers=headers)
                identity = detail.json()["identity_id"]
                if identity != largest["uuid"]:
                    break
                time.sleep(0.1)
            assert identity is not None
            assert identity != largest["uuid"]
    finally:
        stop_process(process)
