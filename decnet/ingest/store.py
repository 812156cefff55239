"""Batched writes of sessions, observations, features, events and file progress.

`Store.flush` writes one batch in one transaction. It creates missing
observations and merges the batch's session states into the stored
sessions. It then recomputes the touched observations from their
sessions, writes the feature rows that changed, stages `attacker.observed`
for every created or changed observation, and saves how far each file was
read. A crash before
the commit loses the batch and its progress together, so the next run
reads the same lines again and nothing is counted twice.

NOTE: one ingest writer per database is assumed. Two concurrent writers
can both create the same session or observation row, and then one of them
fails on the unique key.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlmodel import SQLModel

from decnet import features as fk
from decnet.bus import topics
from decnet.bus.payloads import AttackerObserved
from decnet.ingest import ttylog
from decnet.ingest.rollup import FeatureStats, Rollup
from decnet.ingest.session import SessionState
from decnet.ingest.simhash import simhash_tokens, to_hex
from decnet.web.db.engine import session_factory, transaction
from decnet.web.db.models import (
    Attacker,
    AttackerSession,
    ObservationFeature,
    OutboxEvent,
)
from decnet.web.db.models.common import new_uuid
from decnet.web.db.models.observation import IngestFile
from decnet.web.db.types import utcnow

log = logging.getLogger(__name__)

TABLES = SQLModel.metadata.tables
ATTACKERS = TABLES[Attacker.__tablename__]
SESSIONS = TABLES[AttackerSession.__tablename__]
FEATURES = TABLES[ObservationFeature.__tablename__]
FILES = TABLES[IngestFile.__tablename__]
OUTBOX = TABLES[OutboxEvent.__tablename__]
CHUNK = 500
# Rows per executemany. Each statement is a round trip to the database
# thread (aiosqlite) or server, and no bound-parameter limit applies to
# executemany, so this is larger than CHUNK, which bounds IN lists.
MANY_ROWS = 10_000
# A batch that creates at least this many sessions refreshes PostgreSQL's
# statistics of the sessions table (see Store._analyze_sessions).
ANALYZE_AFTER_SESSIONS = 10_000
MAX_PAYLOAD_BYTES = 4 << 20
OBSERVED = topics.attacker(topics.ATTACKER_OBSERVED)

T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def _execute_many(
    db: AsyncSession, statement: sa.Executable, rows: Sequence[dict[str, Any]]
) -> None:
    """Execute `statement` once per row, in executemany calls of MANY_ROWS rows."""
    for start in range(0, len(rows), MANY_ROWS):
        await db.execute(statement, list(rows[start : start + MANY_ROWS]))


async def _delete_ids(db: AsyncSession, table: sa.Table, ids: Sequence[int]) -> None:
    """Delete rows of `table` by primary key `id`, in chunks."""
    for start in range(0, len(ids), CHUNK):
        await db.execute(
            sa.delete(table).where(table.c.id.in_(ids[start : start + CHUNK]))
        )


async def _stage_observed(db: AsyncSession, observed: list[tuple[str, str]]) -> None:
    """Stage one `attacker.observed` event per (uuid, ip) in the outbox.

    The rows are those `decnet.bus.outbox.append_event` would add, written
    with executemany instead of one ORM INSERT per event.
    """
    rows = [
        {
            "subject": OBSERVED,
            "payload": AttackerObserved(observation_uuid=uuid, ip=ip).model_dump(
                mode="json"
            ),
        }
        for uuid, ip in observed
    ]
    await _execute_many(db, sa.insert(OUTBOX), rows)


def value_key(value: str) -> str:
    """Return the SHA-256 hex of a feature value (the indexed key)."""
    return hashlib.sha256(value.encode("utf-8", errors="surrogatepass")).hexdigest()


@dataclass(slots=True)
class FileProgress:
    """How far one file has been read; saved with each batch."""

    source: str
    fingerprint: str
    path: str
    byte_offset: int = 0
    line_count: int = 0
    event_count: int = 0
    skipped_count: int = 0
    id: int | None = None


@dataclass(slots=True)
class FlushResult:
    """Row counts of one flush."""

    observations_created: int = 0
    observations_updated: int = 0
    sessions_created: int = 0
    sessions_updated: int = 0
    warnings: list[str] = field(default_factory=list)


Warn = Callable[[str, str], None]


class Store:
    """Writes batches for one ingest run; see the module docstring."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        tty_dir: Path | None = None,
        downloads_dir: Path | None = None,
        warn: Warn | None = None,
    ) -> None:
        self.engine = engine
        self.sessions = session_factory(engine)
        self.tty_index = ttylog.TtylogIndex(tty_dir) if tty_dir else None
        self.downloads_dir = downloads_dir
        self.warn = warn or (lambda kind, message: None)
        self._payload_cache: dict[str, str | None] = {}
        self._saved_progress: dict[str, dict[str, dict[str, Any]]] = {}

    # ------------------------------------------------------------ progress

    async def load_progress(
        self, source: str, fingerprint: str, path: str
    ) -> FileProgress:
        """Return the saved progress of a file, or a fresh record at offset 0.

        The first call reads the progress of every file of `source` in one
        query, so a run over many files does not query once per file.
        """
        saved = self._saved_progress.get(source)
        if saved is None:
            async with self.sessions() as db:
                rows = await db.execute(
                    sa.select(FILES).where(FILES.c.source == source)
                )
                saved = {row["fingerprint"]: dict(row) for row in rows.mappings()}
            self._saved_progress[source] = saved
        row = saved.pop(fingerprint, None)
        if row is None:
            return FileProgress(source, fingerprint, path)
        return FileProgress(
            source,
            fingerprint,
            path,
            byte_offset=row["byte_offset"],
            line_count=row["line_count"],
            event_count=row["event_count"],
            skipped_count=row["skipped_count"],
            id=row["id"],
        )

    async def _save_progress(
        self, db: AsyncSession, progress: Iterable[FileProgress]
    ) -> None:
        """Insert or update the progress rows, one executemany for each."""
        now = utcnow()
        inserted: list[FileProgress] = []
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for item in progress:
            values = {
                "path": item.path,
                "byte_offset": item.byte_offset,
                "line_count": item.line_count,
                "event_count": item.event_count,
                "skipped_count": item.skipped_count,
                "updated_at": now,
            }
            if item.id is None:
                inserted.append(item)
                inserts.append(
                    {
                        "source": item.source,
                        "fingerprint": item.fingerprint,
                        "created_at": now,
                        **values,
                    }
                )
            else:
                updates.append({"_id": item.id, **values})
        if updates:
            by_id = sa.update(FILES).where(FILES.c.id == sa.bindparam("_id"))
            await _execute_many(db, by_id, updates)
        if not inserts:
            return
        await _execute_many(db, sa.insert(FILES), inserts)
        # An executemany INSERT returns the new primary keys only on some
        # backends, so the ids are read back by the unique (source, fingerprint).
        ids: dict[tuple[str, str], int] = {}
        for source in {item.source for item in inserted}:
            fingerprints = sorted(i.fingerprint for i in inserted if i.source == source)
            for chunk in _chunks(fingerprints):
                rows = await db.execute(
                    sa.select(FILES.c.id, FILES.c.fingerprint).where(
                        FILES.c.source == source, FILES.c.fingerprint.in_(chunk)
                    )
                )
                for row_id, fingerprint in rows.all():
                    ids[(source, fingerprint)] = row_id
        for item in inserted:
            item.id = ids[(item.source, item.fingerprint)]

    # --------------------------------------------------------------- flush

    async def flush(
        self, states: list[SessionState], progress: Iterable[FileProgress]
    ) -> FlushResult:
        """Write one batch of session states and file progress in one transaction."""
        result = FlushResult()
        async with transaction(self.sessions) as db:
            if states:
                uuids, created = await self._observations(db, {s.ip for s in states})
                result.observations_created = len(created)
                written = await self._sessions(db, states, uuids, result)
                changed = await self._rollup(db, written, uuids, created)
                result.observations_updated = len(changed - created)
                ips = {uuid: ip for ip, uuid in uuids.items()}
                await _stage_observed(
                    db, [(uuid, ips[uuid]) for uuid in sorted(changed | created)]
                )
            await self._save_progress(db, progress)
        if (
            result.sessions_created >= ANALYZE_AFTER_SESSIONS
            and self.engine.dialect.name == "postgresql"
        ):
            await self._analyze_sessions()
        return result

    async def _analyze_sessions(self) -> None:
        """Refresh PostgreSQL's planner statistics of `attacker_sessions`.

        Without statistics, as after a bulk load into a fresh table and
        before autovacuum runs, PostgreSQL filters the session lookup of the
        next batch row by row instead of searching the unique index. That
        took 3.1 s of 6.5 s for 102,686 events of the 2018 Cowrie corpus,
        and 0.1 s with statistics. A user that does not own the table gets
        a warning from PostgreSQL and no statistics.
        """
        async with self.engine.begin() as conn:
            await conn.execute(sa.text(f"ANALYZE {SESSIONS.name}"))
        log.debug("analyzed table", extra={"table": SESSIONS.name})

    async def _observations(
        self, db: AsyncSession, ips: set[str]
    ) -> tuple[dict[str, str], set[str]]:
        """Return {ip: uuid} for `ips`, creating missing observations."""
        uuids: dict[str, str] = {}
        ordered = sorted(ips)
        for chunk in _chunks(ordered):
            rows = await db.execute(
                sa.select(ATTACKERS.c.ip, ATTACKERS.c.uuid).where(
                    ATTACKERS.c.ip.in_(chunk)
                )
            )
            uuids.update({ip: uuid for ip, uuid in rows.all()})
        missing = [ip for ip in ordered if ip not in uuids]
        created: set[str] = set()
        if missing:
            now = utcnow()
            values = []
            for ip in missing:
                uuid = new_uuid()
                uuids[ip] = uuid
                created.add(uuid)
                values.append(
                    {"uuid": uuid, "ip": ip, "created_at": now, "updated_at": now}
                )
            await _execute_many(db, sa.insert(ATTACKERS), values)
        return uuids, created

    async def _sessions(
        self,
        db: AsyncSession,
        states: list[SessionState],
        uuids: dict[str, str],
        result: FlushResult,
    ) -> dict[str, list[dict[str, Any]]]:
        """Merge `states` into stored sessions; return written rows by observation."""
        stored: dict[tuple[str, str, str], list[tuple[int, SessionState]]] = {}
        by_sensor: dict[str, set[str]] = {}
        for s in states:
            by_sensor.setdefault(s.sensor, set()).add(s.session_id)
        # The only index on session_id is the unique key (sensor, session_id,
        # connect_key), and SQLite searches it only when the sensor is given.
        chunks = [
            (sensor, chunk)
            for sensor in sorted(by_sensor)
            for chunk in _chunks(sorted(by_sensor[sensor]))
        ]
        for sensor, chunk in chunks:
            rows = await db.execute(
                sa.select(SESSIONS).where(
                    SESSIONS.c.sensor == sensor, SESSIONS.c.session_id.in_(chunk)
                )
            )
            for row in rows.mappings():
                if not row["state"]:
                    continue
                state = SessionState.from_row(dict(row))
                key = (row["sensor"], row["session_id"], row["observation_uuid"])
                stored.setdefault(key, []).append((row["id"], state))

        dirty: dict[int, SessionState] = {}
        deleted: list[int] = []
        new: list[SessionState] = []
        pending_ids = itertools.count(-1, -1)
        for state in sorted(states, key=lambda s: s.first_at):
            key = (state.sensor, state.session_id, uuids[state.ip])
            group = stored.setdefault(key, [])
            matches = [(row_id, old) for row_id, old in group if old.overlaps(state)]
            if not matches:
                new.append(state)
                group.append((next(pending_ids), state))
                continue
            matches.sort(key=lambda item: item[1].started_at)
            keep_id, keep = matches[0]
            keep.merge(state)
            for row_id, other in matches[1:]:
                keep.merge(other)
                group.remove((row_id, other))
                if row_id > 0:
                    deleted.append(row_id)
                    dirty.pop(row_id, None)
                else:
                    new = [item for item in new if item is not other]
            if keep_id > 0:
                dirty[keep_id] = keep

        for state in [*dirty.values(), *new]:
            self._enrich(state)

        await _delete_ids(db, SESSIONS, deleted)
        now = utcnow()
        written: dict[str, list[dict[str, Any]]] = {}
        updated = [
            {"_id": row_id, **self._row(state, uuids[state.ip], now)}
            for row_id, state in dirty.items()
        ]
        inserted = [self._row(state, uuids[state.ip], now) for state in new]
        for values in [*updated, *inserted]:
            written.setdefault(values["observation_uuid"], []).append(values)
        if updated:
            by_id = sa.update(SESSIONS).where(SESSIONS.c.id == sa.bindparam("_id"))
            await _execute_many(db, by_id, updated)
        if inserted:
            await _execute_many(db, sa.insert(SESSIONS), inserted)
        result.sessions_created += len(new)
        result.sessions_updated += len(dirty)
        return written

    @staticmethod
    def _row(state: SessionState, observation_uuid: str, now: Any) -> dict[str, Any]:
        features = state.features()
        command_simhash = next(
            (v for k, v in features if k == fk.COMMAND_SIMHASH), None
        )
        ended = (
            max(state.last_at, state.closed_at) if state.closed_at else state.last_at
        )
        return {
            "observation_uuid": observation_uuid,
            "sensor": state.sensor,
            "session_id": state.session_id,
            "connect_key": state.key,
            "protocol": state.protocol,
            "src_port": state.src_port,
            "dst_port": state.dst_port,
            "started_at": state.started_at,
            "ended_at": ended,
            "duration_s": state.duration_s,
            "event_count": state.event_count,
            "client_version": state.client_version,
            "client_version_raw": state.client_version_raw,
            "hassh": state.hassh,
            "ja3": state.ja3[0] if state.ja3 else None,
            "ja4": state.ja4[0][:128] if state.ja4 else None,
            "credentials": state.credentials or None,
            "commands": _stored_commands(state.commands),
            "downloads": state.downloads or None,
            "forwards": state.forwards or None,
            "command_simhash": command_simhash,
            "kd_digraph_simhash": (
                state.kd_simhash.to_bytes(8, "big")
                if state.kd_simhash is not None
                else None
            ),
            "input_typed": state.input_typed,
            "state": state.to_state(features),
            "updated_at": now,
        }

    # ------------------------------------------------------- enrichment

    def _enrich(self, state: SessionState) -> None:
        """Add keystroke and payload-content features from the side folders."""
        if self.tty_index is not None:
            self._keystrokes(state)
        if self.downloads_dir is not None:
            for download in state.downloads:
                digest = download.get("sha256")
                if digest and digest not in state.payload_simhashes:
                    value = self._payload_simhash(digest, download.get("outfile"))
                    if value is not None:
                        state.payload_simhashes[digest] = value

    def _keystrokes(self, state: SessionState) -> None:
        assert self.tty_index is not None
        paths: list[Path] = []
        for reference in state.ttylogs:
            path = self.tty_index.find(reference)
            if path is None:
                self.warn(
                    "ttylog missing",
                    f"session {state.session_id} on {state.sensor}: ttylog "
                    f"{reference!r} not found under {self.tty_index.root}",
                )
            elif path not in paths:
                paths.append(path)
        if not state.ttylogs:
            paths = self.tty_index.for_session(state.session_id)
        read = sorted(str(p.name) for p in paths)
        if not paths or read == state.ttylogs_read:
            return
        contents = []
        for path in paths:
            try:
                contents.append(ttylog.read_ttylog(path))
            except OSError as error:
                self.warn("ttylog unreadable", f"ttylog {str(path)!r}: {error}")
        result = ttylog.profile(contents)
        if result.truncated:
            self.warn(
                "ttylog truncated",
                f"session {state.session_id}: a ttylog ends inside a record; "
                "the complete records before it were used",
            )
        state.ttylogs_read = read
        state.input_typed = result.typed if result.input_records else None
        state.kd_simhash = result.digraph_simhash
        state.keystroke_latencies_ms = result.stored_latencies()

    def _payload_simhash(self, digest: str, outfile: str | None) -> str | None:
        if digest in self._payload_cache:
            return self._payload_cache[digest]
        assert self.downloads_dir is not None
        value = None
        names = [digest]
        if outfile:
            names.append(outfile.replace("\\", "/").rsplit("/", 1)[-1])
        for name in names:
            path = self.downloads_dir / name
            if path.is_file():
                with path.open("rb") as handle:
                    content = handle.read(MAX_PAYLOAD_BYTES)
                value = content_simhash(content)
                break
        self._payload_cache[digest] = value
        return value

    # ----------------------------------------------------------- rollup

    async def _rollup(
        self,
        db: AsyncSession,
        written: dict[str, list[dict[str, Any]]],
        uuids: dict[str, str],
        created: set[str],
    ) -> set[str]:
        """Recompute touched observations; return the uuids whose rows changed.

        Older observations are handled CHUNK at a time and their stored
        sessions are folded row by row, so memory does not hold them all.
        An observation created in this batch has no other sessions, rows or
        features than those just written, which are in memory already, so
        all of those are written in one pass.
        """
        ips = {uuid: ip for ip, uuid in uuids.items()}
        new = sorted(set(written) & created)
        rollups = {uuid: Rollup(ips[uuid]) for uuid in new}
        for uuid in new:
            for row in written[uuid]:
                rollups[uuid].add(row)
        current: dict[str, dict[str, Any]] = {uuid: {} for uuid in new}
        changed = await self._write_rollups(db, rollups, current, {})
        for chunk in _chunks(sorted(set(written) - created)):
            rollups = {uuid: Rollup(ips[uuid]) for uuid in chunk}
            current, existing = await self._load_observations(db, rollups)
            changed |= await self._write_rollups(db, rollups, current, existing)
        return changed

    @staticmethod
    async def _load_observations(
        db: AsyncSession, rollups: dict[str, Rollup]
    ) -> tuple[
        dict[str, dict[str, Any]],
        dict[str, dict[tuple[str, str], dict[str, Any]]],
    ]:
        """Fold stored sessions into `rollups`; return their rows and features."""
        chunk = list(rollups)
        columns = [
            SESSIONS.c.observation_uuid,
            SESSIONS.c.sensor,
            SESSIONS.c.session_id,
            SESSIONS.c.protocol,
            SESSIONS.c.event_count,
            SESSIONS.c.duration_s,
            SESSIONS.c.hassh,
            SESSIONS.c.client_version,
            SESSIONS.c.kd_digraph_simhash,
            SESSIONS.c.input_typed,
            SESSIONS.c.state,
        ]
        # NOTE: every session of an older observation is read back, so an
        # address with hundreds of thousands of sessions slows each batch.
        result = await db.execute(
            sa.select(*columns).where(SESSIONS.c.observation_uuid.in_(chunk))
        )
        for row in result.mappings():
            rollups[row["observation_uuid"]].add(row)  # type: ignore[arg-type]
        current: dict[str, dict[str, Any]] = {}
        result = await db.execute(
            sa.select(ATTACKERS).where(ATTACKERS.c.uuid.in_(chunk))
        )
        for row in result.mappings():
            current[row["uuid"]] = dict(row)
        existing: dict[str, dict[tuple[str, str], dict[str, Any]]] = {
            uuid: {} for uuid in chunk
        }
        result = await db.execute(
            sa.select(FEATURES).where(FEATURES.c.observation_uuid.in_(chunk))
        )
        for row in result.mappings():
            key = (row["kind"], row["value_key"])
            existing[row["observation_uuid"]][key] = dict(row)
        return current, existing

    async def _write_rollups(
        self,
        db: AsyncSession,
        rollups: dict[str, Rollup],
        current: dict[str, dict[str, Any]],
        existing: dict[str, dict[tuple[str, str], dict[str, Any]]],
    ) -> set[str]:
        """Write the observations and features that changed; return those uuids."""
        changed: set[str] = set()
        updates: list[dict[str, Any]] = []
        inserts: list[dict[str, Any]] = []
        feature_updates: list[dict[str, Any]] = []
        removals: list[int] = []
        now = utcnow()
        for uuid in sorted(rollups):
            summary, found = rollups[uuid].result()
            stored = current[uuid]
            diff = {
                name: value
                for name, value in summary.items()
                if stored.get(name) != value
            }
            feature_changed = self._diff_features(
                uuid, found, existing.get(uuid, {}), inserts, feature_updates, removals
            )
            if diff or feature_changed:
                changed.add(uuid)
                updates.append({"_uuid": uuid, **summary, "updated_at": now})

        if updates:
            by_uuid = sa.update(ATTACKERS).where(
                ATTACKERS.c.uuid == sa.bindparam("_uuid")
            )
            await _execute_many(db, by_uuid, updates)
        await _delete_ids(db, FEATURES, removals)
        if feature_updates:
            by_id = sa.update(FEATURES).where(FEATURES.c.id == sa.bindparam("_id"))
            await _execute_many(db, by_id, feature_updates)
        if inserts:
            await _execute_many(db, sa.insert(FEATURES), inserts)
        return changed

    @staticmethod
    def _diff_features(
        uuid: str,
        found: dict[tuple[str, str], FeatureStats],
        existing: dict[tuple[str, str], dict[str, Any]],
        inserts: list[dict[str, Any]],
        updates: list[dict[str, Any]],
        removals: list[int],
    ) -> bool:
        changed = False
        wanted: set[tuple[str, str]] = set()
        for (kind, value), stats in found.items():
            key = (kind, value_key(value))
            wanted.add(key)
            row = existing.get(key)
            if row is None:
                inserts.append(
                    {
                        "observation_uuid": uuid,
                        "kind": kind,
                        "value": value,
                        "value_key": key[1],
                        "occurrences": stats.occurrences,
                        "first_seen_at": stats.first_seen_at,
                        "last_seen_at": stats.last_seen_at,
                    }
                )
                changed = True
            elif (
                row["occurrences"] != stats.occurrences
                or row["first_seen_at"] != stats.first_seen_at
                or row["last_seen_at"] != stats.last_seen_at
            ):
                updates.append(
                    {
                        "_id": row["id"],
                        "occurrences": stats.occurrences,
                        "first_seen_at": stats.first_seen_at,
                        "last_seen_at": stats.last_seen_at,
                    }
                )
                changed = True
        for key, row in existing.items():
            if key not in wanted:
                removals.append(row["id"])
                changed = True
        return changed


def _stored_commands(commands: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """Drop the parser's `orphan_failed` marks, which only matter within a merge."""
    if not commands:
        return None
    return [
        {k: v for k, v in c.items() if k != "orphan_failed"}
        if "orphan_failed" in c
        else c
        for c in commands
    ]


def content_simhash(content: bytes) -> str | None:
    """Return the SimHash of a file's printable strings (4+ characters), or None."""
    tokens = (
        m.group(0).decode("ascii") for m in re.finditer(rb"[\x20-\x7e]{4,}", content)
    )
    value = simhash_tokens(tokens)
    return None if value is None else to_hex(value)
