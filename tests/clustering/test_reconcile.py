"""The reconciliation plan: stable uuids across passes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import numpy as np

from decnet.clustering.reconcile import IdentityState, plan_reconciliation

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _ids() -> object:
    counter = count()
    return lambda: f"new-{next(counter)}"


def _state(days: int, merged_into: str | None = None) -> IdentityState:
    return IdentityState(created_at=T0 + timedelta(days=days), merged_into=merged_into)


def test_new_part_forms_identity() -> None:
    plan = plan_reconciliation(
        np.array([0, 0, 2]), [None, None, None], {}, new_uuid=_ids()
    )
    assert [(uuid, label) for uuid, label, _ in plan.formed] == [
        ("new-0", 0),
        ("new-1", 2),
    ]
    assert {m.action for m in plan.moves} == {"linked"}


def test_new_observation_links_to_existing_identity() -> None:
    plan = plan_reconciliation(
        np.array([0, 0, 0]), ["A", "A", None], {"A": _state(0)}, new_uuid=_ids()
    )
    assert plan.formed == []
    assert [(m.observation, m.identity) for m in plan.moves] == [(2, "A")]


def test_merge_keeps_oldest_identity() -> None:
    states = {"A": _state(5), "B": _state(1)}
    plan = plan_reconciliation(np.array([0, 0]), ["A", "B"], states, new_uuid=_ids())
    assert plan.merge == {"A": "B"}
    assert plan.winners == {0: "B"}


def test_unchanged_parts_plan_nothing() -> None:
    states = {"A": _state(0), "B": _state(1, merged_into="A")}
    plan = plan_reconciliation(np.array([0, 0, 0]), ["A", "B", "A"], states)
    assert plan.empty


def test_split_carves_new_identity_from_minority() -> None:
    plan = plan_reconciliation(
        np.array([0, 0, 2]), ["A", "A", "A"], {"A": _state(0)}, new_uuid=_ids()
    )
    assert plan.formed == [("new-0", 2, True)]
    assert [(m.observation, m.action) for m in plan.moves] == [(2, "split")]


def test_unmerge_revives_loser_that_separated() -> None:
    states = {"A": _state(0), "B": _state(1, merged_into="A")}
    plan = plan_reconciliation(np.array([0, 1]), ["A", "B"], states, new_uuid=_ids())
    assert plan.unmerge == {"B": "A"}
    assert plan.merge == {}
    assert plan.formed == []


def test_chain_is_compressed_when_winner_is_merged() -> None:
    # C was merged into B; now B's part joins older A: C must point at A.
    states = {"A": _state(0), "B": _state(1), "C": _state(2, merged_into="B")}
    plan = plan_reconciliation(np.array([0, 0]), ["A", "B"], states, new_uuid=_ids())
    assert plan.merge == {"B": "A", "C": "A"}
    assert plan.unmerge == {"C": "B"}


def test_plan_applied_twice_is_empty() -> None:
    states = {"A": _state(5), "B": _state(1)}
    labels = np.array([0, 0, 0])
    first = plan_reconciliation(labels, ["A", "B", None], states, new_uuid=_ids())
    after = {
        "A": IdentityState(states["A"].created_at, first.merge.get("A")),
        "B": states["B"],
    }
    direct = ["A", "B", first.moves[0].identity]
    assert plan_reconciliation(labels, direct, after).empty
