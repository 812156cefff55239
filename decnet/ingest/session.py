"""Per-session state built from log events, mergeable across batches and files.

`SessionState` contains what one honeypot session showed. The parser fills a
fresh state per batch; the store merges it into the stored row of the same
session (same sensor, session id and source IP, within `SESSION_GAP` of the
stored session's span), so a session split across files or batches ends up
as one row however the files are ordered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from decnet import features as fk
from decnet.ingest.commands import script_of, script_shingles, script_simhash

# Events of one session further apart than this belong to two sessions that
# reuse the id (Cowrie session ids are 12 hex digits and do repeat).
SESSION_GAP = timedelta(hours=1)
MAX_COMMANDS = 10_000
MAX_CREDENTIALS = 10_000
MAX_SHINGLES = 64

# SHA-256 of content that is no evidence about an actor.
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
NEWLINE_SHA256 = "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b"
TRIVIAL_SHA256 = frozenset({EMPTY_SHA256, NEWLINE_SHA256})

CREDENTIAL_SEPARATOR = "\x1f"


def iso(moment: datetime) -> str:
    """Format an aware time as ISO 8601 UTC with microseconds and `Z`.

    The fixed width keeps string order equal to time order.
    """
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    # Slicing off "+00:00" is cheaper than building a naive copy to format.
    return moment.isoformat(timespec="microseconds")[:-6] + "Z"


def from_iso(text: str) -> datetime:
    """Parse a time written by `iso`."""
    return datetime.fromisoformat(text)


def connect_key(moment: datetime) -> str:
    """Return the session key part for a connect time: `YYYYMMDDTHHMMSSffffff`."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")


