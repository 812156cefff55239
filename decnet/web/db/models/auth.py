"""API accounts, single-use stream tickets and generated application secrets.

Roles are ordered viewer < analyst < admin. Passwords are stored only as
argon2 hashes. A stream ticket is stored as the SHA-256 of its text, so a
database dump cannot be replayed against the event streams.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from decnet.web.db.models.common import (
    MYSQL_TABLE_ARGS,
    created_column,
    updated_column,
    uuid_pk,
)
from decnet.web.db.types import UTCDateTime

ROLES = ("viewer", "analyst", "admin")


class User(SQLModel, table=True):
    """One API account.

    `token_version` is copied into every access token; raising it (on a
    password change or removal) makes every earlier token invalid.
    """

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('viewer', 'analyst', 'admin')", name="ck_users_role"
        ),
        MYSQL_TABLE_ARGS,
    )

    uuid: str = Field(sa_column=uuid_pk())
    username: str = Field(
        sa_column=sa.Column(sa.String(100), nullable=False, unique=True)
    )
    password_hash: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    role: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    token_version: int = Field(
        default=1,
        sa_column=sa.Column(
            sa.Integer(), nullable=False, default=1, server_default="1"
        ),
    )
    must_change_password: bool = Field(
        default=False,
        sa_column=sa.Column(
            sa.Boolean(), nullable=False, default=False, server_default=sa.false()
        ),
    )
    created_at: datetime = Field(sa_column=created_column())
    updated_at: datetime = Field(sa_column=updated_column())
    last_login_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime())
    )


class StreamTicket(SQLModel, table=True):
    """A short-lived, single-use credential for one Server-Sent Events stream.

    Browsers cannot set headers on EventSource, so they pass a ticket in the
    query string instead of the access token. `used_at` is set atomically
    on first use; a second use finds it set and is rejected.
    """

    __tablename__ = "sse_tickets"
    __table_args__ = (
        sa.Index("ix_sse_tickets_expires_at", "expires_at"),
        MYSQL_TABLE_ARGS,
    )

    ticket_hash: str = Field(sa_column=sa.Column(sa.String(64), primary_key=True))
    username: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    created_at: datetime = Field(sa_column=created_column())
    expires_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))


class AppSecret(SQLModel, table=True):
    """A secret generated on first start and shared by every API replica."""

    __tablename__ = "app_secrets"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    name: str = Field(sa_column=sa.Column(sa.String(64), primary_key=True))
    value: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    created_at: datetime = Field(sa_column=created_column())
