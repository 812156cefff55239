"""Migrations build exactly the schema the models declare, on every backend."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from decnet.errors import SchemaError
from decnet.web.db.engine import create_engine
from decnet.web.db.migrate import current_revisions, head_revisions, upgrade


def _differences(connection: sa.Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": False})
    return [
        diff
        for diff in compare_metadata(context, SQLModel.metadata)
        if not (
            isinstance(diff, tuple)
            and diff[0] == "remove_table"
            and diff[1].name == "alembic_version"
        )
    ]


async def test_migrations_match_models(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        differences = await conn.run_sync(_differences)
    assert differences == []


async def test_upgrade_reaches_code_heads(engine: AsyncEngine) -> None:
    assert await current_revisions(engine) == head_revisions()


async def test_upgrade_twice_changes_nothing(engine: AsyncEngine) -> None:
    before = await current_revisions(engine)
    assert await upgrade(engine) == before


async def test_upgrade_rejects_newer_database(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        async with engine.begin() as conn:
            await conn.execute(sa.text("DELETE FROM alembic_version"))
            await conn.execute(
                sa.text("INSERT INTO alembic_version VALUES ('9999_future')")
            )
        with pytest.raises(SchemaError, match="9999_future"):
            await upgrade(engine)
    finally:
        await engine.dispose()
