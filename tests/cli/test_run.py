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

import httpx

from tests.web.sse import free_port


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "decnet.cli.main", *args]


def test_run_serves_resolved_identities(tmp_path: Path) -> None:
    env = {**os.environ, "DECNET_HOME": str(tmp_path), "COLUMNS": "200"}
    env.pop("DECNET_DB_URL", None)
    env.pop("DECNET_JWT_SECRET", None)
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
        password = None
        for _ in range(600):
            text = stderr_path.read_text()
            found = re.search(r"one-time password (\S+)", text)
            if found and "api started" in text:
                password = found.group(1)
                break
            assert process.poll() is None, text
            time.sleep(0.1)
        assert password is not None, stderr_path.read_text()
        log = stderr_path.read_text()
        assert "ingest done" in log
        assert "clustering done" in log
        assert f"http://127.0.0.1:{port}/" in log

        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as client:
            login = client.post(
                "/api/v1/auth/login", json={"username": "admin", "password": password}
            )
            assert login.status_code == 200, login.text
            token = login.json()["access_token"]
            identities = client.get(
                "/api/v1/identities", headers={"Authorization": f"Bearer {token}"}
            ).json()
        assert identities["total"] >= 1
        assert identities["data"][0]["observation_count"] >= 1
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


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
