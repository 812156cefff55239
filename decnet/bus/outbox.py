"""The transactional outbox: events written with the change they describe.

`append_event` adds an event to the caller's open session, so the event
commits or rolls back with the change. A relay (see `OutboxRelay`) later
publishes unpublished events in sequence order.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from decnet.bus.payloads import Payload, payload_model
from decnet.web.db.models import OutboxEvent


def append_event(session: AsyncSession, subject: str, payload: Payload) -> OutboxEvent:
    """Stage `payload` for `subject` in `session`'s transaction and return the row.

    Raises InvalidSubjectError for an unknown subject and TypeError when the
    payload is not the subject's model.
    """
    model = payload_model(subject)
    if not isinstance(payload, model):
        raise TypeError(
            f"payload for {subject} must be {model.__name__}, got {type(payload).__name__}"
        )
    event = OutboxEvent(subject=subject, payload=payload.model_dump(mode="json"))
    session.add(event)
    return event
