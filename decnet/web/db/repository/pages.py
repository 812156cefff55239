"""Pagination shared by every list query."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from decnet.errors import InputError

T = TypeVar("T")

MAX_LIMIT = 1000


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: `data` holds at most `limit` rows starting at `offset`."""

    total: int
    limit: int
    offset: int
    data: list[T] = field(default_factory=list)


def check_window(limit: int, offset: int) -> None:
    """Raise InputError unless 1 <= limit <= MAX_LIMIT and offset >= 0."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"invalid limit {limit}: expected 1 to {MAX_LIMIT}")
    if offset < 0:
        raise InputError(f"invalid offset {offset}: expected 0 or more")
