"""Event time stamps: every spelling seen in honeypot logs, to aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from decnet.errors import InputError

# Epoch seconds outside this range are not plausible honeypot event times.
_MIN_EPOCH = 631_152_000  # 1990-01-01
_MAX_EPOCH = 4_102_444_800  # 2100-01-01


def parse_timestamp(value: object) -> tuple[datetime, bool]:
    """Parse an event time and return it as aware UTC, with a naive flag.

    Accepts ISO 8601 with `Z`, `+0000` or `+02:00`, a space instead of `T`,
    and epoch seconds as a number or a numeric string. A time without a zone
    is taken as UTC and flagged (the second item is True) so callers can
    count it. Raises InputError naming the value otherwise.
    """
    if type(value) is str:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if parsed.tzinfo is UTC:
                return parsed, False
    if isinstance(value, bool):
        raise InputError(
            f"invalid timestamp {value!r}: expected ISO 8601 or epoch seconds"
        )
    if isinstance(value, int | float):
        return _from_epoch(float(value)), False
    if not isinstance(value, str) or not value:
        raise InputError(
            f"invalid timestamp {value!r}: expected ISO 8601 or epoch seconds"
        )
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            return _from_epoch(float(value)), False
        except ValueError:
            raise InputError(
                f"invalid timestamp {value[:64]!r}: expected ISO 8601 such as "
                "2024-04-01T12:00:00Z or epoch seconds"
            ) from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC), True
    if parsed.utcoffset():
        parsed = parsed.astimezone(UTC)
    elif parsed.tzinfo is not UTC:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed, False


def _from_epoch(seconds: float) -> datetime:
    if not _MIN_EPOCH <= seconds <= _MAX_EPOCH:
        raise InputError(
            f"invalid timestamp {seconds!r}: epoch seconds outside 1990..2100"
        )
    return datetime.fromtimestamp(seconds, UTC)
