"""Pagination shared by every list query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

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


async def fetch_page(
    session: AsyncSession,
    model: type[T],
    where: Sequence[Any],
    order_by: Sequence[Any],
    *,
    limit: int,
    offset: int,
) -> Page[T]:
    """Return the rows of `model` matching `where`, in `order_by` order, with
    the total count of matching rows. The caller checks the window first."""
    total = await session.scalar(
        sa.select(sa.func.count()).select_from(model).where(*where)
    )
    rows = await session.execute(
        sa.select(model).where(*where).order_by(*order_by).limit(limit).offset(offset)
    )
    return Page(total=total or 0, limit=limit, offset=offset, data=list(rows.scalars()))
