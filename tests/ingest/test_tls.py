import hashlib

import pytest

from decnet.ingest.events import EventParser, LineRejected
from decnet.ingest.jsonl import to_cowrie
from decnet.ingest.tls import InvalidJa3, ja3_value, normalised_ja3
from tests.ingest.support import event

JA3_ORDER_A = "771,4865-4866-4867-49195-49199,0-23-65281-10-11-35-16-5-13,29-23-24,0"
JA3_ORDER_B = "771,4865-4866-4867-49195-49199,10-5-35-0-13-16-23-11-65281,29-23-24,0"


def test_permuted_extensions_same_value() -> None:
    assert normalised_ja3(JA3_ORDER_A) == normalised_ja3(JA3_ORDER_B)


def test_sorted_string_hashes_as_plain_ja3() -> None:
    text = "771,4865-4866,0-5-10-23,29-23,0"
    assert normalised_ja3(text) == hashlib.md5(text.encode()).hexdigest()


def test_extensions_sorted_as_numbers() -> None:
    by_number = "771,4865,5-10-23,29,0"
    assert normalised_ja3("771,4865,10-23-5,29,0") == normalised_ja3(by_number)


def test_other_ciphers_other_value() -> None:
    other = JA3_ORDER_A.replace("4865-4866", "4866-4865")
    assert normalised_ja3(other) != normalised_ja3(JA3_ORDER_A)


def test_bare_hash_kept_lower_case() -> None:
    assert ja3_value("CD08E31494F9531F560D64C695473DA9") == (
        "cd08e31494f9531f560d64c695473da9"
    )


def test_suricata_object_uses_string() -> None:
    value = {"hash": "0" * 32, "string": JA3_ORDER_B}
    assert ja3_value(value) == normalised_ja3(JA3_ORDER_A)


def test_suricata_object_without_string_uses_hash() -> None:
    assert ja3_value({"hash": "A" * 32}) == "a" * 32


@pytest.mark.parametrize("value", ["xyz", "771,1,2", ["771"], 42, {"hash": "zz"}])
def test_invalid_ja3_rejected(value: object) -> None:
    with pytest.raises(InvalidJa3, match="invalid 'ja3'"):
        ja3_value(value)


def test_invalid_ja3_rejects_line_with_reason() -> None:
    parser = EventParser()
    with pytest.raises(LineRejected, match="expected 32 hex digits"):
        parser.add(event("cowrie.direct-tcpip.ja4", ja4="t13d", ja3="garbage"))


def test_ja3_string_on_cowrie_event_normalised() -> None:
    parser = EventParser()
    parser.add(event("cowrie.direct-tcpip.ja4", ja3=JA3_ORDER_B))
    (state,) = parser.states()
    assert state.ja3 == [normalised_ja3(JA3_ORDER_A)]


def test_suricata_tls_record_read() -> None:
    record = {
        "timestamp": "2026-02-01T10:00:00.000000+0000",
        "flow_id": 1000,
        "event_type": "tls",
        "src_ip": "203.0.113.120",
        "dest_ip": "192.0.2.20",
        "dest_port": 443,
        "tls": {"ja3": {"hash": "0" * 32, "string": JA3_ORDER_A}, "ja4": "t13d"},
    }
    event = to_cowrie(record)
    assert event["eventid"] == "cowrie.direct-tcpip.ja4"
    assert event["session"] == "1000"
    assert "dst_ip" not in event


def test_other_suricata_records_rejected_with_reason() -> None:
    record = {"event_type": "flow", "src_ip": "203.0.113.120"}
    with pytest.raises(LineRejected, match="Suricata event_type 'flow' is not read"):
        to_cowrie(record)
