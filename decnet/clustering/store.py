"""Reading the clusterer's inputs and writing its plan, in bulk SQL.

Every function here takes a synchronous SQLAlchemy `Connection` and runs
inside the caller's transaction (the worker calls them through
`AsyncConnection.run_sync`), so a pass commits whole or not at all. Rows are
read and written in batches because a full pass touches every observation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from decnet.bus import topics
from decnet.bus.payloads import Payload, payload_model
from decnet.clustering.reconcile import IdentityState
from decnet.web.db.models import (
    AnalystDecision,
    Attacker,
    AttackerIdentity,
    IdentityHistory,
    IdentityLink,
    ObservationFeature,
    OutboxEvent,
)
from decnet.web.db.models.identity import ClusterState, SimhashBand
from decnet.web.db.types import UTCDateTime

BATCH = 5_000
IN_CHUNK = 500
# LIMIT queries joined by UNION ALL into one statement; SQLite allows 500
# terms in a compound SELECT.
UNION_TERMS = 200

attackers = Attacker.__table__
identities = AttackerIdentity.__table__
features_t = ObservationFeature.__table__
links_t = IdentityLink.__table__
history_t = IdentityHistory.__table__
outbox_t = OutboxEvent.__table__
decisions_t = AnalystDecision.__table__
state_t = ClusterState.__table__
bands_t = SimhashBand.__table__


@dataclasses.dataclass(frozen=True, slots=True)
class ObservationRow:
    uuid: str
    identity_id: str | None
    flagged: bool
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    updated_at: datetime | None
    ip: str


@dataclasses.dataclass(frozen=True)
class StoredLink:
    id: int
    identity_uuid: str
    weight_bits: float


def chunks(items: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def execute_many(
    conn: Connection, statement: sa.Executable, rows: Sequence[dict[str, Any]]
) -> None:
    """Run `statement` once per row, in DBAPI `executemany` batches of BATCH.

    `conn.execute(statement, rows)` builds and type-converts every row's
    parameters in SQLAlchemy's per-row Python code. This compiles the
    statement once, converts each column with the type's own bind processor
    and hands plain tuples to the driver. Every row must have the keys of the first;
    columns left out get their Python default, as `conn.execute` would
    give them.
    """
    if not rows:
        return
    dialect = conn.dialect
    compiled = statement.compile(dialect=dialect, column_keys=list(rows[0]))
    if not compiled.positional:
        # The project's drivers are all positional, so this path only keeps
        # other drivers correct.
        for part in chunks(rows, BATCH):
            conn.execute(statement, list(part))
        return
    scalars: dict[str, Any] = {}
    callables: dict[str, Any] = {}
    for column in (*compiled.insert_prefetch, *compiled.update_prefetch):
        default = column.default
        if default is not None and default.is_scalar:
            scalars[column.key] = default.arg
        elif default is not None and default.is_callable:
            # SQLAlchemy wraps a zero-argument default to take the execution
            # context. No table written here has a context-sensitive default.
            callables[column.key] = default.arg
        else:
            raise ValueError(
                f"column {column.name!r} has a SQL expression default, so "
                "every row must give its value"
            )
    names = list(compiled.positiontup or ())
    processors = [
        compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        for name in names
    ]
    memoised = {
        c
        for c, name in enumerate(names)
        if isinstance(compiled.binds[name].type, sa.DateTime | UTCDateTime)
    }
    sql = str(compiled)
    for part in chunks(rows, BATCH):
        columns = []
        for name in names:
            if name in callables:
                columns.append([callables[name](None) for _ in part])
            elif name in scalars:
                columns.append([row.get(name, scalars[name]) for row in part])
            else:
                columns.append([row[name] for row in part])
        for c, processor in enumerate(processors):
            if processor is None:
                continue
            if c in memoised:
                # A pass stamps thousands of rows with one `now`, so each
                # distinct timestamp is converted once.
                seen: dict[Any, Any] = {}
                columns[c] = [
                    seen[v] if v in seen else seen.setdefault(v, processor(v))
                    for v in columns[c]
                ]
            else:
                columns[c] = [processor(value) for value in columns[c]]
        conn.exec_driver_sql(sql, list(zip(*columns, strict=True)))


def _observation_select() -> sa.Select[Any]:
    return sa.select(
        attackers.c.uuid,
        attackers.c.identity_id,
        attackers.c.is_private | attackers.c.is_gateway | attackers.c.multi_stack,
        attackers.c.first_seen_at,
        attackers.c.last_seen_at,
        attackers.c.updated_at,
        attackers.c.ip,
    )


def load_observations(
    conn: Connection, uuids: Sequence[str] | None = None
) -> list[ObservationRow]:
    """Return every observation, or those named in `uuids`."""
    if uuids is None:
        result = conn.execute(_observation_select())
        return [ObservationRow(*row) for row in result]
    out = []
    for part in chunks(sorted(set(uuids))):
        query = _observation_select().where(attackers.c.uuid.in_(part))
        out.extend(ObservationRow(*row) for row in conn.execute(query))
    return out


def iter_features(
    conn: Connection, uuids: Sequence[str] | None = None
) -> Iterator[tuple[str, str, str]]:
    """Yield `(observation_uuid, kind, value)` for all or the named observations."""
    columns = (features_t.c.observation_uuid, features_t.c.kind, features_t.c.value)
    if uuids is None:
        # The three columns are plain text, so SQLAlchemy's row objects add
        # nothing. Streaming 5.6 million rows through the driver's own
        # server-side cursor took 5.6 s against 14.6 s through
        # `conn.execute` with `yield_per` (SQLite, bench fleet of 1,000,000).
        cursor = conn.connection.cursor(server_side=True)
        try:
            cursor.execute(str(sa.select(*columns).compile(dialect=conn.dialect)))
            while rows := cursor.fetchmany(BATCH):
                yield from rows
        finally:
            cursor.close()
        return
    for part in chunks(sorted(set(uuids))):
        query = sa.select(*columns).where(features_t.c.observation_uuid.in_(part))
        yield from conn.execute(query)


def count_observations(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(attackers)).scalar())


def load_identities(
    conn: Connection, uuids: Iterable[str] | None = None
) -> tuple[dict[str, IdentityState], dict[str, str | None]]:
    """Return the state and rollup digest of all identities or the named ones
    plus their winners."""
    columns = (
        identities.c.uuid,
        identities.c.created_at,
        identities.c.merged_into_uuid,
        identities.c.rollup_digest,
    )
    rows: list[Any] = []
    if uuids is None:
        rows = list(conn.execute(sa.select(*columns)))
    else:
        wanted = sorted(set(uuids))
        for part in chunks(wanted):
            rows.extend(
                conn.execute(sa.select(*columns).where(identities.c.uuid.in_(part)))
            )
        winners = sorted({r[2] for r in rows if r[2]} - set(wanted))
        for part in chunks(winners):
            rows.extend(
                conn.execute(sa.select(*columns).where(identities.c.uuid.in_(part)))
            )
    states = {r[0]: IdentityState(created_at=r[1], merged_into=r[2]) for r in rows}
    digests = {r[0]: r[3] for r in rows}
    return states, digests


def load_links(
    conn: Connection, uuids: Sequence[str] | None = None
) -> dict[tuple[str, str], StoredLink]:
    """Return stored links keyed by (observation_a, observation_b); with
    `uuids`, the links that touch those observations."""
    columns = (
        links_t.c.id,
        links_t.c.observation_a,
        links_t.c.observation_b,
        links_t.c.identity_uuid,
        links_t.c.weight_bits,
    )
    rows: list[Any] = []
    if uuids is None:
        rows = list(conn.execute(sa.select(*columns)))
    else:
        for part in chunks(sorted(set(uuids))):
            query = sa.select(*columns).where(
                links_t.c.observation_a.in_(part) | links_t.c.observation_b.in_(part)
            )
            rows.extend(conn.execute(query))
    return {(r[1], r[2]): StoredLink(r[0], r[3], r[4]) for r in rows}


def load_decisions(conn: Connection) -> list[Any]:
    """Return the analyst decisions in force, oldest first."""
    query = (
        sa.select(decisions_t)
        .where(decisions_t.c.revoked_at.is_(None))
        .order_by(decisions_t.c.id)
    )
    return list(conn.execute(query))


def members_of_identities(conn: Connection, canonical: Iterable[str]) -> list[str]:
    """Return the observations whose canonical identity is one of `canonical`."""
    out: list[str] = []
    for part in chunks(family_identities(conn, canonical)):
        query = sa.select(attackers.c.uuid).where(attackers.c.identity_id.in_(part))
        out.extend(row[0] for row in conn.execute(query))
    return out


def family_identities(conn: Connection, canonical: Iterable[str]) -> list[str]:
    """Return `canonical` and every identity merged into one of them."""
    roots = sorted(set(canonical))
    family: set[str] = set(roots)
    for part in chunks(roots):
        query = sa.select(identities.c.uuid).where(
            identities.c.merged_into_uuid.in_(part)
        )
        family.update(row[0] for row in conn.execute(query))
    return sorted(family)


def representatives(conn: Connection, direct: Iterable[str]) -> list[str]:
    """Return one observation (the smallest uuid) of each direct identity."""
    out: list[str] = []
    for part in chunks(sorted(set(direct))):
        query = (
            sa.select(sa.func.min(attackers.c.uuid))
            .where(attackers.c.identity_id.in_(part))
            .group_by(attackers.c.identity_id)
        )
        out.extend(row[0] for row in conn.execute(query))
    return out


def direct_members(conn: Connection, identity: str) -> list[str]:
    """Return the observations whose `identity_id` is `identity`, sorted."""
    query = (
        sa.select(attackers.c.uuid)
        .where(attackers.c.identity_id == identity)
        .order_by(attackers.c.uuid)
    )
    return [row[0] for row in conn.execute(query)]


def load_rollup_columns(
    conn: Connection, uuids: Iterable[str], columns: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Return the named columns of the identities `uuids`, keyed by uuid."""
    selected = [identities.c[name] for name in columns]
    out: dict[str, dict[str, Any]] = {}
    for part in chunks(sorted(set(uuids))):
        query = sa.select(identities.c.uuid, *selected).where(
            identities.c.uuid.in_(part)
        )
        for row in conn.execute(query):
            out[row[0]] = dict(zip(columns, row[1:], strict=True))
    return out


