"""The bus interface every backend implements, and the event it delivers.

A `Bus` publishes JSON payloads on subjects from `decnet.bus.topics` and
delivers them to handlers subscribed by pattern (`*` one token, `>` one or
more trailing tokens). Use it as an async context manager, or call `close`.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from decnet.bus import topics
from decnet.bus.payloads import payload_model

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """One delivered message: its subject, JSON payload and outbox sequence number.

    `seq` is the `outbox_events.seq` of the row the relay published, or None
    for a message published without one.
    """

    subject: str
    payload: dict[str, Any] = field(hash=False)
    seq: int | None = None


Handler = Callable[[Event], Awaitable[None]]


class Subscription(ABC):
    """A live subscription; `unsubscribe` stops delivery and is idempotent."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    @abstractmethod
    async def unsubscribe(self) -> None:
        """Stop delivering to the handler; messages already queued are dropped."""


class Bus(ABC):
    """Publish events and subscribe to subject patterns.

    Backends: `InProcessBus` (`inproc://`) and `NatsBus` (`nats://`). Build
    one with `decnet.bus.connect(url)`.
    """

    url: str

    @abstractmethod
    async def publish(
        self, subject: str, payload: Mapping[str, Any], *, seq: int | None = None
    ) -> None:
        """Publish `payload` on `subject` and return once the bus has accepted it.

        Raises InvalidSubjectError for a subject that is not a known topic and
        BusUnavailableError when the bus does not accept the message.
        """

    @abstractmethod
    async def subscribe(
        self, pattern: str, handler: Handler, *, durable: str | None = None
    ) -> Subscription:
        """Call `handler` with every event whose subject matches `pattern`.

        Events reach one subscription one at a time, in publish order, and
        a seq among the last 4,096 it delivered is not delivered again. An
        exception raised by the handler is logged with the subject and seq
        and does not reach the publisher. `durable` names a consumer that
        resumes where it stopped on backends that retain messages.
        """

    @abstractmethod
    async def close(self) -> None:
        """End every subscription of this client and release its connection."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


def check_publish(subject: str) -> None:
    """Raise InvalidSubjectError unless `subject` is a known topic."""
    payload_model(subject)


def check_pattern(pattern: str) -> None:
    """Raise InvalidSubjectError unless `pattern` is a valid subscription pattern."""
    topics.validate_pattern(pattern)


class RecentSeqs:
    """The last `capacity` seqs a subscription delivered, to drop repeats.

    The relay sends an event again when marking it published failed, so
    a subscription skips a seq it delivered recently. Events without a
    seq are never skipped.
    """

    def __init__(self, capacity: int = 4096) -> None:
        self._order: deque[int] = deque()
        self._seen: set[int] = set()
        self._capacity = capacity

    def first_delivery(self, event: Event) -> bool:
        """Record `event`'s seq; return False when it was delivered before."""
        if event.seq is None:
            return True
        if event.seq in self._seen:
            log.debug(
                "skipped repeated bus event",
                extra={"subject": event.subject, "seq": event.seq},
            )
            return False
        self._seen.add(event.seq)
        self._order.append(event.seq)
        if len(self._order) > self._capacity:
            self._seen.discard(self._order.popleft())
        return True


async def deliver(handler: Handler, event: Event, pattern: str) -> None:
    """Run `handler` on `event`, logging (never raising) what it raises."""
    try:
        await handler(event)
    except Exception:  # a handler fault must not stop the subscription
        log.exception(
            "bus handler failed",
            extra={"subject": event.subject, "seq": event.seq, "pattern": pattern},
        )
