"""Subject constants, builders, validation, wildcard matching and payload models.

`pytest tests/bus/test_topics.py -k identity` selects the identity topic
tests; the campaign, attacker and wildcard tests run with the whole file.
"""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from decnet.bus import payloads, topics
from decnet.errors import InvalidSubjectError

ROOT = Path(__file__).resolve().parents[2]

IDENTITY_SUBJECTS = {
    topics.IDENTITY_FORMED: "identity.formed",
    topics.IDENTITY_OBSERVATION_LINKED: "identity.observation.linked",
    topics.IDENTITY_MERGED: "identity.merged",
    topics.IDENTITY_UNMERGED: "identity.unmerged",
    topics.IDENTITY_CAMPAIGN_ASSIGNED: "identity.campaign.assigned",
}
IDENTITY_PAYLOADS = {
    "identity.formed": (
        payloads.IdentityFormed,
        {
            "identity_uuid": "0b7e3c8e-0000-4000-8000-000000000001",
            "observation_uuids": ["0b7e3c8e-0000-4000-8000-0000000000a1"],
            "confidence": 0.91,
            "first_seen_at": "2026-01-02T03:04:05Z",
        },
    ),
    "identity.observation.linked": (
        payloads.ObservationLinked,
        {
            "identity_uuid": "0b7e3c8e-0000-4000-8000-000000000001",
            "observation_uuid": "0b7e3c8e-0000-4000-8000-0000000000a2",
            "confidence_after": 0.87,
        },
    ),
    "identity.merged": (
        payloads.IdentityMerged,
        {
            "winner_uuid": "0b7e3c8e-0000-4000-8000-000000000001",
            "loser_uuid": "0b7e3c8e-0000-4000-8000-000000000002",
            "observation_uuids": ["0b7e3c8e-0000-4000-8000-0000000000a3"],
            "confidence_after": None,
        },
    ),
    "identity.unmerged": (
        payloads.IdentityUnmerged,
        {
            "identity_uuid": "0b7e3c8e-0000-4000-8000-000000000002",
            "former_winner_uuid": "0b7e3c8e-0000-4000-8000-000000000001",
            "observation_uuids": [],
        },
    ),
    "identity.campaign.assigned": (
        payloads.CampaignAssigned,
        {
            "identity_uuid": "0b7e3c8e-0000-4000-8000-000000000001",
            "campaign_uuid": "0b7e3c8e-0000-4000-8000-0000000000c1",
        },
    ),
}
INVALID_SUBJECTS = [
    ("", "non-empty"),
    ("identity..formed", "token ''"),
    (".identity", "token ''"),
    ("identity.", "token ''"),
    ("identity formed", "without spaces"),
    ("identity.form\ted", "without spaces"),
    ("identity.*", "wildcards are only allowed in patterns"),
    ("identity.>", "wildcards are only allowed in patterns"),
    ("identität.formed", "printable ASCII"),
    ("identity." + "x" * 300, "longer than 255"),
]


# Identity topics


@pytest.mark.parametrize(("event", "subject"), sorted(IDENTITY_SUBJECTS.items()))
def test_identity_builder_returns_subject(event: str, subject: str) -> None:
    assert topics.identity(event) == subject


def test_identity_formed_subject_is_documented_literal() -> None:
    assert topics.identity(topics.IDENTITY_FORMED) == "identity.formed"


def test_identity_events_lists_every_identity_constant() -> None:
    assert set(topics.IDENTITY_EVENTS) == set(IDENTITY_SUBJECTS)


def test_identity_builder_rejects_unknown_event() -> None:
    with pytest.raises(InvalidSubjectError, match="unknown identity event 'created'"):
        topics.identity("created")


def test_identity_builder_rejects_event_of_other_area() -> None:
    with pytest.raises(InvalidSubjectError, match="unknown identity event 'observed'"):
        topics.identity(topics.ATTACKER_OBSERVED)


