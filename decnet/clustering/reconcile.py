"""Map the model's parts onto stable identity uuids: a pure plan, no I/O.

Observations point at a *direct* identity (`attackers.identity_id`); a merged
identity points at its winner (`merged_into_uuid`), so an observation's
canonical identity is its direct identity's winner. The plan keeps uuids
stable:

- each direct identity is owned by the part holding most of its
  observations (ties: the smaller part label); its observations in other
  parts move out (a split);
- a part owning no identity forms a new one; a part owning several keeps
  the oldest (`created_at`, then uuid) as winner and merges the others into
  it. An identity already merged into another of the part never wins, so
  an analyst's merge of an older identity into a newer one keeps its
  direction. A winner that was itself merged is unmerged first;
- observations without an identity, or whose identity another part owns,
  are linked to their part's winner;
- identities that own no part keep their state, except that merged ones
  follow their winner when it is merged in turn (chains stay one hop).

Re-running the plan on its own output changes nothing.
"""

from __future__ import annotations

import dataclasses
import uuid as uuidlib
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from decnet.clustering.table import IntArray, sorted_unique


@dataclasses.dataclass(frozen=True)
class IdentityState:
    """The fields of an existing identity row that the plan uses."""

    created_at: datetime
    merged_into: str | None


@dataclasses.dataclass(frozen=True)
class Move:
    """One observation's new direct identity and why."""

    observation: int
    identity: str
    previous: str | None
    action: str  # linked, relinked or split


@dataclasses.dataclass
class Plan:
    """The changes that bring the stored identities in line with the parts.

    `winners[label]` is the canonical identity of each part. `formed` lists
    new identities with their part label and whether the part was carved out
    of existing identities (a split). `unmerge` maps an identity to its
    former winner; `merge` maps a loser to its new winner (including
    re-pointed chain members).
    """

    winners: dict[int, str] = dataclasses.field(default_factory=dict)
    formed: list[tuple[str, int, bool]] = dataclasses.field(default_factory=list)
    moves: list[Move] = dataclasses.field(default_factory=list)
    unmerge: dict[str, str] = dataclasses.field(default_factory=dict)
    merge: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.formed or self.moves or self.unmerge or self.merge)


def plan_reconciliation(
    labels: IntArray,
    direct: Sequence[str | None],
    identities: Mapping[str, IdentityState],
    *,
    new_uuid: Callable[[], str] = lambda: str(uuidlib.uuid4()),
    label_order: Callable[[int], Any] | None = None,
) -> Plan:
    """Plan the identity changes for parts `labels` over current `direct` ids.

    `direct[i]` is observation `i`'s `identity_id` (None when unresolved);
    `identities` must hold every identity named there and every winner they
    are merged into. New identities get their uuids sorted, in the order of
    `label_order(label)` (label order by default).
    """
    plan = Plan()
    owner = _owners(labels, direct)
    owned: dict[int, list[str]] = defaultdict(list)
    for identity, label in owner.items():
        owned[label].append(identity)

    label_list = labels.tolist()
    resolved_parts = {label_list[i] for i, d in enumerate(direct) if d is not None}
    unowned = []
    for label in sorted_unique(labels).tolist():
        candidates = owned.get(label)
        if candidates:
            plan.winners[label] = _pick_winner(candidates, identities)
        else:
            unowned.append(label)
    # A pass forming many identities writes them in uuid order. When uuid
    # order is also the order of a sorted column (first seen, say), the
    # inserts append to that column's index instead of writing to random
    # index pages.
    if label_order is not None:
        unowned.sort(key=label_order)
    fresh = sorted(new_uuid() for _ in unowned)
    for label, winner in zip(unowned, fresh, strict=True):
        plan.formed.append((winner, label, label in resolved_parts))
        plan.winners[label] = winner

    target = _targets(plan, owned, identities)
    for identity, state in identities.items():
        want = target.get(identity, state.merged_into)
        if state.merged_into is not None and want != state.merged_into:
            plan.unmerge[identity] = state.merged_into
        if want is not None and want != state.merged_into:
            plan.merge[identity] = want

    carved_parts = {label for _, label, carved in plan.formed if carved}
    for i, current in enumerate(direct):
        label = label_list[i]
        if current is not None and owner.get(current) == label:
            continue
        if current is None:
            action = "linked"
        elif label in carved_parts:
            action = "split"
        else:
            action = "relinked"
        plan.moves.append(Move(i, plan.winners[label], current, action))
    return plan


def _pick_winner(candidates: list[str], identities: Mapping[str, IdentityState]) -> str:
    """Return the oldest candidate that is not merged into another candidate."""
    inside = set(candidates)
    eligible = [d for d in candidates if identities[d].merged_into not in inside]
    return min(eligible or candidates, key=lambda d: (identities[d].created_at, d))


def _owners(labels: IntArray, direct: Sequence[str | None]) -> dict[str, int]:
    """Return the part that owns each direct identity (most members, then
    smallest label)."""
    codes: dict[str, int] = {}
    ident = np.fromiter(
        (-1 if d is None else codes.setdefault(d, len(codes)) for d in direct),
        dtype=np.int64,
        count=len(direct),
    )
    mask = ident >= 0
    if not mask.any():
        return {}
    pairs = np.stack([ident[mask], labels[mask]], axis=1)
    unique, counts = np.unique(pairs, axis=0, return_counts=True)
    # Sort by identity, then most members, then smallest label; keep the first.
    order = np.lexsort((unique[:, 1], -counts, unique[:, 0]))
    unique = unique[order]
    first = np.r_[True, unique[1:, 0] != unique[:-1, 0]]
    names = list(codes)
    return {
        names[i]: label
        for i, label in zip(
            unique[first, 0].tolist(), unique[first, 1].tolist(), strict=True
        )
    }


def _targets(
    plan: Plan,
    owned: Mapping[int, list[str]],
    identities: Mapping[str, IdentityState],
) -> dict[str, str | None]:
    """Return the wanted `merged_into` of every identity the plan decides."""
    target: dict[str, str | None] = {}
    for label, members in owned.items():
        winner = plan.winners[label]
        for identity in members:
            target[identity] = None if identity == winner else winner
    # Identities that own no part: a merged one follows its winner's fate.
    for identity, state in identities.items():
        if identity in target or state.merged_into is None:
            continue
        winner = state.merged_into
        if winner in target:
            final = target[winner]
        else:
            final = identities[winner].merged_into if winner in identities else None
        target[identity] = final if final is not None else winner
    return target
