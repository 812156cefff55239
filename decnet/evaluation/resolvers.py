"""Resolvers the evaluation can run between ingest and scoring.

`trivial` gives every unresolved observation an identity of its own. It
never merges, so its precision is perfect and its recall is the floor that
any clusterer must beat. `clusterer` runs one full pass of the identity
clusterer (`decnet.clustering.worker.cluster_once`).
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from decnet.errors import ConfigError
from decnet.web.db.engine import session_factory, transaction
from decnet.web.db.models import Attacker
from decnet.web.db.repository import create_identity, link_observation

Resolver = Callable[[AsyncEngine], Awaitable[Any]]
RESOLVERS = ("trivial", "clusterer")
_BATCH = 500


async def resolve_trivial(engine: AsyncEngine) -> int:
    """Create one identity per unresolved observation; return how many were made.

    Works in transactions of a few hundred observations, so a large
    database is not held in one transaction.
    """
    sessions = session_factory(engine)
    # The core table rather than the SQLModel class, so columns are typed.
    observations = SQLModel.metadata.tables[Attacker.__tablename__]
    created = 0
    while True:
        async with transaction(sessions) as session:
            rows = (
                await session.execute(
                    sa.select(
                        observations.c.uuid,
                        observations.c.first_seen_at,
                        observations.c.last_seen_at,
                    )
                    .where(observations.c.identity_id.is_(None))
                    .order_by(observations.c.uuid)
                    .limit(_BATCH)
                )
            ).all()
            for observation_uuid, first_seen, last_seen in rows:
                identity = await create_identity(
                    session,
                    first_seen_at=first_seen,
                    last_seen_at=last_seen,
                    observation_count=1,
                )
                await link_observation(session, observation_uuid, identity.uuid)
            created += len(rows)
        if len(rows) < _BATCH:
            return created


def clusterer_available() -> bool:
    """Tell whether the identity clusterer can be imported."""
    try:
        module = importlib.import_module("decnet.clustering.worker")
    except ImportError:
        return False
    return hasattr(module, "cluster_once")


async def resolve_with_clusterer(engine: AsyncEngine) -> Any:
    """Run one full clusterer pass and return its report."""
    try:
        module = importlib.import_module("decnet.clustering.worker")
    except ImportError as exc:
        raise ConfigError(
            f"the identity clusterer cannot be imported ({exc}); use --resolver trivial"
        ) from None
    return await module.cluster_once(engine, full=True)


def get_resolver(name: str) -> Resolver:
    """Return the resolver called `name`; raise ConfigError for an unknown one."""
    if name == "trivial":
        return resolve_trivial
    if name == "clusterer":
        return resolve_with_clusterer
    raise ConfigError(
        f"unknown resolver {name!r}; expected one of {', '.join(RESOLVERS)}"
    )


def default_resolver() -> str:
    """Return `clusterer` when it can be imported, else `trivial`."""
    return "clusterer" if clusterer_available() else "trivial"
