"""An account's own preferences: the language its pages are shown in.

The language switcher stores the choice in a cookie for everyone; for a signed-in resident it
is also saved on the account, so it follows them to another device.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from budget.db.tables import Account
from budget.domain.accounts import Language
from budget.domain.errors import FieldErrors, InvalidChoice, NotFound
from budget.services import audit


def set_language(db: Session, now: datetime, *, account_id: int, language: str) -> bool:
    """Save the account's language (`fr` or `en`); False when it already was that language."""
    if language not in {choice.value for choice in Language}:
        choices = ", ".join(choice.value for choice in Language)
        raise FieldErrors({"language": InvalidChoice(choices=choices)})
    row = db.get(Account, account_id)
    if row is None:
        raise NotFound(kind="account", id=account_id)
    if row.language == language:
        return False
    row.language = language
    db.add(row)
    audit.append(
        db,
        now,
        actor=account_id,
        action="account.language",
        object=f"account:{account_id}",
        details={"language": language},
    )
    db.flush()
    return True
