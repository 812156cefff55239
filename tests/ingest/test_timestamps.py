from datetime import UTC, datetime

import pytest

from decnet.errors import InputError
from decnet.ingest.timestamps import parse_timestamp

CASES = [
    (
        "2018-08-06T23:23:25.705526Z",
        datetime(2018, 8, 6, 23, 23, 25, 705526, UTC),
        False,
    ),
    (
        "2020-03-05T02:49:20.642408+0000",
        datetime(2020, 3, 5, 2, 49, 20, 642408, UTC),
        False,
    ),
    (
        "2018-08-07T01:23:25.705526+02:00",
        datetime(2018, 8, 6, 23, 23, 25, 705526, UTC),
        False,
    ),
    ("2026-03-08 11:30:00", datetime(2026, 3, 8, 11, 30, tzinfo=UTC), True),
    (1332008617.54, datetime(2012, 3, 17, 18, 23, 37, 540000, UTC), False),
    ("1332008617", datetime(2012, 3, 17, 18, 23, 37, tzinfo=UTC), False),
]


@pytest.mark.parametrize(("raw", "expected", "naive"), CASES)
def test_timestamp_formats_become_aware_utc(
    raw: object, expected: datetime, naive: bool
) -> None:
    parsed, was_naive = parse_timestamp(raw)
    assert parsed == expected
    assert parsed.utcoffset() is not None
    assert was_naive is naive


@pytest.mark.parametrize("raw", [None, "", "yesterday", True, [], 1e20])
def test_invalid_timestamp_rejected(raw: object) -> None:
    with pytest.raises(InputError, match="timestamp"):
        parse_timestamp(raw)
