"""Throwaway databases on SQLite, PostgreSQL and MariaDB for one test each.

Every test gets a database of its own, created and dropped here, so test
runs in parallel never see each other's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from decnet.web.db.engine import async_url, create_engine
from tests.support.services import MARIADB, POSTGRES, require

BACKENDS = ("sqlite", "postgresql", "mariadb")


@asynccontextmanager
async def scratch_database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """Create an empty database on `backend` and yield its plain URL."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'decnet.sqlite'}"
        return
    service = POSTGRES if backend == "postgresql" else MARIADB
    require(service)
    name = f"decnet_t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(service.url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    async with admin.connect() as conn:
        await conn.execute(sa.text(f"CREATE DATABASE {name}"))
    url = make_url(service.url).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            if backend == "postgresql":
                await conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            else:
                await conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        await admin.dispose()


__all__ = ["BACKENDS", "async_url", "scratch_database"]
