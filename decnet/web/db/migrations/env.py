"""Alembic environment: runs migrations on the connection that `decnet.web.db.migrate` passes in."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import decnet.web.db.models  # noqa: F401  registers every table

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "run migrations through decnet.web.db.migrate, which passes a connection"
        )
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
