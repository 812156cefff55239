"""The ingest loop shared by every source: files in, batches out.

`run_ingest` reads each file from its saved offset, decodes each line,
feeds events to an `EventParser`, and hands a batch to the `Store` every
`batch_events` events. Memory is bounded by the batch: session states are
dropped once stored, and a later event of the same session is merged into
the stored row.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.errors import InputError
from decnet.ingest.events import EventParser, LineRejected
from decnet.ingest.report import IngestReport, SkippedLine
from decnet.ingest.sources import discover, file_size, fingerprint, open_log, read_lines
from decnet.ingest.store import FileProgress, FlushResult, Store
from decnet.ingest.text import repair_utf8

log = logging.getLogger(__name__)

DEFAULT_BATCH_EVENTS = 50_000
PROGRESS_EVERY_LINES = 2_000
# Allocations between young-generation garbage collections during a run
# (CPython's default is 700). A batch allocates millions of small
# containers that reference counting frees, so the default threshold
# makes the collector scan the batch's live states over and over. On the
# 2018 Cowrie corpus folder that was a quarter of the ingest CPU time.
GC_YOUNG_THRESHOLD = 100_000

Decoder = Callable[[Any], Any]
ProgressHook = Callable[[int, int, IngestReport], None]
SkipHook = Callable[[SkippedLine], None]


@dataclass(frozen=True, slots=True)
class SourceKind:
    """How to find and decode one log format.

    `convert` turns a decoded JSON value into a Cowrie-shaped event (the
    identity for Cowrie logs) and raises LineRejected when it cannot.
    """

    name: str
    patterns: tuple[str, ...]
    convert: Decoder


class _Run:
    def __init__(
        self,
        store: Store,
        kind: SourceKind,
        report: IngestReport,
        batch_events: int,
        follow: bool,
        on_progress: ProgressHook | None,
        on_skip: SkipHook | None,
    ) -> None:
        self.store = store
        self.kind = kind
        self.report = report
        self.batch_events = batch_events
        self.follow = follow
        self.on_progress = on_progress
        self.on_skip = on_skip
        self.parser = EventParser()
        self.pending: dict[str, FileProgress] = {}
        self.known: dict[str, FileProgress] = {}
        self.done_bytes = 0
        self.total_bytes = 0
        self.flushed_events = 0
        self.ips: set[str] = set()

    async def flush(self) -> None:
        parser = self.parser
        states = parser.states()
        if not states and not self.pending:
            return
        self.ips.update(state.ip for state in states)
        result: FlushResult = await self.store.flush(states, self.pending.values())
        report = self.report
        report.observations_created += result.observations_created
        report.observations_updated += result.observations_updated
        report.sessions_created += result.sessions_created
        report.sessions_updated += result.sessions_updated
        parser.reset()
        self.flushed_events = parser.event_count
        self.pending = {}

    def skip(
        self, path: Path, number: int, reason: str, progress: FileProgress
    ) -> None:
        entry = self.report.skip(str(path), number, reason)
        progress.skipped_count += 1
        log.debug(
            "skipped line", extra={"file": str(path), "line": number, "reason": reason}
        )
        if self.on_skip is not None:
            self.on_skip(entry)

    def decode(self, data: bytes, path: Path, number: int) -> Any:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as error:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                raise LineRejected(f"invalid JSON: {error}") from None
        try:
            value = orjson.loads(repair_utf8(data))
        except orjson.JSONDecodeError as error:
            raise LineRejected(f"invalid JSON: {error}") from None
        self.report.repaired_lines += 1
        self.report.warn(
            "invalid UTF-8 escaped",
            f"{path}:{number}: bytes that are not UTF-8 were kept as \\xNN text",
        )
        return value

    async def read_file(self, path: Path) -> None:
        report = self.report
        try:
            fp = fingerprint(path, partial=not self.follow)
        except InputError as error:
            report.warn("unreadable file", str(error))
            return
        size = file_size(path)
        if fp is None:
            self.done_bytes += size
            return
        # The same content under two names in one run (a log and its
        # compressed rotation) shares one progress record.
        progress = self.known.get(fp)
        if progress is None:
            progress = await self.store.load_progress(self.kind.name, fp, str(path))
            self.known[fp] = progress
        progress.path = str(path)
        report.files += 1
        parser = self.parser
        convert = self.kind.convert
        read_any = False
        try:
            with open_log(path) as handle:
                for line in read_lines(
                    handle,
                    offset=progress.byte_offset,
                    first_number=progress.line_count + 1,
                ):
                    read_any = True
                    if not line.complete and self.follow and not line.oversized:
                        break
                    report.lines += 1
                    try:
                        if line.oversized:
                            raise LineRejected("line longer than 64 MiB")
                        if line.data.strip():
                            parser.add(
                                convert(self.decode(line.data, path, line.number))
                            )
                            progress.event_count += 1
                    except LineRejected as rejected:
                        if not line.complete:
                            # A truncated last line: keep the offset before it so
                            # that the line is read again once it is complete.
                            reason = f"truncated last line: {rejected.reason}"
                            self.skip(path, line.number, reason, progress)
                            self.pending[fp] = progress
                            break
                        self.skip(path, line.number, rejected.reason, progress)
                    progress.byte_offset = line.end
                    progress.line_count = line.number
                    self.pending[fp] = progress
                    if parser.event_count - self.flushed_events >= self.batch_events:
                        await self.flush()
                    if (
                        self.on_progress is not None
                        and line.number % PROGRESS_EVERY_LINES == 0
                    ):
                        report.events = parser.event_count
                        done = self.done_bytes + min(line.end, size)
                        self.on_progress(done, self.total_bytes, report)
        except (OSError, EOFError, zlib.error) as error:
            # A damaged or half-written gzip file: keep what was read before.
            reason = f"unreadable after this point: {type(error).__name__}: {error}"
            self.skip(path, progress.line_count + 1, reason, progress)
            self.pending[fp] = progress
        if not read_any:
            report.files_unchanged += 1
        report.events = parser.event_count
        self.done_bytes += size
        if self.on_progress is not None:
            self.on_progress(self.done_bytes, self.total_bytes, report)


_gc_runs = 0
_gc_saved: tuple[int, int, int] | None = None


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Raise the young-generation GC threshold while any ingest run is active."""
    global _gc_runs, _gc_saved
    if _gc_runs == 0:
        _gc_saved = gc.get_threshold()
        young, middle, old = _gc_saved
        gc.set_threshold(max(young, GC_YOUNG_THRESHOLD), middle, old)
    _gc_runs += 1
    try:
        yield
    finally:
        _gc_runs -= 1
        if _gc_runs == 0 and _gc_saved is not None:
            gc.set_threshold(*_gc_saved)
            _gc_saved = None


