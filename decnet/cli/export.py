"""`decnet export`: write observations, identities and campaigns for other tools."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from decnet.cli.common import DbOption, console, open_database, run
from decnet.evaluation.assignments import write_assignments

app = typer.Typer(help="Export data for other tools.", no_args_is_help=True)


@app.command("assignments")
def assignments_command(
    db: DbOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Write to this file instead of standard output.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write one JSON line per observation with its identity and campaign.

    Each line is {ip, observation_uuid, identity_uuid, campaign_uuid}; merged
    identities and campaigns are resolved to their winner.
    """

    async def main() -> int:
        engine = await open_database(db)
        try:
            if out is None:
                count = await write_assignments(engine, sys.stdout.buffer)
                sys.stdout.buffer.flush()
                return count
            with out.open("wb") as stream:
                return await write_assignments(engine, stream)
        finally:
            await engine.dispose()

    count = run(main())
    console.print(f"exported {count} assignments" + (f" to {out}" if out else ""))


@app.command("observations")
def observations_command(
    db: DbOption = None,
    out: Annotated[Path | None, typer.Option(
        "--out", metavar="FILE", help="Write to this file instead of standard output.",
        show_default=False)] = None,
) -> None:
    """Write one JSON line per observation (source IP), ordered by IP.

    Fields: uuid, ip, first_seen_at, last_seen_at, session_count,
    event_count, hassh, client_versions, payload_sha256, c2_endpoints,
    credential_count, login_success_count, command_count, services, sensors,
    kd_digraph_simhash (16 hex digits or null), is_private, is_gateway,
    multi_stack and identity_id.
    """
    from decnet.ingest.export import write_observations

    async def main() -> int:
        engine = await open_database(db)
        try:
            if out is None:
                count = await write_observations(engine, sys.stdout.buffer)
                sys.stdout.buffer.flush()
                return count
            with out.open("wb") as stream:
                return await write_observations(engine, stream)
        finally:
            await engine.dispose()

    count = run(main())
    console.print(f"exported {count} observations" + (f" to {out}" if out else ""))
