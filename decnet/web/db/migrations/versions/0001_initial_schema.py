"""Create the observation, identity, evidence, outbox and lease tables.

Revision ID: 0001
Revises:
Create Date: 2026-12-04 14:27:21.623934
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import decnet.web.db.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analyst_decisions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_a", sa.String(length=36), nullable=False),
        sa.Column("subject_b", sa.String(length=36), nullable=True),
        sa.Column("detail", decnet.web.db.types.JSONText(), nullable=True),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("created_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", decnet.web.db.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("analyst_decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_decisions_subjects", ["subject_a", "subject_b"], unique=False
        )

    op.create_table(
        "campaigns",
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("created_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.Column("first_seen_at", decnet.web.db.types.UTCDateTime(), nullable=True),
        sa.Column("last_seen_at", decnet.web.db.types.UTCDateTime(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("merged_into_uuid", sa.String(length=36), nullable=True),
        sa.CheckConstraint(
            "merged_into_uuid IS NULL OR merged_into_uuid <> uuid",
            name="ck_campaigns_not_merged_into_self",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_uuid"],
            ["campaigns.uuid"],
        ),
        sa.PrimaryKeyConstraint("uuid"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaigns_merged_into_uuid"),
            ["merged_into_uuid"],
            unique=False,
        )

    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("acquired_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
        mysql_engine="InnoDB",
    )
    op.create_table(
        "outbox_events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("payload", decnet.web.db.types.JSONText(), nullable=False),
        sa.Column("created_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.Column("published_at", decnet.web.db.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_unpublished", ["published_at", "seq"], unique=False
        )

    op.create_table(
        "attacker_identities",
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("schema_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("campaign_id", sa.String(length=36), nullable=True),
        sa.Column("first_seen_at", decnet.web.db.types.UTCDateTime(), nullable=True),
        sa.Column("last_seen_at", decnet.web.db.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column(
            "observation_count", sa.Integer(), server_default="0", nullable=False
        ),
        sa.Column("ja3_hashes", decnet.web.db.types.JSONText(), nullable=True),
        sa.Column("hassh_hashes", decnet.web.db.types.JSONText(), nullable=True),
        sa.Column("payload_simhashes", decnet.web.db.types.JSONText(), nullable=True),
        sa.Column("c2_endpoints", decnet.web.db.types.JSONText(), nullable=True),
        sa.Column("kd_digraph_simhash", decnet.web.db.types.SimHash64(), nullable=True),
        sa.Column("merged_into_uuid", sa.String(length=36), nullable=True),
        sa.Column("merge_state", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column(
            "merge_target_state", sa.SmallInteger(), server_default="0", nullable=False
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(merged_into_uuid IS NULL AND merge_state = 0) OR (merged_into_uuid IS NOT NULL AND merge_state = 1)",
            name="ck_identities_merge_state",
        ),
        sa.CheckConstraint(
            "merge_target_state = 0", name="ck_identities_merge_target_canonical"
        ),
        sa.CheckConstraint(
            "merged_into_uuid IS NULL OR merged_into_uuid <> uuid",
            name="ck_identities_not_merged_into_self",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.uuid"],
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_uuid", "merge_target_state"],
            ["attacker_identities.uuid", "attacker_identities.merge_state"],
            name="fk_identities_merged_into_canonical",
        ),
        sa.PrimaryKeyConstraint("uuid"),
        sa.UniqueConstraint("uuid", "merge_state", name="uq_identities_uuid_state"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("attacker_identities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attacker_identities_campaign_id"),
            ["campaign_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_attacker_identities_merged_into_uuid"),
            ["merged_into_uuid"],
            unique=False,
        )
        batch_op.create_index("ix_identities_updated_at", ["updated_at"], unique=False)

    op.create_table(
        "attackers",
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("first_seen_at", decnet.web.db.types.UTCDateTime(), nullable=True),
        sa.Column("last_seen_at", decnet.web.db.types.UTCDateTime(), nullable=True),
        sa.Column("session_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("event_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("credential_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "login_success_count", sa.Integer(), server_default="0", nullable=False
        ),
        sa.Column("command_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("services", decnet.web.db.types.JSONText(), nullable=True),
        sa.Column("sensors", decnet.web.db.types.JSONText(), nullable=True),
        sa.Column("client_versions", decnet.web.db.types.JSONText(), nullable=True),
        sa.Column("hassh_hashes", decnet.web.db.types.JSONText(), nullable=True),
        sa.Column("ja3_hashes", decnet.web.db.types.JSONText(), nullable=True),
        sa.Column("payload_sha256", decnet.web.db.types.JSONText(), nullable=True),
        sa.Column("c2_endpoints", decnet.web.db.types.JSONText(), nullable=True),
        sa.Column("active_hours", decnet.web.db.types.JSONText(), nullable=True),
        sa.Column("kd_digraph_simhash", decnet.web.db.types.SimHash64(), nullable=True),
        sa.Column(
            "is_private", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column(
            "is_gateway", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column(
            "multi_stack", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column("created_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.Column("identity_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["attacker_identities.uuid"],
        ),
        sa.PrimaryKeyConstraint("uuid"),
        sa.UniqueConstraint("ip"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("attackers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attackers_identity_id"), ["identity_id"], unique=False
        )
        batch_op.create_index(
            "ix_attackers_last_seen_at", ["last_seen_at"], unique=False
        )
        batch_op.create_index("ix_attackers_updated_at", ["updated_at"], unique=False)

    op.create_table(
        "attacker_sessions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("observation_uuid", sa.String(length=36), nullable=False),
        sa.Column("sensor", sa.String(length=255), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("connect_key", sa.String(length=32), nullable=False),
        sa.Column("protocol", sa.String(length=16), nullable=True),
        sa.Column("src_port", sa.Integer(), nullable=True),
        sa.Column("dst_port", sa.Integer(), nullable=True),
        sa.Column("started_at", decnet.web.db.types.UTCDateTime(), nullable=True),
        sa.Column("ended_at", decnet.web.db.types.UTCDateTime(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("event_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("client_version", sa.Text(), nullable=True),
        sa.Column("client_version_raw", sa.Text(), nullable=True),
        sa.Column("hassh", sa.String(length=32), nullable=True),
        sa.Column("ja3", sa.String(length=64), nullable=True),
        sa.Column("ja4", sa.String(length=128), nullable=True),
        sa.Column("credentials", decnet.web.db.types.JSONText(), nullable=True),
        sa.Column("commands", decnet.web.db.types.JSONText(), nullable=True),
        sa.Column("downloads", decnet.web.db.types.JSONText(), nullable=True),
        sa.Column("forwards", decnet.web.db.types.JSONText(), nullable=True),
        sa.Column("command_simhash", sa.String(length=16), nullable=True),
        sa.Column("kd_digraph_simhash", decnet.web.db.types.SimHash64(), nullable=True),
        sa.Column("input_typed", sa.Boolean(), nullable=True),
        sa.Column("phase", sa.String(length=32), nullable=True),
        sa.Column("updated_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["observation_uuid"],
            ["attackers.uuid"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "sensor", "session_id", "connect_key", name="uq_sessions_key"
        ),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("attacker_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sessions_observation", ["observation_uuid", "started_at"], unique=False
        )

    op.create_table(
        "identity_history",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("observation_uuid", sa.String(length=36), nullable=False),
        sa.Column("identity_uuid", sa.String(length=36), nullable=True),
        sa.Column("previous_identity_uuid", sa.String(length=36), nullable=True),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["observation_uuid"],
            ["attackers.uuid"],
        ),
        sa.PrimaryKeyConstraint("id"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("identity_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_history_observation_time",
            ["observation_uuid", "created_at"],
            unique=False,
        )

    op.create_table(
        "identity_links",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("identity_uuid", sa.String(length=36), nullable=False),
        sa.Column("observation_a", sa.String(length=36), nullable=False),
        sa.Column("observation_b", sa.String(length=36), nullable=False),
        sa.Column("weight_bits", sa.Float(), nullable=False),
        sa.Column("posterior", sa.Float(), nullable=False),
        sa.Column("features", decnet.web.db.types.JSONText(), nullable=False),
        sa.Column("created_at", decnet.web.db.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("observation_a < observation_b", name="ck_links_ordered"),
        sa.ForeignKeyConstraint(
            ["identity_uuid"],
            ["attacker_identities.uuid"],
        ),
        sa.ForeignKeyConstraint(
            ["observation_a"],
            ["attackers.uuid"],
        ),
        sa.ForeignKeyConstraint(
            ["observation_b"],
            ["attackers.uuid"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("observation_a", "observation_b", name="uq_links_pair"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("identity_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_links_identity_uuid"),
            ["identity_uuid"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_identity_links_observation_b"),
            ["observation_b"],
            unique=False,
        )

    op.create_table(
        "observation_features",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("observation_uuid", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("value_key", sa.String(length=64), nullable=False),
        sa.Column("occurrences", sa.Integer(), server_default="0", nullable=False),
        sa.Column("first_seen_at", decnet.web.db.types.UTCDateTime(), nullable=True),
        sa.Column("last_seen_at", decnet.web.db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["observation_uuid"],
            ["attackers.uuid"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "observation_uuid",
            "kind",
            "value_key",
            name="uq_features_observation_value",
        ),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("observation_features", schema=None) as batch_op:
        batch_op.create_index(
            "ix_features_kind_value", ["kind", "value_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("observation_features", schema=None) as batch_op:
        batch_op.drop_index("ix_features_kind_value")

    op.drop_table("observation_features")
    with op.batch_alter_table("identity_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_links_observation_b"))
        batch_op.drop_index(batch_op.f("ix_identity_links_identity_uuid"))

    op.drop_table("identity_links")
    with op.batch_alter_table("identity_history", schema=None) as batch_op:
        batch_op.drop_index("ix_history_observation_time")

    op.drop_table("identity_history")
    with op.batch_alter_table("attacker_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_sessions_observation")

    op.drop_table("attacker_sessions")
    with op.batch_alter_table("attackers", schema=None) as batch_op:
        batch_op.drop_index("ix_attackers_updated_at")
        batch_op.drop_index("ix_attackers_last_seen_at")
        batch_op.drop_index(batch_op.f("ix_attackers_identity_id"))

    op.drop_table("attackers")
    with op.batch_alter_table("attacker_identities", schema=None) as batch_op:
        batch_op.drop_index("ix_identities_updated_at")
        batch_op.drop_index(batch_op.f("ix_attacker_identities_merged_into_uuid"))
        batch_op.drop_index(batch_op.f("ix_attacker_identities_campaign_id"))

    op.drop_table("attacker_identities")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_unpublished")

    op.drop_table("outbox_events")
    op.drop_table("leases")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaigns_merged_into_uuid"))

    op.drop_table("campaigns")
    with op.batch_alter_table("analyst_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_decisions_subjects")

    op.drop_table("analyst_decisions")
