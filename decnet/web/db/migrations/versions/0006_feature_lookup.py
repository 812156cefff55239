"""Cover the (kind, value) feature lookup with the observation uuid.

The clusterer's incremental pass asks which observations carry each value
of its new observations. With `observation_uuid` in the index the database
answers from the index alone instead of reading each row.

Revision ID: 0006_feature_lookup
Revises: 0005_cluster
"""

from __future__ import annotations

from alembic import op

revision = "0006_feature_lookup"
down_revision = "0005_cluster"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("observation_features", schema=None) as batch_op:
        batch_op.create_index(
            "ix_features_kind_value_observation",
            ["kind", "value_key", "observation_uuid"],
            unique=False,
        )
        batch_op.drop_index("ix_features_kind_value")


def downgrade() -> None:
    with op.batch_alter_table("observation_features", schema=None) as batch_op:
        batch_op.create_index(
            "ix_features_kind_value", ["kind", "value_key"], unique=False
        )
        batch_op.drop_index("ix_features_kind_value_observation")
