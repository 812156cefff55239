"""Property-based requests from the OpenAPI schema: no input makes a 5xx.

A uvicorn server runs the app on SQLite in a thread of its own, with a few
seeded rows, and every generated request carries an admin token so that
the handlers behind authentication are reached too. The event streams are
left out because they never end; they are tested in test_api_events.py.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from decnet.config import Settings
from decnet.web.api.app import create_app
from decnet.web.api.security import create_token
from decnet.web.db.engine import create_engine, session_factory, transaction
from decnet.web.db.migrate import upgrade
from decnet.web.db.models import User
from tests.web.conftest import PASSWORD_HASH, SECRET
from tests.web.seed import seed
from tests.web.sse import free_port

# Generated requests per operation; raise it for a longer run, for example
# DECNET_SCHEMA_EXAMPLES=200.
MAX_EXAMPLES = int(os.environ.get("DECNET_SCHEMA_EXAMPLES", "25"))

schema = schemathesis.openapi.from_dict(
    create_app(Settings(jwt_secret=SECRET)).openapi()
).exclude(path_regex=r".*/events$")


async def _prepare(url: str) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    await seed(engine)
    async with transaction(session_factory(engine)) as session:
        session.add(User(username="adam", password_hash=PASSWORD_HASH, role="admin"))
    await engine.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home: Path = tmp_path_factory.mktemp("schema")
    url = f"sqlite:///{home / 'decnet.sqlite'}"
    asyncio.run(_prepare(url))
    app = create_app(
        Settings(home=home, db_url=url, jwt_secret=SECRET),
        announce_admin=lambda admin: None,
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        threading.Event().wait(0.02)
    else:
        raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(15)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error(case: schemathesis.Case, server: str) -> None:
    token = create_token(
        SECRET, username="adam", role="admin", version=1, lifetime_s=600
    )
    response = case.call(
        base_url=server, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    case.validate_response(response, checks=[not_a_server_error])
