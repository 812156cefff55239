"""The outcome of an ingest run: counts, skipped lines with reasons, warnings."""

from __future__ import annotations

import re

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

MAX_KEPT_SKIPS = 10_000
MAX_KEPT_WARNINGS = 1_000


@dataclass(frozen=True, slots=True)
class SkippedLine:
    """A line that was not ingested: where it is and why."""

    file: str
    line: int
    reason: str


@dataclass(slots=True)
class IngestReport:
    """Counts of one run; `skipped` keeps the first 10,000 skipped lines.

    `skipped_count` and `skipped_by_reason` count every skipped line.
    `ok` is False when any line was skipped.
    """

    files: int = 0
    files_unchanged: int = 0
    lines: int = 0
    events: int = 0
    repaired_lines: int = 0
    naive_timestamps: int = 0
    hassh_checked: int = 0
    hassh_mismatches: int = 0
    observations_created: int = 0
    observations_updated: int = 0
    sessions_created: int = 0
    sessions_updated: int = 0
    ips: int = 0
    elapsed_s: float = 0.0
    skipped: list[SkippedLine] = field(default_factory=list)
    skipped_count: int = 0
    skipped_by_reason: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)
    warning_samples: list[str] = field(default_factory=list)
    unknown_events: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return self.skipped_count == 0

    def skip(self, file: str, line: int, reason: str) -> SkippedLine:
        """Record a skipped line and return it."""
        entry = SkippedLine(file, line, reason)
        self.skipped_count += 1
        self.skipped_by_reason[reason_kind(reason)] += 1
        if len(self.skipped) < MAX_KEPT_SKIPS:
            self.skipped.append(entry)
        return entry

    def warn(self, kind: str, message: str) -> None:
        """Record a problem that did not cost a line (a missing ttylog, a repair)."""
        self.warnings[kind] += 1
        if len(self.warning_samples) < MAX_KEPT_WARNINGS:
            self.warning_samples.append(f"{kind}: {message}")

    def events_per_second(self) -> float:
        return self.events / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return the counts as plain JSON-serialisable values."""
        return {
            "files": self.files,
            "files_unchanged": self.files_unchanged,
            "lines": self.lines,
            "events": self.events,
            "ips": self.ips,
            "skipped": self.skipped_count,
            "skipped_by_reason": dict(self.skipped_by_reason),
            "repaired_lines": self.repaired_lines,
            "naive_timestamps": self.naive_timestamps,
            "hassh_checked": self.hassh_checked,
            "hassh_mismatches": self.hassh_mismatches,
            "observations_created": self.observations_created,
            "observations_updated": self.observations_updated,
            "sessions_created": self.sessions_created,
            "sessions_updated": self.sessions_updated,
            "warnings": dict(self.warnings),
            "unknown_events": dict(self.unknown_events),
            "elapsed_s": round(self.elapsed_s, 3),
        }


# Where the variable part of a skip reason starts: a colon or a quote.
_REASON_VALUE = re.compile(r":| ['\"]")


def reason_kind(reason: str) -> str:
    """Return the stable part of a reason, for counting.

    That is the text before the first ':' or the first quoted value, so
    "invalid IP address 'x'" and "invalid IP address 'y'" count as one kind.
    """
    return _REASON_VALUE.split(reason, maxsplit=1)[0].rstrip()
