"""The transactional outbox: events written with the change they describe.

`append_event` adds an event to the caller's open session, so the event
commits or rolls back with the change. A relay (`decnet.bus.relay.OutboxRelay`)
later publishes unpublished events in sequence order, and `events_after`
reads them back for consumers that resume from a sequence number.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from decnet.bus import topics
from decnet.bus.payloads import PAYLOADS, Payload, payload_model
from decnet.web.db.models import OutboxEvent


def append_event(session: AsyncSession, subject: str, payload: Payload) -> OutboxEvent:
    """Stage `payload` for `subject` in `session`'s transaction and return the row.

    Raises InvalidSubjectError for an unknown subject and TypeError when the
    payload is not the subject's model.
    """
    model = payload_model(subject)
    if not isinstance(payload, model):
        raise TypeError(
            f"payload for {subject} must be {model.__name__}, "
            f"got {type(payload).__name__}"
        )
    event = OutboxEvent(subject=subject, payload=payload.model_dump(mode="json"))
    session.add(event)
    return event


async def events_after(
    session: AsyncSession,
    seq: int,
    patterns: Sequence[str] = (">",),
    limit: int = 500,
) -> list[OutboxEvent]:
    """Return committed events with a seq above `seq`, ascending, at most `limit`.

    Only events whose subject matches one of the subscription `patterns`
    are returned, so a consumer resuming from its last seen seq (an SSE
    `Last-Event-ID`) reads the same events as a bus subscription on those
    patterns. Raises InvalidSubjectError for an invalid pattern and
    ValueError for a `limit` below 1. Rows of a transaction that commits
    after a later seq was read are not returned again by a later call.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    for pattern in patterns:
        topics.validate_pattern(pattern)
    subjects = sorted(
        subject
        for subject in PAYLOADS
        if any(topics.matches(pattern, subject) for pattern in patterns)
    )
    if not subjects:
        return []
    table = OutboxEvent.__table__  # type: ignore[attr-defined]
    query = (
        sa.select(OutboxEvent)
        .where(table.c.seq > seq, table.c.subject.in_(subjects))
        .order_by(table.c.seq)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars().all())
