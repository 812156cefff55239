"""Options and helpers shared by every `decnet` subcommand."""

from __future__ import annotations

import asyncio
import logging
import signal
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


# Exit status of a command stopped by SIGTERM, as a shell reports it (128 + 15).
SIGTERM_EXIT = 128 + signal.SIGTERM


class _Terminated(Exception):
    """The command was stopped by SIGTERM after its clean-up ran."""


# Whether SIGTERM cancels the running command. A command that hands the
# signal to a server that shuts down by itself turns this off.
_SIGTERM_CANCELS = {"enabled": True}


def let_server_handle_sigterm() -> None:
    """Leave SIGTERM to a server that is about to run, such as uvicorn.

    uvicorn shuts down gracefully on SIGTERM and raises the signal again
    once it has stopped. Cancelling the command then would cut its own
    clean-up short, so the command is left to end by itself and exits 143.
    """
    _SIGTERM_CANCELS["enabled"] = False


async def _cancel_on_sigterm(coro: Coroutine[Any, Any, T]) -> T:
    """Await `coro`, cancelling it on SIGTERM as asyncio does on Ctrl-C.

    Without this a service manager's SIGTERM kills the process at once, and
    `finally` blocks that release a lease or flush a batch never run.
    """
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    terminated = False

    def on_sigterm() -> None:
        nonlocal terminated
        terminated = True
        if _SIGTERM_CANCELS["enabled"]:
            task.cancel()

    loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    try:
        result = await coro
    except asyncio.CancelledError:
        if terminated:
            raise _Terminated from None
        raise
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
    if terminated:
        raise _Terminated
    return result


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine, turning a DecnetError into a one-line error and exit code.

    Ctrl-C exits with 130 and SIGTERM with 143, each after the coroutine's
    clean-up has run.
    """
    try:
        return asyncio.run(_cancel_on_sigterm(coro))
    except DecnetError as error:
        raise fail(error) from None
    except KeyboardInterrupt:
        console.print("interrupted")
        raise typer.Exit(130) from None
    except _Terminated:
        console.print("stopped by SIGTERM")
        raise typer.Exit(SIGTERM_EXIT) from None


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
