"""Fixtures for the API suites: a migrated database per test on SQLite and
PostgreSQL, the app with its lifespan running, an HTTP client and tokens.

Running the migrations takes 0.5 to 4 seconds per database on a loaded
2-core machine, so each backend is migrated once per session into a
template. Every test gets a fresh copy of it: a file copy on SQLite,
`CREATE DATABASE ... TEMPLATE` on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.config import Settings
from decnet.web.api.app import create_app
from decnet.web.api.security import create_token, hash_password
from decnet.web.api.state import ApiOptions
from decnet.web.db.engine import create_engine, session_factory, transaction
from decnet.web.db.migrate import upgrade
from decnet.web.db.models import User
from tests.support.services import POSTGRES, require

API_BACKENDS = ("sqlite", "postgresql")
SECRET = "test-secret-" + "x" * 40
PASSWORD = "correct horse battery"
PASSWORD_HASH = hash_password(PASSWORD)
ROLE_USERS = {"viewer": "vera", "analyst": "anna", "admin": "adam"}


class MigratedTemplates:
    """Migrated template databases, made on first use and dropped at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sqlite_file: Path | None = None
        self.postgres_name: str | None = None

    async def sqlite(self) -> Path:
        if self.sqlite_file is None:
            path = self.folder / "template.sqlite"
            await _migrate(f"sqlite:///{path}")
            self.sqlite_file = path
        return self.sqlite_file

    async def postgres(self) -> str:
        if self.postgres_name is None:
            name = f"decnet_tmpl_{uuid.uuid4().hex[:12]}"
            await _create_postgres(name, None)
            self.postgres_name = name
            await _migrate(_postgres_url(name))
        return self.postgres_name

    def drop(self) -> None:
        if self.postgres_name is not None:
            asyncio.run(_drop_postgres(self.postgres_name))


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()


def _postgres_url(name: str) -> str:
    url = make_url(POSTGRES.url).set(database=name)
    return url.render_as_string(hide_password=False)


async def _create_postgres(name: str, template: str | None) -> None:
    admin = create_engine(
        POSTGRES.url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool
    )
    statement = f"CREATE DATABASE {name}"
    if template is not None:
        statement += f" TEMPLATE {template}"
    try:
        async with admin.connect() as conn:
            await conn.execute(sa.text(statement))
    finally:
        await admin.dispose()


async def _drop_postgres(name: str) -> None:
    admin = create_engine(
        POSTGRES.url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool
    )
    try:
        async with admin.connect() as conn:
            await conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    finally:
        await admin.dispose()


@pytest.fixture(scope="session")
def migrated_templates(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[MigratedTemplates]:
    templates = MigratedTemplates(tmp_path_factory.mktemp("templates"))
    yield templates
    templates.drop()


@pytest.fixture(params=API_BACKENDS)
async def api_engine(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    migrated_templates: MigratedTemplates,
) -> AsyncIterator[AsyncEngine]:
    """A migrated database of its own on SQLite or PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "decnet.sqlite"
        shutil.copyfile(await migrated_templates.sqlite(), path)
        engine = create_engine(f"sqlite:///{path}")
        yield engine
        await engine.dispose()
        return

    require(POSTGRES)
    name = f"decnet_t_{uuid.uuid4().hex[:16]}"
    await _create_postgres(name, await migrated_templates.postgres())
    engine = create_engine(_postgres_url(name))
    try:
        yield engine
    finally:
        await engine.dispose()
        await _drop_postgres(name)


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
