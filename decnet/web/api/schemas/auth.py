"""Login, tokens, stream tickets and accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from decnet.web.api.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from decnet.web.api.schemas.common import ApiModel, StoredText


class LoginRequest(BaseModel):
    """User name and password."""

    username: StoredText = Field(min_length=1, max_length=100)
    password: StoredText = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class TokenResponse(BaseModel):
    """A bearer access token and its lifetime in seconds."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    must_change_password: bool = False


class PasswordChange(BaseModel):
    """The caller's current password and the new one."""

    current_password: StoredText = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    new_password: StoredText = Field(
        min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH
    )


class TicketResponse(BaseModel):
    """A single-use stream ticket for `?ticket=` and its lifetime in seconds."""

    ticket: str
    expires_in: int


class UserPublic(ApiModel):
    """An account, without its password hash."""

    username: str
    role: str
    must_change_password: bool
    created_at: datetime
    last_login_at: datetime | None
