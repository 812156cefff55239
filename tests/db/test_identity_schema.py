"""The `attacker_identities` schema as the database enforces it, on every backend."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

NULLABLE = {
    "campaign_id",
    "first_seen_at",
    "last_seen_at",
    "confidence",
    "ja3_hashes",
    "hassh_hashes",
    "payload_simhashes",
    "c2_endpoints",
    "kd_digraph_simhash",
    "merged_into_uuid",
    "notes",
}
REQUIRED = {"uuid", "schema_version", "created_at", "updated_at", "observation_count"}
NOW = datetime(2026, 1, 2, 3, 4, 5)


async def _inspect(engine: AsyncEngine, method: str, table: str) -> list[dict]:
    async with engine.connect() as conn:
        return await conn.run_sync(lambda c: getattr(sa.inspect(c), method)(table))


async def _insert_identity(conn: sa.Connection, uuid: str, **extra: str) -> None:
    columns = {"uuid": uuid, "created_at": NOW, "updated_at": NOW, **extra}
    names = ", ".join(columns)
    values = ", ".join(f":{name}" for name in columns)
    await conn.execute(
        sa.text(f"INSERT INTO attacker_identities ({names}) VALUES ({values})"), columns
    )


async def _merge(conn: sa.Connection, loser: str, winner: str) -> None:
    await conn.execute(
        sa.text(
            "UPDATE attacker_identities SET merged_into_uuid = :winner, "
            "merge_state = 1 WHERE uuid = :loser"
        ),
        {"winner": winner, "loser": loser},
    )


async def test_identity_table_exists(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
    assert "attacker_identities" in tables
    assert "attackers" in tables
    assert "campaigns" in tables


async def test_identity_foreign_key_targets(engine: AsyncEngine) -> None:
    identity_keys = await _inspect(engine, "get_foreign_keys", "attacker_identities")
    targets = {
        tuple(k["constrained_columns"]): (
            k["referred_table"],
            tuple(k["referred_columns"]),
        )
        for k in identity_keys
    }
    assert targets[("campaign_id",)] == ("campaigns", ("uuid",))
    merged = targets[("merged_into_uuid", "merge_target_state")]
    assert merged == ("attacker_identities", ("uuid", "merge_state"))

    attacker_keys = await _inspect(engine, "get_foreign_keys", "attackers")
    attacker_targets = {
        tuple(k["constrained_columns"]): k["referred_table"] for k in attacker_keys
    }
    assert attacker_targets[("identity_id",)] == "attacker_identities"


async def test_identity_nullable_columns(engine: AsyncEngine) -> None:
    columns = {
        c["name"]: c["nullable"]
        for c in await _inspect(engine, "get_columns", "attacker_identities")
    }
    for name in NULLABLE:
        assert columns[name] is True, f"{name} should be nullable"
    for name in REQUIRED:
        assert columns[name] is False, f"{name} should be NOT NULL"


async def test_identity_id_index_on_attackers(engine: AsyncEngine) -> None:
    indexes = await _inspect(engine, "get_indexes", "attackers")
    assert any(index["column_names"] == ["identity_id"] for index in indexes)


async def test_identity_schema_version_defaults_to_one(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await _insert_identity(conn, "00000000-0000-4000-8000-000000000001")
        version = await conn.scalar(
            sa.text("SELECT schema_version FROM attacker_identities")
        )
        count = await conn.scalar(
            sa.text("SELECT observation_count FROM attacker_identities")
        )
    assert version == 1
    assert count == 0


async def test_identity_id_naming_no_identity_rejected(engine: AsyncEngine) -> None:
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO attackers (uuid, ip, created_at, updated_at, "
                    "identity_id) VALUES ('a1', '192.0.2.1', :now, :now, 'missing')"
                ),
                {"now": NOW},
            )


async def test_identity_merged_into_self_rejected(engine: AsyncEngine) -> None:
    uuid = "00000000-0000-4000-8000-000000000002"
    async with engine.begin() as conn:
        await _insert_identity(conn, uuid)
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await _merge(conn, uuid, uuid)


async def test_identity_merge_chain_cannot_grow(engine: AsyncEngine) -> None:
    """A loser may only point at a canonical row, so chains never exceed one hop."""
    first, second, third = (f"00000000-0000-4000-8000-00000000001{i}" for i in range(3))
    async with engine.begin() as conn:
        for uuid in (first, second, third):
            await _insert_identity(conn, uuid)
        await _merge(conn, first, second)
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await _merge(conn, second, third)


async def test_identity_cycle_rejected(engine: AsyncEngine) -> None:
    first, second = (
        "00000000-0000-4000-8000-000000000021",
        "00000000-0000-4000-8000-000000000022",
    )
    async with engine.begin() as conn:
        await _insert_identity(conn, first)
        await _insert_identity(conn, second)
        await _merge(conn, first, second)
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await _merge(conn, second, first)


async def test_identity_merge_state_must_match_pointer(engine: AsyncEngine) -> None:
    uuid = "00000000-0000-4000-8000-000000000031"
    async with engine.begin() as conn:
        await _insert_identity(conn, uuid)
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "UPDATE attacker_identities SET merge_state = 1 WHERE uuid = :uuid"
                ),
                {"uuid": uuid},
            )
