"""Speed up the lookups of the clusterer's incremental pass.

An incremental pass takes the first `block_size` observations of each
SimHash bucket, smallest uuid first. With `observation_uuid` last in the
band index the database reads those from the index in order; before, it
sorted every member of the bucket, and a script that 100,000 addresses ran
made a bucket of that size.

`cluster_state.common_counts` keeps the carrier counts of the values the
last full pass found above the frequency cap, so that an incremental pass
does not count their index entries again.

Revision ID: 0008_incremental_lookup
Revises: 0007_identity_sort
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from decnet.web.db.types import JSONText

revision = "0008_incremental_lookup"
down_revision = "0007_identity_sort"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("simhash_bands", schema=None) as batch_op:
        batch_op.create_index(
            "ix_simhash_bands_bucket_observation",
            ["kind", "band", "bucket", "observation_uuid"],
            unique=False,
        )
        batch_op.drop_index("ix_simhash_bands_bucket")
    with op.batch_alter_table("cluster_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("common_counts", JSONText(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cluster_state", schema=None) as batch_op:
        batch_op.drop_column("common_counts")
    with op.batch_alter_table("simhash_bands", schema=None) as batch_op:
        batch_op.create_index(
            "ix_simhash_bands_bucket", ["kind", "band", "bucket"], unique=False
        )
        batch_op.drop_index("ix_simhash_bands_bucket_observation")