def test_identity_builder_error_lists_known_events() -> None:
    with pytest.raises(InvalidSubjectError) as raised:
        topics.identity("split")
    for event in IDENTITY_SUBJECTS:
        assert event in str(raised.value)


@pytest.mark.parametrize("subject", sorted(IDENTITY_SUBJECTS.values()))
def test_identity_full_wildcard_matches_every_identity_event(subject: str) -> None:
    assert topics.matches("identity.>", subject)


@pytest.mark.parametrize(
    "subject", ["identity.formed", "identity.merged", "identity.unmerged"]
)
def test_identity_star_matches_one_token_events(subject: str) -> None:
    assert topics.matches("identity.*", subject)


@pytest.mark.parametrize(
    "subject", ["identity.observation.linked", "identity.campaign.assigned"]
)
def test_identity_star_skips_two_token_events(subject: str) -> None:
    assert not topics.matches("identity.*", subject)


def test_identity_middle_star_matches_observation_linked() -> None:
    assert topics.matches("identity.*.linked", "identity.observation.linked")


def test_identity_full_wildcard_skips_bare_area() -> None:
    # `>` needs at least one token after `identity.`.
    with pytest.raises(InvalidSubjectError):
        topics.matches("identity.>", "identity.")
    assert not topics.matches("identity.>", "identity")


@pytest.mark.parametrize(
    "subject", ["campaign.formed", "campaign.updated", "attacker.observed"]
)
def test_identity_full_wildcard_skips_other_areas(subject: str) -> None:
    assert not topics.matches("identity.>", subject)


def test_identity_pattern_is_case_sensitive() -> None:
    assert not topics.matches("identity.>", "Identity.formed")


@pytest.mark.parametrize(("subject", "fragment"), INVALID_SUBJECTS)
def test_identity_invalid_subject_rejected(subject: str, fragment: str) -> None:
    with pytest.raises(InvalidSubjectError, match=re.escape(fragment)):
        topics.validate_subject(subject)


def test_identity_invalid_subject_message_names_value() -> None:
    with pytest.raises(InvalidSubjectError) as raised:
        topics.validate_subject("identity..formed")
    assert "'identity..formed'" in str(raised.value)


def test_identity_non_string_subject_rejected() -> None:
    with pytest.raises(InvalidSubjectError, match="non-empty string"):
        topics.validate_subject(None)  # type: ignore[arg-type]


def test_identity_invalid_subject_error_is_value_error() -> None:
    with pytest.raises(ValueError):
        topics.validate_subject("identity formed")


@pytest.mark.parametrize(
    "pattern", ["identity.>.formed", ">.formed", "identity.*>", "identity.f*"]
)
def test_identity_invalid_pattern_rejected(pattern: str) -> None:
    with pytest.raises(InvalidSubjectError):
        topics.validate_pattern(pattern)


def test_identity_misplaced_full_wildcard_message() -> None:
    with pytest.raises(InvalidSubjectError, match="'>' may only be the last token"):
        topics.validate_pattern("identity.>.formed")


@pytest.mark.parametrize(("subject", "case"), sorted(IDENTITY_PAYLOADS.items()))
def test_identity_payload_model_per_topic(subject: str, case: tuple) -> None:
    model, _data = case
    assert payloads.payload_model(subject) is model


@pytest.mark.parametrize(("subject", "case"), sorted(IDENTITY_PAYLOADS.items()))
def test_identity_payload_round_trips_json(subject: str, case: tuple) -> None:
    model, data = case
    parsed = payloads.parse_payload(subject, data)
    assert isinstance(parsed, model)
    assert payloads.parse_payload(subject, parsed.model_dump(mode="json")) == parsed


@pytest.mark.parametrize(("subject", "case"), sorted(IDENTITY_PAYLOADS.items()))
def test_identity_payload_rejects_unknown_field(subject: str, case: tuple) -> None:
    _model, data = case
    with pytest.raises(ValidationError, match="extra"):
        payloads.parse_payload(subject, {**data, "ip": "192.0.2.10"})


