"""Counting skipped lines by reason in the ingest report."""

from __future__ import annotations

import pytest

from decnet.ingest.report import IngestReport, reason_kind


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("invalid IP address 'bad-1': expected IPv4 or IPv6", "invalid IP address"),
        ('unknown event "cowrie.x"', "unknown event"),
        ("not JSON: Expecting value", "not JSON"),
        ("truncated line", "truncated line"),
    ],
)
def test_reason_kind_drops_the_value(reason: str, kind: str) -> None:
    assert reason_kind(reason) == kind


def test_many_bad_values_count_as_one_reason() -> None:
    report = IngestReport()
    for n in range(3000):
        report.skip(
            "cowrie.json", n + 1, f"invalid IP address 'bad-{n}': expected IPv4"
        )
    assert report.skipped_count == 3000
    assert dict(report.skipped_by_reason) == {"invalid IP address": 3000}
