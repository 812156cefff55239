"""The one logging configuration point for every DECNET process."""

from __future__ import annotations

import logging
import sys

from decnet.errors import ConfigError

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(fields)s"
_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class _FieldsFormatter(logging.Formatter):
    """Append the `extra=` fields of a record as `key=value` pairs."""

    def format(self, record: logging.LogRecord) -> str:
        fields = {k: v for k, v in record.__dict__.items() if k not in _RESERVED}
        record.fields = (
            " " + " ".join(f"{k}={v!r}" for k, v in sorted(fields.items()))
            if fields
            else ""
        )
        return super().format(record)


LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def configure_logging(level: str = "INFO") -> None:
    """Send DECNET logs to standard error at `level`; safe to call twice.

    Raises ConfigError for a level name outside `LEVELS`.
    """
    if level.upper() not in LEVELS:
        raise ConfigError(
            f"invalid log level {level!r}: expected one of {', '.join(LEVELS)} "
            "(--log-level or DECNET_LOG_LEVEL)"
        )
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_decnet", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._decnet = True  # type: ignore[attr-defined]
    handler.setFormatter(_FieldsFormatter(_FORMAT))
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("aiosqlite", "asyncio", "nats", "httpx", "alembic.runtime"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