def family_values(conn: Connection, family: Iterable[str], kind: str) -> list[str]:
    """Return the `kind` values carried by observations of the direct
    identities `family`, one per carrying observation."""
    out: list[str] = []
    for part in chunks(sorted(set(family))):
        query = (
            sa.select(features_t.c.value)
            .join(attackers, attackers.c.uuid == features_t.c.observation_uuid)
            .where(attackers.c.identity_id.in_(part), features_t.c.kind == kind)
        )
        out.extend(row[0] for row in conn.execute(query))
    return out


# --- writes -----------------------------------------------------------------


def insert_identities(conn: Connection, rows: list[dict[str, Any]]) -> None:
    execute_many(conn, sa.insert(identities), rows)


def set_merged_into(
    conn: Connection, changes: dict[str, str | None], now: datetime
) -> None:
    """Point identities at a winner (or None to make them canonical)."""
    rows = [
        {
            "b_uuid": uuid,
            "b_target": target,
            "b_state": 0 if target is None else 1,
            "b_now": now,
        }
        for uuid, target in sorted(changes.items())
    ]
    statement = (
        sa.update(identities)
        .where(identities.c.uuid == sa.bindparam("b_uuid"))
        .values(
            merged_into_uuid=sa.bindparam("b_target"),
            merge_state=sa.bindparam("b_state"),
            updated_at=sa.bindparam("b_now"),
        )
    )
    execute_many(conn, statement, rows)


