"""Database URLs, async engines and sessions for SQLite, PostgreSQL and MariaDB.

Users write plain URLs (`sqlite:///path`, `postgresql://...`,
`mysql://...` or `mariadb://...`); `async_url` picks the async driver.
SQLite runs in WAL mode with foreign keys enforced on every connection.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pymysql.err
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from decnet.errors import ConfigError, DatabaseUnavailableError

log = logging.getLogger(__name__)

# MariaDB reports a failed CHECK constraint as error 4025, which PyMySQL
# classes as OperationalError; it is an integrity violation like a failed
# foreign key, and callers catch it as IntegrityError on every backend.
pymysql.err.error_map[4025] = pymysql.err.IntegrityError

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "mysql": "mysql+aiomysql",
    "mariadb": "mysql+aiomysql",
}
_SUPPORTED = "sqlite:///PATH, postgresql://USER@HOST/DB or mysql://USER@HOST/DB"


def async_url(url: str) -> URL:
    """Parse `url` and select the async driver for its database.

    Raises ConfigError for an unparsable URL, an unsupported scheme or a
    server URL that names no database.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        # SQLAlchemy raises ValueError for a port that is not a number.
        raise ConfigError(
            f"invalid database URL {redact(url)!r}: {exc}; expected {_SUPPORTED}"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise ConfigError(
            f"unsupported database URL scheme {parsed.drivername!r} in {url!r}; "
            f"expected {_SUPPORTED}"
        )
    if backend != "sqlite" and not parsed.database:
        raise ConfigError(
            f"database URL {redact(url)!r} names no database; add its name as "
            f"the path, as in {_SUPPORTED}"
        )
    parsed = parsed.set(drivername=_ASYNC_DRIVERS[backend])
    if backend in ("mysql", "mariadb"):
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return parsed


def redact(url: str | URL) -> str:
    """Render a URL for messages with any password hidden."""
    try:
        return make_url(str(url)).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return str(url)


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create an async engine for `url`; SQLite parent folders are created."""
    target = async_url(url)
    if target.get_backend_name() == "sqlite":
        database = target.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": 30})
    else:
        kwargs.setdefault("pool_pre_ping", True)
        kwargs.setdefault("pool_recycle", 3600)
    engine = create_async_engine(target, **kwargs)
    if target.get_backend_name() == "sqlite":
        sa.event.listen(engine.sync_engine, "connect", _enable_sqlite_pragmas)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Return a session maker whose objects stay readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def check_connection(engine: AsyncEngine) -> None:
    """Open one connection, raising DatabaseUnavailableError with the URL on failure."""
    try:
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # every driver raises its own family of errors
        first_line = str(exc).splitlines()[0] if str(exc) else ""
        raise DatabaseUnavailableError(
            f"cannot connect to database {redact(engine.url)}: "
            f"{type(exc).__name__}: {first_line}; check that the server is running "
            "and the URL (--db or DECNET_DB_URL) is right"
        ) from exc


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """Yield a session in one transaction, committed on success, else rolled back."""
    async with sessions() as session, session.begin():
        yield session
