"""HASSH: the MD5 of an SSH client's key-exchange algorithm lists.

The Salesforce definition hashes `kex;enc;mac;cmp`, each the comma-joined
client-to-server list in the order the client offered it.
"""

from __future__ import annotations

import hashlib
import re

_HEX32 = re.compile(r"^[0-9a-f]{32}$")


def algorithm_list(value: object) -> list[str] | None:
    """Return an algorithm list from a JSON list or a comma-separated string.

    Returns None when the value is neither (a number, an object, a list with
    non-string items).
    """
    if isinstance(value, list):
        if all(isinstance(item, str) for item in value):
            return value
        return None
    if isinstance(value, str):
        return value.split(",") if value else []
    return None


def compute_hassh(event: dict[str, object]) -> str | None:
    """Compute HASSH from `kexAlgs`, `encCS`, `macCS` and `compCS` of an event.

    Returns None when any of the four lists is missing or malformed.
    """
    lists = []
    for field in ("kexAlgs", "encCS", "macCS", "compCS"):
        value = event.get(field)
        if type(value) is list:
            try:
                lists.append(",".join(value))
                continue
            except TypeError:
                return None
        value = algorithm_list(value)
        if value is None:
            return None
        lists.append(",".join(value))
    return hashlib.md5(";".join(lists).encode(), usedforsecurity=False).hexdigest()


def logged_hassh(value: object) -> str | None:
    """Return a logged HASSH in lower case, or None when it is not 32 hex digits."""
    if not isinstance(value, str):
        return None
    value = value.strip().lower()
    return value if _HEX32.match(value) else None
