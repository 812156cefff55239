"""Login, the caller's account, password change and stream tickets."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from decnet.web.api import accounts
from decnet.web.api.deps import CurrentUser, Session, State
from decnet.web.api.errors import AuthenticationError, RateLimitedError
from decnet.web.api.schemas.auth import (
    LoginRequest,
    PasswordChange,
    TicketResponse,
    TokenResponse,
    UserPublic,
)
from decnet.web.api.schemas.common import Message
from decnet.web.api.security import create_token, verify_password
from decnet.web.db.types import utcnow

log = logging.getLogger(__name__)

router = APIRouter(prefix="/auth", tags=["auth"])

_UNAUTHORIZED = {401: {"model": Message, "description": "Missing or invalid token"}}


@router.post(
    "/login",
    responses={
        401: {"model": Message, "description": "Wrong user name or password"},
        429: {"model": Message, "description": "Too many attempts from this client"},
    },
)
async def login(
    body: LoginRequest, request: Request, state: State, session: Session
) -> TokenResponse:
    """Exchange a user name and password for a bearer access token."""
    client = request.client.host if request.client else "unknown"
    wait = state.login_limiter.hit(client)
    if wait is not None:
        state.metrics.logins.labels("rate_limited").inc()
        log.warning("login rate limited", extra={"client": client, "retry_in_s": wait})
        raise RateLimitedError(
            f"too many login attempts from {client}; retry in {wait} s",
            retry_after_s=wait,
        )

    user = await accounts.get_user(session, body.username)
    stored = user.password_hash if user else None
    # argon2 takes tens of milliseconds of CPU; keep it off the event loop.
    if not await run_in_threadpool(verify_password, stored, body.password):
        state.metrics.logins.labels("failure").inc()
        log.warning("login failed", extra={"username": body.username, "client": client})
        raise AuthenticationError("invalid user name or password")
    assert user is not None

    user.last_login_at = utcnow()
    await session.commit()
    state.metrics.logins.labels("success").inc()
    log.info("login", extra={"username": user.username, "client": client})
    token = create_token(
        state.jwt_secret,
        username=user.username,
        role=user.role,
        version=user.token_version,
        lifetime_s=state.options.token_lifetime_s,
    )
    return TokenResponse(
        access_token=token,
        expires_in=state.options.token_lifetime_s,
        must_change_password=user.must_change_password,
    )


@router.get("/me", responses=_UNAUTHORIZED)
async def me(user: CurrentUser) -> UserPublic:
    """Return the caller's account."""
    return UserPublic.model_validate(user)


@router.post("/password", responses=_UNAUTHORIZED)
async def change_password(
    body: PasswordChange, user: CurrentUser, session: Session
) -> Message:
    """Change the caller's password; every earlier token stops working."""
    if not await run_in_threadpool(
        verify_password, user.password_hash, body.current_password
    ):
        raise AuthenticationError("current password is wrong")
    await accounts.set_password(session, user.username, body.new_password)
    await session.commit()
    return Message(detail="password changed; log in again")


@router.post("/sse-ticket", responses=_UNAUTHORIZED)
async def sse_ticket(
    user: CurrentUser, state: State, session: Session
) -> TicketResponse:
    """Issue a single-use ticket for one event stream (`?ticket=` on EventSource)."""
    lifetime = state.options.ticket_lifetime_s
    ticket = await accounts.issue_ticket(session, user.username, lifetime)
    await session.commit()
    return TicketResponse(ticket=ticket, expires_in=lifetime)
