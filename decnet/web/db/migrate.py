"""Schema migrations with Alembic, run from code (`decnet db upgrade`).

The revisions live in `decnet/web/db/migrations/versions`. `upgrade`
refuses a database stamped with a revision this code does not know,
because that database was migrated by a newer DECNET.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.errors import SchemaError
from decnet.web.db.engine import check_connection, redact

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revisions() -> set[str]:
    """Return the head revision ids this code can migrate to."""
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def _known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def _current(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


async def current_revisions(engine: AsyncEngine) -> set[str]:
    """Return the revisions the database is stamped with (empty when new)."""
    await check_connection(engine)
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


def _upgrade(connection: Connection, url: str) -> None:
    unknown = _current(connection) - _known_revisions()
    if unknown:
        raise SchemaError(
            f"database {url} is at revision {', '.join(sorted(unknown))}, "
            "newer than this DECNET knows; upgrade DECNET or point --db at another database"
        )
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "heads")


async def upgrade(engine: AsyncEngine) -> set[str]:
    """Migrate the database to the newest schema and return its revisions.

    Each revision runs in its own transaction on PostgreSQL and SQLite;
    MariaDB commits DDL implicitly, so a failed revision there can leave
    that revision's tables behind (the revision is not stamped and is
    retried on the next upgrade).
    """
    await check_connection(engine)
    url = redact(engine.url)
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, url)
    revisions = await current_revisions(engine)
    log.info(
        "database schema is current", extra={"db": url, "revision": sorted(revisions)}
    )
    return revisions


async def ensure_schema(engine: AsyncEngine) -> None:
    """Upgrade the database unless it already sits at this code's heads."""
    if await current_revisions(engine) != head_revisions():
        await upgrade(engine)
