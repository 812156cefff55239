"""Servers the storage and bus suites run against, and how to reach them.

Each server suite runs when its server answers on loopback. When one does
not, the suite is skipped with its name in the summary, unless
`DECNET_REQUIRE_SERVICES=1` is set (as CI sets it), which turns the skip
into a failure.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

import pytest


@dataclass(frozen=True)
class Service:
    name: str
    env: str
    default_url: str

    @property
    def url(self) -> str:
        return os.environ.get(self.env, self.default_url)


POSTGRES = Service("PostgreSQL", "DECNET_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
MARIADB = Service("MariaDB", "DECNET_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")
NATS = Service("NATS", "DECNET_TEST_NATS_URL", "nats://127.0.0.1:4222")
REDIS = Service("Redis", "DECNET_TEST_REDIS_URL", "redis://127.0.0.1:6379")

SKIPPED: set[str] = set()


@cache
def reachable(service: Service) -> bool:
    parts = urlsplit(service.url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), 2):
            return True
    except OSError:
        return False


def require(service: Service) -> None:
    """Skip (or, under DECNET_REQUIRE_SERVICES=1, fail) when `service` is down."""
    if reachable(service):
        return
    message = (
        f"{service.name} is not reachable at {service.url}; start it or set "
        f"{service.env}"
    )
    if os.environ.get("DECNET_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (DECNET_REQUIRE_SERVICES=1 forbids skipping)")
    SKIPPED.add(service.name)
    pytest.skip(message)
