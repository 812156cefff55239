"""Read queries the API needs beyond the storage repository.

Evidence, identity history, sessions, campaigns and decisions. Each function
takes an open AsyncSession, validates the page window with the repository's
`check_window`, and returns ORM rows or a repository `Page`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from decnet import features as feature_kinds
from decnet.errors import InputError
from decnet.netaddr import normalise_ip
from decnet.web.db.models import (
    CANONICAL,
    AnalystDecision,
    Attacker,
    AttackerIdentity,
    AttackerSession,
    Campaign,
    IdentityHistory,
    IdentityLink,
    ObservationFeature,
)
from decnet.web.db.repository import Page, check_window
from decnet.web.db.repository.pages import fetch_page

# Feature aggregation reads at most this many links of one identity.
MAX_EVIDENCE_LINKS = 20_000


@dataclass(frozen=True)
class FeatureSummary:
    """One feature value aggregated over the links of an identity."""

    kind: str
    value: str
    frequency: int | None
    weight: float | None
    link_count: int


# The column each identity list order sorts on, largest or newest first.
# Each has an index on (merge_state, column, uuid), and the order is
# `column DESC, uuid DESC`, so a page is read straight off that index.
IDENTITY_SORTS: dict[str, Any] = {
    "updated": AttackerIdentity.updated_at,
    "last_seen": AttackerIdentity.last_seen_at,
    "first_seen": AttackerIdentity.first_seen_at,
    "observations": AttackerIdentity.observation_count,
    "confidence": AttackerIdentity.confidence,
}


def identity_order(sort: str, dialect: str) -> list[sa.ColumnElement[Any]]:
    """Return the ORDER BY terms of `sort`, with nulls last on every backend.

    A descending order already puts nulls last on SQLite and MariaDB (which
    has no NULLS LAST). PostgreSQL puts them first unless told, and then
    sorts the page without the index, which stays fast as a top-N sort.
    """
    column = col(IDENTITY_SORTS[sort]).desc()
    if dialect == "postgresql":
        column = column.nulls_last()
    return [column, col(AttackerIdentity.uuid).desc()]


# Feature kinds an identity search matches by exact value.
SEARCH_KINDS = (
    feature_kinds.JA3,
    feature_kinds.JA4,
    feature_kinds.HASSH,
    feature_kinds.C2_ENDPOINT,
    feature_kinds.PUBLIC_ENDPOINT,
)


async def list_identities(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    search: str | None = None,
    sort: str = "updated",
) -> Page[AttackerIdentity]:
    """Return canonical identities in `sort` order, optionally searched.

    `search` is an IP address, or else a fingerprint or endpoint matched
    exactly (see `matching_identities`). The filter is on `merge_state` (0
    exactly when `merged_into_uuid` is null, by a check constraint) rather
    than on `merged_into_uuid IS NULL`, so that the planner walks the
    (merge_state, column, uuid) index of the order. On SQLite with 100k
    identities a first page by last-seen time took 0.8 ms that way against
    480 ms with a sort of every row.
    """
    # NOTE: the offset is still walked entry by entry: on SQLite with 100k
    # identities the last page by last-seen time took 16 ms.
    check_window(limit, offset)
    if sort not in IDENTITY_SORTS:
        raise InputError(
            f"invalid sort {sort!r}: expected one of {', '.join(IDENTITY_SORTS)}"
        )
    condition = col(AttackerIdentity.merge_state) == CANONICAL
    if search is not None:
        condition = condition & col(AttackerIdentity.uuid).in_(
            matching_identities(search)
        )
    return await fetch_page(
        session,
        AttackerIdentity,
        [condition],
        identity_order(sort, session.get_bind().dialect.name),
        limit=limit,
        offset=offset,
    )


def matching_identities(search: str) -> sa.Select[Any]:
    """Select the canonical uuids of identities whose observations match `search`.

    An IP address (any spelling) matches the observation of that address.
    Any other text matches observations carrying a JA3, JA4 or HASSH
    fingerprint or a C2 or public endpoint (`host` or `host:port`, as
    ingest normalised it) equal to the text or to its lower-case form.
    Observations of merged-away identities count for their winner.
    """
    text = search.strip()
    try:
        ip: str | None = normalise_ip(text)
    except InputError:
        ip = None
    if ip is not None:
        observations = sa.select(col(Attacker.identity_id)).where(
            col(Attacker.ip) == ip
        )
    else:
        # NOTE: matching is exact: an endpoint stored as "host:port" is not
        # found by "host" alone, because the index is on a hash of the value.
        keys = {_value_key(text), _value_key(text.lower())}
        carriers = sa.select(col(ObservationFeature.observation_uuid)).where(
            col(ObservationFeature.kind).in_(SEARCH_KINDS),
            col(ObservationFeature.value_key).in_(keys),
        )
        observations = sa.select(col(Attacker.identity_id)).where(
            col(Attacker.uuid).in_(carriers)
        )
    member = aliased(AttackerIdentity)
    return sa.select(
        sa.func.coalesce(col(member.merged_into_uuid), col(member.uuid))
    ).where(col(member.uuid).in_(observations))


def _value_key(value: str) -> str:
    """Return the `observation_features.value_key` of `value`, as ingest writes it."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


