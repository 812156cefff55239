"""Cowrie JSON logs: `ingest_paths`, the entry point of `decnet ingest cowrie`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.ingest.pipeline import (
    DEFAULT_BATCH_EVENTS,
    ProgressHook,
    SkipHook,
    SourceKind,
    run_ingest,
)
from decnet.ingest.report import IngestReport

# Daily rotation names both `cowrie.json.2018-05-06` and `cowrie-2020-01-21.json`;
# the trailing `*` also takes `.gz` and numbered rotations.
COWRIE_PATTERNS = ("cowrie*.json*",)


def _identity(value: Any) -> Any:
    return value


COWRIE = SourceKind("cowrie", COWRIE_PATTERNS, _identity)


async def ingest_paths(
    engine: AsyncEngine,
    paths: list[Path],
    *,
    tty_dir: Path | None = None,
    downloads_dir: Path | None = None,
    progress: bool | ProgressHook = False,
    batch_events: int = DEFAULT_BATCH_EVENTS,
    follow: bool = False,
    on_skip: SkipHook | None = None,
    report: IngestReport | None = None,
) -> IngestReport:
    """Ingest Cowrie JSON logs (files, or folders scanned for `cowrie*.json*`).

    `tty_dir` holds ttylogs (keystroke features), `downloads_dir` the files
    Cowrie saved (content SimHash). `progress` is a callback
    `(bytes_done, bytes_total, report)` or False. Files already read are
    resumed from their saved offset, so a rerun over the same files changes
    nothing. Returns the report (`report` when given, for counts summed over
    several passes); `report.ok` is False when a line was skipped.
    """
    hook = progress if callable(progress) else None
    return await run_ingest(
        engine,
        paths,
        COWRIE,
        tty_dir=tty_dir,
        downloads_dir=downloads_dir,
        batch_events=batch_events,
        follow=follow,
        on_progress=hook,
        on_skip=on_skip,
        report=report,
    )
