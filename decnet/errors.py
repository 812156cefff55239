"""Exception hierarchy for DECNET.

Every error the CLI or the API reports to a user derives from `DecnetError`.
The CLI prints `str(error)` on one line and exits with `exit_code`; the API
maps the subclasses to HTTP status codes in `decnet.web.api.errors`.
"""

from __future__ import annotations


class DecnetError(Exception):
    """Base class: a message that names the value at fault and the fix."""

    exit_code = 1


class ConfigError(DecnetError):
    """A setting (URL, path, secret) is missing or malformed."""

    exit_code = 2


class DatabaseUnavailableError(DecnetError):
    """The database named by the URL cannot be reached or opened."""

    exit_code = 3


class SchemaError(DecnetError):
    """The database schema does not match this version of the code."""

    exit_code = 4


class BusUnavailableError(DecnetError):
    """The event bus named by the URL cannot be reached."""

    exit_code = 5


class InvalidSubjectError(DecnetError, ValueError):
    """A bus subject or subscription pattern breaks NATS subject syntax."""

    exit_code = 2


class NotFoundError(DecnetError, LookupError):
    """A row named by uuid or IP does not exist."""


class IntegrityViolationError(DecnetError, ValueError):
    """A change would break an invariant: a merge cycle, a self-reference."""


class InputError(DecnetError, ValueError):
    """User-supplied input (a file, a scenario, a request) is invalid."""

    exit_code = 2
