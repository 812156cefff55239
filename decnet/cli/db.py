"""`decnet db`: create, migrate and inspect the database."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from decnet.cli.common import DbOption, console, database_url, run
from decnet.web.db.engine import create_engine, redact, session_factory
from decnet.web.db.migrate import current_revisions, head_revisions, upgrade
from decnet.web.db.models import Attacker, AttackerIdentity, Campaign, OutboxEvent

app = typer.Typer(help="Create, migrate and inspect the database.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command(db: DbOption = None) -> None:
    """Migrate the database to the newest schema (creating it when empty)."""

    async def main() -> None:
        engine = create_engine(database_url(db))
        try:
            revisions = await upgrade(engine)
        finally:
            await engine.dispose()
        console.print(f"database {redact(engine.url)} at revision {', '.join(sorted(revisions))}")

    run(main())


@app.command("status")
def status_command(db: DbOption = None) -> None:
    """Show the schema revision and row counts; migrate first when behind."""
    run(print_status(db))


async def print_status(db: str | None) -> None:
    """Print revision and row counts for the database (migrating it first)."""
    engine = create_engine(database_url(db))
    try:
        await upgrade(engine)
        revisions = await current_revisions(engine)
        sessions = session_factory(engine)
        async with sessions() as session:
            counts = {}
            for label, column in (
                ("observations", Attacker.uuid),
                ("identities", AttackerIdentity.uuid),
                ("campaigns", Campaign.uuid),
                ("outbox events", OutboxEvent.seq),
            ):
                counts[label] = (await session.execute(select(func.count(column)))).scalar_one()
            unpublished = (
                await session.execute(
                    select(func.count(OutboxEvent.seq)).where(OutboxEvent.published_at.is_(None))
                )
            ).scalar_one()
    finally:
        await engine.dispose()

    table = Table(title=f"database {redact(engine.url)}")
    table.add_column("item")
    table.add_column("value", justify="right")
    current = ", ".join(sorted(revisions))
    table.add_row("schema revision", f"{current} (code {', '.join(sorted(head_revisions()))})")
    for label, count in counts.items():
        table.add_row(label, str(count))
    table.add_row("unpublished events", str(unpublished))
    Console().print(table)



