"""Login, tokens, roles, stream tickets and first-start secrets over HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import jwt
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.config import Settings
from decnet.errors import ConfigError
from decnet.web.api.accounts import (
    JWT_SECRET_NAME,
    ensure_admin,
    load_jwt_secret,
    renew_one_time_password,
    set_password,
)
from decnet.web.api.app import create_app
from decnet.web.api.security import AUDIENCE, ISSUER, create_token, verify_password
from decnet.web.api.state import ApiOptions
from decnet.web.db.engine import session_factory, transaction
from decnet.web.db.models import AppSecret, User
from tests.web.conftest import PASSWORD, SECRET, auth, token_for


async def login(
    client: httpx.AsyncClient, username: str, password: str
) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    )


async def test_login_returns_bearer_token(client: httpx.AsyncClient) -> None:
    response = await login(client, "anna", PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    claims = jwt.decode(
        body["access_token"],
        SECRET,
        algorithms=["HS256"],
        audience=AUDIENCE,
        issuer=ISSUER,
    )
    assert claims["sub"] == "anna"
    assert claims["role"] == "analyst"


async def test_login_token_opens_identities(client: httpx.AsyncClient) -> None:
    token = (await login(client, "vera", PASSWORD)).json()["access_token"]
    response = await client.get(
        "/api/v1/identities", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("username", "password"), [("anna", "wrong password"), ("nobody", PASSWORD)]
)
async def test_login_rejects_bad_credentials(
    client: httpx.AsyncClient, username: str, password: str
) -> None:
    response = await login(client, username, password)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"detail": "invalid user name or password"}


async def test_login_rejects_missing_fields(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/login", json={"username": "anna"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "password"]


async def test_login_is_rate_limited_per_client(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    for _ in range(10):
        assert (await login(client, "anna", "wrong password")).status_code == 401
    response = await login(client, "anna", PASSWORD)
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    assert "too many login attempts" in response.json()["detail"]

    # Another client address still gets its own attempts.
    transport = httpx.ASGITransport(app=app, client=("192.0.2.44", 50000))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://api.test"
    ) as other:
        assert (await login(other, "anna", PASSWORD)).status_code == 200


def _forged(**overrides: object) -> str:
    claims: dict[str, object] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "adam",
        "role": "admin",
        "ver": 1,
        "exp": int(time.time()) + 600,
    }
    claims.update(overrides)
    secret = str(claims.pop("secret", SECRET))
    return jwt.encode(claims, secret, algorithm="HS256")


# Tokens are built when each test runs, not at import: a token made at
# collection time with a ten-minute expiry would have expired by the time a
# long suite reaches it.
BAD_TOKENS: dict[str, tuple[Callable[[], str], str]] = {
    "forged": (
        lambda: _forged(secret="another-secret-" + "y" * 40),
        "invalid access token",
    ),
    "expired": (
        lambda: _forged(exp=int(time.time()) - 10),
        "access token expired",
    ),
    "audience": (lambda: _forged(aud="someone-else"), "invalid access token"),
    "issuer": (lambda: _forged(iss="someone-else"), "invalid access token"),
    "version": (lambda: _forged(ver=7), "access token revoked"),
    "unknown": (lambda: _forged(sub="ghost"), "access token revoked"),
    "junk": (lambda: "not.a.jwt", "invalid access token"),
    "none": (
        lambda: jwt.encode({"sub": "adam"}, "", algorithm="none"),
        "invalid access token",
    ),
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
async def test_bad_token_is_401_with_bearer_challenge(
    client: httpx.AsyncClient, case: str
) -> None:
    build, message = BAD_TOKENS[case]
    response = await client.get(
        "/api/v1/identities", headers={"Authorization": f"Bearer {build()}"}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"].startswith(message)


async def test_password_change_revokes_old_tokens(
    client: httpx.AsyncClient, api_engine: AsyncEngine
) -> None:
    old = auth("viewer")
    async with transaction(session_factory(api_engine)) as session:
        await set_password(session, "vera", "a brand new password")
    response = await client.get("/api/v1/identities", headers=old)
    assert response.status_code == 401


async def test_role_comes_from_database_not_token(
    client: httpx.AsyncClient,
) -> None:
    # vera is a viewer; a token claiming admin does not grant analyst actions.
    token = create_token(
        SECRET, username="vera", role="admin", version=1, lifetime_s=60
    )
    response = await client.put(
        "/api/v1/identities/00000000-0000-4000-8000-000000000000/notes",
        json={"notes": "x"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403


async def test_me_returns_account_without_hash(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/auth/me", headers=auth("analyst"))).json()
    assert body["username"] == "anna"
    assert body["role"] == "analyst"
    assert "password_hash" not in body


async def test_change_password_needs_current_one(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/password",
        json={"current_password": "wrong", "new_password": "long enough now"},
        headers=auth("analyst"),
    )
    assert response.status_code == 401


async def test_change_password_then_login(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "long enough now"},
        headers=auth("analyst"),
    )
    assert response.status_code == 200
    assert (await login(client, "anna", "long enough now")).status_code == 200


async def test_sse_ticket_is_issued_and_stored_hashed(
    client: httpx.AsyncClient, api_engine: AsyncEngine
) -> None:
    response = await client.post("/api/v1/auth/sse-ticket", headers=auth())
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 30
    async with session_factory(api_engine)() as session:
        stored = (
            (await session.execute(sa.text("SELECT ticket_hash FROM sse_tickets")))
            .scalars()
            .all()
        )
    assert len(stored) == 1
    assert body["ticket"] not in stored


async def test_sse_ticket_needs_token(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/sse-ticket")
    assert response.status_code == 401


async def test_first_start_creates_admin_once(
    api_engine: AsyncEngine, settings: Settings
) -> None:
    notices: list[object] = []
    for _ in range(2):
        app = create_app(settings, engine=api_engine, announce_admin=notices.append)
        async with app.router.lifespan_context(app):
            pass
    assert len(notices) == 1
    async with session_factory(api_engine)() as session:
        admin = await session.scalar(sa.select(User).where(User.username == "admin"))
    assert admin is not None
    assert admin.role == "admin"
    assert admin.must_change_password


async def test_fixture_app_did_not_create_admin(app: FastAPI) -> None:
    # Accounts already existed, so no one-time password was printed.
    assert app.state.notices == []


async def test_generated_secret_is_stored_and_reused(api_engine: AsyncEngine) -> None:
    first = await load_jwt_secret(api_engine, None)
    second = await load_jwt_secret(api_engine, None)
    assert first == second
    assert len(first) >= 32
    async with session_factory(api_engine)() as session:
        stored = await session.get(AppSecret, JWT_SECRET_NAME)
    assert stored is not None


async def test_short_configured_secret_is_rejected(api_engine: AsyncEngine) -> None:
    with pytest.raises(ConfigError, match="DECNET_JWT_SECRET"):
        await load_jwt_secret(api_engine, "short")


async def test_token_lifetime_option_is_used(
    api_engine: AsyncEngine, settings: Settings
) -> None:
    app = create_app(
        settings,
        engine=api_engine,
        options=ApiOptions(token_lifetime_s=120),
        announce_admin=lambda admin: None,
    )
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://api.test"
        ) as client:
            async with transaction(session_factory(api_engine)) as session:
                from decnet.web.api.accounts import create_user

                await create_user(session, "tess", PASSWORD, "viewer")
            body = (await login(client, "tess", PASSWORD)).json()
    assert body["expires_in"] == 120


def test_token_helper_signs_for_role() -> None:
    claims = jwt.decode(
        token_for("admin"), SECRET, algorithms=["HS256"], audience=AUDIENCE
    )
    assert claims["role"] == "admin"


async def test_one_time_password_renews_until_changed(api_engine: AsyncEngine) -> None:
    first = await ensure_admin(api_engine)
    assert first is not None
    renewed = await renew_one_time_password(api_engine)
    assert renewed is not None
    assert renewed.password != first.password
    async with session_factory(api_engine)() as session:
        admin = await session.scalar(sa.select(User).where(User.username == "admin"))
    assert admin is not None
    assert verify_password(admin.password_hash, renewed.password)
    async with transaction(session_factory(api_engine)) as session:
        await set_password(session, "admin", "chosen by the admin")
    assert await renew_one_time_password(api_engine) is None


async def test_login_with_nul_is_422(client: httpx.AsyncClient) -> None:
    response = await login(client, "ad\u0000am", PASSWORD)
    assert response.status_code == 422
    assert "NUL character" in response.text


async def test_invalid_password_is_not_echoed(client: httpx.AsyncClient) -> None:
    secret = "hunter2-\u0000-do-not-echo"
    response = await login(client, "adam", secret)
    assert response.status_code == 422
    assert "do-not-echo" not in response.text
    assert "password" in response.text


async def test_search_with_nul_is_not_500(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/api/v1/identities", params={"search": "a\u0000b"}, headers=auth()
    )
    assert response.status_code in (200, 422)
