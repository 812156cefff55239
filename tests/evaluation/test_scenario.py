"""Scenario validation: bad input is rejected with file, key path and expectation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from decnet.errors import InputError
from decnet.evaluation.scenario import load_scenario, parse_scenario

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"


def _base() -> dict[str, Any]:
    return {
        "name": "probe",
        "days": 5,
        "sensors": [{"name": "s1"}],
        "actors": [
            {
                "name": "actor",
                "stacks": ["libssh-0.9.6"],
                "credentials": {"wordlist": "common", "tries": [1, 2]},
            }
        ],
    }


def _error(data: dict[str, Any], tmp_path: Path) -> str:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert str(path) in message
    return message


def test_valid_base_parses() -> None:
    assert parse_scenario(_base()).actors[0].name == "actor"


def test_unknown_key_names_path(tmp_path: Path) -> None:
    data = _base()
    data["actors"][0]["ips"] = {"count": 2, "colour": "red"}
    message = _error(data, tmp_path)
    assert "actors[0].ips.colour: unknown key" in message


def test_wrong_type_names_path_and_value(tmp_path: Path) -> None:
    data = _base()
    data["actors"][0]["ips"] = {"count": "many"}
    message = _error(data, tmp_path)
    assert "actors[0].ips.count:" in message
    assert "'many'" in message


def test_unknown_literal_lists_choices(tmp_path: Path) -> None:
    data = _base()
    data["actors"][0]["ips"] = {"mode": "stickyy"}
    message = _error(data, tmp_path)
    assert "actors[0].ips.mode: Input should be 'sticky' or 'rotating'" in message


def test_unknown_actor_in_phase(tmp_path: Path) -> None:
    data = _base()
    data["campaigns"] = [{"name": "op", "phases": [{"name": "p1", "actor": "ghost"}]}]
    message = _error(data, tmp_path)
    assert (
        "campaigns[0].phases[0].actor: unknown actor 'ghost'; expected one of actor"
        in message
    )


def test_unknown_phase_reference(tmp_path: Path) -> None:
    data = _base()
    data["campaigns"] = [
        {"name": "op", "phases": [{"name": "p1", "actor": "actor", "after": "p0"}]}
    ]
    message = _error(data, tmp_path)
    assert "campaigns[0].phases[0].after: unknown phase 'p0'" in message


def test_exit_shared_by_more_actors_than_exist(tmp_path: Path) -> None:
    data = _base()
    data["exits"] = [{"name": "tor", "shared_by": 3}]
    data["actors"][0]["ips"] = {"exits": ["tor"]}
    message = _error(data, tmp_path)
    assert "exits[0].shared_by: declares 3 actors but 1 use exit 'tor'" in message


def test_unknown_stack_lists_known_ones(tmp_path: Path) -> None:
    data = _base()
    data["actors"][0]["stacks"] = ["openssh-99"]
    message = _error(data, tmp_path)
    assert "actors[0].stacks[0]: unknown SSH stack 'openssh-99'" in message
    assert "libssh-0.9.6" in message


def test_day_window_beyond_scenario(tmp_path: Path) -> None:
    data = _base()
    data["actors"][0]["schedule"] = {"days": [2, 9]}
    message = _error(data, tmp_path)
    assert "actors[0].schedule.days: day window [2, 9]" in message


def test_more_networks_than_addresses(tmp_path: Path) -> None:
    data = _base()
    data["actors"][0]["ips"] = {"count": 2, "networks": 5}
    message = _error(data, tmp_path)
    assert "actors[0].ips: Value error, networks (5) cannot exceed count (2)" in message


def test_more_tries_than_wordlist(tmp_path: Path) -> None:
    data = _base()
    data["wordlists"] = {"tiny": ["root:root", "admin:admin"]}
    data["actors"][0]["credentials"] = {"wordlist": "tiny", "tries": [1, 5]}
    message = _error(data, tmp_path)
    assert (
        "actors[0].credentials.tries: up to 5 tries but wordlist 'tiny' has 2"
        in message
    )


def test_script_placeholder_without_payload(tmp_path: Path) -> None:
    data = _base()
    data["actors"][0]["script"] = "mirai_loader"
    message = _error(data, tmp_path)
    assert (
        "actors[0].script: script uses {url} but actor 'actor' has no payload"
        in message
    )


def test_unknown_placeholder(tmp_path: Path) -> None:
    data = _base()
    data["scripts"] = {"mine": ["echo {victim}"]}
    data["actors"][0]["script"] = "mine"
    message = _error(data, tmp_path)
    assert "unknown placeholder {victim}" in message


def test_every_problem_is_reported(tmp_path: Path) -> None:
    data = _base()
    data["actors"][0]["stacks"] = ["nope"]
    data["actors"][0]["sensors"] = ["s9"]
    message = _error(data, tmp_path)
    assert "2 invalid setting(s)" in message


def test_invalid_yaml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n")
    with pytest.raises(InputError, match="invalid YAML"):
        load_scenario(path)


def test_document_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(InputError, match="expected a mapping"):
        load_scenario(path)


@pytest.mark.parametrize(
    "path",
    sorted(
        p for p in SCENARIO_DIR.glob("*.yaml") if not p.name.endswith(".bounds.yaml")
    ),
    ids=lambda p: p.stem,
)
def test_repository_scenarios_are_valid(path: Path) -> None:
    assert load_scenario(path).name == path.stem
