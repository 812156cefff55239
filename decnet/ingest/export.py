"""JSON-lines export of observations (`decnet export observations`)."""

from __future__ import annotations

from typing import Any, BinaryIO

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from decnet import features as fk
from decnet.web.db.models import Attacker, ObservationFeature

ATTACKERS = SQLModel.metadata.tables[Attacker.__tablename__]
FEATURES = SQLModel.metadata.tables[ObservationFeature.__tablename__]
PAGE = 1_000


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def observation_record(row: dict[str, Any], endpoints: list[str]) -> dict[str, Any]:
    """Return the export record of one `attackers` row.

    `endpoints` are the observation's C2 endpoints (public hosting excluded).
    """
    kd = row["kd_digraph_simhash"]
    return {
        "uuid": row["uuid"],
        "ip": row["ip"],
        "first_seen_at": _iso(row["first_seen_at"]),
        "last_seen_at": _iso(row["last_seen_at"]),
        "session_count": row["session_count"],
        "event_count": row["event_count"],
        "hassh": row["hassh_hashes"] or [],
        "client_versions": row["client_versions"] or [],
        "payload_sha256": row["payload_sha256"] or [],
        "c2_endpoints": endpoints,
        "credential_count": row["credential_count"],
        "login_success_count": row["login_success_count"],
        "command_count": row["command_count"],
        "services": row["services"] or [],
        "sensors": row["sensors"] or [],
        "kd_digraph_simhash": kd.hex() if kd else None,
        "is_private": bool(row["is_private"]),
        "is_gateway": bool(row["is_gateway"]),
        "multi_stack": bool(row["multi_stack"]),
        "identity_id": row["identity_id"],
    }


async def write_observations(engine: AsyncEngine, stream: BinaryIO) -> int:
    """Write one JSON line per observation, ordered by IP; return the count.

    Reads in pages of 1,000 rows, so memory does not grow with the table.
    """
    count = 0
    last_ip: str | None = None
    async with engine.connect() as conn:
        while True:
            query = sa.select(ATTACKERS).order_by(ATTACKERS.c.ip).limit(PAGE)
            if last_ip is not None:
                query = query.where(ATTACKERS.c.ip > last_ip)
            rows = [dict(row) for row in (await conn.execute(query)).mappings()]
            if not rows:
                return count
            uuids = [row["uuid"] for row in rows]
            endpoints: dict[str, list[str]] = {uuid: [] for uuid in uuids}
            found = await conn.execute(
                sa.select(FEATURES.c.observation_uuid, FEATURES.c.value)
                .where(FEATURES.c.observation_uuid.in_(uuids))
                .where(FEATURES.c.kind == fk.C2_ENDPOINT)
            )
            for uuid, value in found.all():
                endpoints[uuid].append(value)
            for row in rows:
                record = observation_record(row, sorted(endpoints[row["uuid"]]))
                stream.write(orjson.dumps(record) + b"\n")
                count += 1
            last_ip = rows[-1]["ip"]
