"""Fixtures shared by every suite: databases on each backend, migrated engines."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.web.db.engine import create_engine
from decnet.web.db.migrate import upgrade
from tests.support.databases import BACKENDS, scratch_database
from tests.support.services import SKIPPED

# Public honeypot logs and bug-report cases: DECNET_SHARED_DIR, or a
# `shared` folder beside the checkout.
SHARED = Path(
    os.environ.get("DECNET_SHARED_DIR")
    or Path(__file__).resolve().parents[1].parent / "shared"
)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each storage test runs once per database backend."""
    return request.param


@pytest.fixture
async def db_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty, unmigrated database on the current backend."""
    async with scratch_database(backend, tmp_path) as url:
        yield url


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated database on the current backend."""
    engine = create_engine(db_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated SQLite database, for tests that do not exercise storage."""
    engine = create_engine(f"sqlite:///{tmp_path / 'decnet.sqlite'}")
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def shared_dir() -> Path:
    """The shared corpus and cases folder beside the repository, or skip."""
    if not SHARED.is_dir():
        pytest.skip(
            f"shared data folder {SHARED} is absent; corpus tests need it "
            "(set DECNET_SHARED_DIR to its path)"
        )
    return SHARED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SKIPPED:
        terminalreporter.write_line(
            "server suites skipped (server not reachable): "
            + ", ".join(sorted(SKIPPED))
        )
