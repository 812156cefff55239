from decnet.ingest.hassh import algorithm_list, compute_hassh, logged_hassh
from tests.ingest.support import HASSH_2018, KEX_2018


def test_hassh_from_pre_hassh_lists() -> None:
    assert compute_hassh(dict(KEX_2018)) == HASSH_2018


def test_hassh_from_comma_separated_strings() -> None:
    event = {name: ",".join(values) for name, values in KEX_2018.items()}
    assert compute_hassh(event) == HASSH_2018


def test_hassh_missing_list_gives_none() -> None:
    event = dict(KEX_2018)
    del event["macCS"]
    assert compute_hassh(event) is None


def test_hassh_list_with_numbers_gives_none() -> None:
    assert algorithm_list(["aes128-ctr", 5]) is None


def test_logged_hassh_lower_cased() -> None:
    assert logged_hassh("A7A87FBE86774C2E40CC4A7EA2AB1B3C") == HASSH_2018


def test_logged_hassh_rejects_non_hex() -> None:
    assert logged_hassh("not-a-hash") is None
