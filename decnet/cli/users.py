"""`decnet users`: add, re-password, list and remove API accounts.

Passwords are read from standard input when it is not a terminal (one
line, so scripts can pipe them in), else prompted for twice without echo.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from decnet.cli.common import DbOption, is_terminal, open_database, run
from decnet.errors import InputError
from decnet.web.api import accounts
from decnet.web.db.engine import session_factory, transaction
from decnet.web.db.models import User
from decnet.web.db.models.auth import ROLES

app = typer.Typer(help="Manage API accounts.", no_args_is_help=True)

NameArgument = Annotated[str, typer.Argument(help="User name.", show_default=False)]


def read_password() -> str:
    """Read a new password from standard input or, on a terminal, a prompt."""
    if is_terminal():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InputError(
                "no password on standard input; pipe one line, "
                "e.g. `echo 'PASSWORD' | decnet users add NAME`"
            )
    return accounts.check_password(password)


@app.command("add")
def add_command(
    name: NameArgument,
    role: Annotated[
        str, typer.Option("--role", help=f"Role: {', '.join(ROLES)}.")
    ] = "viewer",
    db: DbOption = None,
) -> None:
    """Create an account with ROLE.

    The password is read from standard input when it is not a terminal (one
    line, e.g. `echo PASSWORD | decnet users add NAME`), else prompted for
    twice without echo.
    """

    async def main() -> None:
        accounts.check_username(name)
        accounts.check_role(role)
        password = read_password()
        engine = await open_database(db)
        try:
            async with transaction(session_factory(engine)) as session:
                await accounts.create_user(session, name, password, role)
        finally:
            await engine.dispose()

    run(main())
    Console(stderr=True).print(f"added user {name!r} with role {role}", highlight=False)


@app.command("passwd")
def passwd_command(name: NameArgument, db: DbOption = None) -> None:
    """Set a new password; the user's existing tokens stop working."""

    async def main() -> None:
        password = read_password()
        engine = await open_database(db)
        try:
            async with transaction(session_factory(engine)) as session:
                await accounts.set_password(session, name, password)
        finally:
            await engine.dispose()

    run(main())
    Console(stderr=True).print(f"changed the password of {name!r}", highlight=False)


@app.command("list")
def list_command(db: DbOption = None) -> None:
    """List accounts with their roles and last login."""

    async def main() -> list[User]:
        engine = await open_database(db)
        try:
            async with session_factory(engine)() as session:
                return await accounts.list_users(session)
        finally:
            await engine.dispose()

    users = run(main())
    table = Table("user", "role", "created", "last login", "password")
    for user in users:
        table.add_row(
            user.username,
            user.role,
            f"{user.created_at:%Y-%m-%d %H:%M}",
            f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else "never",
            "one-time" if user.must_change_password else "set",
        )
    Console().print(table)


@app.command("remove")
def remove_command(name: NameArgument, db: DbOption = None) -> None:
    """Delete an account; its tokens stop working at once."""

    async def main() -> None:
        engine = await open_database(db)
        try:
            async with transaction(session_factory(engine)) as session:
                await accounts.remove_user(session, name)
        finally:
            await engine.dispose()

    run(main())
    Console(stderr=True).print(f"removed user {name!r}", highlight=False)
