"""Identities: one actor made of one or more observations."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from decnet.web.api.schemas.common import (
    ApiModel,
    PageBase,
    SimHashHex,
    StoredText,
    StrList,
)

MAX_NOTES_LENGTH = 20_000


class IdentityPublic(ApiModel):
    """An identity row as stored; `merged_into_uuid` is set on merged-out rows."""

    uuid: str
    schema_version: int
    campaign_id: str | None
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    created_at: datetime
    updated_at: datetime
    confidence: float | None
    observation_count: int
    ja3_hashes: StrList
    hassh_hashes: StrList
    payload_simhashes: StrList
    c2_endpoints: StrList
    kd_digraph_simhash: SimHashHex
    merged_into_uuid: str | None
    notes: str | None


class IdentityDetail(IdentityPublic):
    """The canonical identity with its live observation count.

    `resolved_from` is the requested uuid when it named a merged-out row;
    `merged_uuids` lists the identities merged into this one.
    """

    observation_count_live: int
    resolved_from: str | None = None
    merged_uuids: list[str] = Field(default_factory=list)


class IdentityPage(PageBase):
    """A page of canonical identities, newest-updated first."""

    data: list[IdentityPublic]


class NotesUpdate(BaseModel):
    """New analyst notes for an identity; null or empty clears them."""

    notes: StoredText | None = Field(max_length=MAX_NOTES_LENGTH)
