"""The generator writes realistic Cowrie output, deterministic per seed."""

from __future__ import annotations

import hashlib
import ipaddress
import itertools
import math
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from decnet.errors import InputError
from decnet.evaluation.generator import generate
from decnet.evaluation.scenario import Scenario, parse_scenario
from decnet.evaluation.stacks import load_stacks
from decnet.evaluation.truth import read_truth
from decnet.evaluation.ttylog import INPUT, parse_ttylog
from decnet.ingest.ttylog import profile

PUBLIC_URL = "https://github.com/xmrig/xmrig/releases/download/v6.21.0/xmrig.tar.gz"

SCENARIO: dict[str, Any] = {
    "name": "mixed",
    "seed": 5,
    "days": 6,
    "sensors": [
        {"name": "old", "format": "cowrie-2018"},
        {"name": "mid", "format": "cowrie-2022"},
        {"name": "new", "format": "cowrie-2026"},
    ],
    "exits": [{"name": "tor", "shared_by": 2}],
    "actors": [
        {
            "name": "bot",
            "stacks": ["go-crypto-c"],
            "ips": {"mode": "rotating", "count": 12, "exits": ["tor"], "scales": True},
            "credentials": {
                "wordlist": "router",
                "tries": [1, 3],
                "success": "root:vizxv",
            },
            "script": "mirai_loader",
            "payload": {"family": "bot", "builds": 50, "per_session": True},
            "c2": {"domains": 2, "rotate": "per_session"},
        },
        {
            "name": "human",
            "stacks": ["openssh-9.0p1-debian"],
            "ips": {"count": 2, "exits": ["tor"]},
            "sessions": [2, 2],
            "credentials": {
                "wordlist": "common",
                "tries": [1, 2],
                "success": "root:root",
            },
            "script": "human_recon",
            "forwards": ["api.ipify.org:80"],
            "typing": {"mode": "typed", "mean_ms": 150},
        },
        {
            "name": "miner_a",
            "stacks": ["libssh2-1.4.3"],
            "credentials": {"success": "root:1234"},
            "script": "forge_fetch",
            "payload": {"family": "xmrig", "url": PUBLIC_URL},
            "c2": {"hosts": ["pool.example.net"], "port": 3333},
        },
        {
            "name": "miner_b",
            "stacks": ["dropbear-2018.76"],
            "credentials": {"success": "root:1234"},
            "script": "forge_fetch",
            "payload": {"family": "xmrig", "url": PUBLIC_URL},
            "c2": {"hosts": ["pool.example.org"], "port": 3333},
        },
    ],
    "noise": [
        {"name": "scanners", "count": 40, "stacks": ["libssh-0.9.6", "go-crypto-a"]},
    ],
}


def _scenario() -> Scenario:
    return parse_scenario(SCENARIO)


def _events(outdir: Path) -> list[dict[str, Any]]:
    events = []
    for path in sorted((outdir / "logs").glob("cowrie-*.json")):
        events += [orjson.loads(line) for line in path.read_bytes().splitlines()]
    return events


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("mixed")
    generate(_scenario(), outdir)
    return outdir