@dataclass(slots=True)
class SessionState:
    """Everything one session showed; see the module docstring for merging."""

    sensor: str
    session_id: str
    ip: str
    first_at: datetime
    last_at: datetime
    connect_at: datetime | None = None
    closed_at: datetime | None = None
    protocol: str | None = None
    src_port: int | None = None
    dst_port: int | None = None
    dst_ip: str | None = None
    duration_s: float | None = None
    event_count: int = 0
    naive_timestamps: int = 0
    client_version: str | None = None
    client_version_raw: str | None = None
    hassh_logged: str | None = None
    hassh_computed: str | None = None
    hassh_mismatches: int = 0
    ja3: list[str] = field(default_factory=list)
    ja4: list[str] = field(default_factory=list)
    pubkeys: list[str] = field(default_factory=list)
    credentials: list[dict[str, Any]] = field(default_factory=list)
    credentials_dropped: int = 0
    commands: list[dict[str, Any]] = field(default_factory=list)
    commands_dropped: int = 0
    downloads: list[dict[str, Any]] = field(default_factory=list)
    forwards: list[dict[str, Any]] = field(default_factory=list)
    endpoints: dict[str, bool] = field(default_factory=dict)
    ttylogs: list[str] = field(default_factory=list)
    hours: list[int] = field(default_factory=lambda: [0] * 24)
    # Filled when the session is stored: keystrokes and content SimHashes.
    kd_simhash: int | None = None
    input_typed: bool | None = None
    keystroke_latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    ttylogs_read: list[str] = field(default_factory=list)
    payload_simhashes: dict[str, str] = field(default_factory=dict)

    @property
    def hassh(self) -> str | None:
        """The logged HASSH when present, else the one computed from the lists."""
        return self.hassh_logged or self.hassh_computed

    @property
    def started_at(self) -> datetime:
        return self.connect_at or self.first_at

    @property
    def key(self) -> str:
        return connect_key(self.started_at)

    def touch(self, moment: datetime) -> None:
        """Count one event at `moment`."""
        self.event_count += 1
        if moment < self.first_at:
            self.first_at = moment
        if moment > self.last_at:
            self.last_at = moment
        self.hours[moment.hour] += 1

    def near(self, moment: datetime) -> bool:
        """Tell whether an event at `moment` can belong to this session."""
        return self.first_at - SESSION_GAP <= moment <= self.last_at + SESSION_GAP

    def overlaps(self, other: SessionState) -> bool:
        return (
            self.first_at - SESSION_GAP <= other.last_at
            and other.first_at <= self.last_at + SESSION_GAP
        )

    def add_endpoint(self, value: str, public: bool) -> None:
        self.endpoints.setdefault(value, public)

    # ----------------------------------------------------------------- merge

    def merge(self, other: SessionState) -> None:
        """Fold `other` (the same session, seen later or elsewhere) into this one."""
        self.first_at = min(self.first_at, other.first_at)
        self.last_at = max(self.last_at, other.last_at)
        self.connect_at = _min_time(self.connect_at, other.connect_at)
        self.closed_at = _max_time(self.closed_at, other.closed_at)
        for name in (
            "protocol",
            "src_port",
            "dst_port",
            "dst_ip",
            "client_version",
            "client_version_raw",
            "hassh_logged",
            "hassh_computed",
        ):
            if getattr(self, name) is None:
                setattr(self, name, getattr(other, name))
        if other.duration_s is not None:
            self.duration_s = max(self.duration_s or 0.0, other.duration_s)
        self.event_count += other.event_count
        self.naive_timestamps += other.naive_timestamps
        self.hassh_mismatches += other.hassh_mismatches
        if (
            self.hassh_logged
            and other.hassh_computed
            and other.hassh_logged is None
            and self.hassh_logged != other.hassh_computed
        ):
            self.hassh_mismatches += 1
        for name in ("ja3", "ja4", "pubkeys", "ttylogs"):
            mine: list[str] = getattr(self, name)
            mine.extend(v for v in getattr(other, name) if v not in mine)
        self.credentials = _merge_timed(self.credentials, other.credentials)
        if len(self.credentials) > MAX_CREDENTIALS:
            self.credentials_dropped += len(self.credentials) - MAX_CREDENTIALS
            del self.credentials[MAX_CREDENTIALS:]
        self.credentials_dropped += other.credentials_dropped
        self._merge_commands(other)
        self.downloads = _merge_timed(self.downloads, other.downloads)
        self.forwards.extend(f for f in other.forwards if f not in self.forwards)
        for value, public in other.endpoints.items():
            self.endpoints.setdefault(value, public)
        self.hours = [a + b for a, b in zip(self.hours, other.hours, strict=True)]
        self.payload_simhashes.update(other.payload_simhashes)

    def _merge_commands(self, other: SessionState) -> None:
        incoming = []
        for command in other.commands:
            if command.get("orphan_failed"):
                match = _find_unfailed(self.commands, command["input"])
                if match is not None:
                    match["failed"] = True
                    continue
                command = {k: v for k, v in command.items() if k != "orphan_failed"}
            incoming.append(command)
        self.commands = _merge_timed(self.commands, incoming)
        if len(self.commands) > MAX_COMMANDS:
            self.commands_dropped += len(self.commands) - MAX_COMMANDS
            del self.commands[MAX_COMMANDS:]
        self.commands_dropped += other.commands_dropped

    # -------------------------------------------------------------- features

    def script(self) -> list[str]:
        return script_of([c["input"] for c in self.commands])

    def features(self) -> list[tuple[str, str]]:
        """Return the session's (kind, value) features, each value once."""
        found: dict[tuple[str, str], None] = {}

        def add(kind: str, value: str | None) -> None:
            if value:
                found[(kind, value)] = None

        add(fk.HASSH, self.hassh)
        add(fk.CLIENT_VERSION, self.client_version)
        for value in self.ja3:
            add(fk.JA3, value)
        for value in self.ja4:
            add(fk.JA4, value)
        for value in self.pubkeys:
            add(fk.SSH_PUBKEY, value)
        for credential in self.credentials:
            pair = credential_value(credential["username"], credential["password"])
            add(fk.CREDENTIAL, pair)
            if credential.get("success"):
                add(fk.LOGIN_SUCCESS, pair)
        for download in self.downloads:
            digest = download.get("sha256")
            if digest and digest not in TRIVIAL_SHA256:
                add(fk.PAYLOAD_SHA256, digest)
        for value in self.payload_simhashes.values():
            add(fk.PAYLOAD_SIMHASH, value)
        script = self.script()
        add(fk.COMMAND_SIMHASH, script_simhash(script))
        for shingle in script_shingles(script)[:MAX_SHINGLES]:
            add(fk.COMMAND_SHINGLE, shingle)
        for value, public in self.endpoints.items():
            add(fk.PUBLIC_ENDPOINT if public else fk.C2_ENDPOINT, value)
        for forward in self.forwards:
            add(fk.FORWARD_TARGET, f"{forward['host']}:{forward['port']}")
        return list(found)

    def login_successes(self) -> int:
        return sum(1 for c in self.credentials if c.get("success"))

    # ----------------------------------------------------------- persistence

    def to_state(self, features: list[tuple[str, str]] | None = None) -> dict[str, Any]:
        """Return the JSON document stored in `attacker_sessions.state`.

        `features` saves recomputing them when the caller already has them.
        """
        if features is None:
            features = self.features()
        return {
            "ip": self.ip,
            "first_at": iso(self.first_at),
            "last_at": iso(self.last_at),
            "connect_at": iso(self.connect_at) if self.connect_at else None,
            "closed_at": iso(self.closed_at) if self.closed_at else None,
            "dst_ip": self.dst_ip,
            "naive_timestamps": self.naive_timestamps,
            "hassh_logged": self.hassh_logged,
            "hassh_computed": self.hassh_computed,
            "hassh_mismatches": self.hassh_mismatches,
            "ja3": self.ja3,
            "ja4": self.ja4,
            "pubkeys": self.pubkeys,
            "credentials_dropped": self.credentials_dropped,
            "commands_dropped": self.commands_dropped,
            "endpoints": [[v, p] for v, p in self.endpoints.items()],
            "ttylogs": self.ttylogs,
            "ttylogs_read": self.ttylogs_read,
            "keystroke_latencies_ms": self.keystroke_latencies_ms,
            "hours": self.hours,
            "payload_simhashes": self.payload_simhashes,
            "features": [list(f) for f in features],
            "login_successes": self.login_successes(),
            "command_total": len(self.commands) + self.commands_dropped,
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SessionState:
        """Rebuild a state from a stored `attacker_sessions` row (as a mapping)."""
        state = row["state"] or {}
        connect = state.get("connect_at")
        closed = state.get("closed_at")
        kd = row.get("kd_digraph_simhash")
        return cls(
            sensor=row["sensor"],
            session_id=row["session_id"],
            ip=state["ip"],
            first_at=from_iso(state["first_at"]),
            last_at=from_iso(state["last_at"]),
            connect_at=from_iso(connect) if connect else None,
            closed_at=from_iso(closed) if closed else None,
            protocol=row.get("protocol"),
            src_port=row.get("src_port"),
            dst_port=row.get("dst_port"),
            dst_ip=state.get("dst_ip"),
            duration_s=row.get("duration_s"),
            event_count=row.get("event_count") or 0,
            naive_timestamps=state.get("naive_timestamps", 0),
            client_version=row.get("client_version"),
            client_version_raw=row.get("client_version_raw"),
            hassh_logged=state.get("hassh_logged"),
            hassh_computed=state.get("hassh_computed"),
            hassh_mismatches=state.get("hassh_mismatches", 0),
            ja3=list(state.get("ja3", [])),
            ja4=list(state.get("ja4", [])),
            pubkeys=list(state.get("pubkeys", [])),
            credentials=list(row.get("credentials") or []),
            credentials_dropped=state.get("credentials_dropped", 0),
            commands=list(row.get("commands") or []),
            commands_dropped=state.get("commands_dropped", 0),
            downloads=list(row.get("downloads") or []),
            forwards=list(row.get("forwards") or []),
            endpoints={v: bool(p) for v, p in state.get("endpoints", [])},
            ttylogs=list(state.get("ttylogs", [])),
            hours=list(state.get("hours", [0] * 24)),
            kd_simhash=int.from_bytes(kd, "big") if kd else None,
            input_typed=row.get("input_typed"),
            keystroke_latencies_ms=dict(state.get("keystroke_latencies_ms", {})),
            ttylogs_read=list(state.get("ttylogs_read", [])),
            payload_simhashes=dict(state.get("payload_simhashes", {})),
        )


def credential_value(username: str, password: str) -> str:
    """Return the feature value of a credential pair: user, U+001F, password."""
    return f"{username}{CREDENTIAL_SEPARATOR}{password}"


def credential_set_value(pairs: set[str]) -> str:
    """Return the SHA-256 hex of a sorted set of credential values."""
    joined = "\x1e".join(sorted(pairs))
    return hashlib.sha256(joined.encode("utf-8", errors="surrogatepass")).hexdigest()


def _find_unfailed(commands: list[dict[str, Any]], text: str) -> dict[str, Any] | None:
    for command in reversed(commands[-32:]):
        if command["input"] == text and not command.get("failed"):
            return command
    return None


def _merge_timed(
    mine: list[dict[str, Any]], other: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    if not other:
        return mine
    if not mine or mine[-1].get("at", "") <= other[0].get("at", ""):
        return mine + other
    return sorted(mine + other, key=lambda item: item.get("at", ""))


def _min_time(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _max_time(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)
