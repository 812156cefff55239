"""The built dashboard: static files, client-route fallback, API paths kept."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from decnet.web.api.state import ApiOptions

INDEX = "<!doctype html><title>DECNET</title>"


@pytest.fixture
def options(tmp_path: Path) -> ApiOptions:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "app.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("outside")
    return ApiOptions(dashboard_dir=dist)


async def test_root_serves_index(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.text == INDEX


async def test_client_route_falls_back_to_index(client: httpx.AsyncClient) -> None:
    response = await client.get("/identities/0b7c3c9e-1d2f-4a5b-8c6d-7e8f9a0b1c2d")
    assert response.status_code == 200
    assert response.text == INDEX


async def test_asset_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/assets/app.js")
    assert response.status_code == 200
    assert response.text == "console.log(1)"


async def test_path_outside_dist_is_not_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/%2e%2e/secret.txt")
    assert "outside" not in response.text


async def test_unknown_api_path_stays_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v2/identities")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
