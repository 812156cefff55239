"""Typed payloads, one model per bus topic.

`PAYLOADS` maps each subject to its model; `parse_payload` validates an
incoming message. Timestamps travel as ISO 8601 UTC strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from decnet.bus import topics


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IdentityFormed(Payload):
    identity_uuid: str
    observation_uuids: list[str] = Field(min_length=1)
    confidence: float | None
    first_seen_at: datetime | None


class ObservationLinked(Payload):
    identity_uuid: str
    observation_uuid: str
    confidence_after: float | None


class IdentityMerged(Payload):
    winner_uuid: str
    loser_uuid: str
    observation_uuids: list[str]
    confidence_after: float | None


class IdentityUnmerged(Payload):
    identity_uuid: str
    former_winner_uuid: str
    observation_uuids: list[str]


class CampaignAssigned(Payload):
    identity_uuid: str
    campaign_uuid: str


class CampaignChanged(Payload):
    campaign_uuid: str
    identity_uuids: list[str]
    confidence: float | None


class AttackerObserved(Payload):
    observation_uuid: str
    ip: str


PAYLOADS: dict[str, type[Payload]] = {
    topics.identity(topics.IDENTITY_FORMED): IdentityFormed,
    topics.identity(topics.IDENTITY_OBSERVATION_LINKED): ObservationLinked,
    topics.identity(topics.IDENTITY_MERGED): IdentityMerged,
    topics.identity(topics.IDENTITY_UNMERGED): IdentityUnmerged,
    topics.identity(topics.IDENTITY_CAMPAIGN_ASSIGNED): CampaignAssigned,
    topics.campaign(topics.CAMPAIGN_FORMED): CampaignChanged,
    topics.campaign(topics.CAMPAIGN_UPDATED): CampaignChanged,
    topics.attacker(topics.ATTACKER_OBSERVED): AttackerObserved,
}


def payload_model(subject: str) -> type[Payload]:
    """Return the payload model of `subject`, or raise InvalidSubjectError."""
    topics.validate_subject(subject)
    try:
        return PAYLOADS[subject]
    except KeyError:
        raise topics.InvalidSubjectError(
            f"no payload model for subject {subject!r}; "
            f"known: {', '.join(sorted(PAYLOADS))}"
        ) from None


def parse_payload(subject: str, data: dict[str, Any]) -> Payload:
    """Validate `data` as the payload of `subject`.

    Raises pydantic's ValidationError on a mismatch and InvalidSubjectError
    for an unknown subject.
    """
    return payload_model(subject).model_validate(data)