@pytest.mark.parametrize(("subject", "case"), sorted(IDENTITY_PAYLOADS.items()))
def test_identity_payload_rejects_missing_field(subject: str, case: tuple) -> None:
    _model, data = case
    first = next(iter(data))
    incomplete = {key: value for key, value in data.items() if key != first}
    with pytest.raises(ValidationError, match=first):
        payloads.parse_payload(subject, incomplete)


def test_identity_formed_needs_one_observation() -> None:
    _model, data = IDENTITY_PAYLOADS["identity.formed"]
    with pytest.raises(ValidationError, match="observation_uuids"):
        payloads.parse_payload("identity.formed", {**data, "observation_uuids": []})


def test_identity_formed_time_is_utc_aware() -> None:
    _model, data = IDENTITY_PAYLOADS["identity.formed"]
    parsed = payloads.parse_payload("identity.formed", data)
    assert parsed.first_seen_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_identity_payload_is_frozen() -> None:
    _model, data = IDENTITY_PAYLOADS["identity.merged"]
    parsed = payloads.parse_payload("identity.merged", data)
    with pytest.raises(ValidationError):
        parsed.winner_uuid = "other"  # type: ignore[misc]


def test_identity_payload_model_rejects_pattern() -> None:
    with pytest.raises(InvalidSubjectError):
        payloads.payload_model("identity.>")


def test_identity_payload_model_rejects_unlisted_subject() -> None:
    with pytest.raises(InvalidSubjectError, match="no payload model for subject"):
        payloads.payload_model("identity.split")


# Campaign and attacker topics


def test_campaign_builder_returns_subjects() -> None:
    assert topics.campaign(topics.CAMPAIGN_FORMED) == "campaign.formed"
    assert topics.campaign(topics.CAMPAIGN_UPDATED) == "campaign.updated"


def test_campaign_builder_rejects_identity_event() -> None:
    with pytest.raises(InvalidSubjectError, match="unknown campaign event 'merged'"):
        topics.campaign(topics.IDENTITY_MERGED)


def test_attacker_builder_returns_subject() -> None:
    assert topics.attacker(topics.ATTACKER_OBSERVED) == "attacker.observed"


def test_attacker_builder_rejects_unknown_event() -> None:
    with pytest.raises(InvalidSubjectError, match="unknown attacker event 'seen'"):
        topics.attacker("seen")


@pytest.mark.parametrize("subject", ["campaign.formed", "campaign.updated"])
def test_campaign_payload_carries_identities(subject: str) -> None:
    data = {
        "campaign_uuid": "0b7e3c8e-0000-4000-8000-0000000000c1",
        "identity_uuids": ["0b7e3c8e-0000-4000-8000-000000000001"],
        "confidence": 0.5,
    }
    parsed = payloads.parse_payload(subject, data)
    assert isinstance(parsed, payloads.CampaignChanged)


def test_attacker_payload_carries_ip() -> None:
    data = {
        "observation_uuid": "0b7e3c8e-0000-4000-8000-0000000000a1",
        "ip": "2001:db8::1",
    }
    parsed = payloads.parse_payload("attacker.observed", data)
    assert parsed == payloads.AttackerObserved(**data)


def test_every_built_subject_has_payload_model() -> None:
    built = (
        [topics.identity(event) for event in topics.IDENTITY_EVENTS]
        + [topics.campaign(event) for event in topics.CAMPAIGN_EVENTS]
        + [topics.attacker(event) for event in topics.ATTACKER_EVENTS]
    )
    assert sorted(built) == sorted(payloads.PAYLOADS)


