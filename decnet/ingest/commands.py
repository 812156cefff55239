"""Command normalisation, templating and the session script SimHash.

A command is normalised by masking what attackers vary cheaply: URLs,
IP addresses, numbers, hex strings and random-looking file names. Runs of
commands with the same template collapse into one entry before sequence
features are built, so a session that repeats one command 2,000 times has
the same script as one that runs it once.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence

from decnet.ingest.simhash import simhash, to_hex

_URL = re.compile(r"""\b[a-z][a-z0-9+.-]*://[^\s'"<>|;`]+""", re.IGNORECASE)
_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b")
_IPV6 = re.compile(r"\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b", re.IGNORECASE)
_HEX = re.compile(r"\b(?:0x)?[0-9a-f]{8,}\b", re.IGNORECASE)
_NUMBER = re.compile(r"\b\d+\b")
_WORD = re.compile(r"[A-Za-z0-9._-]{6,}")
_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"[A-Za-z_<>][\w<>.-]*|[^\sA-Za-z_<>]")

SHINGLE_SIZE = 3
MAX_SCRIPT_TEMPLATES = 4_096


def _looks_random(word: str) -> bool:
    """Tell whether a word looks like a generated file name (high entropy, mixed)."""
    if len(word) < 6 or word.isalpha() and (word.islower() or word.isupper()):
        return False
    counts: dict[str, int] = {}
    for char in word:
        counts[char] = counts.get(char, 0) + 1
    entropy = -sum(n / len(word) * math.log2(n / len(word)) for n in counts.values())
    has_digit = any(char.isdigit() for char in word)
    has_alpha = any(char.isalpha() for char in word)
    return entropy >= 3.0 and has_digit and has_alpha


def normalise_command(command: str) -> str:
    """Return the template of one command line (see the module docstring)."""
    text = command.strip()[:4_096]
    text = _URL.sub("<url>", text)
    text = _IPV4.sub("<ip>", text)
    text = _IPV6.sub("<ip>", text)
    text = _HEX.sub("<hex>", text)
    text = _WORD.sub(
        lambda m: "<rand>" if _looks_random(m.group(0)) else m.group(0), text
    )
    text = _NUMBER.sub("<n>", text)
    return _SPACE.sub(" ", text)


def collapse_repeats(templates: Iterable[str]) -> list[tuple[str, int]]:
    """Collapse consecutive equal templates into (template, count) pairs."""
    collapsed: list[tuple[str, int]] = []
    for template in templates:
        if collapsed and collapsed[-1][0] == template:
            collapsed[-1] = (template, collapsed[-1][1] + 1)
        else:
            collapsed.append((template, 1))
    return collapsed


def script_of(commands: Sequence[str]) -> list[str]:
    """Return the session's normalised script: templates with runs collapsed."""
    templates = collapse_repeats(normalise_command(c) for c in commands if c.strip())
    return [template for template, _ in templates[:MAX_SCRIPT_TEMPLATES]]


def script_simhash(script: Sequence[str]) -> str | None:
    """Return the 16-hex-digit SimHash of a normalised script, or None when empty.

    Tokens are the words of each template plus each template whole, so both
    the vocabulary and the command order weigh in.
    """
    weights: dict[str, float] = {}
    for template in script:
        for token in _TOKEN.findall(template):
            weights[token] = weights.get(token, 0.0) + 1.0
        key = "\x1e" + template
        weights[key] = weights.get(key, 0.0) + 2.0
    value = simhash(weights)
    return None if value is None else to_hex(value)


def script_shingles(script: Sequence[str], size: int = SHINGLE_SIZE) -> list[str]:
    """Return hashed k-shingles of the script's templates as 16 hex digits each."""
    if not script:
        return []
    if len(script) < size:
        windows = [tuple(script)]
    else:
        windows = [tuple(script[i : i + size]) for i in range(len(script) - size + 1)]
    seen: dict[str, None] = {}
    for window in windows:
        digest = hashlib.blake2b(
            "\x1e".join(window).encode(), digest_size=8
        ).hexdigest()
        seen[digest] = None
    return list(seen)
