"""Analyst decisions: notes, merges, splits and cannot-link rulings."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from decnet.web.api.schemas.common import ApiModel, PageBase, StoredText
from decnet.web.api.schemas.identity import IdentityDetail

MAX_REASON_LENGTH = 2_000
MAX_SPLIT_OBSERVATIONS = 1_000

Reason = Field(default="", max_length=MAX_REASON_LENGTH)


class DecisionPublic(ApiModel):
    """A stored decision. `kind` is note, merge, split, cannot_link or must_link."""

    id: int
    kind: str
    subject_type: str
    subject_a: str
    subject_b: str | None
    detail: dict[str, Any] | None
    username: str
    created_at: datetime
    revoked_at: datetime | None


class DecisionPage(PageBase):
    """A page of decisions, newest first."""

    data: list[DecisionPublic]


class MergeRequest(BaseModel):
    """Merge `loser_uuid` into the identity named in the path."""

    loser_uuid: UUID
    reason: StoredText = Reason


class MergeResult(BaseModel):
    """The merge decision and the winning identity after the merge."""

    decision: DecisionPublic
    identity: IdentityDetail
    observation_uuids: list[str]


class SplitRequest(BaseModel):
    """Move these observations out of the identity named in the path."""

    observation_uuids: list[UUID] = Field(
        min_length=1, max_length=MAX_SPLIT_OBSERVATIONS
    )
    reason: StoredText = Reason


class CannotLinkRequest(BaseModel):
    """Two identities or two observations that must never share an identity."""

    subject_type: Literal["identity", "observation"]
    a: UUID
    b: UUID
    reason: StoredText = Reason

    @model_validator(mode="after")
    def _distinct(self) -> CannotLinkRequest:
        if self.a == self.b:
            raise ValueError(f"a and b are the same {self.subject_type} ({self.a})")
        return self
