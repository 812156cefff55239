"""Settings read from environment variables.

`DECNET_HOME` (default `~/.local/share/decnet`) holds the default SQLite
database and generated secrets. `DECNET_DB_URL` overrides the database;
`DECNET_BUS_URL` selects the bus (`inproc://` by default, `nats://HOST:PORT`
for NATS); `DECNET_JWT_SECRET` signs API tokens (generated and stored under
`DECNET_HOME` when unset).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOME = Path("~/.local/share/decnet").expanduser()


class Settings(BaseSettings):
    """Process-wide settings; every field has a `DECNET_` environment variable."""

    model_config = SettingsConfigDict(env_prefix="DECNET_", extra="ignore")

    home: Path = Field(default=DEFAULT_HOME)
    db_url: str | None = None
    bus_url: str = "inproc://"
    jwt_secret: str | None = None
    log_level: str = "INFO"
    require_services: bool = False

    def database_url(self) -> str:
        """Return the configured database URL, or the SQLite file under home."""
        if self.db_url:
            return self.db_url
        return f"sqlite:///{self.home.expanduser() / 'decnet.sqlite'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the settings read from the environment at first call."""
    return Settings()
