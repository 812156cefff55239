"""Event bus: topic names, payload models, backends and the transactional outbox.

`connect(url)` opens a `Bus` (`inproc://` by default, `nats://HOST:PORT` for
NATS with JetStream); `decnet.bus.relay.OutboxRelay` publishes the events
that `decnet.bus.outbox.append_event` wrote with each change.
"""

from decnet.bus.backends import DEFAULT_URL, connect
from decnet.bus.base import Bus, Event, Handler, Subscription

__all__ = ["DEFAULT_URL", "Bus", "Event", "Handler", "Subscription", "connect"]