async def run_ingest(
    engine: AsyncEngine,
    paths: list[Path],
    kind: SourceKind,
    *,
    tty_dir: Path | None = None,
    downloads_dir: Path | None = None,
    batch_events: int = DEFAULT_BATCH_EVENTS,
    follow: bool = False,
    on_progress: ProgressHook | None = None,
    on_skip: SkipHook | None = None,
    report: IngestReport | None = None,
) -> IngestReport:
    """Ingest every file under `paths` once and return the report.

    With `follow`, a last line without a newline is left for the next pass
    instead of being reported. Raises InputError for a missing path or side
    folder.
    """
    for folder, option in ((tty_dir, "--tty-dir"), (downloads_dir, "--downloads-dir")):
        if folder is not None and not folder.is_dir():
            raise InputError(
                f"{option} {str(folder)!r} is not a folder; check the path"
            )
    files = discover(paths, kind.patterns)
    report = report if report is not None else IngestReport()
    store = Store(
        engine, tty_dir=tty_dir, downloads_dir=downloads_dir, warn=report.warn
    )
    run = _Run(store, kind, report, batch_events, follow, on_progress, on_skip)
    run.total_bytes = sum(file_size(path) for path in files)
    started = time.perf_counter()
    events_before = report.events
    run.parser.event_count = events_before
    run.flushed_events = events_before
    with _fewer_collections():
        for path in files:
            await run.read_file(path)
        await run.flush()
    parser = run.parser
    report.events = parser.event_count
    report.naive_timestamps += parser.naive_timestamps
    report.hassh_checked += parser.hassh_checked
    report.hassh_mismatches += parser.hassh_mismatches
    report.unknown_events.update(parser.unknown_events)
    report.ips += len(run.ips)
    report.elapsed_s += time.perf_counter() - started
    return report
