"""The hard inputs under the shared cases folder, each with its right value.

Skipped when the shared folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.ingest.cowrie import ingest_paths
from decnet.ingest.jsonl import ingest_jsonl_paths
from decnet.ingest.report import IngestReport
from tests.ingest.support import count, features, observation, sessions_of


async def ingest_case(engine: AsyncEngine, shared_dir: Path, name: str) -> IngestReport:
    (path,) = (shared_dir / "cases").glob(f"{name}-*.jsonl")
    return await ingest_paths(engine, [path])


async def test_bytes_literal_banner_same_as_plain(
    sqlite_engine: AsyncEngine, shared_dir: Path
) -> None:
    await ingest_case(sqlite_engine, shared_dir, "01")
    a = await observation(sqlite_engine, "203.0.113.10")
    b = await observation(sqlite_engine, "198.51.100.20")
    assert a["client_versions"] == b["client_versions"] == ["SSH-2.0-libssh-0.6.3"]


async def test_bytes_literal_raw_form_kept(
    sqlite_engine: AsyncEngine, shared_dir: Path
) -> None:
    await ingest_case(sqlite_engine, shared_dir, "01")
    (session,) = await sessions_of(sqlite_engine, "203.0.113.10")
    assert session["client_version_raw"] == "b'SSH-2.0-libssh-0.6.3'"


async def test_undecodable_banner_spellings_agree(
    sqlite_engine: AsyncEngine, shared_dir: Path
) -> None:
    await ingest_case(sqlite_engine, shared_dir, "01")
    row = await observation(sqlite_engine, "198.51.100.21")
    assert row["client_versions"] == ["SSH-2.0-Tool\\xff\\xfe"]


async def test_pre_hassh_lists_give_modern_hassh(
    sqlite_engine: AsyncEngine, shared_dir: Path
) -> None:
    report = await ingest_case(sqlite_engine, shared_dir, "02")
    old = await observation(sqlite_engine, "203.0.113.21")
    new = await observation(sqlite_engine, "198.51.100.31")
    assert old["hassh_hashes"] == ["a7a87fbe86774c2e40cc4a7ea2ab1b3c"]
    assert new["hassh_hashes"] == old["hassh_hashes"]
    assert report.hassh_mismatches == 0


@pytest.mark.parametrize(
    ("ip", "seconds"),
    [
        ("203.0.113.40", 1.387376308441162),
        ("203.0.113.41", 120.0),
        ("203.0.113.42", 0.0015184879302978516),
        ("203.0.113.43", 11.184),
        ("203.0.113.44", None),
    ],
)
async def test_duration_type_drift(
    sqlite_engine: AsyncEngine, shared_dir: Path, ip: str, seconds: float | None
) -> None:
    await ingest_case(sqlite_engine, shared_dir, "03")
    (session,) = await sessions_of(sqlite_engine, ip)
    assert session["duration_s"] == seconds


async def test_odd_credentials_stored_exactly(
    engine: AsyncEngine, shared_dir: Path
) -> None:
    report = await ingest_case(engine, shared_dir, "05")
    assert report.ok
    tab = {v for k, v in await features(engine, "203.0.113.63") if k == "credential"}
    assert tab == {"root\t\x1fadmin\t", "root\x1fadmin"}
    cjk = await features(engine, "203.0.113.61")
    assert ("login_success", "root\x1f\u6743\u9650123") in cjk
    replacement = await features(engine, "203.0.113.62")
    assert ("credential", "\ufffd\ufffd\ufffd\ufffd\x1fadmin") in replacement


async def test_nul_username_escaped(engine: AsyncEngine, shared_dir: Path) -> None:
    await ingest_case(engine, shared_dir, "05")
    values = {v for k, v in await features(engine, "203.0.113.65") if k == "credential"}
    assert values == {"admin\ue0000\x1fx"}


async def test_mapped_ipv6_one_observation(
    sqlite_engine: AsyncEngine, shared_dir: Path
) -> None:
    await ingest_case(sqlite_engine, shared_dir, "06")
    assert (await observation(sqlite_engine, "198.51.100.7"))["session_count"] == 2
    assert (await observation(sqlite_engine, "2001:db8::1f"))["session_count"] == 2
    assert await count(sqlite_engine, "attackers") == 2


async def test_nat_gateway_flagged(
    sqlite_engine: AsyncEngine, shared_dir: Path
) -> None:
    await ingest_case(sqlite_engine, shared_dir, "07")
    row = await observation(sqlite_engine, "172.17.0.1")
    assert (row["is_private"], row["is_gateway"], row["multi_stack"]) == (
        True,
        True,
        True,
    )


async def test_session_id_collision_kept_apart(
    sqlite_engine: AsyncEngine, shared_dir: Path
) -> None:
    await ingest_case(sqlite_engine, shared_dir, "08")
    assert await count(sqlite_engine, "attacker_sessions") == 3
    (b,) = await sessions_of(sqlite_engine, "198.51.100.80")
    assert b["sensor"] == "sensor-b"
    assert [c["input"] for c in b["commands"]] == ["uname -a"]


async def test_timestamps_aware_and_naive_counted(
    sqlite_engine: AsyncEngine, shared_dir: Path
) -> None:
    report = await ingest_case(sqlite_engine, shared_dir, "10")
    assert report.naive_timestamps == 1
    row = await observation(sqlite_engine, "203.0.113.102")
    assert row["first_seen_at"].isoformat() == "2018-08-06T23:23:25.705526+00:00"
    naive = await observation(sqlite_engine, "203.0.113.101")
    assert naive["first_seen_at"].isoformat() == "2026-03-08T11:30:00+00:00"


async def test_non_cowrie_lines_reported(
    sqlite_engine: AsyncEngine, shared_dir: Path
) -> None:
    report = await ingest_case(sqlite_engine, shared_dir, "10")
    assert [s.line for s in report.skipped] == [2, 3, 4]
    assert not report.ok


async def test_shared_library_hassh_is_a_plain_feature(
    sqlite_engine: AsyncEngine, shared_dir: Path
) -> None:
    await ingest_case(sqlite_engine, shared_dir, "11")
    for ip in ("203.0.113.110", "198.51.100.111", "192.0.2.112", "203.0.113.113"):
        row = await observation(sqlite_engine, ip)
        assert row["hassh_hashes"] == ["03a80b21afa810682a776a7d42e5e6fb"]
        assert not row["multi_stack"]


async def test_ja3_permutation_gives_one_fingerprint(
    sqlite_engine: AsyncEngine, shared_dir: Path
) -> None:
    (path,) = (shared_dir / "cases").glob("12-*.jsonl")
    report = await ingest_jsonl_paths(sqlite_engine, [path])
    assert report.ok
    assert report.events == 2
    found = await features(sqlite_engine, "203.0.113.120")
    assert {v for k, v in found if k == "ja3"} == {"aa56c057ad164ec4fdcb7a5a283be9fc"}
    assert {v for k, v in found if k == "ja4"} == {
        "t13d1516h2_8daaf6152771_02713d6af862"
    }
    assert not {k for k, _ in found if k == "forward_target"}
    assert await count(sqlite_engine, "attacker_sessions") == 2


async def test_redirects_and_trivial_hashes(
    sqlite_engine: AsyncEngine, shared_dir: Path
) -> None:
    await ingest_case(sqlite_engine, shared_dir, "15")
    (redirect,) = await sessions_of(sqlite_engine, "203.0.113.150")
    assert redirect["downloads"][0]["kind"] == "redirect"
    for ip in ("203.0.113.150", "198.51.100.151", "192.0.2.153"):
        assert (await observation(sqlite_engine, ip))["payload_sha256"] is None
    download = await observation(sqlite_engine, "192.0.2.152")
    assert download["payload_sha256"] == ["1" * 64]
    assert download["c2_endpoints"] == ["198.51.100.99:6636"]


async def test_huge_session_templated(
    sqlite_engine: AsyncEngine, shared_dir: Path
) -> None:
    report = await ingest_case(sqlite_engine, shared_dir, "16")
    assert report.ok
    (session,) = await sessions_of(sqlite_engine, "203.0.113.160")
    assert session["event_count"] == 2002
    truncated = [c for c in session["commands"] if c.get("truncated")]
    assert len(truncated) == 1
    assert truncated[0]["length"] > 70_000
    assert session["state"]["command_total"] == 2001
    shingles = {
        v
        for k, v in await features(sqlite_engine, "203.0.113.160")
        if k == "command_shingle"
    }
    assert len(shingles) <= 3
