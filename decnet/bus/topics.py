"""Bus subjects: the constants, their builders, validation and wildcard matching.

Subjects use NATS syntax: dot-separated tokens; in a subscription pattern `*`
matches exactly one token and `>` (last token only) matches one or more
trailing tokens. Build subjects with the area builders, so that
`identity(IDENTITY_FORMED) == "identity.formed"`.
"""

from __future__ import annotations

import re
from typing import Final

from decnet.errors import InvalidSubjectError

IDENTITY: Final = "identity"
CAMPAIGN: Final = "campaign"
ATTACKER: Final = "attacker"

IDENTITY_FORMED: Final = "formed"
IDENTITY_OBSERVATION_LINKED: Final = "observation.linked"
IDENTITY_MERGED: Final = "merged"
IDENTITY_UNMERGED: Final = "unmerged"
IDENTITY_CAMPAIGN_ASSIGNED: Final = "campaign.assigned"
CAMPAIGN_FORMED: Final = "formed"
CAMPAIGN_UPDATED: Final = "updated"
ATTACKER_OBSERVED: Final = "observed"

IDENTITY_EVENTS: Final = (
    IDENTITY_FORMED,
    IDENTITY_OBSERVATION_LINKED,
    IDENTITY_MERGED,
    IDENTITY_UNMERGED,
    IDENTITY_CAMPAIGN_ASSIGNED,
)
CAMPAIGN_EVENTS: Final = (CAMPAIGN_FORMED, CAMPAIGN_UPDATED)
ATTACKER_EVENTS: Final = (ATTACKER_OBSERVED,)

# A token is printable ASCII without white space, dots or wildcards.
_TOKEN = re.compile(r"[!-)+-\-/-=?-~]+")
MAX_SUBJECT_LENGTH: Final = 255


def _build(area: str, event: str, known: tuple[str, ...]) -> str:
    if event not in known:
        raise InvalidSubjectError(
            f"unknown {area} event {event!r}; expected one of {', '.join(known)}"
        )
    return validate_subject(f"{area}.{event}")


def identity(event: str) -> str:
    """Return the subject of an identity event, e.g. `identity.formed`."""
    return _build(IDENTITY, event, IDENTITY_EVENTS)


def campaign(event: str) -> str:
    """Return the subject of a campaign event, e.g. `campaign.updated`."""
    return _build(CAMPAIGN, event, CAMPAIGN_EVENTS)


def attacker(event: str) -> str:
    """Return the subject of an observation event, e.g. `attacker.observed`."""
    return _build(ATTACKER, event, ATTACKER_EVENTS)


def _check(text: str, *, wildcards: bool) -> list[str]:
    kind = "subscription pattern" if wildcards else "subject"
    if not isinstance(text, str) or not text:
        raise InvalidSubjectError(
            f"invalid {kind} {text!r}: it must be a non-empty string"
        )
    if len(text) > MAX_SUBJECT_LENGTH:
        raise InvalidSubjectError(
            f"invalid {kind} {text[:40]!r}...: longer than "
            f"{MAX_SUBJECT_LENGTH} characters"
        )
    tokens = text.split(".")
    for position, token in enumerate(tokens):
        if wildcards and token == "*":
            continue
        if wildcards and token == ">":
            if position != len(tokens) - 1:
                raise InvalidSubjectError(
                    f"invalid {kind} {text!r}: '>' may only be the last token"
                )
            continue
        if not _TOKEN.fullmatch(token):
            allowed = "" if wildcards else "; wildcards are only allowed in patterns"
            raise InvalidSubjectError(
                f"invalid {kind} {text!r}: token {token!r} must be printable ASCII "
                f"without spaces, dots, '*' or '>'{allowed}"
            )
    return tokens


def validate_subject(subject: str) -> str:
    """Return `subject` unchanged, or raise InvalidSubjectError naming the fault."""
    _check(subject, wildcards=False)
    return subject


def validate_pattern(pattern: str) -> str:
    """Return a subscription `pattern` unchanged, or raise InvalidSubjectError."""
    _check(pattern, wildcards=True)
    return pattern


def matches(pattern: str, subject: str) -> bool:
    """Tell whether `subject` is delivered to a subscription on `pattern`."""
    want = _check(pattern, wildcards=True)
    have = _check(subject, wildcards=False)
    for position, token in enumerate(want):
        if token == ">":
            return len(have) > position
        if position >= len(have):
            return False
        if token != "*" and token != have[position]:
            return False
    return len(have) == len(want)
