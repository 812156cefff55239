"""The ground-truth file: which identity and campaign each source address is.

`truth.json` is one JSON object:

    {"scenario": NAME, "seed": N, "scale": F,
     "ips": {IP: {"identity": LABEL, "campaign": LABEL | null}, ...},
     "ambiguous": {IP: [IDENTITY, ...], ...}}

Labels are stable names from the scenario (`botnet`, `scanners#17`,
`op#0.intruder`). An ambiguous address carries several actors by
construction (a shared exit); it is listed apart and excluded from scoring.
The writer streams, so the file for a million addresses never sits in
memory as one string.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import orjson

from decnet.errors import InputError


@dataclass(frozen=True)
class Truth:
    """Parsed ground truth: per address its identity and campaign labels."""

    scenario: str
    identity: dict[str, str]
    campaign: dict[str, str | None]
    ambiguous: dict[str, list[str]]


class TruthWriter:
    """Write `truth.json` entry by entry."""

    def __init__(
        self, stream: IO[bytes], scenario: str, seed: int, scale: float
    ) -> None:
        self._stream = stream
        head = orjson.dumps({"scenario": scenario, "seed": seed, "scale": scale})
        stream.write(head[:-1] + b',\n"ips": {')
        self._first = True

    def add(self, ip: str, identity: str, campaign: str | None) -> None:
        separator = b"\n" if self._first else b",\n"
        self._first = False
        entry = orjson.dumps({"identity": identity, "campaign": campaign})
        self._stream.write(separator + orjson.dumps(ip) + b": " + entry)

    def finish(self, ambiguous: Iterable[tuple[str, list[str]]]) -> None:
        self._stream.write(b'\n},\n"ambiguous": {')
        first = True
        for ip, identities in ambiguous:
            self._stream.write(
                (b"\n" if first else b",\n")
                + orjson.dumps(ip)
                + b": "
                + orjson.dumps(sorted(identities))
            )
            first = False
        self._stream.write(b"\n}}\n")


def read_truth(path: str | Path) -> Truth:
    """Read a ground-truth file; raise InputError naming the file when malformed."""
    path = Path(path)
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise InputError(f"cannot read ground truth {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("ips"), dict):
        raise InputError(
            f"ground truth {path}: expected an object with an 'ips' mapping"
        )
    identity: dict[str, str] = {}
    campaign: dict[str, str | None] = {}
    for ip, entry in data["ips"].items():
        if not isinstance(entry, dict) or not isinstance(entry.get("identity"), str):
            raise InputError(
                f"ground truth {path}: entry for {ip} needs an 'identity' string"
            )
        identity[ip] = entry["identity"]
        campaign[ip] = entry.get("campaign")
    ambiguous = data.get("ambiguous") or {}
    return Truth(str(data.get("scenario", "")), identity, campaign, dict(ambiguous))
