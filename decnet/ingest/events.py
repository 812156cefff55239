"""Cowrie events to session state: validation and a dispatch table by event id.

`EventParser.add` takes one decoded JSON object, checks the fields every
event needs (event id, source IP, session, time stamp), and hands it to the
handler registered for its event id. A problem that makes the line
unusable raises `LineRejected` with a reason; the caller reports the line
and carries on. Unknown Cowrie event ids are counted and kept as events.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from decnet.errors import InputError
from decnet.ingest.endpoints import endpoint_from_url, endpoints_from_command
from decnet.ingest.hassh import compute_hassh, logged_hassh
from decnet.ingest.session import MAX_COMMANDS, MAX_CREDENTIALS, SessionState, iso
from decnet.ingest.sshkeys import planted_keys
from decnet.ingest.text import NUL_ESCAPE, cap_input, escape_nul, normalise_banner
from decnet.ingest.timestamps import parse_timestamp
from decnet.ingest.tls import InvalidJa3, ja3_value
from decnet.netaddr import normalise_ip

MAX_FIELD_CHARS = 4_096
MAX_ID_CHARS = 64
DEFAULT_SENSOR = "cowrie"


class LineRejected(Exception):
    """A log line that cannot be used; `reason` is the explanation in the report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _text(
    event: dict[str, Any], name: str, *, limit: int = MAX_FIELD_CHARS
) -> str | None:
    """Return a string field, a number as its text, or None when absent.

    Raises LineRejected for an object, a list or a boolean.
    """
    value = event.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return escape_nul(value[:limit])
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise LineRejected(f"field {name!r} must be a string, got {type(value).__name__}")


def _port(event: dict[str, Any], name: str) -> int | None:
    """Return a port from an integer or numeric string; None if absent or invalid."""
    value = event.get(name)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and 0 <= value <= 65535:
        return value
    return None


def _seconds(event: dict[str, Any]) -> float | None:
    """Return seconds from `duration` (number or text) or from `duration_ms`."""
    value = event.get("duration")
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            value = None
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    millis = event.get("duration_ms")
    if isinstance(millis, str):
        try:
            millis = float(millis)
        except ValueError:
            millis = None
    if isinstance(millis, int | float) and not isinstance(millis, bool) and millis >= 0:
        return float(millis) / 1000.0
    return None


Handler = Callable[["EventParser", SessionState, dict[str, Any], datetime], None]


class EventParser:
    """Accumulates one batch of events into session states.

    `sessions` maps (sensor, session id, IP) to the states seen in this
    batch (more than one when the id is reused after `SESSION_GAP`).
    """

    def __init__(self) -> None:
        self.sessions: dict[tuple[str, str, str], list[SessionState]] = {}
        self.event_count = 0
        self.unknown_events: Counter[str] = Counter()
        self.naive_timestamps = 0
        self.hassh_checked = 0
        self.hassh_mismatches = 0
        self._ip_cache: dict[str, str] = {}

    def reset(self) -> None:
        """Forget the batch's sessions (after they are stored)."""
        self.sessions = {}
        if len(self._ip_cache) > 500_000:
            self._ip_cache = {}

    def address(self, text: str) -> str | None:
        """Return a normalised address (cached), or None when `text` is not one."""
        cached = self._ip_cache.get(text)
        if cached is not None:
            return cached
        try:
            address = normalise_ip(text)
        except InputError:
            return None
        self._ip_cache[text] = address
        return address

    def states(self) -> list[SessionState]:
        return [state for group in self.sessions.values() for state in group]

    def add(self, event: object) -> None:
        """Add one decoded log line; raises LineRejected when it is unusable."""
        if not isinstance(event, dict):
            raise LineRejected(f"JSON value is a {type(event).__name__}, not an object")
        eventid = event.get("eventid")
        if not isinstance(eventid, str) or not eventid.startswith("cowrie."):
            raise LineRejected("not a Cowrie event: missing or unknown 'eventid'")

        raw_ip = event.get("src_ip")
        if raw_ip is None:
            raise LineRejected("missing 'src_ip'")
        ip = self._ip_cache.get(raw_ip) if isinstance(raw_ip, str) else None
        if ip is None:
            try:
                ip = normalise_ip(raw_ip)
            except InputError as error:
                raise LineRejected(str(error)) from None
            self._ip_cache[raw_ip] = ip

        session_id = event.get("session")
        if not isinstance(session_id, str) or not session_id:
            raise LineRejected("missing or non-string 'session'")
        if len(session_id) > MAX_ID_CHARS:
            raise LineRejected(f"'session' longer than {MAX_ID_CHARS} characters")
        sensor = event.get("sensor") or DEFAULT_SENSOR
        if type(sensor) is not str:
            raise LineRejected(
                f"field 'sensor' must be a string, got {type(sensor).__name__}"
            )
        if "\x00" in sensor or len(sensor) > 255 or NUL_ESCAPE in sensor:
            sensor = escape_nul(sensor[:255])

        try:
            moment, naive = parse_timestamp(event.get("timestamp"))
        except InputError as error:
            raise LineRejected(str(error)) from None

        if "\x00" in session_id or NUL_ESCAPE in session_id:
            session_id = escape_nul(session_id)
        state = self._state(sensor, session_id, ip, moment)
        handler = HANDLERS.get(eventid)
        if handler is None:
            self.unknown_events[eventid] += 1
        else:
            handler(self, state, event, moment)
        state.touch(moment)
        if naive:
            state.naive_timestamps += 1
            self.naive_timestamps += 1
        self.event_count += 1

    def _state(
        self, sensor: str, session_id: str, ip: str, moment: datetime
    ) -> SessionState:
        key = (sensor, session_id, ip)
        group = self.sessions.get(key)
        if group is None:
            state = SessionState(sensor, session_id, ip, moment, moment)
            self.sessions[key] = [state]
            return state
        for state in group:
            if state.near(moment):
                return state
        state = SessionState(sensor, session_id, ip, moment, moment)
        group.append(state)
        return state


