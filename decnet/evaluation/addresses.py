"""Source addresses and host names for generated actors.

Addresses are drawn from globally routable IPv4 /16 networks, so ingest
treats them like internet sources; they are synthetic and never contacted.
Every address is handed out once per scenario; shared exits are the only
addresses that several actors use, and the generator lists them as
ambiguous.
"""

from __future__ import annotations

import ipaddress
import random
from functools import cache

import numpy as np

_TLDS = ("xyz", "top", "ru", "cn", "cc", "online", "site", "club", "pw", "su", "net")
_SYLLABLES = (
    "ka",
    "ro",
    "mi",
    "zu",
    "te",
    "lo",
    "va",
    "ne",
    "qi",
    "sh",
    "do",
    "xa",
    "bi",
    "ur",
    "fe",
    "yo",
    "pa",
    "gi",
    "no",
    "tr",
    "el",
    "az",
    "ix",
    "om",
)


# IANA special-purpose IPv4 blocks (RFC 6890 and its updates) plus
# multicast and the reserved class E space. A /16 touching any of them is
# never used, so no generated source looks private, shared or documentary.
_SPECIAL_BLOCKS = (
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
)


@cache
def global_networks() -> np.ndarray:
    """Return the first 16 bits of every /16 that overlaps no special-purpose block."""
    prefixes = np.arange(65536, dtype=np.uint32)
    first = prefixes << 16
    last = first | 0xFFFF
    keep = np.ones(prefixes.size, dtype=bool)
    for block in _SPECIAL_BLOCKS:
        network = ipaddress.IPv4Network(block)
        low = int(network.network_address)
        high = int(network.broadcast_address)
        keep &= (last < low) | (first > high)
    return prefixes[keep]


def ip_text(value: int) -> str:
    """Format a 32-bit integer as dotted IPv4."""
    return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"


class AddressAllocator:
    """Hand out unique global IPv4 addresses as integers, deterministically.

    The host part of each address avoids .0 and .255 so that no address
    looks like a network or broadcast address.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._used: set[int] = set()
        self._networks = global_networks()

    def networks(self, count: int) -> list[int]:
        """Return `count` random /16 prefixes (16-bit integers)."""
        picks = self._rng.choice(self._networks, size=count, replace=False)
        return [int(prefix) for prefix in picks]

    def take(self, count: int, networks: list[int] | None = None) -> np.ndarray:
        """Return `count` unused addresses, spread over `networks` when given.

        Without `networks` every address comes from an independently drawn
        /16, which is what unrelated scanners look like.
        """
        result = np.empty(count, dtype=np.uint32)
        filled = 0
        while filled < count:
            need = count - filled
            if networks:
                prefixes = np.array(networks, dtype=np.uint32)[
                    self._rng.integers(0, len(networks), size=need)
                ]
            else:
                prefixes = self._networks[
                    self._rng.integers(0, len(self._networks), size=need)
                ]
            hosts = self._rng.integers(1, 255, size=(need, 2), dtype=np.uint32)
            candidates = (prefixes << 16) | (hosts[:, 0] << 8) | hosts[:, 1]
            _, first = np.unique(candidates, return_index=True)
            candidates = candidates[np.sort(first)]
            for value in candidates.tolist():
                if value in self._used:
                    continue
                self._used.add(value)
                result[filled] = value
                filled += 1
                if filled == count:
                    break
        return result


def domain_name(rng: random.Random) -> str:
    """Return a throwaway-looking domain such as `kazuteno.xyz`."""
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
    return (
        f"{word}{rng.randint(0, 99) if rng.random() < 0.4 else ''}.{rng.choice(_TLDS)}"
    )


def random_word(rng: random.Random, low: int = 6, high: int = 10) -> str:
    """Return a random lower-case alphanumeric word, as loaders name their drops."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))
