"""Data access for API accounts, stream tickets and generated secrets.

Every function takes an open AsyncSession and leaves committing to the
caller, except `load_jwt_secret` and `ensure_admin`, which run at startup in
their own transactions and tolerate another replica doing the same.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from decnet.errors import InputError, IntegrityViolationError, NotFoundError
from decnet.web.api.security import (
    check_secret,
    generate_password,
    generate_secret,
    hash_password,
)
from decnet.web.db.engine import session_factory, transaction
from decnet.web.db.models import AppSecret, StreamTicket, User
from decnet.web.db.models.auth import ROLES
from decnet.web.db.types import utcnow

log = logging.getLogger(__name__)

JWT_SECRET_NAME = "jwt_secret"
ADMIN_USERNAME = "admin"
MAX_PASSWORD_LENGTH = 1024
MIN_PASSWORD_LENGTH = 8
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")


@dataclass(frozen=True)
class InitialAdmin:
    """The admin account created on first start, with its one-time password."""

    username: str
    password: str


def check_username(username: str) -> str:
    """Return `username`, or raise InputError when it has characters outside the set."""
    if not _USERNAME.fullmatch(username):
        raise InputError(
            f"invalid user name {username[:100]!r}: use 1 to 100 letters, digits, "
            "'.', '_', '@' or '-', starting with a letter or digit"
        )
    return username


def check_role(role: str) -> str:
    """Return `role`, or raise InputError naming the valid roles."""
    if role not in ROLES:
        raise InputError(f"invalid role {role!r}: expected one of {', '.join(ROLES)}")
    return role


def check_password(password: str) -> str:
    """Return `password`, or raise InputError when it is too short or too long."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InputError(
            f"invalid password: expected {MIN_PASSWORD_LENGTH} to "
            f"{MAX_PASSWORD_LENGTH} characters, got {len(password)}"
        )
    return password


async def get_user(session: AsyncSession, username: str) -> User | None:
    """Return the account named `username`, or None."""
    result = await session.execute(sa.select(User).where(User.username == username))
    return result.scalar_one_or_none()


async def list_users(session: AsyncSession) -> list[User]:
    """Return every account ordered by user name."""
    result = await session.execute(sa.select(User).order_by(User.username))
    return list(result.scalars())


async def create_user(
    session: AsyncSession,
    username: str,
    password: str,
    role: str,
    *,
    must_change_password: bool = False,
) -> User:
    """Insert an account; raise IntegrityViolationError when the name is taken."""
    check_username(username)
    check_role(role)
    check_password(password)
    if await get_user(session, username) is not None:
        raise IntegrityViolationError(
            f"user {username!r} already exists; use `decnet users passwd` to reset it"
        )
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        must_change_password=must_change_password,
    )
    session.add(user)
    await session.flush()
    return user


async def set_password(session: AsyncSession, username: str, password: str) -> User:
    """Replace the password of `username` and revoke its earlier tokens."""
    check_password(password)
    user = await require_user(session, username)
    user.password_hash = hash_password(password)
    user.token_version += 1
    user.must_change_password = False
    user.updated_at = utcnow()
    await session.flush()
    return user


async def remove_user(session: AsyncSession, username: str) -> None:
    """Delete the account `username`; its tokens stop working at once."""
    user = await require_user(session, username)
    if user.role == "admin":
        admins = await session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.role == "admin")
        )
        if (admins or 0) <= 1:
            raise IntegrityViolationError(
                f"cannot remove {username!r}: it is the last admin; add another first"
            )
    await session.delete(user)
    await session.execute(
        sa.delete(StreamTicket).where(StreamTicket.username == username)
    )
    await session.flush()


async def require_user(session: AsyncSession, username: str) -> User:
    """Return the account `username`, or raise NotFoundError."""
    user = await get_user(session, username)
    if user is None:
        raise NotFoundError(
            f"user {username!r} not found; list users with `decnet users list`"
        )
    return user