# ------------------------------------------------------------------ handlers


def _on_connect(
    parser: EventParser, state: SessionState, event: dict[str, Any], moment: datetime
) -> None:
    if state.connect_at is None or moment < state.connect_at:
        state.connect_at = moment
    _on_protocol(parser, state, event, moment)
    state.src_port = (
        _port(event, "src_port") if state.src_port is None else state.src_port
    )
    state.dst_port = (
        _port(event, "dst_port") if state.dst_port is None else state.dst_port
    )
    dst_ip = event.get("dst_ip")
    if state.dst_ip is None and isinstance(dst_ip, str):
        state.dst_ip = parser.address(dst_ip)


def _on_protocol(
    parser: EventParser, state: SessionState, event: dict[str, Any], moment: datetime
) -> None:
    protocol = event.get("protocol")
    if state.protocol is None and isinstance(protocol, str) and protocol:
        state.protocol = protocol[:16].lower()


def _on_closed(
    parser: EventParser, state: SessionState, event: dict[str, Any], moment: datetime
) -> None:
    _on_protocol(parser, state, event, moment)
    state.closed_at = moment
    duration = _seconds(event)
    if duration is not None:
        state.duration_s = max(state.duration_s or 0.0, duration)


def _check_hassh(
    parser: EventParser, state: SessionState, event: dict[str, Any]
) -> None:
    computed = compute_hassh(event)
    logged = logged_hassh(event.get("hassh"))
    if computed is not None:
        state.hassh_computed = state.hassh_computed or computed
    if logged is not None:
        state.hassh_logged = state.hassh_logged or logged
    if computed is not None and state.hassh_logged is not None:
        parser.hassh_checked += 1
        if computed != state.hassh_logged:
            parser.hassh_mismatches += 1
            state.hassh_mismatches += 1


def _on_version(
    parser: EventParser, state: SessionState, event: dict[str, Any], moment: datetime
) -> None:
    _on_protocol(parser, state, event, moment)
    raw = _text(event, "version")
    if raw and state.client_version is None:
        state.client_version_raw = raw[:1024]
        state.client_version = normalise_banner(raw)
    if state.protocol is None:
        state.protocol = "ssh"
    _check_hassh(parser, state, event)


def _on_kex(
    parser: EventParser, state: SessionState, event: dict[str, Any], moment: datetime
) -> None:
    if state.protocol is None:
        state.protocol = "ssh"
    _check_hassh(parser, state, event)


def _on_fingerprint(
    parser: EventParser, state: SessionState, event: dict[str, Any], moment: datetime
) -> None:
    value = _text(event, "fingerprint", limit=256)
    if value and value not in state.pubkeys:
        state.pubkeys.append(value)


def _on_login(success: bool) -> Handler:
    def handle(
        parser: EventParser,
        state: SessionState,
        event: dict[str, Any],
        moment: datetime,
    ) -> None:
        username = _text(event, "username")
        password = _text(event, "password")
        if username is None and password is None:
            raise LineRejected("login event without 'username' or 'password'")
        if len(state.credentials) >= MAX_CREDENTIALS:
            state.credentials_dropped += 1
            return
        state.credentials.append(
            {
                "username": username or "",
                "password": password or "",
                "success": success,
                "at": iso(moment),
            }
        )

    return handle


def _command(state: SessionState, text: str, moment: datetime, failed: bool) -> None:
    stored, truncated, digest = cap_input(text)
    entry: dict[str, Any] = {"input": stored, "failed": failed, "at": iso(moment)}
    if truncated:
        entry["truncated"] = True
        entry["length"] = len(text)
        entry["sha256"] = digest
    if len(state.commands) >= MAX_COMMANDS:
        state.commands_dropped += 1
    else:
        state.commands.append(entry)
    for endpoint in endpoints_from_command(stored):
        state.add_endpoint(endpoint.value, endpoint.public)
    if "AAAA" in stored:
        for fingerprint in planted_keys(stored):
            if fingerprint not in state.pubkeys:
                state.pubkeys.append(fingerprint)


