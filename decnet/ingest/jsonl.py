"""The generic JSON-lines input: any honeypot can feed observations.

Each line is one JSON object with `timestamp`, `src_ip` and `type`, plus
optional `sensor`, `session` and `protocol`, and the fields of its type.
`docs/ingest.md` lists the types and fields. Each line is turned into the
equivalent Cowrie event and goes through the same parser, so both inputs
give the same sessions and feature kinds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.ingest.events import LineRejected
from decnet.ingest.pipeline import (
    DEFAULT_BATCH_EVENTS,
    ProgressHook,
    SkipHook,
    SourceKind,
    run_ingest,
)
from decnet.ingest.report import IngestReport

JSONL_PATTERNS = ("*.jsonl", "*.jsonl.gz", "*.ndjson", "*.ndjson.gz")
# Events without a session id share this one; events of one address more
# than an hour apart still form separate sessions.
DEFAULT_SESSION = "-"

# type -> (Cowrie event id, {generic field: Cowrie field})
TYPES: dict[str, tuple[str, dict[str, str]]] = {
    "connect": ("cowrie.session.connect", {}),
    "close": ("cowrie.session.closed", {}),
    "client": ("cowrie.client.version", {}),
    "login": ("cowrie.login.failed", {}),
    "command": ("cowrie.command.input", {}),
    "download": ("cowrie.session.file_download", {"sha256": "shasum"}),
    "upload": ("cowrie.session.file_upload", {"sha256": "shasum"}),
    "forward": ("cowrie.direct-tcpip.request", {"host": "dst_ip", "port": "dst_port"}),
    "tls": ("cowrie.direct-tcpip.ja4", {"host": "dst_ip", "port": "dst_port"}),
    "pubkey": ("cowrie.client.fingerprint", {}),
    "ttylog": ("cowrie.log.closed", {}),
}


def from_suricata_tls(value: dict[str, Any]) -> dict[str, Any]:
    """Turn a Suricata `eve.json` TLS record into a generic `tls` record.

    The record's destination is the sensor itself, not a forwarding target,
    so it is left out. Each flow is a session of its own.
    """
    tls = value["tls"]
    record: dict[str, Any] = {
        "type": "tls",
        "timestamp": value.get("timestamp"),
        "src_ip": value.get("src_ip"),
        "sensor": value.get("host", "suricata"),
        "protocol": "tls",
        "ja3": tls.get("ja3"),
        "ja4": tls.get("ja4"),
    }
    if value.get("flow_id") is not None:
        record["session"] = str(value["flow_id"])
    return {name: item for name, item in record.items() if item is not None}


def to_cowrie(value: Any) -> dict[str, Any]:
    """Turn one generic record into the equivalent Cowrie event.

    Suricata TLS records (`event_type: tls`) are read as `tls` records.
    Raises LineRejected for a value that is not an object or has an unknown
    or missing `type`.
    """
    if not isinstance(value, dict):
        raise LineRejected(f"JSON value is a {type(value).__name__}, not an object")
    if "type" not in value and "event_type" in value:
        if value["event_type"] != "tls" or not isinstance(value.get("tls"), dict):
            raise LineRejected(
                f"Suricata event_type {str(value['event_type'])[:40]!r} is not "
                "read; only 'tls' records with a 'tls' object are"
            )
        value = from_suricata_tls(value)
    kind = value.get("type")
    if not isinstance(kind, str) or kind not in TYPES:
        raise LineRejected(
            f"invalid 'type' {str(kind)[:40]!r}: expected one of {', '.join(TYPES)}"
        )
    eventid, renames = TYPES[kind]
    event: dict[str, Any] = {
        renames.get(str(name), str(name)): item for name, item in value.items()
    }
    if kind == "login" and value.get("success") is True:
        eventid = "cowrie.login.success"
    if kind == "command" and value.get("failed") is True:
        eventid = "cowrie.command.failed"
    if kind == "client" and "hassh" in value and "version" not in value:
        eventid = "cowrie.client.kex"
    if kind == "tls" and "ja3" in value:
        event.setdefault("ja3", value["ja3"])
    event["eventid"] = eventid
    event.setdefault("session", DEFAULT_SESSION)
    return event


JSONL = SourceKind("jsonl", JSONL_PATTERNS, to_cowrie)


async def ingest_jsonl_paths(
    engine: AsyncEngine,
    paths: list[Path],
    *,
    progress: bool | ProgressHook = False,
    batch_events: int = DEFAULT_BATCH_EVENTS,
    follow: bool = False,
    on_skip: SkipHook | None = None,
    report: IngestReport | None = None,
) -> IngestReport:
    """Ingest generic JSON-lines files (folders are scanned for `*.jsonl`).

    The same progress, idempotency and reporting rules as Cowrie ingest apply.
    """
    hook = progress if callable(progress) else None
    return await run_ingest(
        engine,
        paths,
        JSONL,
        batch_events=batch_events,
        follow=follow,
        on_progress=hook,
        on_skip=on_skip,
        report=report,
    )
