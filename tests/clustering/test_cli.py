"""`decnet cluster` and `decnet explain` on a small SQLite fleet."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import sqlalchemy as sa
from typer.testing import CliRunner

from decnet.cli.main import app
from decnet.web.db.engine import create_engine
from decnet.web.db.migrate import upgrade
from tests.clustering.fleet import add_observations, doc_ip, make_uuid
from tests.clustering.test_passes import actor, scanner

runner = CliRunner()


def _fleet(tmp_path: Path) -> str:
    """Create a migrated SQLite database with one actor and 150 scanners."""
    url = f"sqlite:///{tmp_path / 'decnet.sqlite'}"

    async def prepare() -> None:
        engine = create_engine(url)
        await upgrade(engine)
        fleet = [actor(0) for _ in range(3)] + [scanner(s) for s in range(150)]
        await add_observations(engine, fleet)
        await engine.dispose()

    asyncio.run(prepare())
    return url


def test_cluster_prints_report_as_json(tmp_path: Path) -> None:
    url = _fleet(tmp_path)
    result = runner.invoke(app, ["cluster", "--db", url, "--json"])
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout[result.stdout.index("{") :])
    assert report["formed"] == 151


def test_explain_names_shared_payload(tmp_path: Path) -> None:
    url = _fleet(tmp_path)
    runner.invoke(app, ["cluster", "--db", url])
    result = runner.invoke(app, ["explain", doc_ip(0), doc_ip(1), "--db", url])
    assert result.exit_code == 0, result.output
    assert "payload_sha256" in result.stdout
    assert "same identity after the partition: yes" in result.stdout


def test_explain_rejects_unknown_observation(tmp_path: Path) -> None:
    url = _fleet(tmp_path)
    result = runner.invoke(app, ["explain", "192.0.2.250", doc_ip(1), "--db", url])
    assert result.exit_code == 1
    assert "192.0.2.250" in result.output


def test_explain_rejects_malformed_observation(tmp_path: Path) -> None:
    url = _fleet(tmp_path)
    for text in ("300.1.1.1", "1234abcd", "192.0.2.1/32"):
        result = runner.invoke(app, ["explain", text, doc_ip(1), "--db", url])
        assert result.exit_code == 2, text
        assert f"invalid observation {text!r}" in result.output


def test_explain_accepts_uuid_in_any_spelling(tmp_path: Path) -> None:
    url = _fleet(tmp_path)
    runner.invoke(app, ["cluster", "--db", url])
    uuid = make_uuid(0)
    for text in (uuid.upper(), uuid.replace("-", "")):
        result = runner.invoke(app, ["explain", text, doc_ip(1), "--db", url])
        assert result.exit_code == 0, result.output
        assert uuid in result.stdout


def test_explain_names_identity_given_as_observation(tmp_path: Path) -> None:
    url = _fleet(tmp_path)
    runner.invoke(app, ["cluster", "--db", url])

    async def first_identity() -> str:
        engine = create_engine(url)
        async with engine.connect() as conn:
            row = await conn.execute(sa.text("SELECT uuid FROM attacker_identities"))
            found = row.scalars().first()
        await engine.dispose()
        return found

    identity = asyncio.run(first_identity())
    result = runner.invoke(app, ["explain", identity, doc_ip(1), "--db", url])
    assert result.exit_code == 2
    assert "is an identity, not an observation" in result.output


def test_cluster_rejects_malformed_params_file(tmp_path: Path) -> None:
    url = _fleet(tmp_path)
    bad = tmp_path / "params.json"
    bad.write_text('{"link_probability": 2}')
    result = runner.invoke(app, ["cluster", "--db", url, "--params", str(bad)])
    assert result.exit_code == 2
    assert "link_probability" in result.output


def test_explain_rejects_same_observation(tmp_path: Path) -> None:
    url = _fleet(tmp_path)
    result = runner.invoke(app, ["explain", doc_ip(0), doc_ip(0), "--db", url])
    assert result.exit_code == 2
    assert "are the same observation" in result.output


def test_clusterer_rejects_negative_interval(tmp_path: Path) -> None:
    url = _fleet(tmp_path)
    result = runner.invoke(app, ["clusterer", "--db", url, "--interval", "-1"])
    assert result.exit_code == 2
    assert "--interval" in result.output
