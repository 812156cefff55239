"""Per-application state: engine, sessions, signing secret, limits, counters."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from decnet.config import Settings
from decnet.web.api.metrics import ApiMetrics
from decnet.web.api.ratelimit import SlidingWindowLimiter
from decnet.web.api.streams import StreamRegistry


@dataclass(frozen=True)
class ApiOptions:
    """Tunable limits of the API; the defaults suit one operator's fleet.

    Times are seconds, sizes bytes.
    """

    token_lifetime_s: int = 3600
    ticket_lifetime_s: int = 30
    max_streams_per_user: int = 8
    stream_poll_s: float = 0.5
    keepalive_s: float = 15.0
    max_body_bytes: int = 1024 * 1024
    login_attempts: int = 10
    login_window_s: float = 60.0
    dashboard_dir: Path | None = None


@dataclass
class AppState:
    """Everything a request handler needs, stored on `app.state.decnet`."""

    settings: Settings
    options: ApiOptions
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    metrics: ApiMetrics
    login_limiter: SlidingWindowLimiter
    streams: StreamRegistry
    jwt_secret: str = ""
    owns_engine: bool = False
    notices: list[str] = field(default_factory=list)
