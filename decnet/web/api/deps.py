"""Request dependencies as `Annotated` aliases: session, user, roles, paging."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from decnet.web.api.accounts import get_user
from decnet.web.api.errors import AuthenticationError, PermissionDeniedError
from decnet.web.api.security import InvalidTokenError, decode_token
from decnet.web.api.state import AppState
from decnet.web.db.models import User
from decnet.web.db.models.auth import ROLES
from decnet.web.db.repository import MAX_LIMIT

# The largest offset every backend can bind as a 32-bit integer.
MAX_OFFSET = 2**31 - 1

_bearer = HTTPBearer(auto_error=False, description="Access token from /auth/login")


def get_state(request: Request) -> AppState:
    """Return the application's state."""
    return request.app.state.decnet  # type: ignore[no-any-return]


State = Annotated[AppState, Depends(get_state)]


async def get_session(state: State) -> AsyncIterator[AsyncSession]:
    """Yield one session per request; uncommitted changes are rolled back."""
    async with state.sessions() as session:
        yield session


Session = Annotated[AsyncSession, Depends(get_session)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def authenticate(
    state: AppState, session: AsyncSession, token: str | None
) -> User:
    """Return the account an access token names, or raise AuthenticationError.

    The account is read on every request, so a removed account, a changed
    password (a new `token_version`) or a new role takes effect at once.
    """
    if not token:
        raise AuthenticationError(
            "missing bearer token; log in at POST /api/v1/auth/login and send "
            "'Authorization: Bearer TOKEN'"
        )
    try:
        claims = decode_token(state.jwt_secret, token)
    except InvalidTokenError as exc:
        raise AuthenticationError(str(exc)) from None
    user = await get_user(session, claims.username)
    if user is None or user.token_version != claims.version:
        raise AuthenticationError("access token revoked; log in again")
    return user


async def current_user(
    state: State, session: Session, credentials: Credentials
) -> User:
    """Return the authenticated account of the request."""
    return await authenticate(
        state, session, credentials.credentials if credentials else None
    )


def require_role(role: str) -> Callable[..., Coroutine[Any, Any, User]]:
    """Build a dependency that admits users whose role is `role` or higher."""
    needed = ROLES.index(role)

    async def dependency(user: Annotated[User, Depends(current_user)]) -> User:
        if ROLES.index(user.role) < needed:
            raise PermissionDeniedError(
                f"user {user.username!r} has role {user.role}; this action needs "
                f"{role} or higher"
            )
        return user

    return dependency


CurrentUser = Annotated[User, Depends(current_user)]
ViewerUser = Annotated[User, Depends(require_role("viewer"))]
AnalystUser = Annotated[User, Depends(require_role("analyst"))]
AdminUser = Annotated[User, Depends(require_role("admin"))]

Limit = Annotated[
    int,
    Query(ge=1, le=MAX_LIMIT, description=f"Rows per page, 1 to {MAX_LIMIT}."),
]
Offset = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip, 0 or more.")
]
IdentityUuid = Annotated[
    UUID, Path(description="Identity uuid; a merged-out uuid resolves to its winner.")
]
AttackerUuid = Annotated[UUID, Path(description="Observation (attacker) uuid.")]
CampaignUuid = Annotated[UUID, Path(description="Campaign uuid.")]
