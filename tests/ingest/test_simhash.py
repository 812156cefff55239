from decnet.ingest.simhash import hamming, majority, simhash, simhash_tokens, to_hex


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
