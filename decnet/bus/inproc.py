"""The in-process bus: the embedded default, with no server and no retention.

Every client connected to the same URL in one process shares one hub, so
`inproc://` joins the default hub and `inproc://NAME` a separate one.
Each subscription owns a queue and a task that calls its handler, so a
slow handler delays only its own subscription. A full queue makes
`publish` wait, which pushes back on the relay instead of growing memory.
Subscribers receive only what is published after they subscribe.

NOTE: a hub serves one event loop; clients on other loops or threads are
not supported.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

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
from decnet.errors import BusUnavailableError

log = logging.getLogger(__name__)

DEFAULT_QUEUE_SIZE = 10_000
_HUBS: dict[str, _Hub] = {}


class _Hub:
    """The subscriptions of every client on one `inproc://NAME` URL."""

    def __init__(self) -> None:
        self.subscriptions: list[InProcessSubscription] = []

    def matching(self, subject: str) -> list[InProcessSubscription]:
        return [s for s in self.subscriptions if topics.matches(s.pattern, subject)]


def hub_for(name: str) -> _Hub:
    """Return the process-wide hub called `name`, creating it on first use."""
    return _HUBS.setdefault(name, _Hub())


class InProcessSubscription(Subscription):
    """A queue and a task that hands each queued event to the handler in order."""

    def __init__(
        self, hub: _Hub, pattern: str, handler: Handler, queue_size: int
    ) -> None:
        super().__init__(pattern)
        self._hub = hub
        self._handler = handler
        self._queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=queue_size)
        self._recent = RecentSeqs()
        self._task = asyncio.create_task(self._run(), name=f"inproc-bus {pattern}")
        self.active = True

    async def put(self, event: Event) -> None:
        if self.active:
            await self._queue.put(event)

    async def _run(self) -> None:
        while True:
            event = await self._queue.get()
            if self._recent.first_delivery(event):
                await deliver(self._handler, event, self.pattern)

    async def unsubscribe(self) -> None:
        if not self.active:
            return
        self.active = False
        with contextlib.suppress(ValueError):
            self._hub.subscriptions.remove(self)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class InProcessBus(Bus):
    """A client of one in-process hub; see the module docstring for semantics."""

    def __init__(self, url: str, *, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self.url = url
        self._hub = hub_for(url.removeprefix("inproc://"))
        self._queue_size = queue_size
        self._subscriptions: list[InProcessSubscription] = []
        self._closed = False

    async def publish(
        self, subject: str, payload: Mapping[str, Any], *, seq: int | None = None
    ) -> None:
        check_publish(subject)
        if self._closed:
            raise BusUnavailableError(
                f"bus {self.url} is closed; connect again before publishing"
            )
        event = Event(subject=subject, payload=dict(payload), seq=seq)
        for subscription in self._hub.matching(subject):
            await subscription.put(event)

    async def subscribe(
        self, pattern: str, handler: Handler, *, durable: str | None = None
    ) -> Subscription:
        """Subscribe `handler` to `pattern`; `durable` has no effect in process."""
        check_pattern(pattern)
        if self._closed:
            raise BusUnavailableError(
                f"bus {self.url} is closed; connect again before subscribing"
            )
        subscription = InProcessSubscription(
            self._hub, pattern, handler, self._queue_size
        )
        self._hub.subscriptions.append(subscription)
        self._subscriptions.append(subscription)
        return subscription

    async def close(self) -> None:
        self._closed = True
        for subscription in self._subscriptions:
            await subscription.unsubscribe()
        self._subscriptions.clear()
