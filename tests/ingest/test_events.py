"""Parser behaviour for each kind of bad or odd input, without a database."""

from typing import Any

import pytest

from decnet.ingest.events import EventParser, LineRejected
from decnet.ingest.session import SessionState
from tests.ingest.support import HASSH_2018, KEX_2018, event


def parse(*events: Any) -> EventParser:
    parser = EventParser()
    for item in events:
        parser.add(item)
    return parser


def only(parser: EventParser) -> SessionState:
    (state,) = parser.states()
    return state


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ([1, 2], "not an object"),
        ("text", "not an object"),
        ({"src_ip": "203.0.113.5"}, "not a Cowrie event"),
        (event("cowrie.session.connect", ip=None), "missing 'src_ip'"),
        (event("cowrie.session.connect", ip="not-an-ip"), "invalid IP address"),
        (event("cowrie.session.connect", ip="999.1.1.1"), "invalid IP address"),
        (event("cowrie.session.connect", session=None), "session"),
        (event("cowrie.session.connect", session=12), "session"),
        (event("cowrie.session.connect", at=None), "timestamp"),
        (event("cowrie.session.connect", at="soon"), "timestamp"),
        (event("cowrie.login.failed", username={"a": 1}, password="x"), "username"),
        (event("cowrie.login.failed"), "without 'username'"),
        (event("cowrie.command.input", input=["ls"]), "input"),
        (event("cowrie.session.connect", sensor=["a"]), "sensor"),
    ],
)
def test_bad_line_rejected_with_reason(value: Any, reason: str) -> None:
    with pytest.raises(LineRejected, match=reason):
        EventParser().add(value)


def test_rejected_line_leaves_no_session() -> None:
    parser = EventParser()
    with pytest.raises(LineRejected):
        parser.add(event("cowrie.session.connect", ip="bogus"))
    assert parser.states() == []


def test_port_as_string_is_read() -> None:
    state = only(
        parse(event("cowrie.session.connect", src_port="40012", dst_port="22"))
    )
    assert (state.src_port, state.dst_port) == (40012, 22)


def test_invalid_port_ignored() -> None:
    state = only(parse(event("cowrie.session.connect", src_port="x", dst_port=70000)))
    assert (state.src_port, state.dst_port) == (None, None)


def test_password_as_number_kept_as_text() -> None:
    state = only(parse(event("cowrie.login.failed", username="root", password=1234)))
    assert state.credentials[0]["password"] == "1234"


def test_algorithm_lists_as_strings_give_hassh() -> None:
    lists = {name: ",".join(values) for name, values in KEX_2018.items()}
    state = only(parse(event("cowrie.client.version", version="SSH-2.0-x", **lists)))
    assert state.hassh == HASSH_2018


def test_logged_hassh_preferred_over_computed() -> None:
    state = only(parse(event("cowrie.client.kex", hassh="A" * 32, **KEX_2018)))
    assert state.hassh == "a" * 32


def test_hassh_disagreement_counted() -> None:
    parser = parse(event("cowrie.client.kex", hassh="0" * 32, **KEX_2018))
    assert parser.hassh_mismatches == 1


def test_hassh_agreement_not_counted() -> None:
    parser = parse(event("cowrie.client.kex", hassh=HASSH_2018, **KEX_2018))
    assert (parser.hassh_checked, parser.hassh_mismatches) == (1, 0)


def test_nul_in_password_escaped() -> None:
    state = only(
        parse(event("cowrie.login.failed", username="admin\x00", password="x"))
    )
    assert "\x00" not in state.credentials[0]["username"]


def test_tab_in_username_kept_distinct() -> None:
    state = only(
        parse(
            event("cowrie.login.failed", username="root\t", password="a"),
            event("cowrie.login.failed", username="root", password="a"),
        )
    )
    assert [c["username"] for c in state.credentials] == ["root\t", "root"]


def test_ten_megabyte_command_capped_and_flagged() -> None:
    state = only(parse(event("cowrie.command.input", input="echo " + "A" * 10_000_000)))
    command = state.commands[0]
    assert command["truncated"]
    assert command["length"] == 10_000_005
    assert len(command["input"]) == 16_384


