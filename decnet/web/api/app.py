"""The application factory: routes under /api/v1, error mapping, dashboard.

`create_app(settings)` returns a FastAPI app whose lifespan opens the
database (migrating it when behind), loads or generates the token signing
secret, and creates the first admin account when there is none. Pass
`engine` to share an engine the caller owns (tests, `decnet run`).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet import __version__
from decnet.config import Settings, get_settings
from decnet.web.api.accounts import InitialAdmin, ensure_admin, load_jwt_secret
from decnet.web.api.errors import install_error_handlers
from decnet.web.api.limits import BodySizeLimitMiddleware
from decnet.web.api.metrics import ApiMetrics, MetricsMiddleware
from decnet.web.api.ratelimit import SlidingWindowLimiter
from decnet.web.api.state import ApiOptions, AppState
from decnet.web.api.streams import StreamRegistry
from decnet.web.db.engine import create_engine, session_factory
from decnet.web.db.migrate import ensure_schema
from decnet.web.router import (
    attackers,
    auth,
    campaigns,
    decisions,
    events,
    health,
    identities,
)

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
DEFAULT_DASHBOARD = Path(__file__).resolve().parents[3] / "decnet_web" / "dist"

AdminAnnouncer = Callable[[InitialAdmin], None]


def print_initial_admin(admin: InitialAdmin) -> None:
    """Print the first admin's one-time password to standard error, once."""
    print(
        f"created user {admin.username!r} with one-time password {admin.password} "
        "(shown only now; change it with `decnet users passwd "
        f"{admin.username}`)",
        file=sys.stderr,
        flush=True,
    )


def create_app(
    settings: Settings | None = None,
    *,
    engine: AsyncEngine | None = None,
    options: ApiOptions | None = None,
    announce_admin: AdminAnnouncer = print_initial_admin,
) -> FastAPI:
    """Build the API application; see the module docstring for its lifespan."""
    settings = settings or get_settings()
    options = options or ApiOptions()
    owns_engine = engine is None
    engine = engine or create_engine(settings.database_url())
    state = AppState(
        settings=settings,
        options=options,
        engine=engine,
        sessions=session_factory(engine),
        metrics=ApiMetrics(),
        login_limiter=SlidingWindowLimiter(
            options.login_attempts, options.login_window_s
        ),
        streams=StreamRegistry(options.max_streams_per_user),
        owns_engine=owns_engine,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await ensure_schema(state.engine)
        state.jwt_secret = await load_jwt_secret(state.engine, settings.jwt_secret)
        admin = await ensure_admin(state.engine)
        if admin is not None:
            announce_admin(admin)
        log.info("api started", extra={"version": __version__})
        try:
            yield
        finally:
            if state.owns_engine:
                await state.engine.dispose()
            log.info("api stopped")

    app = FastAPI(
        title="DECNET",
        version=__version__,
        summary="Honeypot observations resolved into identities and campaigns.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        # FastAPI's documentation pages load their scripts from a public CDN,
        # which a sensor network without internet access cannot reach and
        # which would tell that CDN who reads the API. The schema is served.
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.decnet = state
    install_error_handlers(app)
    app.add_middleware(MetricsMiddleware, metrics=state.metrics)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=options.max_body_bytes)

    api = APIRouter(prefix=API_PREFIX)
    api.include_router(auth.router)
    # The stream routes come before `/identities/{uuid}` and
    # `/campaigns/{uuid}`, which would otherwise capture "events".
    api.include_router(events.router)
    api.include_router(identities.router)
    api.include_router(decisions.router)
    api.include_router(attackers.router)
    api.include_router(campaigns.router)
    api.include_router(health.router)
    app.include_router(api)
    app.add_api_route(
        "/metrics", health.get_metrics, include_in_schema=False, methods=["GET"]
    )

    dashboard = options.dashboard_dir or DEFAULT_DASHBOARD
    if (dashboard / "index.html").is_file():
        _mount_dashboard(app, dashboard)
    return app


def _mount_dashboard(app: FastAPI, root: Path) -> None:
    """Serve the built dashboard, falling back to index.html for client routes."""
    root = root.resolve()
    index = root / "index.html"

    async def dashboard(path: str) -> Response:
        if path == "api" or path.startswith("api/"):
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            return FileResponse(candidate)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    app.add_api_route(
        "/{path:path}", dashboard, methods=["GET"], include_in_schema=False
    )
    log.info("serving dashboard", extra={"path": str(root)})
