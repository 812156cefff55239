"""Pieces shared by both backends: the repeat filter and handler isolation."""

from __future__ import annotations

from decnet.bus.base import Event, RecentSeqs


def _event(seq: int | None) -> Event:
    return Event(subject="attacker.observed", payload={}, seq=seq)


def test_recent_seqs_skips_repeat() -> None:
    recent = RecentSeqs()
    assert recent.first_delivery(_event(1))
    assert not recent.first_delivery(_event(1))


def test_recent_seqs_forgets_beyond_capacity() -> None:
    recent = RecentSeqs(capacity=2)
    for seq in (1, 2, 3):
        assert recent.first_delivery(_event(seq))
    assert recent.first_delivery(_event(1))
    assert not recent.first_delivery(_event(3))


def test_recent_seqs_passes_events_without_seq() -> None:
    recent = RecentSeqs()
    assert recent.first_delivery(_event(None))
    assert recent.first_delivery(_event(None))