# Wildcard edge cases


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        (">", "identity.formed", True),
        (">", "attacker.observed", True),
        ("*", "identity.formed", False),
        ("*.*", "identity.formed", True),
        ("*.*", "identity.observation.linked", False),
        ("*.formed", "campaign.formed", True),
        ("*.formed", "identity.observation.linked", False),
        ("*.>", "identity.observation.linked", True),
        ("identity.*.*", "identity.campaign.assigned", True),
        ("identity.*.*", "identity.formed", False),
        ("identity.formed", "identity.formed", True),
        ("identity.formed", "identity.formed.extra", False),
        ("identity.formed.>", "identity.formed", False),
        ("campaign.>", "campaign.updated", True),
        ("campaign.>", "identity.campaign.assigned", False),
        ("attacker.*", "attacker.observed", True),
        ("attacker.*", "attackers.observed", False),
    ],
)
def test_wildcard_matching(pattern: str, subject: str, expected: bool) -> None:
    assert topics.matches(pattern, subject) is expected


def test_wildcard_in_subject_is_rejected_by_matches() -> None:
    with pytest.raises(InvalidSubjectError, match="only allowed in patterns"):
        topics.matches("identity.>", "identity.*")


def test_wildcard_pattern_at_length_limit_is_valid() -> None:
    pattern = "identity." + "x" * (topics.MAX_SUBJECT_LENGTH - len("identity."))
    assert topics.validate_pattern(pattern) == pattern


# Subjects used in code and docs


SUBJECT = r"(?:identity|campaign|attacker)\.[A-Za-z0-9_.*>-]*[A-Za-z0-9_*>]"
# A subject in prose or code starts right after a quote or backtick.
QUOTED_SUBJECT = re.compile(r"(?<=[`'\"])" + SUBJECT)
WHOLE_SUBJECT = re.compile(SUBJECT)
EVENT_NAMES = {
    *topics.IDENTITY_EVENTS,
    *topics.CAMPAIGN_EVENTS,
    *topics.ATTACKER_EVENTS,
}


def _python_subjects(path: Path) -> list[str]:
    """Return string constants that are a subject, and quoted subjects inside others."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if WHOLE_SUBJECT.fullmatch(node.value) and node.value not in EVENT_NAMES:
            found.append(node.value)
        found += QUOTED_SUBJECT.findall(node.value)
    return found


def _quoted_subjects(path: Path) -> list[str]:
    return QUOTED_SUBJECT.findall(path.read_text(encoding="utf-8", errors="replace"))


def _subject_uses() -> list[tuple[str, str]]:
    sources = [(path, _python_subjects) for path in (ROOT / "decnet").rglob("*.py")]
    sources += [(path, _quoted_subjects) for path in (ROOT / "docs").rglob("*.md")]
    web = ROOT / "decnet_web" / "src"
    for suffix in ("*.ts", "*.tsx"):
        sources += [(path, _quoted_subjects) for path in web.rglob(suffix)]
    uses = []
    for path, extract in sources:
        for text in extract(path):
            uses.append((str(path.relative_to(ROOT)), text))
    return uses


def _is_listed(text: str) -> bool:
    if "*" in text or ">" in text:
        try:
            topics.validate_pattern(text)
        except InvalidSubjectError:
            return False
        return any(topics.matches(text, subject) for subject in payloads.PAYLOADS)
    return text in payloads.PAYLOADS


def test_subjects_in_code_and_docs_are_listed() -> None:
    uses = _subject_uses()
    unlisted = sorted(
        {f"{path}: {text}" for path, text in uses if not _is_listed(text)}
    )
    assert unlisted == [], (
        "subjects not listed in decnet.bus.topics (add them there with a "
        "payload model, or fix the spelling): " + "; ".join(unlisted)
    )


def test_subject_scan_finds_known_uses() -> None:
    # The scan must see the subjects the payload table spells out, or it
    # would pass while reading nothing.
    found = {text for _path, text in _subject_uses()}
    assert {"identity.formed", "identity.>"} <= found


def test_subject_scan_flags_misspelled_subject(tmp_path: Path) -> None:
    source = tmp_path / "producer.py"
    source.write_text('SUBJECT = "identity.formd"\nNOTE = "see `campaign.update`"\n')
    found = _python_subjects(source)
    assert found == ["identity.formd", "campaign.update"]
    assert not any(_is_listed(text) for text in found)
