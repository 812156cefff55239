"""`decnet export`: write observations, identities and campaigns for other tools."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.cli.common import DbOption, console, open_database, run
from decnet.errors import InputError

app = typer.Typer(help="Export data for other tools.", no_args_is_help=True)

OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        metavar="FILE",
        help="Write to this file instead of standard output.",
        show_default=False,
    ),
]
Writer = Callable[[AsyncEngine, BinaryIO], Awaitable[int]]


def _export(writer: Writer, db: str | None, out: Path | None, noun: str) -> None:
    """Run `writer` into `out` (or standard output) and print the count.

    A regular file is written under a temporary name and renamed when
    complete, so a failed export (a full disk, a lost database) leaves no
    partial file. Anything else that exists (a device, a pipe) is written in
    place, because renaming over it would replace it with a file.
    """

    async def main() -> int:
        engine = await open_database(db)
        try:
            if out is None:
                count = await writer(engine, sys.stdout.buffer)
                sys.stdout.buffer.flush()
                return count
            in_place = out.exists() and not out.is_file()
            target = out if in_place else out.with_name(out.name + ".part")
            try:
                with target.open("wb") as stream:
                    count = await writer(engine, stream)
                if not in_place:
                    target.replace(out)
            except OSError as exc:
                if not in_place:
                    target.unlink(missing_ok=True)
                raise InputError(
                    f"cannot write {out}: {exc.strerror or exc}; "
                    "choose a writable file with --out"
                ) from None
            return count
        finally:
            await engine.dispose()

    count = run(main())
    console.print(f"exported {count} {noun}" + (f" to {out}" if out else ""))


@app.command("assignments")
def assignments_command(db: DbOption = None, out: OutOption = None) -> None:
    """Write one JSON line per observation with its identity and campaign.

    Each line is {ip, observation_uuid, identity_uuid, campaign_uuid}; merged
    identities and campaigns are resolved to their winner.
    """
    from decnet.evaluation.assignments import write_assignments

    _export(write_assignments, db, out, "assignments")


@app.command("observations")
def observations_command(db: DbOption = None, out: OutOption = None) -> None:
    """Write one JSON line per observation (source IP), ordered by IP.

    Fields: uuid, ip, first_seen_at, last_seen_at, session_count,
    event_count, hassh, client_versions, payload_sha256, c2_endpoints,
    credential_count, login_success_count, command_count, services, sensors,
    kd_digraph_simhash (16 hex digits or null), is_private, is_gateway,
    multi_stack and identity_id.
    """
    from decnet.ingest.export import write_observations

    _export(write_observations, db, out, "observations")
