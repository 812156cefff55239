"""Async data access. Every function takes an open AsyncSession first and
leaves committing to the caller, so that a change and its outbox events
commit together."""

from decnet.web.db.repository.identities import (
    create_identity,
    get_identity,
    link_observation,
    list_identities,
    list_identity_observations,
    live_observation_count,
    member_uuids,
    merge_identities,
    record_history,
    resolve_identity,
    unmerge_identity,
    update_identity,
)
from decnet.web.db.repository.observations import (
    get_observation,
    get_observation_by_ip,
    list_observations,
    upsert_observation,
)
from decnet.web.db.repository.pages import MAX_LIMIT, Page, check_window

__all__ = [
    "MAX_LIMIT",
    "Page",
    "check_window",
    "create_identity",
    "get_identity",
    "get_observation",
    "get_observation_by_ip",
    "link_observation",
    "list_identities",
    "list_identity_observations",
    "list_observations",
    "live_observation_count",
    "member_uuids",
    "merge_identities",
    "record_history",
    "resolve_identity",
    "unmerge_identity",
    "update_identity",
    "upsert_observation",
]
