"""Index the canonical identities in each order the identity list offers.

Each index is (merge_state, column, uuid), so a page of canonical
identities sorted by that column is read from the index without sorting
the table.

Revision ID: 0007_identity_sort
Revises: 0006_feature_lookup
"""

from __future__ import annotations

from alembic import op

revision = "0007_identity_sort"
down_revision = "0006_feature_lookup"
branch_labels = None
depends_on = None

# Index name suffix and column, as in the AttackerIdentity model.
SORT_COLUMNS = {
    "updated": "updated_at",
    "last_seen": "last_seen_at",
    "first_seen": "first_seen_at",
    "observations": "observation_count",
    "confidence": "confidence",
}


def upgrade() -> None:
    with op.batch_alter_table("attacker_identities", schema=None) as batch_op:
        for name, column in SORT_COLUMNS.items():
            batch_op.create_index(
                f"ix_identities_sort_{name}",
                ["merge_state", column, "uuid"],
                unique=False,
            )


def downgrade() -> None:
    with op.batch_alter_table("attacker_identities", schema=None) as batch_op:
        for name in SORT_COLUMNS:
            batch_op.drop_index(f"ix_identities_sort_{name}")