def hash_ticket(ticket: str) -> str:
    """Return the SHA-256 hex digest under which a ticket is stored."""
    return hashlib.sha256(ticket.encode()).hexdigest()


async def issue_ticket(session: AsyncSession, username: str, lifetime_s: int) -> str:
    """Store a new single-use stream ticket for `username` and return its text.

    Expired tickets of every user are deleted on the way, so the table stays
    as small as the number of tickets issued in one lifetime.
    """
    now = utcnow()
    await session.execute(sa.delete(StreamTicket).where(StreamTicket.expires_at < now))
    ticket = secrets.token_urlsafe(32)
    session.add(
        StreamTicket(
            ticket_hash=hash_ticket(ticket),
            username=username,
            created_at=now,
            expires_at=now + timedelta(seconds=lifetime_s),
        )
    )
    await session.flush()
    return ticket


async def redeem_ticket(session: AsyncSession, ticket: str) -> str | None:
    """Mark `ticket` used and return its user name, or None when it is invalid.

    The update is a single conditional statement, so two replicas racing on
    the same ticket cannot both succeed.
    """
    if not ticket or len(ticket) > 256:
        return None
    key = hash_ticket(ticket)
    now = utcnow()
    result = await session.execute(
        sa.update(StreamTicket)
        .where(
            StreamTicket.ticket_hash == key,
            StreamTicket.used_at.is_(None),
            StreamTicket.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    username = await session.scalar(
        sa.select(StreamTicket.username).where(StreamTicket.ticket_hash == key)
    )
    return username


async def load_jwt_secret(engine: AsyncEngine, configured: str | None) -> str:
    """Return the signing secret: `configured` when set, else the stored one.

    On first start a secret is generated and stored in `app_secrets`, so
    every replica on the same database signs with the same key. When two
    replicas start together, the loser of the insert reads the winner's.
    """
    if configured:
        return check_secret(configured)
    sessions = session_factory(engine)
    async with transaction(sessions) as session:
        stored = await session.get(AppSecret, JWT_SECRET_NAME)
        if stored is not None:
            return stored.value
    try:
        async with transaction(sessions) as session:
            session.add(AppSecret(name=JWT_SECRET_NAME, value=generate_secret()))
        log.info("generated and stored a new token signing secret")
    except IntegrityError:
        log.info("another process stored the token signing secret first")
    async with transaction(sessions) as session:
        stored = await session.get(AppSecret, JWT_SECRET_NAME)
        assert stored is not None
        return stored.value


async def ensure_admin(engine: AsyncEngine) -> InitialAdmin | None:
    """Create the `admin` account when there is no account at all.

    Returns the new account and its generated one-time password, or None
    when accounts already exist (the password is then never shown again).
    """
    sessions = session_factory(engine)
    async with transaction(sessions) as session:
        count = await session.scalar(sa.select(sa.func.count()).select_from(User))
    if count:
        return None
    password = generate_password()
    try:
        async with transaction(sessions) as session:
            await create_user(
                session, ADMIN_USERNAME, password, "admin", must_change_password=True
            )
    except (IntegrityError, IntegrityViolationError):
        return None
    return InitialAdmin(username=ADMIN_USERNAME, password=password)


async def renew_one_time_password(engine: AsyncEngine) -> InitialAdmin | None:
    """Give the first admin a new one-time password while it still has one.

    For single-process demo runs (`decnet run`), where the password printed
    at first start may be gone. Returns None once the admin has chosen a
    password of their own, or when there is no such account.
    """
    sessions = session_factory(engine)
    async with transaction(sessions) as session:
        user = await get_user(session, ADMIN_USERNAME)
        if user is None or not user.must_change_password:
            return None
        password = generate_password()
        await set_password(session, ADMIN_USERNAME, password)
        user.must_change_password = True
    return InitialAdmin(username=ADMIN_USERNAME, password=password)