def _command_text(event: dict[str, Any]) -> str:
    value = event.get("input")
    if isinstance(value, str):
        return escape_nul(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise LineRejected("command event without a string 'input'")


def _on_command_input(
    parser: EventParser, state: SessionState, event: dict[str, Any], moment: datetime
) -> None:
    _command(state, _command_text(event), moment, failed=False)


def _on_command_failed(
    parser: EventParser, state: SessionState, event: dict[str, Any], moment: datetime
) -> None:
    # Cowrie logs `command.input` and then `command.failed` for the same line.
    text = _command_text(event)
    stored = cap_input(text)[0]
    for command in reversed(state.commands[-32:]):
        if command["input"] == stored and not command["failed"]:
            command["failed"] = True
            return
    _command(state, text, moment, failed=True)
    if state.commands and state.commands[-1]["input"] == stored:
        state.commands[-1]["orphan_failed"] = True


def _download(kind: str) -> Handler:
    def handle(
        parser: EventParser,
        state: SessionState,
        event: dict[str, Any],
        moment: datetime,
    ) -> None:
        url = _text(event, "url")
        digest = _text(event, "shasum", limit=128)
        digest = digest.lower() if digest else None
        endpoint = endpoint_from_url(url) if url else None
        actual = kind
        if kind == "download" and endpoint is None:
            # No scheme and host (absent or "/dev/null"): a shell redirect.
            actual = "redirect"
        entry: dict[str, Any] = {"kind": actual, "at": iso(moment)}
        if url:
            entry["url"] = url
        if digest:
            entry["sha256"] = digest
        for name in ("outfile", "destfile", "filename"):
            value = _text(event, name)
            if value:
                entry[name] = value
        state.downloads.append(entry)
        if endpoint is not None:
            state.add_endpoint(endpoint.value, endpoint.public)

    return handle


def _on_download_failed(
    parser: EventParser, state: SessionState, event: dict[str, Any], moment: datetime
) -> None:
    url = _text(event, "url")
    endpoint = endpoint_from_url(url) if url else None
    if endpoint is not None:
        state.add_endpoint(endpoint.value, endpoint.public)


def _on_forward(
    parser: EventParser, state: SessionState, event: dict[str, Any], moment: datetime
) -> None:
    host = _text(event, "dst_ip", limit=255)
    port = _port(event, "dst_port")
    if host is None or port is None:
        return
    forward = {"host": host.lower(), "port": port}
    if forward not in state.forwards and len(state.forwards) < 1_000:
        state.forwards.append(forward)


def _on_ja4(
    parser: EventParser, state: SessionState, event: dict[str, Any], moment: datetime
) -> None:
    try:
        ja3 = ja3_value(event.get("ja3"))
    except InvalidJa3 as error:
        raise LineRejected(str(error)) from None
    _on_forward(parser, state, event, moment)
    value = _text(event, "ja4", limit=128)
    if value and value not in state.ja4:
        state.ja4.append(value)
    if ja3 and ja3 not in state.ja3:
        state.ja3.append(ja3)


def _on_ttylog(
    parser: EventParser, state: SessionState, event: dict[str, Any], moment: datetime
) -> None:
    value = _text(event, "ttylog", limit=1024)
    if value and value not in state.ttylogs:
        state.ttylogs.append(value)


HANDLERS: dict[str, Handler] = {
    "cowrie.session.connect": _on_connect,
    "cowrie.session.closed": _on_closed,
    "cowrie.client.version": _on_version,
    "cowrie.client.kex": _on_kex,
    "cowrie.client.fingerprint": _on_fingerprint,
    "cowrie.login.failed": _on_login(False),
    "cowrie.login.success": _on_login(True),
    "cowrie.command.input": _on_command_input,
    "cowrie.command.failed": _on_command_failed,
    "cowrie.session.file_download": _download("download"),
    "cowrie.session.file_upload": _download("upload"),
    "cowrie.session.file_download.failed": _on_download_failed,
    "cowrie.direct-tcpip.request": _on_forward,
    "cowrie.direct-tcpip.data": _on_forward,
    "cowrie.direct-tcpip.ja4": _on_ja4,
    "cowrie.log.open": _on_ttylog,
    "cowrie.log.closed": _on_ttylog,
    "cowrie.session.params": _on_protocol,
    "cowrie.client.size": _on_protocol,
    "cowrie.client.var": _on_protocol,
    "cowrie.client.malformed_packet": _on_protocol,
    "cowrie.command.success": _on_protocol,
    "cowrie.session.input": _on_protocol,
}
