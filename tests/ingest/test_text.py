from hypothesis import given
from hypothesis import strategies as st

from decnet.ingest.text import (
    MAX_INPUT_CHARS,
    cap_input,
    escape_nul,
    normalise_banner,
    repair_utf8,
    unescape_nul,
)


@given(st.text(alphabet=st.sampled_from(["a", "\x00", "\ue000", "0", "e", "\t"])))
def test_nul_escape_round_trips(text: str) -> None:
    assert unescape_nul(escape_nul(text)) == text


@given(st.text(alphabet=st.sampled_from(["a", "\x00", "\ue000", "0", "e"])))
def test_nul_escape_leaves_no_nul(text: str) -> None:
    assert "\x00" not in escape_nul(text)


def test_nul_escape_keeps_plain_text() -> None:
    assert escape_nul("root\tadmin") == "root\tadmin"


def test_banner_bytes_literal_equals_plain() -> None:
    assert normalise_banner("b'SSH-2.0-libssh-0.6.3'") == "SSH-2.0-libssh-0.6.3"


def test_banner_undecodable_bytes_match_escaped_form() -> None:
    plain = normalise_banner("SSH-2.0-Tool\\xff\\xfe")
    assert normalise_banner("b'SSH-2.0-Tool\\xff\\xfe'") == plain


def test_banner_trailing_newline_removed() -> None:
    assert normalise_banner("SSH-2.0-Go\r\n") == "SSH-2.0-Go"


def test_banner_malformed_literal_kept() -> None:
    assert normalise_banner("b'unterminated") == "b'unterminated"


def test_cap_input_short_line_unchanged() -> None:
    assert cap_input("uname -a") == ("uname -a", False, None)


def test_cap_input_ten_megabyte_line() -> None:
    stored, truncated, digest = cap_input("A" * 10_000_000)
    assert len(stored) == MAX_INPUT_CHARS
    assert truncated
    assert digest is not None and len(digest) == 64


def test_repair_utf8_escapes_invalid_bytes() -> None:
    assert repair_utf8(b'{"password": "ab\xffc"}') == '{"password": "ab\\\\xffc"}'
