"""One clusterer pass over the database: read, decide, reconcile, write.

A full pass reads every observation and refreshes every frequency. An
incremental pass reads the observations changed since the watermark and
their candidates (through the (kind, value) index and the SimHash band
table), and decides only that neighbourhood, with frequencies counted over
the whole fleet. It reads every member of an identity that has a changed
observation; other identities it touches stay whole without being read
(`decnet.clustering.families`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
from sqlalchemy import Connection

from decnet import features
from decnet.bus import payloads, topics
from decnet.clustering import store
from decnet.clustering.candidates import band_edges, floor_bits
from decnet.clustering.evidence import parse_simhash, posterior
from decnet.clustering.explain import explain_pairs
from decnet.clustering.families import Families, family_rollups, find_families
from decnet.clustering.graph import FORCED_BITS, Constraint
from decnet.clustering.model import ModelResult, run_model
from decnet.clustering.params import ModelParams
from decnet.clustering.reconcile import IdentityState, Plan, plan_reconciliation
from decnet.clustering.rollup import Rollup, compute_rollups
from decnet.clustering.table import FeatureTable, IntArray, build_table, sorted_unique
from decnet.web.db.types import utcnow

log = logging.getLogger(__name__)

STATE_NAME = "identity"
ACTOR = "clusterer"
# A stored link is rewritten when its weight moves by more than this many
# bits, so that frequency drift alone does not rewrite every link each pass.
LINK_WEIGHT_TOLERANCE = 0.5
SUBJECT_FORMED = topics.identity(topics.IDENTITY_FORMED)
SUBJECT_LINKED = topics.identity(topics.IDENTITY_OBSERVATION_LINKED)
SUBJECT_MERGED = topics.identity(topics.IDENTITY_MERGED)
SUBJECT_UNMERGED = topics.identity(topics.IDENTITY_UNMERGED)


@dataclasses.dataclass
class PassReport:
    """Counts of what one pass read, decided and wrote."""

    full: bool
    observations: int = 0
    changed_observations: int = 0
    candidate_pairs: int = 0
    accepted_links: int = 0
    identities: int = 0
    formed: int = 0
    linked: int = 0
    relinked: int = 0
    split: int = 0
    merged: int = 0
    unmerged: int = 0
    rollups_written: int = 0
    links_written: int = 0
    links_deleted: int = 0
    events: int = 0
    guarded: int = 0
    cut_links: int = 0
    skipped_values: int = 0
    unindexed_bits: float = 0.0
    needed_bits: float = 0.0
    duration_s: float = 0.0

    @property
    def changed(self) -> bool:
        """Tell whether the pass wrote anything."""
        return bool(
            self.formed
            or self.linked
            or self.relinked
            or self.split
            or self.merged
            or self.unmerged
            or self.rollups_written
            or self.links_written
            or self.links_deleted
        )

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["changed"] = self.changed
        return data


@dataclasses.dataclass
class PassProgress:
    """The step a running pass is at and its observations, for the log line
    of a failed pass.

    `observation_uuids` are the new or changed observations the pass
    decides. The list stays empty until they are known, and a full pass
    lists only the changed ones, not the whole fleet.
    """

    full: bool
    stage: str = "start"
    observation_uuids: list[str] = dataclasses.field(default_factory=list)


def params_digest(params: ModelParams) -> str:
    return hashlib.sha256(
        orjson.dumps(params.to_dict(), option=orjson.OPT_SORT_KEYS)
    ).hexdigest()


def run_pass(
    conn: Connection,
    params: ModelParams,
    *,
    full: bool,
    progress: PassProgress | None = None,
) -> PassReport:
    """Run one pass inside the caller's transaction and return its report.

    An incremental pass falls back to a full one when no full pass has run
    yet or the parameters changed since the last one. `progress`, when
    given, is updated as the pass moves on.
    """
    with _cyclic_gc_paused():
        return _run_pass(conn, params, full=full, progress=progress)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration of a pass.

    A pass keeps millions of small objects (rows, keys, tuples) alive until
    it ends, and each full collection walks all of them. Building the
    feature table of 1,000,000 observations took 32 s with the collector on
    and 14 s with it off (bench fleet, rows already in memory). Reference
    counting still frees what the pass drops. The pause is process-wide,
    so a server that runs the clusterer collects no cycles during a pass.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _run_pass(
    conn: Connection,
    params: ModelParams,
    *,
    full: bool,
    progress: PassProgress | None,
) -> PassReport:
    started = time.perf_counter()
    progress = progress or PassProgress(full=full)
    progress.stage = "read state"
    state = store.load_state(conn, STATE_NAME)
    digest = params_digest(params)
    if (
        state is None
        or state.params_digest != digest
        or state.last_full_pass_at is None
    ):
        full = True
    report = PassReport(full=full)
    progress.full = full
    watermark = state.watermark if state is not None else None
    changed = store.changed_observations(conn, watermark)
    report.changed_observations = len(changed)
    progress.observation_uuids = changed
    hood = _Neighbourhood()
    # Carrier counts read for the neighbourhood serve the table as well.
    fleet_counts = {} if full else _stored_common_counts(state)
    scope: list[str] | None = None
    if not full and not changed:
        report.duration_s = time.perf_counter() - started
        return report
    if not full:
        progress.stage = "find neighbourhood"
        hood = _neighbourhood(conn, params, changed, fleet_counts)
        scope = hood.observations

    progress.stage = "read observations"
    if scope is None:
        rows = store.load_observations(conn)
    else:
        missing = [uuid for uuid in scope if uuid not in hood.rows]
        rows = [*hood.rows.values(), *store.load_observations(conn, missing)]
    table = load_table(conn, rows, scope, fleet_counts, hood.population)
    report.observations = table.n_observations
    direct = _direct_ids(table, rows)
    states, digests = store.load_identities(
        conn, None if scope is None else {d for d in direct if d} - hood.states.keys()
    )
    states.update(hood.states)
    digests.update(hood.digests)
    families = find_families(direct, states, hood.frozen)
    forced, constraints = _decisions(conn, table, direct, states)
    forced += families.chains()
    progress.stage = "decide"
    result = run_model(
        table,
        params,
        forced=forced,
        constraints=constraints,
        sizes=families.node_sizes(conn),
        # Two frozen identities changed in nothing, so only a full pass,
        # which reads both whole, may join them directly.
        kept_apart=families.code,
    )
    first_seen, last_seen = _activity_times(table, rows)
    plan = plan_reconciliation(
        result.labels,
        direct,
        states,
        label_order=_first_seen_order(first_seen, result.labels),
    )
    progress.stage = "write"
    # Links inside a frozen identity stay as stored, so only those touching
    # the other observations are compared with the new spanning forest.
    links = store.load_links(
        conn,
        None
        if scope is None
        else [table.observations[i] for i in np.flatnonzero(families.code < 0)],
    )
    _apply(
        conn,
        table,
        result,
        plan,
        _Stored(first_seen, last_seen, direct, states, digests, links, families),
        report,
    )

    _refresh_bands(conn, params, table, changed)
    new_watermark = max((r.updated_at for r in rows if r.updated_at), default=None)
    if watermark is not None and (new_watermark is None or new_watermark < watermark):
        new_watermark = watermark
    now = utcnow()
    values: dict[str, Any] = {}
    if new_watermark != watermark:
        values["watermark"] = new_watermark
    if full and (state is None or state.params_digest != digest):
        values["params_digest"] = digest
    if full and (state is None or state.last_full_pass_at is None):
        values["last_full_pass_at"] = now
    if full and state is not None and state.observation_total != table.n_observations:
        values["observation_total"] = table.n_observations
    if full:
        common = _common_counts(table, params)
        if state is None or state.common_counts != common:
            values["common_counts"] = common
    if values or report.changed:
        values.setdefault("last_pass_at", now)
        if full:
            values["last_full_pass_at"] = now
            values["observation_total"] = table.n_observations
        store.save_state(conn, STATE_NAME, values)

    _fill_report(report, result)
    report.duration_s = time.perf_counter() - started
    return report


def _fill_report(report: PassReport, result: ModelResult) -> None:
    report.candidate_pairs = len(result.scores.bits)
    report.accepted_links = int(
        (result.scores.bits >= result.evidence.needed_bits).sum()
    )
    report.identities = len(sorted_unique(result.labels))
    report.guarded = result.partition.guarded
    report.cut_links = result.partition.cut_links
    report.skipped_values = result.candidates.skipped_values
    report.unindexed_bits = round(result.candidates.unindexed_bits, 2)
    report.needed_bits = round(result.evidence.needed_bits, 2)
    if result.candidates.unindexed_bits >= result.evidence.needed_bits:
        log.info(
            "values skipped by the frequency cap could together reach the threshold",
            extra={
                "unindexed_bits": report.unindexed_bits,
                "needed_bits": report.needed_bits,
            },
        )


def load_table(
    conn: Connection,
    rows: Sequence[store.ObservationRow],
    scope: Sequence[str] | None,
    known_counts: dict[tuple[str, str], int] | None = None,
    population: int | None = None,
) -> FeatureTable:
    """Read the feature table of `rows`, ranked by IP for stable candidates.

    With a `scope` (an incremental pass), value counts come from the whole
    fleet so that rarity matches a full pass. `known_counts` maps
    `(kind, value_key)` to counts already read; it gains the counts read here.
    `population`, when given, is the fleet size the caller has read.
    """
    uuids = [r.uuid for r in rows]
    flagged = [r.uuid for r in rows if r.flagged]
    table = build_table(uuids, store.iter_features(conn, scope), flagged)
    ip_of = {r.uuid: r.ip for r in rows}
    ips = [ip_of[uuid] for uuid in table.observations]
    rank = np.empty(len(ips), dtype=np.int64)
    rank[sorted(range(len(ips)), key=ips.__getitem__)] = np.arange(len(ips))
    table = dataclasses.replace(table, ip_rank=rank)
    if scope is None:
        return table
    keys = [(kind, _value_key(value)) for kind, value in _table_keys(table)]
    counts = _fleet_counts(conn, keys, {} if known_counts is None else known_counts)
    fleet = np.array([counts[key] for key in keys], dtype=np.int64)
    return dataclasses.replace(
        table,
        population=store.count_observations(conn) if population is None else population,
        fleet_counts=fleet,
    )


def _stored_common_counts(state: Any) -> dict[tuple[str, str], int]:
    """Return the counts of common values that the last full pass stored."""
    # NOTE: these are the counts of the last full pass; observations added
    # since then do not raise them.
    if state is None or not state.common_counts:
        return {}
    return {(kind, key): int(count) for kind, key, count in state.common_counts}


def _common_counts(table: FeatureTable, params: ModelParams) -> list[list[Any]]:
    """Return `[kind, value_key, count]` of every value of a full pass's
    table carried by more observations than the frequency cap, sorted."""
    counts = table.counts()
    cap = max(params.block_size, int(params.max_share * table.fleet_size))
    return sorted(
        [table.kinds[table.value_kind[v]], _value_key(table.values[v]), int(counts[v])]
        for v in np.flatnonzero(counts > cap).tolist()
    )


def _fleet_counts(
    conn: Connection,
    keys: Sequence[tuple[str, str]],
    known: dict[tuple[str, str], int],
) -> dict[tuple[str, str], int]:
    """Return `known` after adding the fleet count of every key it lacks.

    Counting a value carried by most of the fleet walks its whole index
    range, so each key is counted once per pass.
    """
    missing = {key for key in keys if key not in known}
    found = store.value_counts(conn, missing)
    for key in missing:
        known[key] = found.get(key, 0)
    return known


def _table_keys(table: FeatureTable) -> list[tuple[str, str]]:
    return [
        (table.kinds[table.value_kind[v]], value)
        for v, value in enumerate(table.values)
    ]


def _value_key(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _activity_times(
    table: FeatureTable, rows: Sequence[store.ObservationRow]
) -> tuple[list[datetime | None], list[datetime | None]]:
    """Return the first-seen and last-seen times of each table observation."""
    by_uuid = {r.uuid: r for r in rows}
    first = [by_uuid[uuid].first_seen_at for uuid in table.observations]
    last = [by_uuid[uuid].last_seen_at for uuid in table.observations]
    return first, last


def _first_seen_order(
    first_seen: Sequence[datetime | None], labels: IntArray
) -> Callable[[int], tuple[float, int]]:
    """Return a sort key that orders parts by their earliest first-seen time,
    then by label. Parts without one come last."""
    stamps = np.array(
        [np.inf if when is None else when.timestamp() for when in first_seen],
        dtype=np.float64,
    )
    earliest = np.full(len(labels), np.inf)
    np.minimum.at(earliest, labels, stamps)
    by_label = earliest.tolist()
    return lambda label: (by_label[label], label)


def _direct_ids(
    table: FeatureTable, rows: Sequence[store.ObservationRow]
) -> list[str | None]:
    by_uuid = {r.uuid: r.identity_id for r in rows}
    return [by_uuid.get(uuid) for uuid in table.observations]


@dataclasses.dataclass(frozen=True)
class _Neighbourhood:
    """The observations an incremental pass decides and what it read to find them.

    `observations` are the changed ones, their candidates, every member of
    an identity that contains a changed observation, and one observation of
    each identity in the family of a frozen identity. `frozen` names the
    canonical identities kept whole. The other fields hold what was read on
    the way: observation rows, identity states and rollup digests by uuid,
    and the fleet size.
    """

    observations: list[str] = dataclasses.field(default_factory=list)
    frozen: set[str] = dataclasses.field(default_factory=set)
    rows: dict[str, store.ObservationRow] = dataclasses.field(default_factory=dict)
    states: dict[str, IdentityState] = dataclasses.field(default_factory=dict)
    digests: dict[str, str | None] = dataclasses.field(default_factory=dict)
    population: int | None = None


def _neighbourhood(
    conn: Connection,
    params: ModelParams,
    changed: list[str],
    fleet_counts: dict[tuple[str, str], int],
) -> _Neighbourhood:
    """Find the neighbourhood of the `changed` observations. `fleet_counts`
    gains the carrier counts read on the way."""
    population = store.count_observations(conn)
    feature_rows = list(store.iter_features(conn, changed))
    exact = [
        (kind, _value_key(value))
        for _, kind, value in feature_rows
        if kind not in features.SIMHASH_KINDS and params.kind(kind) is not None
    ]
    counts = _fleet_counts(conn, exact, fleet_counts)
    cap = max(params.block_size, int(params.max_share * population))
    needed = params.threshold_bits() - params.prior_bits(population)
    floor = floor_bits(needed, params.group_count())
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, key in sorted(set(exact)):
        count = counts[(kind, key)]
        kp = params.kind(kind)
        assert kp is not None
        weight = min(np.log2(kp.m * (population - 1) / max(count - 1, 1)), kp.max_bits)
        if 2 <= count <= cap and weight >= floor:
            by_kind[kind].append(key)
    found: set[str] = set(changed)
    for kind, keys in by_kind.items():
        found |= store.carriers(conn, kind, keys, params.block_size)
    found |= store.band_neighbours(
        conn,
        [
            (k, b, _signed(bucket))
            for k, b, bucket, _ in _band_keys(params, feature_rows)
        ],
        params.block_size,
    )
    rows = store.load_observations(conn, sorted(found))
    direct = {r.identity_id for r in rows if r.identity_id}
    states, digests = store.load_identities(conn, direct)

    def root(identity: str) -> str:
        state = states.get(identity)
        return (state.merged_into if state is not None else None) or identity

    changed_set = set(changed)
    # NOTE: a changed member reopens its whole identity, so an address of an
    # identity of thousands that returns makes the pass read all of them.
    reopened = {
        root(r.identity_id) for r in rows if r.identity_id and r.uuid in changed_set
    }
    frozen = {root(d) for d in direct} - reopened
    found.update(store.members_of_identities(conn, reopened))
    unseen = set(store.family_identities(conn, frozen)) - direct
    found.update(store.representatives(conn, unseen))
    return _Neighbourhood(
        observations=sorted(found),
        frozen=frozen,
        rows={r.uuid: r for r in rows},
        states=states,
        digests=digests,
        population=population,
    )


def _band_keys(
    params: ModelParams, feature_rows: Sequence[tuple[str, str, str]]
) -> list[tuple[str, int, int, str]]:
    out = []
    for _, kind, value in feature_rows:
        kp = params.kind(kind)
        if kind not in features.SIMHASH_KINDS or kp is None:
            continue
        parsed = parse_simhash(value)
        if parsed is None:
            continue
        for band, (shift, width) in enumerate(band_edges(kp.hamming)):
            out.append((kind, band, (parsed >> shift) & ((1 << width) - 1), value))
    return out


def _refresh_bands(
    conn: Connection, params: ModelParams, table: FeatureTable, changed: list[str]
) -> None:
    """Write the SimHash band rows of the `changed` observations, or of every
    observation in `table` while the band table is still empty."""
    rebuild = store.bands_empty(conn)
    wanted = None if rebuild else set(changed)
    simhash = {
        k for k, kind in enumerate(table.kinds) if kind in features.SIMHASH_KINDS
    }
    rows = []
    if simhash:
        row_kind = table.value_kind[table.row_val]
        for r in np.flatnonzero(np.isin(row_kind, list(simhash))).tolist():
            obs = table.observations[table.row_obs[r]]
            if wanted is not None and obs not in wanted:
                continue
            kind = table.kinds[row_kind[r]]
            value = table.values[table.row_val[r]]
            for k, band, bucket, text in _band_keys(params, [(obs, kind, value)]):
                rows.append(
                    {
                        "observation_uuid": obs,
                        "kind": k,
                        "band": band,
                        "bucket": _signed(bucket),
                        "value": text,
                    }
                )
    store.replace_bands(conn, [] if rebuild else changed, rows)


def _signed(bucket: int) -> int:
    return bucket - (1 << 64) if bucket >= 1 << 63 else bucket


def _decisions(
    conn: Connection,
    table: FeatureTable,
    direct: Sequence[str | None],
    states: dict[str, IdentityState],
) -> tuple[list[tuple[int, int]], list[Constraint]]:
    """Turn analyst decisions into forced links and cannot-link constraints.

    must_link and merge join their subjects; cannot_link keeps them apart;
    split keeps `detail["observation_uuids"]` apart from the rest of the
    identity. Subjects outside the table (another neighbourhood, deleted
    rows) are ignored for this pass.
    """
    decisions = store.load_decisions(conn)
    if not decisions:
        return [], []
    index = table.index_of()
    members: dict[str, list[int]] = defaultdict(list)
    for i, identity in enumerate(direct):
        if identity is not None:
            root = states[identity].merged_into if identity in states else None
            members[root or identity].append(i)

    def group(subject_type: str, subject: str | None) -> list[int]:
        if subject is None:
            return []
        if subject_type == "observation":
            return [index[subject]] if subject in index else []
        root = states[subject].merged_into if subject in states else None
        return members.get(root or subject, [])

    forced: list[tuple[int, int]] = []
    constraints: list[Constraint] = []
    for decision in decisions:
        side_a = group(decision.subject_type, decision.subject_a)
        if decision.kind in ("must_link", "merge"):
            side_b = group(decision.subject_type, decision.subject_b)
            chain = side_a + side_b
            forced.extend((chain[0], other) for other in chain[1:])
        elif decision.kind == "cannot_link":
            side_b = group(decision.subject_type, decision.subject_b)
            if side_a and side_b:
                constraints.append(Constraint(frozenset(side_a), frozenset(side_b)))
        elif decision.kind == "split":
            listed = (decision.detail or {}).get("observation_uuids") or []
            apart = {index[u] for u in listed if u in index}
            rest = set(side_a) - apart
            if apart and rest:
                constraints.append(Constraint(frozenset(apart), frozenset(rest)))
    return forced, constraints


# --- writing the plan ----------------------------------------------------------


class _BatchWriter:
    """Rows bound for one table, written `store.BATCH` at a time so that a
    full pass keeps at most one batch of new identities, history rows and
    events in memory."""

    def __init__(
        self, conn: Connection, write: Callable[[Connection, list[Any]], None]
    ) -> None:
        self.conn = conn
        self.write = write
        self.rows: list[Any] = []
        self.count = 0

    def append(self, row: Any) -> None:
        self.rows.append(row)
        if len(self.rows) >= store.BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.write(self.conn, self.rows)
            self.count += len(self.rows)
            self.rows = []


@dataclasses.dataclass(frozen=True)
class _Stored:
    """The rows a pass read from the database besides its feature table.

    `first_seen[i]` and `last_seen[i]` are the activity times of table
    observation `i`.
    """

    first_seen: Sequence[datetime | None]
    last_seen: Sequence[datetime | None]
    direct: Sequence[str | None]
    states: dict[str, IdentityState]
    digests: dict[str, str | None]
    links: dict[tuple[str, str], store.StoredLink]
    families: Families


def _apply(
    conn: Connection,
    table: FeatureTable,
    result: ModelResult,
    plan: Plan,
    stored: _Stored,
    report: PassReport,
) -> None:
    now = utcnow()
    labels = result.labels
    families = stored.families
    part = result.partition
    internal = families.internal(part.span_left, part.span_right)
    confidence = _confidence(result, internal)
    rollups = _rollups(conn, table, labels, stored, confidence)
    members: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels.tolist()):
        members[label].append(i)
    events = _BatchWriter(conn, store.insert_events)
    history = _BatchWriter(conn, store.insert_history)

    formed = {uuid: label for uuid, label, _ in plan.formed}
    new_rows = _BatchWriter(conn, store.insert_identities)
    # In uuid order, which is first-seen order (see plan_reconciliation), so
    # that the inserts append to the identity indexes.
    for uuid, label in sorted(formed.items()):
        rollup = rollups[label]
        new_rows.append(
            {
                "uuid": uuid,
                "created_at": now,
                "updated_at": now,
                "rollup_digest": rollup.digest(),
                **rollup.columns(),
            }
        )
    new_rows.flush()
    report.formed = new_rows.count

    if plan.unmerge:
        store.set_merged_into(conn, {uuid: None for uuid in plan.unmerge}, now)
    if plan.merge:
        store.set_merged_into(conn, dict(plan.merge), now)

    # Sorted by identity, so that the identity_id index is written in order.
    moves = sorted(
        ((table.observations[m.observation], m.identity) for m in plan.moves),
        key=lambda move: move[1],
    )
    store.set_identity_ids(conn, moves)
    del moves
    for move in plan.moves:
        label = int(labels[move.observation])
        obs_uuid = table.observations[move.observation]
        conf = confidence.get(label)
        history.append(
            _history(
                obs_uuid,
                move.identity,
                move.previous,
                move.action,
                conf,
                now,
                _move_reason(
                    move.action, move.previous, rollups[label].observation_count
                ),
            )
        )
        setattr(report, move.action, getattr(report, move.action) + 1)
        if move.identity not in formed:
            events.append(
                (
                    SUBJECT_LINKED,
                    payloads.ObservationLinked(
                        identity_uuid=move.identity,
                        observation_uuid=obs_uuid,
                        confidence_after=conf,
                    ),
                )
            )

    for uuid, label in formed.items():
        rollup = rollups[label]
        events.append(
            (
                SUBJECT_FORMED,
                payloads.IdentityFormed(
                    identity_uuid=uuid,
                    observation_uuids=[table.observations[i] for i in members[label]],
                    confidence=rollup.confidence,
                    first_seen_at=rollup.first_seen_at,
                ),
            )
        )

    _merge_events(conn, table, plan, stored, confidence, events, history, now, report)
    report.rollups_written = _write_rollups(
        conn, plan, rollups, stored.digests, formed, now
    )
    _write_links(conn, table, result, plan, stored.links, internal, report)
    history.flush()
    events.flush()
    report.events = events.count


def _rollups(
    conn: Connection,
    table: FeatureTable,
    labels: IntArray,
    stored: _Stored,
    confidence: dict[int, float],
) -> dict[int, Rollup]:
    """Return every part's rollup. A part holding a frozen identity combines
    its stored rollup with the other members, and `confidence` is updated
    to match."""
    first, last = stored.first_seen, stored.last_seen
    families = stored.families
    if not families.frozen:
        return compute_rollups(table, labels, first, last, confidence)
    # Members of frozen identities are counted in their stored rollups, so
    # they go to a label of their own that is dropped afterwards.
    outside = len(labels)
    rollups = compute_rollups(
        table,
        np.where(families.code >= 0, outside, labels),
        first,
        last,
        confidence,
    )
    rollups.pop(outside, None)
    whole, whole_confidence = family_rollups(
        conn, table, labels, rollups, confidence, families
    )
    rollups.update(whole)
    confidence.update(whole_confidence)
    return rollups


def _move_reason(action: str, previous: str | None, size: int) -> str:
    if action == "linked":
        return f"linked by shared evidence into an identity of {size} observations"
    if action == "split":
        return (
            f"split from identity {previous}: its links to the rest no longer "
            "reach the threshold"
        )
    return f"re-linked from identity {previous}: the evidence now joins another group"


def _history(
    obs: str,
    identity: str | None,
    previous: str | None,
    action: str,
    confidence: float | None,
    now: datetime,
    reason: str,
) -> dict[str, Any]:
    return {
        "observation_uuid": obs,
        "identity_uuid": identity,
        "previous_identity_uuid": previous,
        "action": action,
        "reason": reason,
        "confidence": confidence,
        "actor": ACTOR,
        "created_at": now,
    }


def _merge_events(
    conn: Connection,
    table: FeatureTable,
    plan: Plan,
    stored: _Stored,
    confidence: dict[int, float],
    events: _BatchWriter,
    history: _BatchWriter,
    now: datetime,
    report: PassReport,
) -> None:
    """Record merges and unmerges: one event per identity, one history row
    per observation that keeps the identity as its direct one."""
    states = stored.states
    direct_members: dict[str, list[int]] = defaultdict(list)
    winner_label = {w: label for label, w in plan.winners.items()}
    # Observations that keep their direct identity follow its merge state.
    moved = {m.observation for m in plan.moves}
    for i, identity in enumerate(stored.direct):
        if identity is not None and i not in moved:
            direct_members[identity].append(i)
    frozen = set(stored.families.roots)

    def members(identity: str) -> list[str]:
        # A frozen identity keeps every member, most of them outside the pass.
        root = states[identity].merged_into if identity in states else None
        if (root or identity) in frozen:
            return store.direct_members(conn, identity)
        return [table.observations[i] for i in direct_members.get(identity, [])]

    for loser, former in sorted(plan.unmerge.items()):
        if loser in plan.merge:
            continue
        obs = members(loser)
        events.append(
            (
                SUBJECT_UNMERGED,
                payloads.IdentityUnmerged(
                    identity_uuid=loser,
                    former_winner_uuid=former,
                    observation_uuids=obs,
                ),
            )
        )
        for o in obs:
            history.append(
                _history(
                    o,
                    loser,
                    former,
                    "unmerged",
                    None,
                    now,
                    f"identity {loser} unmerged from {former}: the evidence "
                    "no longer joins them",
                )
            )
        report.unmerged += 1
    for loser, winner in sorted(plan.merge.items()):
        label = winner_label.get(winner)
        conf = confidence.get(label) if label is not None else None
        obs = members(loser)
        events.append(
            (
                SUBJECT_MERGED,
                payloads.IdentityMerged(
                    winner_uuid=winner,
                    loser_uuid=loser,
                    observation_uuids=obs,
                    confidence_after=conf,
                ),
            )
        )
        previous = states[loser].merged_into or loser if loser in states else loser
        for o in obs:
            history.append(
                _history(
                    o,
                    winner,
                    previous,
                    "merged",
                    conf,
                    now,
                    f"identity {loser} merged into the older {winner}: new "
                    "evidence joins them",
                )
            )
        report.merged += 1


def _confidence(result: ModelResult, skip: npt.NDArray[np.bool_]) -> dict[int, float]:
    """Return each linked part's confidence: the posterior of its weakest
    spanning link (forced links count as certain), leaving out the links
    marked in `skip`."""
    part = result.partition
    keep = ~skip
    if not keep.any():
        return {}
    labels = result.labels[part.span_left[keep]]
    weakest: dict[int, float] = {}
    for label, bits in zip(labels.tolist(), part.span_bits[keep].tolist(), strict=True):
        if label not in weakest or bits < weakest[label]:
            weakest[label] = bits
    out = {}
    for label, bits in weakest.items():
        value = 1.0 if bits >= FORCED_BITS else float(posterior(result.evidence, bits))
        out[label] = round(value, 6)
    return out


def _write_rollups(
    conn: Connection,
    plan: Plan,
    rollups: dict[int, Rollup],
    digests: dict[str, str | None],
    formed: dict[str, int],
    now: datetime,
) -> int:
    rows = []
    for label, winner in sorted(plan.winners.items()):
        # A part without a rollup is a frozen identity that nothing joined.
        rollup = rollups.get(label)
        if winner in formed or rollup is None:
            continue
        digest = rollup.digest()
        if digests.get(winner) == digest:
            continue
        rows.append(
            {
                "b_uuid": winner,
                "rollup_digest": digest,
                "updated_at": now,
                **rollup.columns(),
            }
        )
    store.update_rollups(conn, rows)
    return len(rows)


def _write_links(
    conn: Connection,
    table: FeatureTable,
    result: ModelResult,
    plan: Plan,
    stored: dict[tuple[str, str], store.StoredLink],
    internal: npt.NDArray[np.bool_],
    report: PassReport,
) -> None:
    """Store the spanning links of every part; rewrite a stored link only when
    its identity changes or its weight moves beyond LINK_WEIGHT_TOLERANCE.
    Links marked `internal` (inside a frozen identity) are left as stored."""
    part = result.partition
    keep = ~internal
    wanted: dict[tuple[str, str], tuple[int, int, float, str]] = {}
    for a, b, bits in zip(
        part.span_left[keep].tolist(),
        part.span_right[keep].tolist(),
        part.span_bits[keep].tolist(),
        strict=True,
    ):
        winner = plan.winners[int(result.labels[a])]
        wanted[(table.observations[a], table.observations[b])] = (a, b, bits, winner)
    changed = []
    for key, (a, b, bits, winner) in wanted.items():
        old = stored.get(key)
        if (
            old is not None
            and old.identity_uuid == winner
            and abs(old.weight_bits - bits) <= LINK_WEIGHT_TOLERANCE
        ):
            continue
        changed.append((key, a, b, bits, winner, old))
    rows = _link_rows(result, [(a, b, bits) for _, a, b, bits, _, _ in changed])
    inserts, updates = [], []
    for (key, _a, _b, _bits, winner, old), row in zip(changed, rows, strict=True):
        if old is None:
            inserts.append(
                {
                    "identity_uuid": winner,
                    "observation_a": key[0],
                    "observation_b": key[1],
                    **row,
                }
            )
        else:
            updates.append(
                {
                    "b_id": old.id,
                    "b_identity": winner,
                    "b_weight": row["weight_bits"],
                    "b_posterior": row["posterior"],
                    "b_features": row["features"],
                }
            )
    stale = [link.id for key, link in stored.items() if key not in wanted]
    store.delete_links(conn, stale)
    store.update_links(conn, updates)
    store.insert_links(conn, inserts)
    report.links_written = len(inserts) + len(updates)
    report.links_deleted = len(stale)


def _link_rows(
    result: ModelResult, links: list[tuple[int, int, float]]
) -> list[dict[str, Any]]:
    """Return weight, posterior and feature evidence for each spanning link."""
    scored = [(a, b) for a, b, bits in links if bits < FORCED_BITS]
    explanations = iter(
        explain_pairs(
            result.evidence,
            np.array([a for a, _ in scored], dtype=np.int64),
            np.array([b for _, b in scored], dtype=np.int64),
        )
        if scored
        else []
    )
    rows = []
    for _a, _b, bits in links:
        if bits >= FORCED_BITS:
            rows.append(
                {
                    "weight_bits": bits,
                    "posterior": 1.0,
                    "features": [
                        {
                            "kind": "analyst_decision",
                            "value": "must_link",
                            "frequency": None,
                            "weight": bits,
                        }
                    ],
                }
            )
            continue
        explanation = next(explanations)
        rows.append(
            {
                "weight_bits": round(bits, 4),
                "posterior": explanation.posterior,
                "features": explanation.features,
            }
        )
    return rows
