"""Public keys planted by commands, fingerprinted as Cowrie logs them."""

from __future__ import annotations

import base64
import struct

from decnet.ingest.sshkeys import md5_fingerprint, planted_keys


def _key(key_type: str, body: bytes) -> str:
    name = key_type.encode()
    blob = struct.pack(">I", len(name)) + name + body
    return base64.b64encode(blob).decode()


RSA = _key("ssh-rsa", b"\x00\x00\x00\x03\x01\x00\x01" + bytes(range(200)))
ED25519 = _key("ssh-ed25519", b"\x00\x00\x00\x20" + bytes(32))


def test_fingerprint_matches_cowrie_format() -> None:
    assert md5_fingerprint(b"") == "d4:1d:8c:d9:8f:00:b2:04:e9:80:09:98:ec:f8:42:7e"


def test_authorized_keys_echo_yields_key() -> None:
    command = f'cd ~ && mkdir .ssh && echo "ssh-rsa {RSA} op@box">>.ssh/authorized_keys'
    expected = md5_fingerprint(base64.b64decode(RSA))
    assert planted_keys(command) == [expected]


def test_two_keys_of_two_types() -> None:
    command = f"echo ssh-rsa {RSA} a; echo ssh-ed25519 {ED25519} b"
    assert len(planted_keys(command)) == 2


def test_repeated_key_counts_once() -> None:
    command = f"echo ssh-rsa {RSA} >> k; echo ssh-rsa {RSA} >> k"
    assert len(planted_keys(command)) == 1


def test_type_name_must_match_blob() -> None:
    assert planted_keys(f"echo ssh-ed25519 {RSA}") == []


def test_text_that_only_looks_like_a_key() -> None:
    assert planted_keys("echo ssh-rsa AAAAthisisnotbase64!!!!") == []
    assert planted_keys("echo ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB") == []
    assert planted_keys("cat ~/.ssh/authorized_keys") == []
