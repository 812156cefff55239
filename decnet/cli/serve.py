"""`decnet serve` (the API and dashboard) and `decnet run` (ingest, cluster, serve).

`decnet run` is the one-process embedded default: a SQLite database, the
in-process bus, and the server on 127.0.0.1. It logs one line per stage
with counts and timings, then prints the URL and the login.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
import time
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.cli.common import (
    DbOption,
    database_url,
    let_server_handle_sigterm,
    open_database,
    run,
)
from decnet.config import get_settings
from decnet.errors import ConfigError
from decnet.ingest.sources import logs_layout
from decnet.web.api.accounts import (
    InitialAdmin,
    ensure_admin,
    renew_one_time_password,
)
from decnet.web.api.app import create_app
from decnet.web.db.engine import redact

log = logging.getLogger("decnet.run")

# Seconds between the timer passes of the clusterer that `decnet serve` and
# `decnet run` start on the in-process bus: analyst splits and cannot-links
# take effect within this time.
CLUSTER_INTERVAL_S = 10.0

app = typer.Typer()

HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOption = Annotated[
    int, typer.Option("--port", min=1, max=65535, help="TCP port to listen on.")
]


def check_port_free(host: str, port: int) -> None:
    """Raise ConfigError naming the port when something already listens on it."""
    with socket.socket(
        socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM
    ) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except socket.gaierror as exc:
            raise ConfigError(
                f"invalid --host {host!r}: {exc.strerror}; "
                "pass an IP address or a resolvable name"
            ) from None
        except OSError as exc:
            hint = (
                "stop the other server or pass --port"
                if exc.errno == errno.EADDRINUSE
                else "pass --host with an address of this machine"
            )
            raise ConfigError(
                f"cannot listen on {host}:{port}: {exc.strerror}; {hint}"
            ) from None


async def _serve(
    engine: AsyncEngine | None,
    db_url: str,
    host: str,
    port: int,
    bus_url: str | None = None,
) -> None:
    update = {"db_url": db_url} | ({"bus_url": bus_url} if bus_url else {})
    settings = get_settings().model_copy(update=update)
    application = create_app(settings, engine=engine)
    config = uvicorn.Config(
        application, host=host, port=port, log_level="warning", lifespan="on"
    )
    let_server_handle_sigterm()
    await uvicorn.Server(config).serve()


@app.command("serve")
def serve_command(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    db: DbOption = None,
) -> None:
    """Serve the REST API (and the dashboard when built) with uvicorn."""
    url = database_url(db)

    async def main() -> None:
        check_port_free(host, port)
        # Reach and migrate the database before announcing the server, so an
        # unreachable one is a one-line error instead of a failed start-up.
        engine = await open_database(url)
        try:
            Console(stderr=True).print(
                f"serving on http://{host}:{port}/ (OpenAPI schema at "
                f"/api/v1/openapi.json), database {redact(url)}",
                highlight=False,
            )
            bus_url = get_settings().bus_url
            if not bus_url or bus_url.startswith("inproc:"):
                # Nothing outside this process can publish to the in-process
                # bus, so this server relays its own outbox.
                await _serve_with_relay(engine, url, host, port)
            else:
                await _serve(None, url, host, port)
        finally:
            await engine.dispose()

    run(main())


async def _ingest(
    engine: AsyncEngine, paths: list[Path], tty: Path | None, downloads: Path | None
) -> None:
    from decnet.ingest.cowrie import ingest_paths

    started = time.perf_counter()
    report = await ingest_paths(engine, paths, tty_dir=tty, downloads_dir=downloads)
    log.info(
        "ingest done",
        extra={
            "files": report.files,
            "events": report.events,
            "observations_created": report.observations_created,
            "observations_updated": report.observations_updated,
            "sessions": report.sessions_created + report.sessions_updated,
            "skipped_lines": report.skipped_count,
            "seconds": round(time.perf_counter() - started, 2),
        },
    )


async def _cluster(engine: AsyncEngine) -> None:
    from decnet.clustering.worker import LeaseHeldError, cluster_once

    started = time.perf_counter()
    try:
        report = await cluster_once(engine, full=True)
    except LeaseHeldError as exc:
        log.warning("clustering skipped", extra={"reason": str(exc)})
        return
    log.info(
        "clustering done",
        extra={
            "observations": report.observations,
            "identities": report.identities,
            "formed": report.formed,
            "merged": report.merged,
            "accepted_links": report.accepted_links,
            "seconds": round(time.perf_counter() - started, 2),
        },
    )


def _login_line(admin: InitialAdmin | None) -> str:
    if admin is None:
        return (
            "log in with an existing account (`decnet users list`; reset a "
            "password with `decnet users passwd NAME`)"
        )
    return (
        f"log in as {admin.username} with one-time password {admin.password} "
        f"(set your own with `decnet users passwd {admin.username}`)"
    )


@app.command("run")
def run_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Cowrie JSON logs or folders of them.", show_default=False),
    ],
    port: PortOption = 8000,
    db: DbOption = None,
    tty_dir: Annotated[
        Path | None,
        typer.Option(
            "--tty-dir", help="Cowrie ttylogs; default PATH/tty when present."
        ),
    ] = None,
    downloads_dir: Annotated[
        Path | None,
        typer.Option(
            "--downloads-dir", help="Cowrie downloads; default PATH/downloads."
        ),
    ] = None,
) -> None:
    """Ingest logs, cluster them, then serve the API and dashboard on 127.0.0.1."""
    host = "127.0.0.1"
    url = database_url(db)
    tty, downloads = logs_layout(paths, tty_dir, downloads_dir)

    async def main() -> None:
        check_port_free(host, port)
        started = time.perf_counter()
        engine = await open_database(url)
        try:
            log.info(
                "database ready",
                extra={
                    "db": redact(url),
                    "seconds": round(time.perf_counter() - started, 2),
                },
            )
            await _ingest(engine, paths, tty, downloads)
            await _cluster(engine)
            admin = await ensure_admin(engine) or await renew_one_time_password(engine)
            console = Console(stderr=True)
            console.print(f"DECNET is at http://{host}:{port}/", highlight=False)
            console.print(_login_line(admin), highlight=False)
            await _serve_with_relay(engine, url, host, port)
        finally:
            await engine.dispose()

    run(main())


async def _serve_with_relay(
    engine: AsyncEngine, db_url: str, host: str, port: int
) -> None:
    """Serve while this process relays its outbox and runs the clusterer.

    On the in-process bus nothing outside this process can publish events
    or wake a clusterer, so both run here. The relay publishes the outbox.
    The clusterer worker passes on each `attacker.observed` and on its
    timer, which is how analyst splits and cannot-links take effect. A
    `decnet clusterer` started beside it waits as a standby on the lease.
    """
    from decnet.bus import topics
    from decnet.bus.backends import connect
    from decnet.bus.relay import OutboxRelay
    from decnet.clustering.worker import Worker

    bus = await connect("inproc://")
    worker = Worker(engine, interval_s=CLUSTER_INTERVAL_S)

    async def wake(_event: object) -> None:
        worker.notify()

    await bus.subscribe(topics.attacker(topics.ATTACKER_OBSERVED), wake)
    relay = asyncio.create_task(OutboxRelay(engine, bus).run())
    clusterer = asyncio.create_task(worker.run())
    try:
        await _serve(engine, db_url, host, port, bus_url=bus.url)
    finally:
        worker.stop()
        relay.cancel()
        for task in (clusterer, relay):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await bus.close()
