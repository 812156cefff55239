"""SSH client stacks the generator gives its actors, read from ssh_stacks.yaml.

A stack is the part of a client that an SSH server receives before
authentication: the identification banner and the algorithm lists of its
KEXINIT. Scanners on the same library share a stack, and so its HASSH,
whoever runs them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

STACKS_FILE = Path(__file__).with_name("ssh_stacks.yaml")


@dataclass(frozen=True)
class SshStack:
    """One client build: banner and client-to-server algorithm lists."""

    name: str
    banner: str
    kex: tuple[str, ...]
    host_key: tuple[str, ...]
    enc: tuple[str, ...]
    mac: tuple[str, ...]
    comp: tuple[str, ...]

    @property
    def hassh_algorithms(self) -> str:
        """The `kex;enc;mac;comp` string that HASSH hashes."""
        return ";".join(
            ",".join(part) for part in (self.kex, self.enc, self.mac, self.comp)
        )

    @property
    def hassh(self) -> str:
        """MD5 of `hassh_algorithms`, 32 lower-case hex digits."""
        return hashlib.md5(self.hassh_algorithms.encode()).hexdigest()


@cache
def load_stacks() -> dict[str, SshStack]:
    """Return every stack by name, checking each recorded HASSH.

    Raises ValueError when a recorded HASSH does not match its lists, because
    that means the data file was edited by hand and no longer describes a
    real client.
    """
    raw = yaml.safe_load(STACKS_FILE.read_text())
    stacks: dict[str, SshStack] = {}
    for name, entry in raw.items():
        stack = SshStack(
            name=name,
            banner=entry["banner"],
            kex=tuple(entry["kex"]),
            host_key=tuple(entry["host_key"]),
            enc=tuple(entry["enc"]),
            mac=tuple(entry["mac"]),
            comp=tuple(entry["comp"]),
        )
        if stack.hassh != entry["hassh"]:
            raise ValueError(
                f"{STACKS_FILE}: stack {name!r} records HASSH {entry['hassh']} "
                f"but its lists hash to {stack.hassh}"
            )
        stacks[name] = stack
    return stacks
