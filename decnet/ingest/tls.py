"""JA3 TLS client fingerprints, normalised against extension-order churn.

A JA3 string is `version,ciphers,extensions,curves,point_formats`, each
list dash-separated decimal numbers, and the JA3 fingerprint is its MD5.
A client that sends its TLS extensions in a new random order on every
connection gets a new JA3 each time. Sorting the extension list before
hashing gives such a client one value again.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

JA3_HASH = re.compile(r"^[0-9a-fA-F]{32}$")
JA3_STRING = re.compile(r"^\d+,[\d-]*,[\d-]*,[\d-]*,[\d-]*$")


class InvalidJa3(ValueError):
    """A `ja3` field that is neither a JA3 hash nor a JA3 string."""


def normalised_ja3(ja3_string: str) -> str:
    """Return the MD5 hex digest of `ja3_string` with its extensions sorted."""
    version, ciphers, extensions, curves, formats = ja3_string.split(",")
    ordered = "-".join(sorted(filter(None, extensions.split("-")), key=int))
    text = ",".join((version, ciphers, ordered, curves, formats))
    return hashlib.md5(text.encode("ascii"), usedforsecurity=False).hexdigest()


def ja3_value(value: Any) -> str | None:
    """Return the JA3 feature value of a logged `ja3` field, or None if absent.

    Takes a JA3 string, a 32-hex-digit hash, or an object with `string`
    and `hash` (Suricata's `tls.ja3`). A string is hashed with its
    extensions sorted; a bare hash cannot be normalised and is kept as
    logged, in lower case. Raises InvalidJa3 for anything else.
    """
    if value is None:
        return None
    if isinstance(value, dict):
        string = value.get("string")
        if isinstance(string, str) and string:
            return ja3_value(string)
        return ja3_value(value.get("hash"))
    if isinstance(value, str):
        text = value.strip()
        if JA3_STRING.match(text):
            return normalised_ja3(text)
        if JA3_HASH.match(text):
            # NOTE: a bare hash from a permuting client still differs per
            # connection; only sources that log the JA3 string are normalised.
            return text.lower()
    raise InvalidJa3(
        f"invalid 'ja3' {str(value)[:80]!r}: expected 32 hex digits, a JA3 "
        "string such as '771,4865-4866,0-23-65281,29-23,0', or an object "
        "with 'string' or 'hash'"
    )
