"""The NATS backend: a JetStream stream retains events for durable consumers.

`NatsBus.open` connects, then creates the stream (default `DECNET`, subjects
`identity.>`, `campaign.>`, `attacker.>`) when it is missing, so several
processes can start in any order. An optional subject prefix (for example
`fleet1.`) gives several deployments their own subjects on one server.

Publishing waits for the JetStream acknowledgement. A message published
with an outbox `seq` carries it as the `Nats-Msg-Id` header. The relay
sends a message twice after a crash or a lost acknowledgement, and the
stream stores the repeat only once when it arrives within the stream's
duplicate window. One stream therefore serves one database:
two databases publishing the same seq to one stream would collide.

Payloads travel as JSON encoded by orjson.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

import nats
import nats.errors
import nats.js.errors
import orjson
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    StorageType,
    StreamConfig,
)

from decnet.bus import topics
from decnet.bus.base import (
    Bus,
    Event,
    Handler,
    RecentSeqs,
    Subscription,
    check_pattern,
    check_publish,
    deliver,
)
from decnet.errors import BusUnavailableError, ConfigError

log = logging.getLogger(__name__)

DEFAULT_STREAM = "DECNET"
DEFAULT_DUPLICATE_WINDOW_S = 120.0
AREAS = (topics.IDENTITY, topics.CAMPAIGN, topics.ATTACKER)
MSG_ID = "Nats-Msg-Id"
# A consumer's filter must lie inside the stream's subjects, so a pattern
# that starts with a wildcard is filtered on the client instead.
_FILTER_ALL = ">"


def stream_subjects(prefix: str) -> list[str]:
    """Return the stream's subjects for a subject prefix such as `fleet1.`."""
    return [f"{prefix}{area}.>" for area in AREAS]


class NatsSubscription(Subscription):
    """A JetStream push consumer that hands events to the handler one at a time.

    Each message is acknowledged after the handler returns, so a message
    whose handler was interrupted by a disconnect is delivered again. A
    repeat of a stream sequence number already handled is acknowledged and
    skipped, so the handler receives each stored message once, in stream order.
    """

    def __init__(self, bus: NatsBus, pattern: str, handler: Handler) -> None:
        super().__init__(pattern)
        self._bus = bus
        self._handler = handler
        self._last_stream_seq = 0
        self._recent = RecentSeqs()
        self._sub: Any = None
        self.active = True

    async def on_message(self, msg: Msg) -> None:
        stream_seq = msg.metadata.sequence.stream
        if stream_seq <= self._last_stream_seq:
            await self._ack(msg)
            return
        subject = msg.subject.removeprefix(self._bus.prefix)
        if topics.matches(self.pattern, subject):
            event = self._decode(subject, msg)
            if event is not None and self._recent.first_delivery(event):
                await deliver(self._handler, event, self.pattern)
        self._last_stream_seq = stream_seq
        await self._ack(msg)

    def _decode(self, subject: str, msg: Msg) -> Event | None:
        header = (msg.headers or {}).get(MSG_ID)
        try:
            payload = orjson.loads(msg.data)
            seq = int(header) if header is not None else None
        except (orjson.JSONDecodeError, ValueError) as exc:
            log.error(
                "skipped undecodable bus message",
                extra={"subject": subject, "msg_id": header, "error": str(exc)},
            )
            return None
        if not isinstance(payload, dict):
            log.error(
                "skipped bus message whose payload is not a JSON object",
                extra={"subject": subject, "msg_id": header},
            )
            return None
        return Event(subject=subject, payload=payload, seq=seq)

    async def _ack(self, msg: Msg) -> None:
        try:
            await msg.ack()
        except nats.errors.Error as exc:
            # The server redelivers an unacknowledged message; the stream
            # sequence check above drops the repeat.
            log.warning(
                "failed to acknowledge bus message",
                extra={"subject": msg.subject, "error": repr(exc)},
            )

    async def unsubscribe(self) -> None:
        if not self.active:
            return
        self.active = False
        if self._sub is not None:
            with contextlib.suppress(nats.errors.Error, asyncio.TimeoutError):
                await self._sub.unsubscribe()


