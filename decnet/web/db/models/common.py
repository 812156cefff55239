"""Column helpers shared by every table module."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from decnet.web.db.types import UTCDateTime, utcnow

# MariaDB: store full Unicode and compare bytes exactly, so that "root\t",
# "root" and "ROOT" stay distinct in unique keys.
MYSQL_TABLE_ARGS: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mysql_engine": "InnoDB",
}


def new_uuid() -> str:
    """Return a fresh random uuid4 string; identities are never derived from data."""
    return str(uuid.uuid4())


def uuid_pk() -> sa.Column[str]:
    return sa.Column(sa.String(36), primary_key=True, default=new_uuid)


def created_column() -> sa.Column[Any]:
    return sa.Column(UTCDateTime(), nullable=False, default=utcnow)


def updated_column() -> sa.Column[Any]:
    return sa.Column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)
