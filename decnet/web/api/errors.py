"""API exception types and the one place that maps errors to HTTP responses.

Every error body is `{"detail": MESSAGE}`; request validation errors keep
FastAPI's list form, `{"detail": [{"loc", "msg", "type"}, ...]}`.

| exception | status |
|---|---|
| AuthenticationError | 401, with `WWW-Authenticate: Bearer` |
| PermissionDeniedError | 403 |
| NotFoundError | 404 |
| IntegrityViolationError | 409 |
| PayloadTooLargeError | 413 |
| InputError | 422 |
| RateLimitedError, TooManyStreamsError | 429, with `Retry-After` when known |
| DatabaseUnavailableError, BusUnavailableError, SchemaError | 503 |
| SQLAlchemy IntegrityError (a concurrent change won) | 409 |
| SQLAlchemy OperationalError, InterfaceError | 503 |
| SQLAlchemy pool TimeoutError (every connection busy) | 503, with `Retry-After` |
| ConnectionError (a driver that failed to connect, such as asyncpg) | 503 |
| any other DecnetError or exception | 500, message logged, not returned |
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc

from decnet.errors import (
    BusUnavailableError,
    DatabaseUnavailableError,
    DecnetError,
    InputError,
    IntegrityViolationError,
    NotFoundError,
    SchemaError,
)

log = logging.getLogger(__name__)


class AuthenticationError(DecnetError):
    """The request carries no valid credentials (token, ticket or password)."""


class PermissionDeniedError(DecnetError):
    """The user is authenticated but their role does not allow the action."""


class PayloadTooLargeError(DecnetError):
    """The request body is larger than the server accepts."""


class RateLimitedError(DecnetError):
    """The client sent too many requests of one kind.

    `retry_after_s` is the number of seconds after which a retry can succeed.
    """

    def __init__(self, message: str, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class TooManyStreamsError(RateLimitedError):
    """The user already has the maximum number of open event streams."""


_STATUS: tuple[tuple[type[DecnetError], int], ...] = (
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (IntegrityViolationError, 409),
    (PayloadTooLargeError, 413),
    (InputError, 422),
    (RateLimitedError, 429),
    (DatabaseUnavailableError, 503),
    (BusUnavailableError, 503),
    (SchemaError, 503),
)

# The body of every 401, as the OpenAPI schema and clients see it.
UNAUTHORIZED_HEADERS = {"WWW-Authenticate": "Bearer"}


def status_for(error: DecnetError) -> int:
    """Return the HTTP status of `error` (500 for types not in the table)."""
    for error_type, status in _STATUS:
        if isinstance(error, error_type):
            return status
    return 500


def error_response(error: DecnetError) -> JSONResponse:
    """Build the JSON response for `error`, with the headers its status needs."""
    status = status_for(error)
    headers: dict[str, str] = {}
    if status == 401:
        headers.update(UNAUTHORIZED_HEADERS)
    if isinstance(error, RateLimitedError) and error.retry_after_s is not None:
        headers["Retry-After"] = str(error.retry_after_s)
    detail = str(error) if status < 500 else "internal server error"
    if status == 503:
        detail = str(error)
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


async def _handle_decnet_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DecnetError)
    response = error_response(error)
    if response.status_code >= 500:
        log.error(
            "request failed",
            extra={
                "path": request.url.path,
                "error": f"{type(error).__name__}: {error}",
                "status": response.status_code,
            },
        )
    return response


async def _handle_unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception(
        "unhandled error",
        extra={"path": request.url.path, "error": type(error).__name__},
    )
    return JSONResponse({"detail": "internal server error"}, status_code=500)


async def _handle_database_error(request: Request, error: Exception) -> JSONResponse:
    first_line = str(error).splitlines()[0] if str(error) else ""
    log.error(
        "database error",
        extra={
            "path": request.url.path,
            "error": f"{type(error).__name__}: {first_line[:200]}",
        },
    )
    if isinstance(error, sa_exc.IntegrityError):
        return JSONResponse(
            {"detail": "the change conflicts with a concurrent change; retry"},
            status_code=409,
        )
    if isinstance(error, sa_exc.TimeoutError):
        # Every pooled connection stayed busy for the pool timeout: the server
        # is overloaded, not down.
        return JSONResponse(
            {"detail": "database busy: no connection became free in time; retry later"},
            status_code=503,
            headers={"Retry-After": "1"},
        )
    return JSONResponse(
        {"detail": "database unavailable; retry later"}, status_code=503
    )


# Request fields whose value a validation error must not echo back.
SECRET_FIELDS = frozenset({"password", "current_password", "new_password"})


async def _handle_validation_error(request: Request, error: Exception) -> JSONResponse:
    """Return FastAPI's 422 body, without the submitted value of secret fields."""
    assert isinstance(error, RequestValidationError)
    errors = []
    for item in error.errors():
        if SECRET_FIELDS.intersection(str(part) for part in item.get("loc", ())):
            item = {key: value for key, value in item.items() if key != "input"}
        errors.append(item)
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)


async def _handle_data_error(request: Request, error: Exception) -> JSONResponse:
    """Turn a value the database cannot store or compare into a 422."""
    first_line = str(error).splitlines()[0] if str(error) else ""
    log.info(
        "request value rejected by the database",
        extra={"path": request.url.path, "error": first_line[:200]},
    )
    return JSONResponse(
        {
            "detail": "a value in the request cannot be stored or searched "
            "(for example a NUL character or invalid text); remove it and retry"
        },
        status_code=422,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping above on `app`."""
    app.add_exception_handler(DecnetError, _handle_decnet_error)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(sa_exc.DataError, _handle_data_error)
    for database_error in (
        sa_exc.IntegrityError,
        sa_exc.OperationalError,
        sa_exc.InterfaceError,
        sa_exc.TimeoutError,
        ConnectionError,
    ):
        app.add_exception_handler(database_error, _handle_database_error)
    app.add_exception_handler(Exception, _handle_unexpected)
