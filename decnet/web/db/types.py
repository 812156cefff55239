"""Column types that behave the same on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and always returned time-zone aware.

    Naive input is taken as UTC. MariaDB keeps microseconds (DATETIME(6)).
    """

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(sa.DateTime())

    def process_bind_param(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None)

    def process_result_value(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class JSONText(sa.TypeDecorator[Any]):
    """A JSON document (usually a list) kept in a TEXT column.

    The design stores fingerprint lists as JSON in TEXT so that every
    database holds them the same way; MariaDB uses LONGTEXT for size.
    """

    impl = sa.Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.LONGTEXT())
        return dialect.type_descriptor(sa.Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return orjson.dumps(value).decode()

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return orjson.loads(value)


class SimHash64(sa.TypeDecorator[bytes]):
    """A 64-bit SimHash as 8 raw bytes, big-endian (BINARY(8) on MariaDB)."""

    impl = sa.LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.BINARY(8))
        return dialect.type_descriptor(sa.LargeBinary())

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        if value is not None and len(value) != 8:
            raise ValueError(f"a SimHash is 8 bytes, got {len(value)}: {value!r}")
        return value


def simhash_to_hex(value: bytes | None) -> str | None:
    """Format 8 SimHash bytes as 16 lower-case hex digits."""
    return None if value is None else value.hex()


def simhash_from_int(value: int) -> bytes:
    """Pack an unsigned 64-bit integer as SimHash bytes."""
    return value.to_bytes(8, "big")


def simhash_to_int(value: bytes) -> int:
    """Unpack SimHash bytes to an unsigned 64-bit integer."""
    return int.from_bytes(value, "big")


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)
