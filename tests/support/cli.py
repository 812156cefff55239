"""Run the `decnet` command in a child process, as a user or a script would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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