def set_identity_ids(conn: Connection, moves: list[tuple[str, str]]) -> None:
    """Set `attackers.identity_id` without touching `updated_at`, which
    belongs to ingest and drives the incremental watermark."""
    statement = sa.text(
        "UPDATE attackers SET identity_id = :identity WHERE uuid = :uuid"
    )
    rows = [{"uuid": uuid, "identity": identity} for uuid, identity in moves]
    execute_many(conn, statement, rows)


def update_rollups(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Write rollup columns; each row has `b_uuid` and the column values."""
    if not rows:
        return
    columns = [key for key in rows[0] if key != "b_uuid"]
    statement = (
        sa.update(identities)
        .where(identities.c.uuid == sa.bindparam("b_uuid"))
        .values({column: sa.bindparam(f"v_{column}") for column in columns})
    )
    params = [
        {"b_uuid": row["b_uuid"], **{f"v_{c}": row[c] for c in columns}} for row in rows
    ]
    execute_many(conn, statement, params)


def insert_history(conn: Connection, rows: list[dict[str, Any]]) -> None:
    execute_many(conn, sa.insert(history_t), rows)


def insert_events(conn: Connection, events: list[tuple[str, Payload]]) -> None:
    """Stage bus events in the outbox, as `decnet.bus.outbox.append_event`
    does, in bulk. Raises TypeError when a payload is not its subject's model."""
    models: dict[str, type[Payload]] = {}
    rows = []
    for subject, payload in events:
        model = models.get(subject)
        if model is None:
            model = models[subject] = payload_model(subject)
        if not isinstance(payload, model):
            raise TypeError(f"payload for {subject} must be {model.__name__}")
        rows.append({"subject": subject, "payload": payload.model_dump_json()})
    # pydantic serialises the payload to JSON text in one call, the document
    # JSONText would write from `model_dump(mode="json")` up to formatting,
    # so it is bound as plain text and read back through JSONText.
    statement = sa.insert(outbox_t).values(
        payload=sa.bindparam("payload", type_=sa.Text())
    )
    execute_many(conn, statement, rows)


def delete_links(conn: Connection, ids: list[int]) -> None:
    for part in chunks(sorted(ids)):
        conn.execute(sa.delete(links_t).where(links_t.c.id.in_(part)))


def insert_links(conn: Connection, rows: list[dict[str, Any]]) -> None:
    execute_many(conn, sa.insert(links_t), rows)


def update_links(conn: Connection, rows: list[dict[str, Any]]) -> None:
    statement = (
        sa.update(links_t)
        .where(links_t.c.id == sa.bindparam("b_id"))
        .values(
            identity_uuid=sa.bindparam("b_identity"),
            weight_bits=sa.bindparam("b_weight"),
            posterior=sa.bindparam("b_posterior"),
            features=sa.bindparam("b_features"),
        )
    )
    execute_many(conn, statement, rows)


# --- pass state ---------------------------------------------------------------


def load_state(conn: Connection, name: str) -> Any:
    return conn.execute(sa.select(state_t).where(state_t.c.name == name)).first()


def save_state(conn: Connection, name: str, values: dict[str, Any]) -> None:
    updated = conn.execute(
        sa.update(state_t).where(state_t.c.name == name).values(**values)
    )
    if updated.rowcount == 0:
        conn.execute(sa.insert(state_t).values(name=name, **values))


def changed_observations(conn: Connection, watermark: datetime | None) -> list[str]:
    """Return observations updated after `watermark` or not yet resolved."""
    condition = attackers.c.identity_id.is_(None)
    if watermark is not None:
        condition = condition | (attackers.c.updated_at > watermark)
    return [
        row[0] for row in conn.execute(sa.select(attackers.c.uuid).where(condition))
    ]


def max_updated_at(conn: Connection) -> datetime | None:
    return conn.execute(sa.select(sa.func.max(attackers.c.updated_at))).scalar()


def value_counts(
    conn: Connection, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Return how many observations carry each (kind, value_key)."""
    by_kind: dict[str, list[str]] = {}
    for kind, key in keys:
        by_kind.setdefault(kind, []).append(key)
    out: dict[tuple[str, str], int] = {}
    for kind, values in by_kind.items():
        for part in chunks(sorted(set(values))):
            query = (
                sa.select(features_t.c.value_key, sa.func.count())
                .where(features_t.c.kind == kind, features_t.c.value_key.in_(part))
                .group_by(features_t.c.value_key)
            )
            out.update({(kind, row[0]): int(row[1]) for row in conn.execute(query)})
    return out


def carriers(
    conn: Connection, kind: str, value_keys: Sequence[str], limit: int
) -> set[str]:
    """Return up to `limit` observations carrying each (kind, value_key), the
    smallest uuids first."""
    return _first_per_key(
        conn,
        [
            sa.select(features_t.c.observation_uuid)
            .where(features_t.c.kind == kind, features_t.c.value_key == key)
            .order_by(features_t.c.observation_uuid)
            .limit(limit)
            for key in sorted(set(value_keys))
        ],
    )


def _first_per_key(conn: Connection, selects: Sequence[sa.Select[Any]]) -> set[str]:
    """Run `selects` UNION_TERMS to a statement and return the observation
    uuids found. Each is a LIMIT query that an index serves in order."""
    out: set[str] = set()
    for part in chunks(selects, UNION_TERMS):
        terms = [sa.select(select.subquery().c.observation_uuid) for select in part]
        out.update(row[0] for row in conn.execute(sa.union_all(*terms)))
    return out


def replace_bands(
    conn: Connection, uuids: Sequence[str], rows: list[dict[str, Any]]
) -> None:
    """Replace the band rows of the observations `uuids` with `rows`."""
    for part in chunks(sorted(set(uuids))):
        conn.execute(sa.delete(bands_t).where(bands_t.c.observation_uuid.in_(part)))
    execute_many(conn, sa.insert(bands_t), rows)


def band_neighbours(
    conn: Connection, keys: Iterable[tuple[str, int, int]], limit: int
) -> set[str]:
    """Return up to `limit` observations per (kind, band, bucket), the
    smallest uuids first."""
    return _first_per_key(
        conn,
        [
            sa.select(bands_t.c.observation_uuid)
            .where(
                bands_t.c.kind == kind,
                bands_t.c.band == band,
                bands_t.c.bucket == bucket,
            )
            .order_by(bands_t.c.observation_uuid)
            .limit(limit)
            for kind, band, bucket in sorted(set(keys))
        ],
    )


def bands_empty(conn: Connection) -> bool:
    """Tell whether the SimHash band table has no rows, without counting them."""
    return conn.execute(sa.select(bands_t.c.observation_uuid).limit(1)).first() is None


def all_band_observations(conn: Connection) -> set[str]:
    query = sa.select(bands_t.c.observation_uuid).distinct()
    return {row[0] for row in conn.execute(query)}


def subject(event: str) -> str:
    return topics.identity(event)
