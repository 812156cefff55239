"""The outbox table on every database: events live and die with their transaction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.bus import topics
from decnet.bus.outbox import append_event, events_after
from decnet.bus.payloads import CampaignAssigned, IdentityMerged
from decnet.errors import InvalidSubjectError
from decnet.web.db.engine import session_factory, transaction
from decnet.web.db.models import OutboxEvent
from tests.bus.conftest import OBSERVED, observed, write_events

MERGED = topics.identity(topics.IDENTITY_MERGED)
ASSIGNED = topics.identity(topics.IDENTITY_CAMPAIGN_ASSIGNED)


class ChangeFailedError(Exception):
    """Stands for any failure of the change an event describes."""


async def _all_events(engine: AsyncEngine) -> list[OutboxEvent]:
    async with session_factory(engine)() as session:
        query = sa.select(OutboxEvent).order_by(OutboxEvent.seq)
        return list((await session.execute(query)).scalars().all())


async def test_event_commits_with_transaction(engine: AsyncEngine) -> None:
    async with transaction(session_factory(engine)) as session:
        append_event(session, OBSERVED, observed(1))
    [row] = await _all_events(engine)
    assert row.subject == "attacker.observed"
    assert row.payload == observed(1).model_dump(mode="json")
    assert row.published_at is None
    assert row.created_at.tzinfo is not None


async def test_event_rolls_back_with_transaction(engine: AsyncEngine) -> None:
    with pytest.raises(ChangeFailedError):
        async with transaction(session_factory(engine)) as session:
            append_event(session, OBSERVED, observed(1))
            await session.flush()
            raise ChangeFailedError
    assert await _all_events(engine) == []


async def test_seq_increases_across_transactions(engine: AsyncEngine) -> None:
    seqs = await write_events(engine, 5)
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 5


async def test_seq_increases_within_transaction(engine: AsyncEngine) -> None:
    async with transaction(session_factory(engine)) as session:
        for number in range(3):
            append_event(session, OBSERVED, observed(number))
    seqs = [row.seq for row in await _all_events(engine)]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 3


async def test_append_rejects_wrong_payload_model(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session:
        with pytest.raises(TypeError, match="must be IdentityMerged, got"):
            append_event(session, MERGED, observed(1))


async def test_append_rejects_unknown_subject(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session:
        with pytest.raises(InvalidSubjectError):
            append_event(session, "identity.split", observed(1))


async def _write_mixed(engine: AsyncEngine) -> None:
    async with transaction(session_factory(engine)) as session:
        append_event(session, OBSERVED, observed(1))
        append_event(
            session,
            MERGED,
            IdentityMerged(
                winner_uuid="w",
                loser_uuid="l",
                observation_uuids=[],
                confidence_after=None,
            ),
        )
        append_event(session, OBSERVED, observed(2))
        append_event(
            session, ASSIGNED, CampaignAssigned(identity_uuid="w", campaign_uuid="c")
        )


async def test_events_after_filters_by_pattern(engine: AsyncEngine) -> None:
    await _write_mixed(engine)
    async with session_factory(engine)() as session:
        rows = await events_after(session, 0, ["identity.>"])
    assert [row.subject for row in rows] == [MERGED, ASSIGNED]


async def test_events_after_starts_above_seq(engine: AsyncEngine) -> None:
    await _write_mixed(engine)
    all_rows = await _all_events(engine)
    async with session_factory(engine)() as session:
        rows = await events_after(session, all_rows[1].seq or 0)
    assert [row.seq for row in rows] == [row.seq for row in all_rows[2:]]


async def test_events_after_respects_limit(engine: AsyncEngine) -> None:
    seqs = await write_events(engine, 5)
    async with session_factory(engine)() as session:
        first = await events_after(session, 0, limit=2)
        rest = await events_after(session, first[-1].seq or 0, limit=10)
    assert [row.seq for row in first] == seqs[:2]
    assert [row.seq for row in rest] == seqs[2:]


async def test_events_after_star_skips_two_tokens(engine: AsyncEngine) -> None:
    await _write_mixed(engine)
    async with session_factory(engine)() as session:
        rows = await events_after(session, 0, ["identity.*", "attacker.*"])
    assert [row.subject for row in rows] == [OBSERVED, MERGED, OBSERVED]


async def test_events_after_unmatched_pattern_is_empty(engine: AsyncEngine) -> None:
    await _write_mixed(engine)
    async with session_factory(engine)() as session:
        assert await events_after(session, 0, ["campaign.>"]) == []


async def test_events_after_rejects_invalid_pattern(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session:
        with pytest.raises(InvalidSubjectError):
            await events_after(session, 0, ["identity.>.formed"])


async def test_events_after_rejects_zero_limit(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session:
        with pytest.raises(ValueError, match="limit must be at least 1, got 0"):
            await events_after(session, 0, limit=0)
