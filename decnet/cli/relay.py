"""`decnet relay`: publish outbox events from the database to the NATS bus."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

import typer

from decnet.bus import connect
from decnet.bus.relay import OutboxRelay
from decnet.cli.common import DbOption, console, open_database, run
from decnet.config import get_settings
from decnet.errors import ConfigError
from decnet.web.db.engine import redact

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


@dataclass(frozen=True)
class RelayOptions:
    once: bool
    batch_size: int
    poll_interval: float
    retention: timedelta | None


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
    retention_days: Annotated[
        float,
        typer.Option(
            "--retention-days",
            min=0,
            help="Delete events published more than this many days ago, "
            "checked hourly (0 keeps everything).",
        ),
    ] = 7.0,
) -> None:
    """Publish committed outbox events to the bus in seq order until stopped.

    Several relays may run; one publishes at a time and the others stand by.
    """
    retention = timedelta(days=retention_days) if retention_days > 0 else None
    options = RelayOptions(once, batch_size, poll_interval, retention)
    run(_relay(db, bus or get_settings().bus_url, options))


async def _relay(db: str | None, bus_url: str, options: RelayOptions) -> None:
    if not bus_url or bus_url.startswith("inproc:"):
        raise ConfigError(
            f"bus URL {bus_url!r} is the in-process bus, which reaches only "
            "subscribers inside this process; pass --bus nats://HOST:PORT (decnet "
            "serve and decnet run relay to the in-process bus themselves)"
        )
    async with await connect(bus_url) as bus:
        engine = await open_database(db)
        try:
            relay = OutboxRelay(
                engine,
                bus,
                batch_size=options.batch_size,
                poll_interval=options.poll_interval,
                retention=options.retention,
            )
            if options.once:
                count = await relay.drain()
                typer.echo(f"published {count} events from {redact(engine.url)}")
                return
            console.print(
                f"relaying {redact(engine.url)} to {bus.url}; press Ctrl-C to stop"
            )
            await relay.run()
        finally:
            await engine.dispose()
