"""SSH public keys that a command plants, as Cowrie fingerprints them.

Attackers who want to come back write their own public key into
`~/.ssh/authorized_keys`. The key is theirs wherever they connect from, so
it is the same evidence as a key they log in with. Both are stored as the
`ssh_pubkey` feature, in the form Cowrie logs for `cowrie.client.fingerprint`:
the MD5 of the decoded key blob, as colon-separated hex.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct

# OpenSSH public key types whose blob starts with the type name itself.
KEY_TYPES = (
    "ssh-rsa",
    "ssh-dss",
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)
_KEY = re.compile(
    r"(?<![\w@.-])(" + "|".join(re.escape(t) for t in KEY_TYPES) + r")\s+"
    r"(AAAA[0-9A-Za-z+/]{16,}={0,2})"
)
# More keys than this in one command are not a persistence step but a dump.
MAX_KEYS_PER_COMMAND = 8
# The shortest real blob, an Ed25519 key, is 51 bytes: the type name and the
# 32-byte key, each behind a 4-byte length. A shorter one is a cut-off key.
MIN_BLOB_BYTES = 51


def md5_fingerprint(blob: bytes) -> str:
    """Return the MD5 fingerprint of a key blob as Cowrie logs it."""
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def _blob(key_type: str, text: str) -> bytes | None:
    """Return the decoded blob when it is well formed and names `key_type`."""
    try:
        blob = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(blob) < MIN_BLOB_BYTES:
        return None
    (length,) = struct.unpack(">I", blob[:4])
    if blob[4 : 4 + length] != key_type.encode():
        return None
    return blob


def planted_keys(command: str) -> list[str]:
    """Return the fingerprints of the public keys written in `command`.

    A key counts only when its base64 decodes and the blob's own type name
    matches the one written before it, so text that merely looks like a key
    is ignored.
    """
    found: list[str] = []
    for match in _KEY.finditer(command):
        blob = _blob(match.group(1), match.group(2))
        if blob is None:
            continue
        fingerprint = md5_fingerprint(blob)
        if fingerprint not in found:
            found.append(fingerprint)
        if len(found) >= MAX_KEYS_PER_COMMAND:
            break
    return found
