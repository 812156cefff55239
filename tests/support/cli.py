"""Run the `decnet` command in a child process, as a user or a script would."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

# Settings a test must not inherit from the shell that runs pytest, so that
# each command reads only DECNET_HOME and what the test passes itself.
INHERITED_SETTINGS = ("DECNET_DB_URL", "DECNET_BUS_URL")


def run_decnet(
    *args: str,
    home: Path,
    stdin: str = "",
    unset: Iterable[str] = INHERITED_SETTINGS,
) -> subprocess.CompletedProcess[str]:
    """Run `decnet ARGS` with DECNET_HOME=home and return its output and status."""
    env = {**os.environ, "DECNET_HOME": str(home), "COLUMNS": "200"}
    for name in unset:
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "decnet.cli.main", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def stop_process(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """Stop a server started by a test as Ctrl-C would, killing it after 15 s."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def wait_for_password(process: subprocess.Popen[bytes], stderr_path: Path) -> str:
    """Wait until `decnet run` or `serve` has started and printed its one-time
    password to `stderr_path`, and return the password."""
    for _ in range(1200):
        text = stderr_path.read_text()
        found = re.search(r"one-time password (\S+)", text)
        if found and "api started" in text:
            return found.group(1)
        assert process.poll() is None, text
        time.sleep(0.1)
    raise AssertionError(f"no one-time password in 120 s:\n{stderr_path.read_text()}")


def terminate_after(process: subprocess.Popen[str], ready: str) -> str:
    """Wait for the line `ready` on standard error, send SIGTERM, assert the
    exit status 143, and return the rest of standard error."""
    assert process.stderr is not None
    for line in process.stderr:
        if ready in line:
            break
    else:
        raise AssertionError(f"the command ended before printing {ready!r}")
    process.send_signal(signal.SIGTERM)
    rest = process.stderr.read()
    assert process.wait(timeout=60) == 143, rest
    return rest
