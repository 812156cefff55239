"""Small Cowrie log fixtures with documentation addresses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

KEX_2018 = {
    "kexAlgs": [
        "diffie-hellman-group-exchange-sha256",
        "diffie-hellman-group-exchange-sha1",
        "diffie-hellman-group14-sha1",
        "diffie-hellman-group1-sha1",
    ],
    "encCS": [
        "aes128-ctr",
        "aes192-ctr",
        "aes256-ctr",
        "aes256-cbc",
        "rijndael-cbc@lysator.liu.se",
        "aes192-cbc",
        "aes128-cbc",
        "blowfish-cbc",
        "arcfour128",
        "arcfour",
        "cast128-cbc",
        "3des-cbc",
    ],
    "macCS": [
        "hmac-sha2-256",
        "hmac-sha2-512",
        "hmac-sha1",
        "hmac-sha1-96",
        "hmac-md5",
        "hmac-md5-96",
        "hmac-ripemd160",
        "hmac-ripemd160@openssh.com",
    ],
    "compCS": ["none"],
}
HASSH_2018 = "a7a87fbe86774c2e40cc4a7ea2ab1b3c"


def event(
    eventid: str,
    *,
    ip: str = "203.0.113.5",
    session: str = "aaaa00000001",
    sensor: str = "sensor-a",
    at: str = "2024-04-01T10:00:00.000000Z",
    **fields: Any,
) -> dict[str, Any]:
    """Return one Cowrie event with the common fields filled in."""
    return {
        "eventid": eventid,
        "src_ip": ip,
        "session": session,
        "sensor": sensor,
        "timestamp": at,
        **fields,
    }


def write_log(path: Path, records: list[Any], *, trailing_newline: bool = True) -> Path:
    """Write records as JSON lines; bytes and str records are written as they are."""
    lines = []
    for record in records:
        if isinstance(record, bytes):
            lines.append(record)
        elif isinstance(record, str):
            lines.append(record.encode())
        else:
            lines.append(orjson.dumps(record))
    data = b"\n".join(lines) + (b"\n" if trailing_newline else b"")
    path.write_bytes(data)
    return path


async def rows(
    engine: AsyncEngine, table: str, order: str = "1"
) -> list[dict[str, Any]]:
    """Return every row of `table` as a dict, ordered by `order`."""
    async with engine.connect() as conn:
        result = await conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY {order}"))
        return [dict(row) for row in result.mappings()]


async def count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as conn:
        return (
            await conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}"))
        ).scalar_one()


async def features(engine: AsyncEngine, ip: str) -> set[tuple[str, str]]:
    """Return the (kind, value) features of the observation of `ip`."""
    async with engine.connect() as conn:
        result = await conn.execute(
            sa.text(
                "SELECT f.kind, f.value FROM observation_features f "
                "JOIN attackers a ON a.uuid = f.observation_uuid WHERE a.ip = :ip"
            ),
            {"ip": ip},
        )
        return {(kind, value) for kind, value in result.all()}


async def observation(engine: AsyncEngine, ip: str) -> dict[str, Any]:
    """Return the `attackers` row of `ip` through the model's column types."""
    from decnet.web.db.models import Attacker

    async with engine.connect() as conn:
        table = Attacker.__table__
        result = await conn.execute(sa.select(table).where(table.c.ip == ip))
        return dict(result.mappings().one())


async def sessions_of(engine: AsyncEngine, ip: str) -> list[dict[str, Any]]:
    """Return the `attacker_sessions` rows of `ip`, oldest first."""
    from decnet.web.db.models import Attacker, AttackerSession

    sessions = AttackerSession.__table__
    attackers = Attacker.__table__
    async with engine.connect() as conn:
        result = await conn.execute(
            sa.select(sessions)
            .join(attackers, attackers.c.uuid == sessions.c.observation_uuid)
            .where(attackers.c.ip == ip)
            .order_by(sessions.c.started_at)
        )
        return [dict(row) for row in result.mappings()]
