"""Options and helpers shared by every `decnet` subcommand."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Coroutine
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.config import get_settings
from decnet.errors import DecnetError
from decnet.web.db.engine import create_engine
from decnet.web.db.migrate import ensure_schema

T = TypeVar("T")

log = logging.getLogger("decnet.cli")
console = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="Database URL (sqlite:///PATH, postgresql://..., mysql://...); "
        "default DECNET_DB_URL or a SQLite file under DECNET_HOME.",
        show_default=False,
    ),
]


def database_url(db: str | None) -> str:
    """Return `--db` when given, else the configured URL."""
    return db or get_settings().database_url()


def fail(error: DecnetError) -> typer.Exit:
    """Print `error` on one line to standard error and build the exit to raise."""
    console.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
    return typer.Exit(error.exit_code)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine, turning a DecnetError into a one-line error and exit code."""
    try:
        return asyncio.run(coro)
    except DecnetError as error:
        raise fail(error) from None
    except KeyboardInterrupt:
        console.print("interrupted")
        raise typer.Exit(130) from None


async def open_database(db: str | None) -> AsyncEngine:
    """Create an engine for the database and migrate it when it is behind."""
    engine = create_engine(database_url(db))
    try:
        await ensure_schema(engine)
    except BaseException:
        await engine.dispose()
        raise
    return engine


def is_terminal() -> bool:
    return sys.stdin.isatty()