async def list_links(
    session: AsyncSession, identity_uuids: list[str], *, limit: int, offset: int
) -> Page[IdentityLink]:
    """Return links recorded for any of `identity_uuids`, strongest first."""
    check_window(limit, offset)
    condition = IdentityLink.identity_uuid.in_(identity_uuids)
    return await fetch_page(
        session,
        IdentityLink,
        [condition],
        [IdentityLink.weight_bits.desc(), IdentityLink.id],
        limit=limit,
        offset=offset,
    )


async def summarise_features(
    session: AsyncSession, identity_uuids: list[str]
) -> list[FeatureSummary]:
    """Aggregate the features of the links of `identity_uuids`, by value.

    Ordered by the largest weight first, then by the number of links.
    """
    # NOTE: an identity with more than MAX_EVIDENCE_LINKS links is summarised
    # from its strongest links only.
    rows = await session.execute(
        sa.select(IdentityLink.features)
        .where(IdentityLink.identity_uuid.in_(identity_uuids))
        .order_by(IdentityLink.weight_bits.desc(), IdentityLink.id)
        .limit(MAX_EVIDENCE_LINKS)
    )
    return aggregate_features(features for features in rows.scalars())


def aggregate_features(
    link_features: Iterable[list[dict[str, Any]] | None],
) -> list[FeatureSummary]:
    """Merge per-link feature lists into one summary per (kind, value)."""
    summary: dict[tuple[str, str], dict[str, Any]] = {}
    for features in link_features:
        seen: set[tuple[str, str]] = set()
        for feature in features or []:
            if not isinstance(feature, dict):
                continue
            key = (str(feature.get("kind", "")), str(feature.get("value", "")))
            entry = summary.setdefault(
                key, {"frequency": None, "weight": None, "link_count": 0}
            )
            if key not in seen:
                entry["link_count"] += 1
                seen.add(key)
            entry["frequency"] = _max(entry["frequency"], feature.get("frequency"))
            entry["weight"] = _max(entry["weight"], feature.get("weight"))
    result = [
        FeatureSummary(kind=kind, value=value, **entry)
        for (kind, value), entry in summary.items()
    ]
    result.sort(key=lambda f: (-(f.weight or 0.0), -f.link_count, f.kind, f.value))
    return result


def _max(current: Any, candidate: Any) -> Any:
    if not isinstance(candidate, int | float) or isinstance(candidate, bool):
        return current
    return candidate if current is None else max(current, candidate)


async def list_history(
    session: AsyncSession, observation_uuid: str, *, limit: int, offset: int
) -> Page[IdentityHistory]:
    """Return the identity history of one observation, oldest first."""
    check_window(limit, offset)
    condition = IdentityHistory.observation_uuid == observation_uuid
    return await fetch_page(
        session,
        IdentityHistory,
        [condition],
        [IdentityHistory.created_at, IdentityHistory.id],
        limit=limit,
        offset=offset,
    )


