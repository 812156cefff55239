"""Password hashing (argon2id) and access tokens (JWT, HS256).

Tokens carry the issuer `decnet`, the audience `decnet-api`, the user name
as `sub`, the role, the account's `token_version` as `ver`, and an expiry.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from decnet.errors import ConfigError

ISSUER = "decnet"
AUDIENCE = "decnet-api"
ALGORITHM = "HS256"
# HS256 keys shorter than the hash output weaken the MAC (RFC 7518, 3.2).
MIN_SECRET_BYTES = 32

_hasher = PasswordHasher()
# Verifying against this hash for unknown users keeps login time independent
# of whether the user exists.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class InvalidTokenError(Exception):
    """An access token is malformed, forged, expired or for another audience."""


@dataclass(frozen=True)
class TokenClaims:
    """The verified claims of an access token."""

    username: str
    role: str
    version: int
    expires_at: int


def hash_password(password: str) -> str:
    """Return the argon2id hash of `password` in PHC string format."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Tell whether `password` matches `password_hash`; None checks a dummy hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and (
            password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """Return a random password of 20 URL-safe characters (about 120 bits)."""
    return secrets.token_urlsafe(15)


def generate_secret() -> str:
    """Return a random signing secret of 64 URL-safe characters."""
    return secrets.token_urlsafe(48)


def check_secret(secret: str) -> str:
    """Return `secret`, or raise ConfigError when it is too short to sign with."""
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"DECNET_JWT_SECRET is {len(secret.encode())} bytes; use at least "
            f"{MIN_SECRET_BYTES} random bytes, or unset it to generate one"
        )
    return secret


def create_token(
    secret: str, *, username: str, role: str, version: int, lifetime_s: int
) -> str:
    """Sign an access token for `username` that expires after `lifetime_s` seconds."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": username,
        "role": role,
        "ver": version,
        "iat": now,
        "exp": now + lifetime_s,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_token(secret: str, token: str) -> TokenClaims:
    """Verify `token` and return its claims, or raise InvalidTokenError."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidTokenError("access token expired; log in again") from None
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(f"invalid access token: {exc}") from None
    username, role, version = claims.get("sub"), claims.get("role"), claims.get("ver")
    if not isinstance(username, str) or not isinstance(role, str):
        raise InvalidTokenError("invalid access token: missing subject or role")
    if not isinstance(version, int):
        raise InvalidTokenError("invalid access token: missing token version")
    return TokenClaims(
        username=username, role=role, version=version, expires_at=claims["exp"]
    )
