"""Observations (`attackers`, one row per source IP), their sessions and features.

Ingest owns these rows and never writes `attackers.identity_id`; only the
identity clusterer and analyst actions do.
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


def _bigint_pk() -> sa.Column[int]:
    # SQLite only autoincrements a column declared exactly INTEGER PRIMARY KEY.
    return sa.Column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    )


def _json() -> sa.Column[Any]:
    return sa.Column(JSONText())


def _count() -> sa.Column[int]:
    return sa.Column(sa.Integer(), nullable=False, default=0, server_default="0")


def _flag() -> sa.Column[bool]:
    return sa.Column(
        sa.Boolean(), nullable=False, default=False, server_default=sa.false()
    )


class Attacker(SQLModel, table=True):
    """One source IP: "we saw activity from X starting at T".

    `ip` is normalised (IPv4-mapped IPv6 becomes IPv4, IPv6 compressed lower
    case). The list columns summarise the observation's features for display
    and export; `observation_features` is the indexed form.
    """

    __tablename__ = "attackers"
    __table_args__ = (
        sa.Index("ix_attackers_updated_at", "updated_at"),
        sa.Index("ix_attackers_last_seen_at", "last_seen_at"),
        MYSQL_TABLE_ARGS,
    )

    uuid: str = Field(sa_column=uuid_pk())
    ip: str = Field(sa_column=sa.Column(sa.String(45), nullable=False, unique=True))
    first_seen_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime())
    )
    last_seen_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime())
    )
    session_count: int = Field(default=0, sa_column=_count())
    event_count: int = Field(default=0, sa_column=_count())
    credential_count: int = Field(default=0, sa_column=_count())
    login_success_count: int = Field(default=0, sa_column=_count())
    command_count: int = Field(default=0, sa_column=_count())
    services: list[str] | None = Field(default=None, sa_column=_json())
    sensors: list[str] | None = Field(default=None, sa_column=_json())
    client_versions: list[str] | None = Field(default=None, sa_column=_json())
    hassh_hashes: list[str] | None = Field(default=None, sa_column=_json())
    ja3_hashes: list[str] | None = Field(default=None, sa_column=_json())
    payload_sha256: list[str] | None = Field(default=None, sa_column=_json())
    c2_endpoints: list[str] | None = Field(default=None, sa_column=_json())
    active_hours: list[int] | None = Field(default=None, sa_column=_json())
    kd_digraph_simhash: bytes | None = Field(
        default=None, sa_column=sa.Column(SimHash64())
    )
    is_private: bool = Field(default=False, sa_column=_flag())
    is_gateway: bool = Field(default=False, sa_column=_flag())
    multi_stack: bool = Field(default=False, sa_column=_flag())
    # Sessions whose ttylogs show typed (not pasted) input; the keystroke
    # SimHash above is the bitwise majority over them.
    kd_typed_sessions: int = Field(default=0, sa_column=_count())
    # kex events whose logged HASSH differs from the one computed from the lists.
    hassh_mismatch_count: int = Field(default=0, sa_column=_count())
    # Double precision: a plain FLOAT is 4 bytes on MariaDB.
    duration_s_total: float | None = Field(
        default=None, sa_column=sa.Column(sa.Double())
    )
    created_at: datetime = Field(sa_column=created_column())
    updated_at: datetime = Field(sa_column=updated_column())
    identity_id: str | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.String(36),
            sa.ForeignKey("attacker_identities.uuid"),
            nullable=True,
            index=True,
        ),
    )

    @property
    def bridge_risk(self) -> bool:
        """True when the address may carry several actors and must not bridge."""
        return self.is_private or self.is_gateway or self.multi_stack


class AttackerSession(SQLModel, table=True):
    """One honeypot session, keyed by sensor, session id and connect time.

    List columns hold dictionaries: `credentials` `{username, password,
    success}`, `commands` `{input, failed, truncated}`, `downloads` `{kind:
    download|redirect|upload, url, sha256, outfile}`, `forwards` `{host, port}`.
    """

    __tablename__ = "attacker_sessions"
    __table_args__ = (
        sa.UniqueConstraint(
            "sensor", "session_id", "connect_key", name="uq_sessions_key"
        ),
        sa.Index("ix_sessions_observation", "observation_uuid", "started_at"),
        MYSQL_TABLE_ARGS,
    )

    id: int | None = Field(default=None, sa_column=_bigint_pk())
    observation_uuid: str = Field(
        sa_column=sa.Column(
            sa.String(36), sa.ForeignKey("attackers.uuid"), nullable=False
        )
    )
    sensor: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    session_id: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    connect_key: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    protocol: str | None = Field(default=None, sa_column=sa.Column(sa.String(16)))
    src_port: int | None = Field(default=None, sa_column=sa.Column(sa.Integer()))
    dst_port: int | None = Field(default=None, sa_column=sa.Column(sa.Integer()))
    started_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime())
    )
    ended_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    duration_s: float | None = Field(default=None, sa_column=sa.Column(sa.Float()))
    event_count: int = Field(default=0, sa_column=_count())
    client_version: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    client_version_raw: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    hassh: str | None = Field(default=None, sa_column=sa.Column(sa.String(32)))
    ja3: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    ja4: str | None = Field(default=None, sa_column=sa.Column(sa.String(128)))
    credentials: list[dict[str, Any]] | None = Field(default=None, sa_column=_json())
    commands: list[dict[str, Any]] | None = Field(default=None, sa_column=_json())
    downloads: list[dict[str, Any]] | None = Field(default=None, sa_column=_json())
    forwards: list[dict[str, Any]] | None = Field(default=None, sa_column=_json())
    command_simhash: str | None = Field(
        default=None, sa_column=sa.Column(sa.String(16))
    )
    kd_digraph_simhash: bytes | None = Field(
        default=None, sa_column=sa.Column(SimHash64())
    )
    input_typed: bool | None = Field(default=None, sa_column=sa.Column(sa.Boolean()))
    phase: str | None = Field(default=None, sa_column=sa.Column(sa.String(32)))
    # Ingest's mergeable session state (times, fingerprints, endpoints,
    # ttylog names, features); see decnet.ingest.session.SessionState.
    state: dict[str, Any] | None = Field(default=None, sa_column=_json())
    updated_at: datetime = Field(sa_column=updated_column())


class ObservationFeature(SQLModel, table=True):
    """One (kind, value) feature carried by an observation, counted once.

    `value_key` is the SHA-256 hex of `value`: it keeps the unique key and the
    (kind, value) lookup index short on every database however long the value.
    Kinds are listed in `decnet.features`.
    """

    __tablename__ = "observation_features"
    __table_args__ = (
        sa.UniqueConstraint(
            "observation_uuid",
            "kind",
            "value_key",
            name="uq_features_observation_value",
        ),
        sa.Index(
            "ix_features_kind_value_observation",
            "kind",
            "value_key",
            "observation_uuid",
        ),
        MYSQL_TABLE_ARGS,
    )

    id: int | None = Field(default=None, sa_column=_bigint_pk())
    observation_uuid: str = Field(
        sa_column=sa.Column(
            sa.String(36), sa.ForeignKey("attackers.uuid"), nullable=False
        )
    )
    kind: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    value: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    value_key: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    occurrences: int = Field(default=1, sa_column=_count())
    first_seen_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime())
    )
    last_seen_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime())
    )


class IngestFile(SQLModel, table=True):
    """How far ingest has read one log file, so a rerun or a restart resumes.

    A file is identified by `fingerprint`, the SHA-256 hex of its first
    line, so renaming or compressing it on rotation keeps its progress.
    `byte_offset` counts bytes of decompressed content up to the last line
    stored; `line_count` is the number of lines before that offset.
    """

    __tablename__ = "ingest_files"
    __table_args__ = (
        sa.UniqueConstraint("source", "fingerprint", name="uq_ingest_files_source"),
        MYSQL_TABLE_ARGS,
    )

    id: int | None = Field(default=None, sa_column=_bigint_pk())
    source: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    fingerprint: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    path: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    byte_offset: int = Field(
        default=0,
        sa_column=sa.Column(sa.BigInteger(), nullable=False, server_default="0"),
    )
    line_count: int = Field(
        default=0,
        sa_column=sa.Column(sa.BigInteger(), nullable=False, server_default="0"),
    )
    event_count: int = Field(
        default=0,
        sa_column=sa.Column(sa.BigInteger(), nullable=False, server_default="0"),
    )
    skipped_count: int = Field(
        default=0,
        sa_column=sa.Column(sa.BigInteger(), nullable=False, server_default="0"),
    )
    created_at: datetime = Field(sa_column=created_column())
    updated_at: datetime = Field(sa_column=updated_column())
