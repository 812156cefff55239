"""`decnet relay`: publish outbox events from the database to the NATS bus."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.bus import Bus, connect
from decnet.bus.relay import OutboxRelay
from decnet.cli.common import DbOption, console, open_database, run
from decnet.config import get_settings
from decnet.errors import ConfigError
from decnet.web.db.engine import redact

log = logging.getLogger("decnet.relay")

app = typer.Typer()

BusOption = Annotated[
    str | None,
    typer.Option(
        "--bus",
        metavar="URL",
        help="Bus URL (nats://HOST:PORT[?stream=NAME&prefix=NAME.]); "
        "default DECNET_BUS_URL.",
        show_default=False,
    ),
]


@app.command("relay")
def relay_command(
    db: DbOption = None,
    bus: BusOption = None,
    once: Annotated[
        bool,
        typer.Option(
            "--once", help="Publish what is pending, print the count and exit."
        ),
    ] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Rows read per step.")
    ] = 100,
    poll_interval: Annotated[
        float,
        typer.Option(
            "--poll-interval", min=0.01, help="Seconds between polls when idle."
        ),
    ] = 0.5,
) -> None:
    """Publish committed outbox events to the bus in seq order until stopped.

    Several relays may run; one publishes at a time and the others stand by.
    """
    bus_url = bus or get_settings().bus_url
    run(_relay(db, bus_url, once=once, batch_size=batch_size, poll=poll_interval))


async def _relay(
    db: str | None, bus_url: str, *, once: bool, batch_size: int, poll: float
) -> None:
    if not bus_url or bus_url.startswith("inproc:"):
        raise ConfigError(
            f"bus URL {bus_url!r} is the in-process bus, which reaches only "
            "subscribers inside this process; pass --bus nats://HOST:PORT (decnet "
            "serve and decnet run relay to the in-process bus themselves)"
        )
    async with await connect(bus_url) as client:
        engine = await open_database(db)
        try:
            await _run_relay(engine, client, once, batch_size, poll)
        finally:
            await engine.dispose()


async def _run_relay(
    engine: AsyncEngine, client: Bus, once: bool, batch_size: int, poll: float
) -> None:
    relay = OutboxRelay(engine, client, batch_size=batch_size, poll_interval=poll)
    if once:
        count = await relay.drain()
        typer.echo(f"published {count} events from {redact(engine.url)}")
        return
    console.print(
        f"relaying {redact(engine.url)} to {client.url}; press Ctrl-C to stop"
    )
    await relay.run()
