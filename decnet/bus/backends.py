"""Select a bus backend from its URL.

- `inproc://` (the default) or `inproc://NAME`: the in-process bus.
- `nats://HOST[:PORT][?stream=NAME&prefix=NAME.&connect_timeout=S&publish_timeout=S]`:
  NATS with JetStream; the port defaults to 4222, the stream to `DECNET`
  and the subject prefix to none.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from decnet.bus import topics
from decnet.bus.base import Bus
from decnet.bus.inproc import InProcessBus
from decnet.errors import ConfigError, InvalidSubjectError

DEFAULT_URL = "inproc://"
NATS_PORT = 4222
_NATS_OPTIONS = ("stream", "prefix", "connect_timeout", "publish_timeout")
_EXPECTED = "expected inproc:// or nats://HOST:PORT"


async def connect(url: str | None = None) -> Bus:
    """Open the bus named by `url` (default `inproc://`).

    Raises ConfigError naming the URL for an unknown scheme or option, and
    BusUnavailableError within a few seconds when a NATS server is down.
    """
    url = url or DEFAULT_URL
    parts = urlsplit(url)
    if parts.scheme == "inproc":
        if parts.query:
            raise ConfigError(f"bus URL {url!r} takes no options; {_EXPECTED}")
        return InProcessBus(url)
    if parts.scheme == "nats":
        return await _connect_nats(url)
    raise ConfigError(f"unsupported bus URL {url!r}; {_EXPECTED}")


async def _connect_nats(url: str) -> Bus:
    from decnet.bus.jetstream import DEFAULT_STREAM, NatsBus

    parts = urlsplit(url)
    try:
        port = parts.port or NATS_PORT
    except ValueError:
        raise ConfigError(f"invalid port in bus URL {url!r}; {_EXPECTED}") from None
    if not parts.hostname:
        raise ConfigError(f"bus URL {url!r} names no host; {_EXPECTED}")
    options = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(options) - set(_NATS_OPTIONS))
    if unknown:
        raise ConfigError(
            f"unknown option {', '.join(unknown)} in bus URL {url!r}; "
            f"expected {', '.join(_NATS_OPTIONS)}"
        )
    values = {key: items[-1] for key, items in options.items()}
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    userinfo = parts.netloc.rpartition("@")[0]
    server = f"nats://{userinfo + '@' if userinfo else ''}{host}:{port}"
    return await NatsBus.open(
        redact_bus_url(url),
        server,
        stream=_stream_name(url, values.get("stream", DEFAULT_STREAM)),
        prefix=_prefix(url, values.get("prefix", "")),
        connect_timeout=_seconds(url, values, "connect_timeout", 2.0),
        publish_timeout=_seconds(url, values, "publish_timeout", 5.0),
    )


def redact_bus_url(url: str) -> str:
    """Return `url` with any password replaced by `***`, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return parts._replace(netloc=f"{user}:***@{hostport}").geturl()


def _stream_name(url: str, name: str) -> str:
    if not name or any(c in name for c in " .*>/\\") or not name.isprintable():
        raise ConfigError(
            f"invalid stream name {name!r} in bus URL {url!r}; use letters, "
            "digits, '-' or '_'"
        )
    return name


def _prefix(url: str, prefix: str) -> str:
    if not prefix:
        return ""
    prefix = prefix if prefix.endswith(".") else prefix + "."
    try:
        topics.validate_subject(prefix[:-1])
    except InvalidSubjectError as exc:
        raise ConfigError(f"invalid subject prefix in bus URL {url!r}: {exc}") from None
    return prefix


def _seconds(url: str, values: dict[str, str], key: str, default: float) -> float:
    text = values.get(key)
    if text is None:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 300:
        raise ConfigError(
            f"invalid {key}={text!r} in bus URL {url!r}; give seconds between 0 and 300"
        )
    return seconds
