"""Feature kinds: the vocabulary shared by ingest and the clusterers.

An observation carries a set of (kind, value) features. Ingest writes them to
`observation_features`; the identity clusterer looks candidates up by them
and weighs a shared value by its rarity. Values are strings in the format
given beside each kind, so that equal evidence is equal text.
"""

from __future__ import annotations

from typing import Final

HASSH: Final = "hassh"  # 32 lower-case hex digits (MD5)
JA3: Final = "ja3"  # 32 lower-case hex digits
JA4: Final = "ja4"  # JA4 string as logged
CLIENT_VERSION: Final = "client_version"  # normalised SSH banner, "SSH-2.0-..."
SSH_PUBKEY: Final = "ssh_pubkey"  # key fingerprint as logged by Cowrie
CREDENTIAL: Final = "credential"  # "username\x1fpassword", tried
LOGIN_SUCCESS: Final = "login_success"  # "username\x1fpassword", accepted
CREDENTIAL_SET: Final = "credential_set"  # SHA-256 hex of the sorted tried set
PAYLOAD_SHA256: Final = "payload_sha256"  # 64 lower-case hex digits
PAYLOAD_SIMHASH: Final = "payload_simhash"  # 16 hex digits, file content
COMMAND_SIMHASH: Final = "command_simhash"  # 16 hex digits, normalised script
COMMAND_SHINGLE: Final = "command_shingle"  # 16 hex digits, hashed k-shingle
C2_ENDPOINT: Final = "c2_endpoint"  # "host[:port]", normalised, not public
PUBLIC_ENDPOINT: Final = "public_endpoint"  # "host[:port]" on public hosting
FORWARD_TARGET: Final = "forward_target"  # direct-tcpip "host:port"
KD_SIMHASH: Final = "kd_simhash"  # 16 hex digits, keystroke digraph rhythm

ALL_KINDS: Final = frozenset(
    {
        HASSH,
        JA3,
        JA4,
        CLIENT_VERSION,
        SSH_PUBKEY,
        CREDENTIAL,
        LOGIN_SUCCESS,
        CREDENTIAL_SET,
        PAYLOAD_SHA256,
        PAYLOAD_SIMHASH,
        COMMAND_SIMHASH,
        COMMAND_SHINGLE,
        C2_ENDPOINT,
        PUBLIC_ENDPOINT,
        FORWARD_TARGET,
        KD_SIMHASH,
    }
)

# Kinds compared by Hamming distance through the band index, not by equality.
SIMHASH_KINDS: Final = frozenset({PAYLOAD_SIMHASH, COMMAND_SIMHASH, KD_SIMHASH})

# Kinds that describe the client software; two different values are evidence
# against a link when both observations carry the kind.
TOOLING_KINDS: Final = frozenset({HASSH, CLIENT_VERSION, JA4})
