import random

from decnet.ingest.simhash import (
    _simhash_loop,
    hamming,
    majority,
    simhash,
    simhash_tokens,
    to_hex,
)


def test_majority_takes_each_bit_by_vote() -> None:
    assert majority([0b110, 0b100, 0b011]) == 0b110


def test_majority_tie_gives_zero() -> None:
    assert majority([0b1, 0b0]) == 0


def test_majority_of_nothing_is_none() -> None:
    assert majority([]) is None


def test_similar_token_sets_are_close() -> None:
    base = {f"t{i}": 1.0 for i in range(40)}
    near = dict(base, t0=0.0, extra=1.0)
    far = {f"u{i}": 1.0 for i in range(40)}
    a, b, c = simhash(base), simhash(near), simhash(far)
    assert a is not None
    assert b is not None
    assert c is not None
    assert hamming(a, b) < hamming(a, c)


def test_simhash_of_no_tokens_is_none() -> None:
    assert simhash_tokens([]) is None


def test_to_hex_pads_to_sixteen_digits() -> None:
    assert to_hex(1) == "0000000000000001"


def test_simhash_value_is_stable() -> None:
    # Stored session rows carry this value, so it must not change.
    weights = {
        "wget": 2.0,
        "<url>": 1.0,
        "chmod": 1.0,
        "\x1ewget <url>": 2.0,
        "sh": 3.0,
    }
    assert simhash(weights) == 0x1420AD51EF20E871


def test_simhash_matches_loop_for_counts() -> None:
    rng = random.Random(7)
    for case in range(500):
        weights = {
            f"token{rng.randrange(80)}-{i % 5}": float(rng.randint(-4, 9))
            for i in range(rng.randint(1, 60))
        }
        assert simhash(weights) == _simhash_loop(weights), case


def test_simhash_fractional_weights_match_loop() -> None:
    weights = {"wget": 0.5, "curl": 0.25, "tftp": 0.125}
    assert simhash(weights) == _simhash_loop(weights)


def test_simhash_huge_weights_match_loop() -> None:
    weights = {"a": float(1 << 60), "b": 3.0, "c": float(1 << 59)}
    assert simhash(weights) == _simhash_loop(weights)
