"""Fixtures for the API suites: a migrated database per test on SQLite and
PostgreSQL, the app with its lifespan running, an HTTP client and tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.config import Settings
from decnet.web.api.app import create_app
from decnet.web.api.security import create_token, hash_password
from decnet.web.api.state import ApiOptions
from decnet.web.db.engine import create_engine, session_factory, transaction
from decnet.web.db.migrate import upgrade
from decnet.web.db.models import User
from tests.support.databases import scratch_database

API_BACKENDS = ("sqlite", "postgresql")
SECRET = "test-secret-" + "x" * 40
PASSWORD = "correct horse battery"
PASSWORD_HASH = hash_password(PASSWORD)
ROLE_USERS = {"viewer": "vera", "analyst": "anna", "admin": "adam"}


@pytest.fixture(params=API_BACKENDS)
async def api_engine(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    """A migrated database on SQLite or PostgreSQL."""
    async with scratch_database(request.param, tmp_path) as url:
        engine = create_engine(url)
        await upgrade(engine)
        yield engine
        await engine.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, jwt_secret=SECRET)


@pytest.fixture
def options() -> ApiOptions:
    return ApiOptions(stream_poll_s=0.05, keepalive_s=1.0)


@pytest.fixture
async def app(
    api_engine: AsyncEngine, settings: Settings, options: ApiOptions
) -> AsyncIterator[FastAPI]:
    """The app with its lifespan running; role users exist, the admin notice is kept."""
    sessions = session_factory(api_engine)
    async with transaction(sessions) as session:
        for role, name in ROLE_USERS.items():
            session.add(User(username=name, password_hash=PASSWORD_HASH, role=role))
    notices: list[object] = []
    application = create_app(
        settings, engine=api_engine, options=options, announce_admin=notices.append
    )
    application.state.notices = notices
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as c:
        yield c


def token_for(role: str, *, lifetime_s: int = 600, version: int = 1) -> str:
    """Sign a token for the test user of `role`."""
    return create_token(
        SECRET,
        username=ROLE_USERS[role],
        role=role,
        version=version,
        lifetime_s=lifetime_s,
    )


def auth(role: str = "viewer") -> dict[str, str]:
    """Return the Authorization header of the test user of `role`."""
    return {"Authorization": f"Bearer {token_for(role)}"}


@pytest.fixture
def engine_sessions(api_engine: AsyncEngine):  # type: ignore[no-untyped-def]
    return session_factory(api_engine)
