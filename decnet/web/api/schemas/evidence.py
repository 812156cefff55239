"""Evidence that holds an identity together, and observation history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from decnet.web.api.schemas.common import ApiModel, PageBase


class LinkPublic(ApiModel):
    """One accepted link between two observations.

    `features` lists `{"kind", "value", "frequency", "weight"}`: frequency is
    the number of observations carrying the value, weight its match weight
    in bits.
    """

    id: int
    identity_uuid: str
    observation_a: str
    observation_b: str
    weight_bits: float
    posterior: float
    features: list[dict[str, Any]]
    created_at: datetime


class FeatureEvidence(ApiModel):
    """One feature value shared inside an identity, summed over its links.

    `link_count` is the number of links that used the value; `weight` the
    largest weight in bits it contributed to one link; `frequency` the
    largest fleet frequency recorded for it.
    """

    kind: str
    value: str
    frequency: int | None
    weight: float | None
    link_count: int = Field(ge=1)


class EvidencePublic(PageBase):
    """The links of an identity (paginated) and the features across all of them."""

    identity_uuid: str
    features: list[FeatureEvidence]
    data: list[LinkPublic]


class HistoryPublic(ApiModel):
    """One change of an observation's identity, with who made it and why."""

    id: int
    observation_uuid: str
    identity_uuid: str | None
    previous_identity_uuid: str | None
    action: str
    reason: str
    confidence: float | None
    actor: str
    created_at: datetime


class HistoryPage(PageBase):
    """A page of history entries, oldest first."""

    data: list[HistoryPublic]
