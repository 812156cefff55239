"""IP address normalisation: one spelling per host."""

from __future__ import annotations

import ipaddress

from decnet.errors import InputError

MAX_ADDRESS_LENGTH = 64


def normalise_ip(text: object) -> str:
    """Return the canonical spelling of an IP address.

    IPv4-mapped IPv6 (`::ffff:198.51.100.7`) becomes IPv4; IPv6 is written
    compressed and lower case; surrounding white space and a zone id are
    kept out. Raises InputError naming the value when it is not an address.
    """
    if not isinstance(text, str):
        raise InputError(
            f"invalid IP address {text!r}: expected a string such as 192.0.2.1"
        )
    candidate = text.strip()
    if not candidate or len(candidate) > MAX_ADDRESS_LENGTH:
        raise InputError(
            f"invalid IP address {text[:MAX_ADDRESS_LENGTH]!r}: empty or too long"
        )
    if candidate.startswith("[") and candidate.endswith("]"):
        candidate = candidate[1:-1]
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        raise InputError(
            f"invalid IP address {text!r}: expected IPv4 (192.0.2.1) "
            "or IPv6 (2001:db8::1)"
        ) from None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        address = ipaddress.IPv6Address(address.packed)  # drops any zone id
    return str(address)


def is_private(ip: str) -> bool:
    """Tell whether a normalised address is private, loopback, link-local or reserved.

    Documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
    2001:db8::/32) count as public here so that test fixtures behave like
    internet sources.
    """
    address = ipaddress.ip_address(ip)
    if any(address in network for network in _DOCUMENTATION):
        return False
    return bool(
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or address.is_reserved
    )


_DOCUMENTATION = tuple(
    ipaddress.ip_network(network)
    for network in (
        "192.0.2.0/24",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "2001:db8::/32",
    )
)
