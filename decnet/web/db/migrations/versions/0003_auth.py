"""Create the API account, stream ticket and application secret tables.

Revision ID: 0003_auth
Revises: 0001
Create Date: 2026-12-04 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import decnet.web.db.types

revision = "0003_auth"
down_revision = "0001"
branch_labels = None
depends_on = None

_MYSQL = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mysql_engine": "InnoDB",
}


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("token_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "must_change_password",
            sa.Boolean(),
            server_default=sa.false(),
            nullable=False,
        ),
        sa.Column("created_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.Column("last_login_at", decnet.web.db.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "role IN ('viewer', 'analyst', 'admin')", name="ck_users_role"
        ),
        sa.PrimaryKeyConstraint("uuid"),
        sa.UniqueConstraint("username"),
        **_MYSQL,
    )
    op.create_table(
        "sse_tickets",
        sa.Column("ticket_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("created_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.Column("used_at", decnet.web.db.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("ticket_hash"),
        **_MYSQL,
    )
    with op.batch_alter_table("sse_tickets", schema=None) as batch_op:
        batch_op.create_index("ix_sse_tickets_expires_at", ["expires_at"], unique=False)
    op.create_table(
        "app_secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("created_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
        **_MYSQL,
    )


def downgrade() -> None:
    op.drop_table("app_secrets")
    with op.batch_alter_table("sse_tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_sse_tickets_expires_at")
    op.drop_table("sse_tickets")
    op.drop_table("users")