def _tree(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_same_seed_gives_identical_files(generated: Path, tmp_path: Path) -> None:
    generate(_scenario(), tmp_path / "again")
    assert _tree(tmp_path / "again") == _tree(generated)


def test_other_seed_gives_other_files(generated: Path, tmp_path: Path) -> None:
    generate(_scenario(), tmp_path / "other", seed=6)
    other = _tree(tmp_path / "other")
    assert other["truth.json"] != _tree(generated)["truth.json"]


def test_old_format_carries_lists_without_kex(generated: Path) -> None:
    lines = (generated / "logs" / "cowrie-old.json").read_bytes().splitlines()
    events = [orjson.loads(line) for line in lines]
    versions = [e for e in events if e["eventid"] == "cowrie.client.version"]
    assert versions
    assert all("kexAlgs" in e and "encCS" in e for e in versions)
    assert not any(e["eventid"] == "cowrie.client.kex" for e in events)


def test_kex_hassh_matches_algorithm_lists(generated: Path) -> None:
    kex = [e for e in _events(generated) if e["eventid"] == "cowrie.client.kex"]
    assert kex
    for event in kex:
        lists = ";".join(
            ",".join(event[key]) for key in ("kexAlgs", "encCS", "macCS", "compCS")
        )
        assert hashlib.md5(lists.encode()).hexdigest() == event["hassh"]


def test_stack_file_hasshes_are_known_values() -> None:
    stacks = load_stacks()
    assert stacks["libssh-0.9.6"].hassh == "f555226df1963d1d3c09daf865abdc9a"
    assert stacks["go-crypto-a"].banner == "SSH-2.0-Go"


def test_newest_format_has_uuid_and_duration_ms(generated: Path) -> None:
    lines = (generated / "logs" / "cowrie-new.json").read_bytes().splitlines()
    events = [orjson.loads(line) for line in lines]
    assert all("uuid" in e and e["protocol"] == "ssh" for e in events)
    closed = [e for e in events if e["eventid"] == "cowrie.session.closed"]
    assert closed and all("duration_ms" in e for e in closed)


def test_each_log_is_in_time_order(generated: Path) -> None:
    for path in (generated / "logs").glob("cowrie-*.json"):
        stamps = [
            orjson.loads(line)["timestamp"] for line in path.read_bytes().splitlines()
        ]
        assert stamps == sorted(stamps), path.name


def test_sessions_open_and_close(generated: Path) -> None:
    by_session: dict[str, list[str]] = defaultdict(list)
    for event in _events(generated):
        by_session[event["session"]].append(event["eventid"])
    for eventids in by_session.values():
        assert eventids[0] == "cowrie.session.connect"
        assert eventids[-1] == "cowrie.session.closed"


def test_truth_covers_every_logged_address(generated: Path) -> None:
    truth = read_truth(generated / "truth.json")
    logged = {event["src_ip"] for event in _events(generated)}
    assert logged == set(truth.identity) | set(truth.ambiguous)


def test_shared_exit_is_ambiguous_only(generated: Path) -> None:
    truth = read_truth(generated / "truth.json")
    assert len(truth.ambiguous) == 1
    ((exit_ip, users),) = truth.ambiguous.items()
    assert users == ["bot", "human"]
    assert exit_ip not in truth.identity


def test_downloads_are_stored_by_sha256(generated: Path) -> None:
    downloads = [
        e for e in _events(generated) if e["eventid"] == "cowrie.session.file_download"
    ]
    assert downloads
    for event in downloads:
        content = (generated / "downloads" / event["shasum"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == event["shasum"]


def test_per_session_builds_differ(generated: Path) -> None:
    truth = read_truth(generated / "truth.json")
    bot = {
        e["shasum"]
        for e in _events(generated)
        if e["eventid"] == "cowrie.session.file_download"
        and truth.identity.get(e["src_ip"]) == "bot"
    }
    sessions = {
        e["session"]
        for e in _events(generated)
        if e["eventid"] == "cowrie.session.file_download"
        and truth.identity.get(e["src_ip"]) == "bot"
    }
    assert len(bot) == len(sessions)


def test_public_release_is_one_file_for_all(generated: Path) -> None:
    events = _events(generated)
    public = {
        e["shasum"]
        for e in events
        if e["eventid"] == "cowrie.session.file_download" and e["url"] == PUBLIC_URL
    }
    fetchers = {
        e["src_ip"]
        for e in events
        if e["eventid"] == "cowrie.session.file_download" and e["url"] == PUBLIC_URL
    }
    assert len(public) == 1
    assert len(fetchers) == 2


def test_c2_subdomain_rotates_per_session(generated: Path) -> None:
    truth = read_truth(generated / "truth.json")
    urls = [
        e["url"]
        for e in _events(generated)
        if e["eventid"] == "cowrie.session.file_download"
        and truth.identity.get(e["src_ip"]) == "bot"
    ]
    hosts = {url.split("/")[2] for url in urls}
    assert len(hosts) == len(urls)


def _ttylog_for(generated: Path, event: dict[str, Any]) -> bytes:
    return (generated / "tty" / event["ttylog"].rsplit("/", 1)[1]).read_bytes()


def test_typed_sessions_send_one_key_per_record(generated: Path) -> None:
    truth = read_truth(generated / "truth.json")
    closed = [
        e
        for e in _events(generated)
        if e["eventid"] == "cowrie.log.closed"
        and truth.identity.get(e["src_ip"]) == "human"
    ]
    assert closed
    for event in closed:
        inputs = [
            r
            for r in parse_ttylog(_ttylog_for(generated, event))
            if r.direction == INPUT
        ]
        assert all(len(r.data) == 1 for r in inputs)
        gaps = [b.time - a.time for a, b in zip(inputs, inputs[1:], strict=False)]
        assert min(gaps) > 0.01


def test_bot_sessions_paste_whole_lines(generated: Path) -> None:
    truth = read_truth(generated / "truth.json")
    closed = [
        e
        for e in _events(generated)
        if e["eventid"] == "cowrie.log.closed"
        and truth.identity.get(e["src_ip"]) == "bot"
    ]
    assert closed
    records = parse_ttylog(_ttylog_for(generated, closed[0]))
    inputs = [r for r in records if r.direction == INPUT]
    assert all(r.data.endswith(b"\n") and len(r.data) > 2 for r in inputs)


def test_scale_multiplies_noise_and_scaling_pools(tmp_path: Path) -> None:
    report = generate(_scenario(), tmp_path / "double", scale=2.0)
    truth = read_truth(tmp_path / "double" / "truth.json")
    identities = list(truth.identity.values())
    assert sum(1 for i in identities if i.startswith("scanners#")) == 80
    assert identities.count("bot") == 24
    assert identities.count("human#0") == 2
    assert identities.count("human#1") == 2
    assert report.addresses == len(identities)


def test_non_empty_outdir_is_rejected(generated: Path) -> None:
    with pytest.raises(InputError, match="is not empty"):
        generate(_scenario(), generated)


def test_non_positive_scale_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="invalid scale"):
        generate(_scenario(), tmp_path / "zero", scale=0)


def _rhythm(records: list[Any]) -> dict[tuple[str, str], float]:
    """Return the median gap in ms per (previous kind, key kind) of typed input."""
    gaps: dict[tuple[str, str], list[float]] = defaultdict(list)
    keys = [r for r in records if r.direction == INPUT and len(r.data) == 1]

    def kind(byte: int) -> str:
        if chr(byte).isalpha():
            return "letter"
        return {32: "space", 13: "enter", 127: "backspace"}.get(byte, "symbol")

    for before, after in zip(keys, keys[1:], strict=False):
        pair = (kind(before.data[0]), kind(after.data[0]))
        gaps[pair].append((after.time - before.time) * 1000)
    return {pair: sorted(values)[len(values) // 2] for pair, values in gaps.items()}


@pytest.fixture(scope="module")
def typist_ttylogs(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, bytes]]:
    """Return (identity, ttylog bytes) of every typist session of keystroke_only."""
    root = Path(__file__).resolve().parents[2]
    scenario = parse_scenario(
        yaml.safe_load((root / "scenarios" / "keystroke_only.yaml").read_text())
    )
    outdir = tmp_path_factory.mktemp("keystroke_only")
    generate(scenario, outdir)
    truth = read_truth(outdir / "truth.json")
    sessions = []
    for event in _events(outdir):
        identity = truth.identity.get(event["src_ip"], "")
        if event["eventid"] == "cowrie.log.closed" and identity.startswith("typist"):
            sessions.append((identity, _ttylog_for(outdir, event)))
    return sessions


def test_typists_are_separable_by_rhythm(
    typist_ttylogs: list[tuple[str, bytes]],
) -> None:
    sessions = [
        (identity, _rhythm(parse_ttylog(data))) for identity, data in typist_ttylogs
    ]

    def distance(
        a: dict[tuple[str, str], float], b: dict[tuple[str, str], float]
    ) -> float:
        shared = set(a) & set(b)
        return sum(abs(math.log(a[k] / b[k])) for k in shared) / max(len(shared), 1)

    correct = 0
    for index, (identity, rhythm) in enumerate(sessions):
        others = [s for position, s in enumerate(sessions) if position != index]
        nearest = min(others, key=lambda other: distance(rhythm, other[1]))
        correct += nearest[0] == identity
    # Five typists: chance is about one in five.
    assert correct / len(sessions) >= 0.8


def test_ingest_rhythm_code_separates_typists(
    typist_ttylogs: list[tuple[str, bytes]],
) -> None:
    # The clusterer links keystroke codes up to 6 bits apart.
    codes = []
    for identity, data in typist_ttylogs:
        code = profile([data]).digraph_simhash
        assert code is not None, identity
        codes.append((identity, code))
    same: list[int] = []
    other: list[int] = []
    for (a, code_a), (b, code_b) in itertools.combinations(codes, 2):
        (same if a == b else other).append((code_a ^ code_b).bit_count())
    assert statistics.median(same) <= 4
    assert sum(d <= 6 for d in same) / len(same) >= 0.85
    assert statistics.median(other) >= 12
    assert sum(d <= 6 for d in other) / len(other) <= 0.05


def test_forwarding_actor_logs_direct_tcpip(generated: Path) -> None:
    truth = read_truth(generated / "truth.json")
    requests = [
        e
        for e in _events(generated)
        if e["eventid"] == "cowrie.direct-tcpip.request"
        and truth.identity.get(e["src_ip"]) == "human"
    ]
    assert requests
    assert all(e["dst_ip"] == "api.ipify.org" for e in requests)
    assert all(e["dst_port"] == 80 for e in requests)


def test_generated_addresses_are_global(generated: Path) -> None:
    truth = read_truth(generated / "truth.json")
    for ip in list(truth.identity) + list(truth.ambiguous):
        assert ipaddress.ip_address(ip).is_global, ip
