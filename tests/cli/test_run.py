"""`decnet run` end to end: generate logs, ingest, cluster, serve, log in."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.cli import stop_process, wait_for_password
from tests.web.sse import free_port


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "decnet.cli.main", *args]


def _run_env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "DECNET_HOME": str(tmp_path), "COLUMNS": "200"}
    env.pop("DECNET_DB_URL", None)
    env.pop("DECNET_JWT_SECRET", None)
    return env


def _run_and_list(
    logs: Path, env: dict[str, str], tmp_path: Path
) -> tuple[str, dict[str, Any]]:
    """Start `decnet run LOGS`, log in with the printed password, and return
    the run's standard error and the first page of identities."""
    port = free_port()
    stderr_path = tmp_path / "run.err"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            _cli("run", str(logs), "--port", str(port)),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        password = wait_for_password(process, stderr_path)
        log = stderr_path.read_text()
        assert f"http://127.0.0.1:{port}/" in log

        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as client:
            login = client.post(
                "/api/v1/auth/login", json={"username": "admin", "password": password}
            )
            assert login.status_code == 200, login.text
            token = login.json()["access_token"]
            listed = client.get(
                "/api/v1/identities", headers={"Authorization": f"Bearer {token}"}
            )
            assert listed.status_code == 200, listed.text
        return log, listed.json()
    finally:
        stop_process(process)


def _stage_fields(log: str, stage: str) -> dict[str, str]:
    """Return the key=value fields of the log line of `stage`."""
    line = next(row for row in log.splitlines() if f"decnet.run: {stage}" in row)
    return dict(re.findall(r"(\w+)=(\S+)", line))


def test_run_serves_resolved_identities(tmp_path: Path) -> None:
    env = _run_env(tmp_path)
    logs = tmp_path / "scenario"
    generated = subprocess.run(
        _cli("generate", "vpn_hopping", str(logs)),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert generated.returncode == 0, generated.stderr

    log, identities = _run_and_list(logs, env, tmp_path)
    assert "ingest done" in log
    assert "clustering done" in log
    assert identities["total"] >= 1
    assert identities["data"][0]["observation_count"] >= 1


def test_run_on_public_corpus(tmp_path: Path, shared_dir: Path) -> None:
    logs = shared_dir / "corpus" / "cowrie-2026-pratixa22"
    if not logs.is_dir():
        pytest.skip(f"corpus folder {logs} is absent")
    log, identities = _run_and_list(logs, _run_env(tmp_path), tmp_path)

    ingest = _stage_fields(log, "ingest done")
    assert int(ingest["events"]) > 0
    assert int(ingest["observations_created"]) > 0
    assert ingest["skipped_lines"] == "0"
    clustering = _stage_fields(log, "clustering done")
    assert int(clustering["observations"]) == int(ingest["observations_created"])
    assert int(clustering["identities"]) >= 1
    assert identities["total"] == int(clustering["identities"])
    assert identities["data"][0]["observation_count"] >= 1


def test_serve_answers_health(tmp_path: Path) -> None:
    env = {**os.environ, "DECNET_HOME": str(tmp_path), "COLUMNS": "200"}
    env.pop("DECNET_DB_URL", None)
    port = free_port()
    process = subprocess.Popen(
        _cli("serve", "--port", str(port)),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = None
        for _ in range(300):
            assert process.poll() is None, (
                process.stderr.read() if process.stderr else ""
            )
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/api/v1/health", timeout=2
                )
            except httpx.HTTPError:
                time.sleep(0.1)
                continue
            body = response.json()
            break
        assert body is not None
        assert body["database"]["ok"] is True
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=15)
    assert "one-time password" in stderr


def test_serve_on_busy_port_fails_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "DECNET_HOME": str(tmp_path), "COLUMNS": "200"}
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            _cli("serve", "--port", str(port)),
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "pass --port" in result.stderr
