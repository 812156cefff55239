"""Add ingest progress per file, session state and observation counters.

Revision ID: 0004_ingest
Revises: 0003_auth
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import decnet.web.db.types

revision = "0004_ingest"
down_revision = "0003_auth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest_files",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("byte_offset", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("line_count", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("event_count", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("skipped_count", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "fingerprint", name="uq_ingest_files_source"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("attacker_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("state", decnet.web.db.types.JSONText(), nullable=True)
        )
    with op.batch_alter_table("attackers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kd_typed_sessions", sa.Integer(), server_default="0", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "hassh_mismatch_count", sa.Integer(), server_default="0", nullable=False
            )
        )
        batch_op.add_column(sa.Column("duration_s_total", sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attackers", schema=None) as batch_op:
        batch_op.drop_column("duration_s_total")
        batch_op.drop_column("hassh_mismatch_count")
        batch_op.drop_column("kd_typed_sessions")
    with op.batch_alter_table("attacker_sessions", schema=None) as batch_op:
        batch_op.drop_column("state")
    op.drop_table("ingest_files")