async def list_sessions(
    session: AsyncSession, observation_uuid: str, *, limit: int
) -> tuple[int, list[AttackerSession]]:
    """Return the session count of an observation and its newest `limit` sessions."""
    condition = AttackerSession.observation_uuid == observation_uuid
    total = await session.scalar(
        sa.select(sa.func.count()).select_from(AttackerSession).where(condition)
    )
    rows = await session.execute(
        sa.select(AttackerSession)
        .where(condition)
        .order_by(AttackerSession.started_at.desc(), AttackerSession.id.desc())
        .limit(limit)
    )
    return total or 0, list(rows.scalars())


async def list_campaigns(
    session: AsyncSession, *, limit: int, offset: int
) -> Page[tuple[Campaign, int]]:
    """Return campaigns not merged into another, newest-updated first.

    Each row comes with the number of canonical identities assigned to it.
    """
    check_window(limit, offset)
    canonical = Campaign.merged_into_uuid.is_(None)
    total = await session.scalar(
        sa.select(sa.func.count()).select_from(Campaign).where(canonical)
    )
    rows = await session.execute(
        sa.select(Campaign)
        .where(canonical)
        .order_by(Campaign.updated_at.desc(), Campaign.uuid)
        .limit(limit)
        .offset(offset)
    )
    campaigns = list(rows.scalars())
    counts = await identity_counts(session, [c.uuid for c in campaigns])
    data = [(campaign, counts.get(campaign.uuid, 0)) for campaign in campaigns]
    return Page(total=total or 0, limit=limit, offset=offset, data=data)


async def resolve_campaign(session: AsyncSession, uuid: str) -> Campaign | None:
    """Return the campaign `uuid`, following `merged_into_uuid` (at most 64 hops)."""
    campaign = await session.get(Campaign, uuid)
    hops = 0
    while campaign is not None and campaign.merged_into_uuid and hops < 64:
        campaign = await session.get(Campaign, campaign.merged_into_uuid)
        hops += 1
    return campaign


async def identity_counts(
    session: AsyncSession, campaign_uuids: list[str]
) -> dict[str, int]:
    """Count canonical identities per campaign."""
    if not campaign_uuids:
        return {}
    rows = await session.execute(
        sa.select(AttackerIdentity.campaign_id, sa.func.count())
        .where(
            AttackerIdentity.campaign_id.in_(campaign_uuids),
            AttackerIdentity.merged_into_uuid.is_(None),
        )
        .group_by(AttackerIdentity.campaign_id)
    )
    return {str(uuid): int(count) for uuid, count in rows.all()}


async def list_campaign_identities(
    session: AsyncSession, campaign_uuid: str, *, limit: int, offset: int
) -> Page[AttackerIdentity]:
    """Return the canonical identities of a campaign, newest-updated first."""
    check_window(limit, offset)
    condition = sa.and_(
        AttackerIdentity.campaign_id == campaign_uuid,
        AttackerIdentity.merged_into_uuid.is_(None),
    )
    return await fetch_page(
        session,
        AttackerIdentity,
        [condition],
        [AttackerIdentity.updated_at.desc(), AttackerIdentity.uuid],
        limit=limit,
        offset=offset,
    )


async def list_decisions(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    subject: str | None = None,
    kind: str | None = None,
    include_revoked: bool = False,
) -> Page[AnalystDecision]:
    """Return decisions newest first, optionally about one subject or of one kind."""
    check_window(limit, offset)
    conditions: list[sa.ColumnElement[bool]] = []
    if subject is not None:
        conditions.append(
            sa.or_(
                AnalystDecision.subject_a == subject,
                AnalystDecision.subject_b == subject,
            )
        )
    if kind is not None:
        conditions.append(AnalystDecision.kind == kind)
    if not include_revoked:
        conditions.append(AnalystDecision.revoked_at.is_(None))
    return await fetch_page(
        session,
        AnalystDecision,
        conditions,
        [AnalystDecision.created_at.desc(), AnalystDecision.id.desc()],
        limit=limit,
        offset=offset,
    )
