"""A private nats-server process on a free loopback port, for outage tests.

Tests stop and restart this server, never the shared one. The store
folder survives a restart, so JetStream keeps its messages.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest


def free_port() -> int:
    """Return a loopback TCP port that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class NatsServer:
    """One `nats-server` on 127.0.0.1:`port`, JetStream storing under `store`."""

    def __init__(self, store: Path, *, port: int | None = None, jetstream: bool = True):
        binary = shutil.which("nats-server")
        if binary is None:
            message = "nats-server is not installed; apt-get install nats-server"
            if os.environ.get("DECNET_REQUIRE_SERVICES") == "1":
                pytest.fail(f"{message} (DECNET_REQUIRE_SERVICES=1 forbids skipping)")
            pytest.skip(message)
        self.binary = binary
        self.store = store
        store.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.jetstream = jetstream
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        command = [self.binary, "-a", "127.0.0.1", "-p", str(self.port)]
        if self.jetstream:
            command += ["-js", "-sd", str(self.store)]
        log = open(self.store / "server.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(command, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"nats-server exited with {self.process.returncode}; "
                    f"see {self.store / 'server.log'}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nats-server on port {self.port} did not start in 10 s")

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None
