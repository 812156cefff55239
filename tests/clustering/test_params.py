"""Clusterer parameter files: overrides apply, bad files get one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from decnet.clustering.params import ModelParams, load_params
from decnet.errors import ConfigError


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "params.json"
    path.write_text(text)
    return path


def test_no_file_gives_defaults() -> None:
    assert load_params(None) == ModelParams()


def test_override_applies_over_defaults(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '{"link_probability": 0.99, "window": 8, "kinds": {"hassh": {"max_bits": 3}}}',
    )
    params = load_params(path)
    assert params.link_probability == 0.99
    assert params.window == 8
    assert params.kinds["hassh"].max_bits == 3.0
    assert params.kinds["hassh"].m == ModelParams().kinds["hassh"].m


def test_set_fields_become_frozensets(tmp_path: Path) -> None:
    params = load_params(_write(tmp_path, '{"tooling_kinds": ["hassh"]}'))
    assert params.tooling_kinds == frozenset({"hassh"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"link_probability": "abc"}', "invalid value 'abc' for 'link_probability'"),
        ('{"window": null}', "invalid value None for 'window'"),
        ('{"nope": 1}', "unknown field 'nope'"),
        ('{"kinds": 5}', "'kinds' in .* must be a JSON object"),
        (
            '{"kinds": {"hassh": {"m": "x"}}}',
            "invalid value 'x' for 'm' in kind 'hassh'",
        ),
        ('{"kinds": {"hassh": 3}}', "kind 'hassh' in .* must be a JSON object"),
        ('{"kinds": {"shoe_size": {"m": 0.5}}}', "unknown feature kind 'shoe_size'"),
        ('{"link_probability": 0.2}', "link_probability is 0.2 .* must be in"),
        ("[1, 2]", "must be a JSON object"),
        ("{not json", "cannot read clusterer parameters"),
    ],
)
def test_bad_file_is_config_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_params(_write(tmp_path, text))


def test_unknown_field_lists_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_params(_write(tmp_path, '{"windw": 3}'))
    assert "valid fields:" in str(caught.value)
    assert "window" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"partners_per_observation": 0}', "partners_per_observation is 0.0 .* > 0"),
        ('{"block_size": -3}', "block_size is -3 .* in 2..1000"),
        ('{"block_size": 5000}', "block_size is 5000 .* in 2..1000"),
        ('{"window": 0}', "window is 0 .* in 1..200"),
        ('{"window": 100000000}', "window is 100000000 .* in 1..200"),
        ('{"block_size": true}', "invalid value True for 'block_size'"),
        ('{"window": "7"}', "invalid value '7' for 'window'"),
        ('{"max_share": 5}', r"max_share .* \(0, 1\]"),
        ('{"max_share": 0}', r"max_share .* \(0, 1\]"),
        ('{"kinds": {"hassh": {"max_bits": -5}}}', "max_bits of kind 'hassh'"),
        ('{"kinds": {"hassh": {"hamming": 64}}}', "hamming of kind 'hassh'"),
        ('{"reestimation_rounds": -1}', "reestimation_rounds is -1 .* in 0..100"),
        ('{"reestimation_rounds": 100000000}', "reestimation_rounds .* in 0..100"),
        ('{"cohesion_margin_bits": -1}', "cohesion_margin_bits is -1.0 .* >= 0"),
        (
            '{"kinds": {"command_simhash": {"near_penalty_bits": -1}}}',
            "near_penalty_bits of kind 'command_simhash' is -1.0",
        ),
        (
            '{"groups": {"nokind": "tooling"}}',
            "unknown feature kind 'nokind' in groups",
        ),
        ('{"stack_kinds": ["nokind"]}', "'nokind' in stack_kinds"),
        ('{"kinds": []}', "must be a JSON object of kind names"),
    ],
)
def test_out_of_range_value_rejected(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_params(_write(tmp_path, text))


def test_new_group_name_is_accepted(tmp_path: Path) -> None:
    params = load_params(_write(tmp_path, '{"groups": {"hassh": "my_group"}}'))
    assert params.group("hassh") == "my_group"
