"""Queries and upserts on observations (`attackers`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from decnet.errors import InputError
from decnet.netaddr import normalise_ip
from decnet.web.db.models import Attacker
from decnet.web.db.repository.pages import Page, check_window, fetch_page
from decnet.web.db.types import utcnow

# Ingest owns every column of an observation except these.
_PROTECTED = frozenset({"uuid", "ip", "identity_id", "created_at"})


async def upsert_observation(session: AsyncSession, ip: str, **fields: Any) -> Attacker:
    """Create or update the observation of `ip` (normalised first) and return it.

    `fields` are Attacker columns; `identity_id`, `uuid`, `ip` and
    `created_at` cannot be set here. Raises InputError for a bad address or
    an unknown column.
    """
    address = normalise_ip(ip)
    unknown = set(fields) - set(Attacker.model_fields)
    forbidden = set(fields) & _PROTECTED
    if unknown or forbidden:
        names = ", ".join(sorted(unknown | forbidden))
        raise InputError(f"cannot set observation field(s) {names} through an upsert")

    row = await get_observation_by_ip(session, address)
    if row is None:
        row = Attacker(ip=address, **fields)
        session.add(row)
    else:
        for name, value in fields.items():
            setattr(row, name, value)
        row.updated_at = utcnow()
    await session.flush()
    return row


async def get_observation(session: AsyncSession, uuid: str) -> Attacker | None:
    """Return the observation with `uuid`, or None."""
    return await session.get(Attacker, uuid)


async def get_observation_by_ip(session: AsyncSession, ip: str) -> Attacker | None:
    """Return the observation of `ip` (any spelling), or None."""
    address = normalise_ip(ip)
    result = await session.execute(sa.select(Attacker).where(Attacker.ip == address))
    return result.scalar_one_or_none()


async def list_observations(
    session: AsyncSession,
    *,
    limit: int = 50,
    offset: int = 0,
    ip: str | None = None,
    identity_uuid: str | None = None,
    identity_uuids: list[str] | None = None,
    resolved: bool | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[Attacker]:
    """Return observations newest-updated first, filtered by the given values.

    `identity_uuid` keeps the observations of that identity's canonical
    winner and of every identity merged into it (none when it is unknown);
    `identity_uuids` keeps observations linked to any of those exact rows;
    `resolved` keeps those with (True) or without (False) an identity;
    `since`/`until` bound `last_seen_at` and `first_seen_at` (activity
    overlapping the window).
    """
    check_window(limit, offset)
    conditions: list[sa.ColumnElement[bool]] = []
    if ip is not None:
        try:
            conditions.append(Attacker.ip == normalise_ip(ip))
        except InputError:
            conditions.append(sa.false())
    if identity_uuid is not None:
        conditions.append(
            Attacker.identity_id.in_(await _identity_members(session, identity_uuid))
        )
    if identity_uuids is not None:
        conditions.append(Attacker.identity_id.in_(identity_uuids))
    if resolved is True:
        conditions.append(Attacker.identity_id.is_not(None))
    elif resolved is False:
        conditions.append(Attacker.identity_id.is_(None))
    if since is not None:
        conditions.append(Attacker.last_seen_at >= since)
    if until is not None:
        conditions.append(Attacker.first_seen_at <= until)

    return await fetch_page(
        session,
        Attacker,
        conditions,
        [Attacker.updated_at.desc(), Attacker.uuid],
        limit=limit,
        offset=offset,
    )


async def _identity_members(session: AsyncSession, uuid: str) -> list[str]:
    from decnet.web.db.repository.identities import member_uuids, resolve_identity

    identity = await resolve_identity(session, uuid)
    return [] if identity is None else await member_uuids(session, identity.uuid)
