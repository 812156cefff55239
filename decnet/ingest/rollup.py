"""Observation summaries and features, recomputed from the observation's sessions.

The rollup is a pure function of the stored session rows, so it gives the
same result however the events were batched, and rerunning it changes
nothing. Features count each value once per session; `occurrences` is the
number of sessions that carried the value.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from decnet import features as fk
from decnet.ingest.session import credential_set_value, from_iso
from decnet.ingest.simhash import majority, to_hex
from decnet.netaddr import is_private

# More distinct client stacks (HASSH, else banner) than this within the
# window from one address means several unrelated clients share it.
MULTI_STACK_MIN = 3
MULTI_STACK_WINDOW = timedelta(minutes=10)


@dataclass(slots=True)
class FeatureStats:
    """How often, and when, an observation carried one feature value."""

    occurrences: int
    first_seen_at: datetime
    last_seen_at: datetime


def _session_order(row: dict[str, Any]) -> tuple[str, str, str]:
    state = row["state"]
    return (state["first_at"], row["sensor"], row["session_id"])


def summarise(
    ip: str, rows: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[tuple[str, str], FeatureStats]]:
    """Return the `attackers` columns and the features of one observation.

    `rows` are the observation's `attacker_sessions` rows as mappings (with
    `state`). An observation without sessions gets zero counts.
    """
    rows = sorted(rows, key=_session_order)
    found: dict[tuple[str, str], FeatureStats] = {}
    hours = [0] * 24
    services: set[str] = set()
    sensors: set[str] = set()
    credentials: set[str] = set()
    typed: list[int] = []
    stacks: list[tuple[datetime, str]] = []
    first: datetime | None = None
    last: datetime | None = None
    events = logins = commands = mismatches = 0
    duration = 0.0
    has_duration = False
    gateway = False

    for row in rows:
        state = row["state"]
        start = from_iso(state["first_at"])
        end = from_iso(state["last_at"])
        first = start if first is None or start < first else first
        last = end if last is None or end > last else last
        events += row["event_count"] or 0
        logins += state.get("login_successes", 0)
        commands += state.get("command_total", 0)
        mismatches += state.get("hassh_mismatches", 0)
        if row["duration_s"] is not None:
            duration += row["duration_s"]
            has_duration = True
        hours = [
            a + b for a, b in zip(hours, state.get("hours", [0] * 24), strict=True)
        ]
        if row["protocol"]:
            services.add(row["protocol"])
        sensors.add(row["sensor"])
        stack = row["hassh"] or row["client_version"]
        if stack:
            stacks.append((start, stack))
        if _is_gateway(ip, state.get("dst_ip")):
            gateway = True
        if row["input_typed"] and row["kd_digraph_simhash"]:
            typed.append(int.from_bytes(row["kd_digraph_simhash"], "big"))
        for kind, value in state.get("features", []):
            if kind == fk.CREDENTIAL:
                credentials.add(value)
            stats = found.get((kind, value))
            if stats is None:
                found[(kind, value)] = FeatureStats(1, start, end)
            else:
                stats.occurrences += 1
                stats.first_seen_at = min(stats.first_seen_at, start)
                stats.last_seen_at = max(stats.last_seen_at, end)

    if len(credentials) >= 2 and first and last:
        found[(fk.CREDENTIAL_SET, credential_set_value(credentials))] = FeatureStats(
            1, first, last
        )
    kd = majority(typed)
    if kd is not None and first and last:
        found[(fk.KD_SIMHASH, to_hex(kd))] = FeatureStats(len(typed), first, last)

    def values(kind: str) -> list[str]:
        return sorted(value for k, value in found if k == kind)

    columns: dict[str, Any] = {
        "first_seen_at": first,
        "last_seen_at": last,
        "session_count": len(rows),
        "event_count": events,
        "credential_count": len(credentials),
        "login_success_count": logins,
        "command_count": commands,
        "services": sorted(services) or None,
        "sensors": sorted(sensors) or None,
        "client_versions": values(fk.CLIENT_VERSION) or None,
        "hassh_hashes": values(fk.HASSH) or None,
        "ja3_hashes": values(fk.JA3) or None,
        "payload_sha256": values(fk.PAYLOAD_SHA256) or None,
        "c2_endpoints": values(fk.C2_ENDPOINT) or None,
        "active_hours": hours if any(hours) else None,
        "kd_digraph_simhash": kd.to_bytes(8, "big") if kd is not None else None,
        "kd_typed_sessions": len(typed),
        "hassh_mismatch_count": mismatches,
        "duration_s_total": round(duration, 6) if has_duration else None,
        "is_private": is_private(ip),
        "is_gateway": gateway,
        "multi_stack": _multi_stack(stacks),
    }
    return columns, found


@lru_cache(maxsize=65_536)
def _is_gateway(ip: str, sensor_ip: str | None) -> bool:
    """Tell whether `ip` is the sensor's own address or its /24 gateway (.1/.254)."""
    if not sensor_ip:
        return False
    if ip == sensor_ip:
        return True
    try:
        source = ipaddress.ip_address(ip)
        sensor = ipaddress.ip_address(sensor_ip)
    except ValueError:
        return False
    if source.version != 4 or sensor.version != 4:
        return False
    same_net = source.packed[:3] == sensor.packed[:3]
    return same_net and source.packed[3] in (1, 254)


def _multi_stack(stacks: list[tuple[datetime, str]]) -> bool:
    """Tell whether MULTI_STACK_MIN distinct stacks appear within the window."""
    if len({stack for _, stack in stacks}) < MULTI_STACK_MIN:
        return False
    stacks = sorted(stacks)
    start = 0
    window: dict[str, int] = {}
    for moment, stack in stacks:
        window[stack] = window.get(stack, 0) + 1
        while moment - stacks[start][0] > MULTI_STACK_WINDOW:
            old = stacks[start][1]
            window[old] -= 1
            if not window[old]:
                del window[old]
            start += 1
        if len(window) >= MULTI_STACK_MIN:
            return True
    return False
