"""Infrastructure tables: the event outbox and worker leases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from decnet.web.db.models.common import MYSQL_TABLE_ARGS, created_column
from decnet.web.db.types import JSONText, UTCDateTime


class OutboxEvent(SQLModel, table=True):
    """A bus event written in the same transaction as the change it describes.

    `seq` increases monotonically and is the resume point for consumers
    (SSE `Last-Event-ID`). The relay sets `published_at` once the bus has
    acknowledged the event.
    """

    __tablename__ = "outbox_events"
    __table_args__ = (
        sa.Index("ix_outbox_unpublished", "published_at", "seq"),
        MYSQL_TABLE_ARGS,
    )

    seq: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
    )
    subject: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    payload: dict[str, Any] = Field(sa_column=sa.Column(JSONText(), nullable=False))
    created_at: datetime = Field(sa_column=created_column())
    published_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime())
    )


class Lease(SQLModel, table=True):
    """A named lease: at most one live holder, renewed before `expires_at`."""

    __tablename__ = "leases"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    name: str = Field(sa_column=sa.Column(sa.String(64), primary_key=True))
    holder: str = Field(sa_column=sa.Column(sa.String(128), nullable=False))
    acquired_at: datetime = Field(sa_column=created_column())
    expires_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