class NatsBus(Bus):
    """A client of one NATS server with JetStream; build it with `open`."""

    def __init__(
        self,
        url: str,
        nc: Client,
        js: JetStreamContext,
        *,
        stream: str,
        prefix: str,
        publish_timeout: float,
    ) -> None:
        self.url = url
        self.stream = stream
        self.prefix = prefix
        self.publish_timeout = publish_timeout
        self._nc = nc
        self._js = js
        self._subscriptions: list[NatsSubscription] = []

    @classmethod
    async def open(
        cls,
        url: str,
        server: str,
        *,
        stream: str = DEFAULT_STREAM,
        prefix: str = "",
        connect_timeout: float = 2.0,
        publish_timeout: float = 5.0,
        duplicate_window: float = DEFAULT_DUPLICATE_WINDOW_S,
    ) -> NatsBus:
        """Connect to `server`, ensure the stream exists and return the client.

        `url` is the configured URL, used in messages. Raises
        BusUnavailableError within about `connect_timeout` seconds when the
        server cannot be reached or has no JetStream, and ConfigError when
        the stream exists with other subjects or they overlap another stream.
        """
        nc = await _connect(url, server, connect_timeout)
        bus = cls(
            url,
            nc,
            nc.jetstream(timeout=publish_timeout),
            stream=stream,
            prefix=prefix,
            publish_timeout=publish_timeout,
        )
        try:
            await bus._ensure_stream(duplicate_window)
        except BaseException:
            await nc.close()
            raise
        return bus

    async def _ensure_stream(self, duplicate_window: float) -> None:
        subjects = stream_subjects(self.prefix)
        try:
            info = await self._js.stream_info(self.stream)
        except nats.js.errors.NotFoundError:
            info = None
        except (TimeoutError, nats.errors.Error) as exc:
            raise BusUnavailableError(
                f"NATS at {self.url} did not respond to a JetStream request "
                f"({type(exc).__name__}); start nats-server with JetStream "
                "enabled (-js)"
            ) from None
        if info is None:
            config = StreamConfig(
                name=self.stream,
                subjects=subjects,
                storage=StorageType.FILE,
                duplicate_window=duplicate_window,
            )
            try:
                await self._js.add_stream(config)
                log.info(
                    "created bus stream",
                    extra={"stream": self.stream, "subjects": subjects},
                )
                return
            except nats.js.errors.BadRequestError as exc:
                try:
                    info = await self._js.stream_info(self.stream)
                except nats.js.errors.NotFoundError:
                    raise ConfigError(
                        f"cannot create stream {self.stream!r} on {self.url}: "
                        f"{exc.description}; choose another subject prefix "
                        "(?prefix=NAME.) or remove the overlapping stream"
                    ) from None
        if sorted(info.config.subjects or []) != sorted(subjects):
            raise ConfigError(
                f"stream {self.stream!r} on {self.url} has subjects "
                f"{info.config.subjects}, expected {subjects}; choose another "
                "stream name (?stream=NAME) or delete that stream"
            )

    async def publish(
        self, subject: str, payload: Mapping[str, Any], *, seq: int | None = None
    ) -> None:
        check_publish(subject)
        data = orjson.dumps(dict(payload))
        headers = {MSG_ID: str(seq)} if seq is not None else None
        try:
            await self._js.publish(
                self.prefix + subject,
                data,
                timeout=self.publish_timeout,
                stream=self.stream,
                headers=headers,
            )
        except (TimeoutError, nats.errors.Error) as exc:
            raise BusUnavailableError(
                f"NATS at {self.url} did not acknowledge {subject} seq {seq} "
                f"({type(exc).__name__}: {exc}); check that the server is "
                f"running and stream {self.stream!r} exists"
            ) from None

    async def subscribe(
        self, pattern: str, handler: Handler, *, durable: str | None = None
    ) -> Subscription:
        """Subscribe through a JetStream consumer (see `Bus.subscribe`).

        Without `durable`, an ephemeral consumer delivers only messages
        stored after this call. A durable consumer starts at the oldest
        retained message and, on later calls with the same name, resumes
        after the last acknowledged one.
        """
        check_pattern(pattern)
        subscription = NatsSubscription(self, pattern, handler)
        first = pattern.split(".", 1)[0]
        literal_area = first not in ("*", ">")
        filter_subject = self.prefix + (pattern if literal_area else _FILTER_ALL)
        config = ConsumerConfig(
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL if durable else DeliverPolicy.NEW,
            max_ack_pending=1000,
        )
        try:
            subscription._sub = await self._js.subscribe(
                filter_subject,
                cb=subscription.on_message,
                durable=durable,
                stream=self.stream,
                config=config,
                manual_ack=True,
            )
        except (TimeoutError, nats.errors.Error) as exc:
            raise BusUnavailableError(
                f"cannot subscribe to {pattern!r} on NATS at {self.url} "
                f"({type(exc).__name__}: {exc}); check the server and stream "
                f"{self.stream!r}"
            ) from None
        self._subscriptions.append(subscription)
        return subscription

    async def delete_stream(self) -> None:
        """Delete this client's stream and every message in it (used by tests)."""
        with contextlib.suppress(nats.js.errors.NotFoundError):
            await self._js.delete_stream(self.stream)

    async def close(self) -> None:
        for subscription in self._subscriptions:
            await subscription.unsubscribe()
        self._subscriptions.clear()
        if not self._nc.is_closed:
            with contextlib.suppress(nats.errors.Error, asyncio.TimeoutError):
                await asyncio.wait_for(self._nc.close(), 5)


async def _connect(url: str, server: str, timeout: float) -> Client:
    """Open a connection that reconnects forever once established.

    The first connection gets one attempt bounded by `timeout`, because
    nats-py would otherwise retry a refused server for minutes.
    """
    failure = (
        f"NATS bus at {url} is unreachable; start nats-server with JetStream "
        "(nats-server -js) or set DECNET_BUS_URL / --bus to a running server"
    )
    try:
        probe = asyncio.open_connection(*_host_port(server))
        _reader, writer = await asyncio.wait_for(probe, timeout)
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    except (TimeoutError, OSError):
        raise BusUnavailableError(failure) from None

    async def on_error(exc: Exception) -> None:
        log.warning("NATS connection error", extra={"url": url, "error": repr(exc)})

    connection: list[Client] = []

    async def on_disconnect() -> None:
        if connection and not connection[0].is_closed:
            log.warning("NATS disconnected", extra={"url": url})

    async def on_reconnect() -> None:
        log.info("NATS reconnected", extra={"url": url})

    try:
        nc = await asyncio.wait_for(
            nats.connect(
                servers=[server],
                connect_timeout=timeout,
                allow_reconnect=True,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
                error_cb=on_error,
                disconnected_cb=on_disconnect,
                reconnected_cb=on_reconnect,
            ),
            timeout * 2,
        )
    except (TimeoutError, nats.errors.Error, OSError):
        raise BusUnavailableError(failure) from None
    connection.append(nc)
    return nc


def _host_port(server: str) -> tuple[str, int]:
    rest = server.split("://", 1)[-1]
    host, _, port = rest.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port)
