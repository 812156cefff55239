"""Observations (`attackers`): one source IP, and its sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from decnet.web.api.schemas.common import (
    ApiModel,
    IntList,
    PageBase,
    SimHashHex,
    StrList,
)


class AttackerPublic(ApiModel):
    """An observation; `identity_id` is null until the clusterer resolves it."""

    uuid: str
    ip: str
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    session_count: int
    event_count: int
    credential_count: int
    login_success_count: int
    command_count: int
    services: StrList
    sensors: StrList
    client_versions: StrList
    hassh_hashes: StrList
    ja3_hashes: StrList
    payload_sha256: StrList
    c2_endpoints: StrList
    active_hours: IntList
    kd_digraph_simhash: SimHashHex
    is_private: bool
    is_gateway: bool
    multi_stack: bool
    created_at: datetime
    updated_at: datetime
    identity_id: str | None


class AttackerPage(PageBase):
    """A page of observations, newest-updated first."""

    data: list[AttackerPublic]


class SessionPublic(ApiModel):
    """One honeypot session of an observation."""

    id: int
    sensor: str
    session_id: str
    protocol: str | None
    src_port: int | None
    dst_port: int | None
    started_at: datetime | None
    ended_at: datetime | None
    duration_s: float | None
    event_count: int
    client_version: str | None
    hassh: str | None
    ja3: str | None
    ja4: str | None
    credentials: list[dict[str, Any]] | None
    commands: list[dict[str, Any]] | None
    downloads: list[dict[str, Any]] | None
    forwards: list[dict[str, Any]] | None
    command_simhash: str | None
    kd_digraph_simhash: SimHashHex
    input_typed: bool | None
    phase: str | None


class AttackerDetail(AttackerPublic):
    """An observation with its newest sessions and its canonical identity.

    `canonical_identity_id` follows `identity_id` through merges; `sessions`
    holds at most `sessions_limit` sessions, newest first, of
    `session_total`.
    """

    canonical_identity_id: str | None
    session_total: int
    sessions_limit: int
    sessions: list[SessionPublic]
