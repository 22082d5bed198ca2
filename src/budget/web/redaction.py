"""A logging filter that blanks secrets before they reach a log line (SECURITY.md T12).

Nothing should log a secret in the first place; this is the net under that rule, for values
that slip into a message: `password=...`, `csrf_token: ...`, cookies and authorisation headers,
and anything shaped like a voting code (20 Crockford base32 symbols, in groups of four or not).
`budget serve` installs it on uvicorn's handlers by name, as it names the app factory.
"""

from __future__ import annotations

import logging
import re
from typing import Final

MASK: Final = "[redacted]"
_NAMES: Final = (
    r"password|passwd|code|code_verifier|csrf_token|[a-z_-]*token|cookie|authorization"
    r"|secret[a-z_]*"
)
PAIR: Final = re.compile(
    rf"(?i)(\b(?:{_NAMES})\b[\"']?\s*[=:]\s*[\"']?)([^\s&,;\"']+)",
)
CROCKFORD: Final = "[0-9A-HJKMNP-TV-Z]"
CODE: Final = re.compile(rf"\b{CROCKFORD}{{4}}(?:[- ]?{CROCKFORD}{{4}}){{4}}\b")


def redact(text: str) -> str:
    """`text` with every secret-looking value replaced by [redacted]."""
    return CODE.sub(MASK, PAIR.sub(lambda match: match.group(1) + MASK, text))


class RedactSecrets(logging.Filter):
    """Redacts the message and its string arguments in place; never drops a record.

    Arguments are cleaned one by one (not merged into the message) because uvicorn's access
    formatter reads them by position."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True
