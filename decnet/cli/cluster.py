"""`decnet cluster`, `decnet clusterer` and `decnet explain`: the identity clusterer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import uuid as uuidlib
from pathlib import Path
from typing import Annotated

import orjson
import sqlalchemy as sa
import typer
from rich.console import Console
from rich.table import Table

from decnet.cli.common import DbOption, open_database, run
from decnet.clustering.explain import explain_pair
from decnet.clustering.model import run_model
from decnet.clustering.params import ModelParams, load_params
from decnet.clustering.passes import PassReport, load_table
from decnet.clustering.store import load_observations
from decnet.clustering.worker import Worker, cluster_once
from decnet.config import get_settings
from decnet.errors import InputError, NotFoundError
from decnet.netaddr import normalise_ip
from decnet.web.db.models import Attacker, AttackerIdentity, IdentityLink

log = logging.getLogger(__name__)

app = typer.Typer()

ParamsOption = Annotated[
    Path | None,
    typer.Option(
        "--params",
        metavar="FILE",
        help="JSON file overriding model parameters (see docs/clustering.md); "
        "default the built-in parameters.",
        show_default=False,
    ),
]


@app.command("cluster")
def cluster_command(
    db: DbOption = None,
    params: ParamsOption = None,
    incremental: Annotated[
        bool,
        typer.Option(
            "--incremental",
            help="Decide only observations changed since the last pass and "
            "their neighbourhood (a full pass runs when none has yet).",
        ),
    ] = False,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the pass report as JSON.")
    ] = False,
) -> None:
    """Run one clusterer pass: resolve observations into identities."""

    async def main() -> PassReport:
        engine = await open_database(db)
        try:
            return await cluster_once(
                engine, full=not incremental, params=load_params(params)
            )
        finally:
            await engine.dispose()

    report = run(main())
    if json_out:
        typer.echo(orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2).decode())
        return
    table = Table(title="clusterer pass")
    table.add_column("item")
    table.add_column("value", justify="right")
    for key, value in report.as_dict().items():
        table.add_row(
            key.replace("_", " "),
            f"{value:.2f}" if isinstance(value, float) else str(value),
        )
    Console().print(table)


@app.command("clusterer")
def clusterer_command(
    db: DbOption = None,
    params: ParamsOption = None,
    bus: Annotated[
        str | None,
        typer.Option(
            "--bus",
            metavar="URL",
            help="Bus to wake on attacker.observed (inproc:// or nats://...); "
            "default DECNET_BUS_URL. With inproc:// only events of this process "
            "wake it; the timer still runs.",
            show_default=False,
        ),
    ] = None,
    interval: Annotated[
        float,
        typer.Option("--interval", min=0.1, help="Seconds between timer passes."),
    ] = 30.0,
    full_every: Annotated[
        float,
        typer.Option("--full-every", min=1.0, help="Seconds between full passes."),
    ] = 3600.0,
    lease_ttl: Annotated[
        float,
        typer.Option(
            "--lease-ttl",
            min=1.0,
            help="Seconds the write lease lasts without renewal; a standby "
            "clusterer takes over after that.",
        ),
    ] = 60.0,
) -> None:
    """Run the clusterer worker until interrupted (a second one waits as standby)."""
    run(_run_worker(db, params, bus, interval, full_every, lease_ttl))


async def _run_worker(
    db: str | None,
    params: Path | None,
    bus_url: str | None,
    interval: float,
    full_every: float,
    lease_ttl: float,
) -> None:
    from decnet.bus import connect, topics

    engine = await open_database(db)
    worker = Worker(
        engine,
        params=load_params(params),
        interval_s=interval,
        full_every_s=full_every,
        lease_ttl_s=lease_ttl,
    )
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, worker.stop)
    bus = await connect(bus_url or get_settings().bus_url)
    try:

        async def wake(_event: object) -> None:
            worker.notify()

        await bus.subscribe(topics.attacker(topics.ATTACKER_OBSERVED), wake)
        await worker.run()
    finally:
        await bus.close()
        await engine.dispose()


@app.command("explain")
def explain_command(
    observation_a: Annotated[str, typer.Argument(help="IP address or uuid.")],
    observation_b: Annotated[str, typer.Argument(help="IP address or uuid.")],
    db: DbOption = None,
    params: ParamsOption = None,
) -> None:
    """Print why two observations were or were not linked, feature by feature."""
    run(_explain(observation_a, observation_b, db, params))


async def _explain(a: str, b: str, db: str | None, params_file: Path | None) -> None:
    engine = await open_database(db)
    params = load_params(params_file)
    try:
        async with engine.connect() as conn:
            first, second, report = await conn.run_sync(_explain_sync, a, b, params)
    finally:
        await engine.dispose()
    _print_explanation(first, second, report)


def _explain_sync(
    conn: sa.Connection, a: str, b: str, params: ModelParams
) -> tuple[tuple, tuple, dict]:
    left = _resolve_sync(conn, a)
    right = _resolve_sync(conn, b)
    if left[0] == right[0]:
        raise InputError(
            f"{a} and {b} are the same observation ({left[0]}); "
            "give two different observations"
        )
    rows = load_observations(conn)
    # NOTE: explaining re-runs the model on the whole fleet, as a full pass does.
    table = load_table(conn, rows, None)
    result = run_model(table, params)
    index = table.index_of()
    i, j = index[left[0]], index[right[0]]
    explanation = explain_pair(result.evidence, i, j)
    pair = tuple(sorted((left[0], right[0])))
    link = conn.execute(
        sa.select(IdentityLink.weight_bits, IdentityLink.identity_uuid).where(
            IdentityLink.observation_a == pair[0], IdentityLink.observation_b == pair[1]
        )
    ).first()
    report = {
        "bits": explanation.bits,
        "needed_bits": explanation.needed_bits,
        "posterior": explanation.posterior,
        "features": explanation.features,
        "same_part": bool(result.labels[i] == result.labels[j]),
        "risky": [bool(result.risky[i]), bool(result.risky[j])],
        "stored_link": None
        if link is None
        else {"weight_bits": link[0], "identity": link[1]},
    }
    return left, right, report


def _resolve_sync(conn: sa.Connection, text: str) -> tuple[str, str, str | None]:
    """Return (uuid, ip, identity_id) of the observation `text` names.

    A uuid is accepted in any case and with or without hyphens. Raises
    InputError when `text` is neither a uuid nor an IP address, and
    NotFoundError when no observation matches.
    """
    column = Attacker.__table__.c
    select = sa.select(column.uuid, column.ip, column.identity_id)
    try:
        key = str(uuidlib.UUID(text))
    except ValueError:
        try:
            ip = normalise_ip(text)
        except InputError:
            raise InputError(
                f"invalid observation {text!r}: expected an IP address or an "
                "observation uuid"
            ) from None
        row = conn.execute(select.where(column.ip == ip)).first()
    else:
        row = conn.execute(select.where(column.uuid == key)).first()
        if row is None and _is_identity(conn, key):
            raise InputError(
                f"{text} is an identity, not an observation; give the IP or uuid "
                "of one of its observations"
            )
    if row is None:
        raise NotFoundError(
            f"no observation has uuid or IP {text!r} in this database; check "
            "--db, or ingest the logs that contain it"
        )
    return row[0], row[1], row[2]


def _is_identity(conn: sa.Connection, key: str) -> bool:
    identities = AttackerIdentity.__table__.c
    query = sa.select(identities.uuid).where(identities.uuid == key)
    return conn.execute(query).first() is not None


def _print_explanation(first: tuple, second: tuple, report: dict) -> None:
    out = Console()
    out.print(f"A {first[1]} ({first[0]}), identity {first[2] or '-'}")
    out.print(f"B {second[1]} ({second[0]}), identity {second[2] or '-'}")
    table = Table(title="evidence")
    for column in ("kind", "value", "observations", "weight (bits)"):
        table.add_column(column)
    for entry in report["features"]:
        value = "(differ)" if entry["value"] is None else str(entry["value"])
        value = value.replace("\x1f", ":")
        frequency = "" if entry["frequency"] is None else str(entry["frequency"])
        table.add_row(entry["kind"], value[:60], frequency, f"{entry['weight']:+.2f}")
    out.print(table)
    verdict = "linked" if report["bits"] >= report["needed_bits"] else "not linked"
    out.print(
        f"sum {report['bits']:+.2f} bits, needed {report['needed_bits']:.2f}: "
        f"{verdict} by score (posterior {report['posterior']:.4f})"
    )
    if any(report["risky"]):
        out.print(
            "one side may carry several actors (gateway, NAT or several clients): "
            "it never bridges two groups"
        )
    out.print(
        "same identity after the partition: " + ("yes" if report["same_part"] else "no")
    )
    if report["stored_link"]:
        out.print(f"stored link: {report['stored_link']['weight_bits']:.2f} bits")
