"""Features the clusterer derives from ingest's features before scoring.

`c2_domain` is the registered domain (one label under the public suffix,
from the Public Suffix List bundled with `publicsuffixlist`) of each C2 host
name. Operators rotate subdomains per session cheaply
(`x7f2.example.net`, `k1q9.example.net`); the registered domain they paid
for stays, so it is the comparable value. IP addresses have none.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Final

from publicsuffixlist import PublicSuffixList

from decnet import features

C2_DOMAIN: Final = "c2_domain"
DERIVED_KINDS: Final = frozenset({C2_DOMAIN})

_PSL = PublicSuffixList()
# Special-use top-level names (RFC 2606, RFC 6761): absent from the list but
# used by labs and test fleets, so they count as a suffix of one label.
SPECIAL_USE_SUFFIXES: Final = frozenset({"example", "test", "invalid", "localhost"})


def endpoint_host(endpoint: str) -> str:
    """Return the host part of `host[:port]` or `[v6]:port`, lower case."""
    text = endpoint.strip().lower()
    if text.startswith("["):
        return text[1 : text.find("]")] if "]" in text else text[1:]
    if text.count(":") == 1:
        return text.split(":", 1)[0]
    return text


@lru_cache(maxsize=65536)
def registered_domain(endpoint: str) -> str | None:
    """Return the registered domain of a C2 endpoint, or None for an IP
    address, a bare public suffix, a host under an unknown suffix or a
    malformed host."""
    host = endpoint_host(endpoint).rstrip(".")
    if not host or " " in host:
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return None
    labels = host.split(".")
    if labels[-1] in SPECIAL_USE_SUFFIXES:
        return ".".join(labels[-2:]) if len(labels) >= 2 else None
    return _PSL.privatesuffix(host, accept_unknown=False)


def with_derived(
    rows: Iterable[tuple[str, str, str]],
) -> Iterator[tuple[str, str, str]]:
    """Yield every `(observation, kind, value)` row and the rows derived from it."""
    c2 = features.C2_ENDPOINT
    for row in rows:
        yield row
        if row[1] == c2:
            domain = registered_domain(row[2])
            if domain is not None:
                yield (row[0], C2_DOMAIN, domain)
