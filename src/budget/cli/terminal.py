"""What the CLI prints passes through here: characters from a file never drive the terminal.

A project name or a META value may hold control characters (NUL, ESC: `ESC[2J` clears the screen)
or bidirectional overrides that reorder what is shown. They are printed as escapes instead:
`\\x1b` in text, `\\u001b` in JSON (still valid JSON, read back as the same string).
"""

from __future__ import annotations

import re

# C0 controls (line breaks included: one line of the report is one line), DEL, C1 controls, and
# the bidirectional marks, embeddings, overrides and isolates.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What json.dumps leaves raw in strings (it escapes C0 itself; JSON's own line breaks stay).
UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` for a terminal: every unsafe character as a visible \\xNN or \\uNNNN escape."""
    return UNSAFE.sub(_escape, text)


def printable_json(text: str) -> str:
    """JSON text with the unsafe characters json.dumps leaves raw escaped as \\uNNNN."""
    return UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
