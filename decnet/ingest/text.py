"""Text clean-up shared by the parsers: NUL escaping, banners, caps.

PostgreSQL `text` cannot hold U+0000, so every string ingest stores goes
through `escape_nul`, on every backend, so that equal evidence is equal text
everywhere. The escape is reversible: U+0000 becomes U+E000 followed by
"0", and a literal U+E000 (a private-use character) becomes U+E000 followed
by "e". `unescape_nul` restores the original.
"""

from __future__ import annotations

import ast
import codecs
import hashlib
import re
from typing import Final

NUL_ESCAPE: Final = "\ue000"
MAX_INPUT_CHARS: Final = 16_384
MAX_BANNER_CHARS: Final = 1_024

_BYTES_LITERAL = re.compile(r"""^b(['"])(.*)\1$""", re.DOTALL)


def escape_nul(text: str) -> str:
    """Return `text` with U+0000 and U+E000 escaped (see the module docstring)."""
    if "\x00" not in text and NUL_ESCAPE not in text:
        return text
    return text.replace(NUL_ESCAPE, NUL_ESCAPE + "e").replace("\x00", NUL_ESCAPE + "0")


def unescape_nul(text: str) -> str:
    """Invert `escape_nul`."""
    if NUL_ESCAPE not in text:
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == NUL_ESCAPE and index + 1 < len(text):
            out.append("\x00" if text[index + 1] == "0" else NUL_ESCAPE)
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def normalise_banner(raw: str) -> str:
    """Return the SSH client banner in one spelling.

    Some Cowrie versions logged the banner as a Python bytes literal
    (`b'SSH-2.0-libssh-0.6.3'`); later ones log the plain string with
    undecodable bytes written as `\\xNN`. Both become the plain form, with
    trailing white space removed and the length capped at 1,024 characters.
    """
    text = raw.strip()
    match = _BYTES_LITERAL.match(text)
    if match and len(text) <= 4 * MAX_BANNER_CHARS:
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = None
        if isinstance(value, bytes):
            text = value.decode("utf-8", errors="backslashreplace").strip()
    return escape_nul(text[:MAX_BANNER_CHARS])


def cap_input(text: str) -> tuple[str, bool, str | None]:
    """Cap a command line for storage.

    Returns the stored text (at most 16,384 characters), whether it was
    truncated, and the SHA-256 hex of the whole line when it was.
    """
    if len(text) <= MAX_INPUT_CHARS:
        return text, False, None
    digest = hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()
    return text[:MAX_INPUT_CHARS], True, digest


def _escape_invalid_utf8(error: UnicodeError) -> tuple[str, int]:
    # Inside a JSON string the six characters `\\xNN` decode to the text
    # `\xNN`, the spelling newer Cowrie versions use for undecodable bytes.
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return "".join(f"\\\\x{byte:02x}" for byte in bad), error.end


codecs.register_error("decnet-json-hex", _escape_invalid_utf8)


def repair_utf8(line: bytes) -> str:
    """Decode a JSON line whose bytes are not valid UTF-8.

    Each invalid byte becomes the text `\\xNN` inside the JSON string it
    sits in; outside a string the line stays invalid JSON and is rejected.
    """
    return line.decode("utf-8", errors="decnet-json-hex")
