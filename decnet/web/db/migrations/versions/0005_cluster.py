"""Add the clusterer's pass state, rollup digests and the SimHash band index.

Revision ID: 0005_cluster
Revises: 0004_ingest
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import decnet.web.db.types

revision = "0005_cluster"
down_revision = "0004_ingest"
branch_labels = None
depends_on = None

_MYSQL = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mysql_engine": "InnoDB",
}


def upgrade() -> None:
    with op.batch_alter_table("attacker_identities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rollup_digest", sa.String(64), nullable=True))
    op.create_table(
        "cluster_state",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("watermark", decnet.web.db.types.UTCDateTime(), nullable=True),
        sa.Column("last_pass_at", decnet.web.db.types.UTCDateTime(), nullable=True),
        sa.Column(
            "last_full_pass_at", decnet.web.db.types.UTCDateTime(), nullable=True
        ),
        sa.Column(
            "observation_total", sa.Integer(), server_default="0", nullable=False
        ),
        sa.Column("params_digest", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("name"),
        **_MYSQL,
    )
    op.create_table(
        "simhash_bands",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("observation_uuid", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("band", sa.SmallInteger(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["observation_uuid"], ["attackers.uuid"]),
        sa.PrimaryKeyConstraint("id"),
        **_MYSQL,
    )
    with op.batch_alter_table("simhash_bands", schema=None) as batch_op:
        batch_op.create_index(
            "ix_simhash_bands_bucket", ["kind", "band", "bucket"], unique=False
        )
        batch_op.create_index(
            "ix_simhash_bands_observation", ["observation_uuid"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("simhash_bands", schema=None) as batch_op:
        batch_op.drop_index("ix_simhash_bands_observation")
        batch_op.drop_index("ix_simhash_bands_bucket")
    op.drop_table("simhash_bands")
    op.drop_table("cluster_state")
    with op.batch_alter_table("attacker_identities", schema=None) as batch_op:
        batch_op.drop_column("rollup_digest")