def test_failed_command_marks_its_input() -> None:
    state = only(
        parse(
            event("cowrie.command.input", input="find /"),
            event("cowrie.command.failed", input="find /"),
        )
    )
    assert state.commands == [
        {"input": "find /", "failed": True, "at": "2024-04-01T10:00:00.000000Z"}
    ]


def test_download_without_url_is_redirect() -> None:
    state = only(parse(event("cowrie.session.file_download", shasum="1" * 64)))
    assert state.downloads[0]["kind"] == "redirect"


def test_download_to_dev_null_is_redirect() -> None:
    state = only(
        parse(event("cowrie.session.file_download", url="/dev/null", shasum="1" * 64))
    )
    assert state.downloads[0]["kind"] == "redirect"


def test_download_with_url_records_endpoint() -> None:
    state = only(
        parse(
            event(
                "cowrie.session.file_download",
                url="http://198.51.100.99:6636/bins.sh",
                shasum="1" * 64,
            )
        )
    )
    assert state.downloads[0]["kind"] == "download"
    assert state.endpoints == {"198.51.100.99:6636": False}


def test_trivial_payload_hashes_are_not_features() -> None:
    state = only(
        parse(
            event(
                "cowrie.session.file_download",
                shasum="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            event(
                "cowrie.session.file_download",
                shasum="01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b",
            ),
        )
    )
    assert [kind for kind, _ in state.features() if kind == "payload_sha256"] == []


def test_forward_target_recorded() -> None:
    state = only(
        parse(
            event("cowrie.direct-tcpip.request", dst_ip="198.51.100.50", dst_port=443)
        )
    )
    assert ("forward_target", "198.51.100.50:443") in state.features()


def test_events_out_of_order_keep_earliest_start() -> None:
    state = only(
        parse(
            event("cowrie.command.input", input="ls", at="2025-07-04T00:20:00Z"),
            event("cowrie.session.connect", at="2025-07-04T00:20:06Z"),
        )
    )
    assert state.first_at.isoformat() == "2025-07-04T00:20:00+00:00"
    assert state.connect_at is not None


def test_same_session_id_on_two_sensors_kept_apart() -> None:
    parser = parse(
        event("cowrie.session.connect", sensor="sensor-a"),
        event("cowrie.session.connect", sensor="sensor-b"),
    )
    assert len(parser.states()) == 2


def test_session_id_reused_months_later_is_new_session() -> None:
    parser = parse(
        event("cowrie.session.connect", at="2018-10-05T00:00:56Z"),
        event("cowrie.session.connect", at="2019-04-02T12:00:00Z"),
    )
    assert len(parser.states()) == 2


def test_naive_timestamp_counted() -> None:
    parser = parse(event("cowrie.session.connect", at="2026-03-08 11:30:00"))
    assert parser.naive_timestamps == 1


def test_ipv4_mapped_address_normalised() -> None:
    state = only(parse(event("cowrie.session.connect", ip="::ffff:198.51.100.7")))
    assert state.ip == "198.51.100.7"


def test_ipv6_compressed_lower_case() -> None:
    state = only(parse(event("cowrie.session.connect", ip="2001:DB8:0:0:0:0:0:1F")))
    assert state.ip == "2001:db8::1f"


@pytest.mark.parametrize(
    ("fields", "seconds"),
    [
        ({"duration": 1.5}, 1.5),
        ({"duration": "120.0"}, 120.0),
        ({"duration_ms": 11184}, 11.184),
        ({}, None),
    ],
)
def test_duration_from_any_field(fields: dict[str, Any], seconds: float | None) -> None:
    state = only(parse(event("cowrie.session.closed", **fields)))
    assert state.duration_s == seconds


def test_unknown_cowrie_event_counted_not_rejected() -> None:
    parser = parse(event("cowrie.future.thing"))
    assert parser.unknown_events["cowrie.future.thing"] == 1
