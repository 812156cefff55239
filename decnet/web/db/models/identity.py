"""Identities, campaigns, the evidence that links observations, and history.

Merges are soft: a losing identity keeps its row and points at the winner
through `merged_into_uuid`. The database itself keeps merge chains one hop
long: `merge_state` is 0 for a canonical row and 1 for a merged one, and the
composite foreign key (`merged_into_uuid`, `merge_target_state`) can only
reference a row whose `merge_state` is 0. So a winner cannot be merged away
while losers still point at it (repoint them first: chain compression), no
row points at itself, and no chain can cycle.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from decnet.web.db.models.common import (
    MYSQL_TABLE_ARGS,
    created_column,
    updated_column,
    uuid_pk,
)
from decnet.web.db.types import JSONText, SimHash64, UTCDateTime

CANONICAL = 0
MERGED = 1


class Campaign(SQLModel, table=True):
    """One coordinated operation: a group of identities."""

    __tablename__ = "campaigns"
    __table_args__ = (
        sa.CheckConstraint(
            "merged_into_uuid IS NULL OR merged_into_uuid <> uuid",
            name="ck_campaigns_not_merged_into_self",
        ),
        MYSQL_TABLE_ARGS,
    )

    uuid: str = Field(sa_column=uuid_pk())
    name: str | None = Field(default=None, sa_column=sa.Column(sa.String(200)))
    created_at: datetime = Field(sa_column=created_column())
    updated_at: datetime = Field(sa_column=updated_column())
    first_seen_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime())
    )
    last_seen_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime())
    )
    confidence: float | None = Field(default=None, sa_column=sa.Column(sa.Float()))
    notes: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    merged_into_uuid: str | None = Field(
        default=None,
        sa_column=sa.Column(sa.String(36), sa.ForeignKey("campaigns.uuid"), index=True),
    )


# Columns the identity list sorts on, by index name suffix. Each gets an
# index on (merge_state, column, uuid) that serves the canonical rows in
# that order.
IDENTITY_SORT_COLUMNS = {
    "updated": "updated_at",
    "last_seen": "last_seen_at",
    "first_seen": "first_seen_at",
    "observations": "observation_count",
    "confidence": "confidence",
}


class AttackerIdentity(SQLModel, table=True):
    """One actor: observations the clusterer judged to be the same hands."""

    __tablename__ = "attacker_identities"
    __table_args__ = (
        sa.CheckConstraint(
            "merged_into_uuid IS NULL OR merged_into_uuid <> uuid",
            name="ck_identities_not_merged_into_self",
        ),
        sa.CheckConstraint(
            "(merged_into_uuid IS NULL AND merge_state = 0)"
            " OR (merged_into_uuid IS NOT NULL AND merge_state = 1)",
            name="ck_identities_merge_state",
        ),
        sa.CheckConstraint(
            "merge_target_state = 0", name="ck_identities_merge_target_canonical"
        ),
        sa.UniqueConstraint("uuid", "merge_state", name="uq_identities_uuid_state"),
        sa.ForeignKeyConstraint(
            ["merged_into_uuid", "merge_target_state"],
            ["attacker_identities.uuid", "attacker_identities.merge_state"],
            name="fk_identities_merged_into_canonical",
        ),
        sa.Index("ix_identities_updated_at", "updated_at"),
        *(
            sa.Index(f"ix_identities_sort_{name}", "merge_state", column, "uuid")
            for name, column in IDENTITY_SORT_COLUMNS.items()
        ),
        MYSQL_TABLE_ARGS,
    )

    uuid: str = Field(sa_column=uuid_pk())
    schema_version: int = Field(
        default=1,
        sa_column=sa.Column(
            sa.Integer(), nullable=False, default=1, server_default="1"
        ),
    )
    campaign_id: str | None = Field(
        default=None,
        sa_column=sa.Column(sa.String(36), sa.ForeignKey("campaigns.uuid"), index=True),
    )
    first_seen_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime())
    )
    last_seen_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime())
    )
    created_at: datetime = Field(sa_column=created_column())
    updated_at: datetime = Field(sa_column=updated_column())
    confidence: float | None = Field(default=None, sa_column=sa.Column(sa.Float()))
    observation_count: int = Field(
        default=0,
        sa_column=sa.Column(
            sa.Integer(), nullable=False, default=0, server_default="0"
        ),
    )
    ja3_hashes: list[str] | None = Field(default=None, sa_column=sa.Column(JSONText()))
    hassh_hashes: list[str] | None = Field(
        default=None, sa_column=sa.Column(JSONText())
    )
    payload_simhashes: list[str] | None = Field(
        default=None, sa_column=sa.Column(JSONText())
    )
    c2_endpoints: list[str] | None = Field(
        default=None, sa_column=sa.Column(JSONText())
    )
    kd_digraph_simhash: bytes | None = Field(
        default=None, sa_column=sa.Column(SimHash64())
    )
    merged_into_uuid: str | None = Field(
        default=None, sa_column=sa.Column(sa.String(36), nullable=True, index=True)
    )
    merge_state: int = Field(
        default=CANONICAL,
        sa_column=sa.Column(
            sa.SmallInteger(), nullable=False, default=0, server_default="0"
        ),
    )
    merge_target_state: int = Field(
        default=CANONICAL,
        sa_column=sa.Column(
            sa.SmallInteger(), nullable=False, default=0, server_default="0"
        ),
    )
    notes: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    # SHA-256 hex of the rollup the clusterer last wrote (members, fingerprint
    # lists, times, confidence); a pass rewrites the row only when it changes.
    rollup_digest: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))


class IdentityLink(SQLModel, table=True):
    """Evidence: one accepted link between two observations of an identity.

    `features` is a list of `{"kind", "value", "frequency", "weight"}` where
    frequency is the number of observations carrying the value and weight the
    log2 match weight it contributed, in bits.
    """

    __tablename__ = "identity_links"
    __table_args__ = (
        sa.UniqueConstraint("observation_a", "observation_b", name="uq_links_pair"),
        sa.CheckConstraint("observation_a < observation_b", name="ck_links_ordered"),
        MYSQL_TABLE_ARGS,
    )

    id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
    )
    identity_uuid: str = Field(
        sa_column=sa.Column(
            sa.String(36),
            sa.ForeignKey("attacker_identities.uuid"),
            nullable=False,
            index=True,
        )
    )
    observation_a: str = Field(
        sa_column=sa.Column(
            sa.String(36), sa.ForeignKey("attackers.uuid"), nullable=False
        )
    )
    observation_b: str = Field(
        sa_column=sa.Column(
            sa.String(36), sa.ForeignKey("attackers.uuid"), nullable=False, index=True
        )
    )
    weight_bits: float = Field(sa_column=sa.Column(sa.Float(), nullable=False))
    posterior: float = Field(sa_column=sa.Column(sa.Float(), nullable=False))
    features: list[dict[str, Any]] = Field(
        sa_column=sa.Column(JSONText(), nullable=False)
    )
    created_at: datetime = Field(sa_column=created_column())


class IdentityHistory(SQLModel, table=True):
    """One change of an observation's identity, with its reason.

    `action` is one of linked, relinked, merged, unmerged, split, unlinked.
    `actor` is "clusterer" or the user name of an analyst.
    """

    __tablename__ = "identity_history"
    __table_args__ = (
        sa.Index("ix_history_observation_time", "observation_uuid", "created_at"),
        MYSQL_TABLE_ARGS,
    )

    id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
    )
    observation_uuid: str = Field(
        sa_column=sa.Column(
            sa.String(36), sa.ForeignKey("attackers.uuid"), nullable=False
        )
    )
    identity_uuid: str | None = Field(default=None, sa_column=sa.Column(sa.String(36)))
    previous_identity_uuid: str | None = Field(
        default=None, sa_column=sa.Column(sa.String(36))
    )
    action: str = Field(sa_column=sa.Column(sa.String(24), nullable=False))
    reason: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    confidence: float | None = Field(default=None, sa_column=sa.Column(sa.Float()))
    actor: str = Field(
        default="clusterer", sa_column=sa.Column(sa.String(100), nullable=False)
    )
    created_at: datetime = Field(sa_column=created_column())


class AnalystDecision(SQLModel, table=True):
    """An analyst's ruling that the clusterer honours on every later pass.

    `kind` is must_link, cannot_link, split or merge; `subject_type` is
    identity or observation; `subject_b` is null for a split, whose
    observation uuids sit in `detail`.
    """

    __tablename__ = "analyst_decisions"
    __table_args__ = (
        sa.Index("ix_decisions_subjects", "subject_a", "subject_b"),
        MYSQL_TABLE_ARGS,
    )

    id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
    )
    kind: str = Field(sa_column=sa.Column(sa.String(24), nullable=False))
    subject_type: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    subject_a: str = Field(sa_column=sa.Column(sa.String(36), nullable=False))
    subject_b: str | None = Field(default=None, sa_column=sa.Column(sa.String(36)))
    detail: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(JSONText()))
    username: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    created_at: datetime = Field(sa_column=created_column())
    revoked_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime())
    )


class ClusterState(SQLModel, table=True):
    """Progress of one clusterer: the change watermark and pass times.

    `watermark` is the largest `attackers.updated_at` a pass has read; an
    incremental pass reads observations updated after it.
    """

    __tablename__ = "cluster_state"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    name: str = Field(sa_column=sa.Column(sa.String(64), primary_key=True))
    watermark: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    last_pass_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime())
    )
    last_full_pass_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime())
    )
    observation_total: int = Field(
        default=0,
        sa_column=sa.Column(
            sa.Integer(), nullable=False, default=0, server_default="0"
        ),
    )
    params_digest: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    # [kind, value_key, count] of each value that the last full pass found on
    # more observations than the frequency cap. Incremental passes take
    # these counts instead of counting millions of index entries again.
    common_counts: list[list[Any]] | None = Field(
        default=None, sa_column=sa.Column(JSONText())
    )


class SimhashBand(SQLModel, table=True):
    """One band of an observation's SimHash, for the band index on disk.

    A 64-bit SimHash of a kind with Hamming distance k is cut into k + 1
    bands; `bucket` holds the bits of band `band`. Two hashes within distance
    k share at least one (kind, band, bucket), so an incremental pass finds
    near neighbours with an index lookup instead of a scan.
    """

    __tablename__ = "simhash_bands"
    __table_args__ = (
        sa.Index(
            "ix_simhash_bands_bucket_observation",
            "kind",
            "band",
            "bucket",
            "observation_uuid",
        ),
        sa.Index("ix_simhash_bands_observation", "observation_uuid"),
        MYSQL_TABLE_ARGS,
    )

    id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
    )
    observation_uuid: str = Field(
        sa_column=sa.Column(
            sa.String(36), sa.ForeignKey("attackers.uuid"), nullable=False
        )
    )
    kind: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    band: int = Field(sa_column=sa.Column(sa.SmallInteger(), nullable=False))
    bucket: int = Field(sa_column=sa.Column(sa.BigInteger(), nullable=False))
    value: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
