"""Demo residents confirm their address as a resident does: register, open the mailed link.

The demo's links use a key of their own (they are opened at once, never by a browser), and each
demo account registers from its own made-up source so the mail throttle (T4) does not stop a
demo of hundreds of residents. The spent confirmation mails are then dropped from the outbox:
they are the demo's, not anybody's mail.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlmodel import Session, col, delete, select

from budget.db.queries import AccountView
from budget.db.tables import OutboxEmail
from budget.services import accounts, identity, pages
from budget.services.identity import Links

_LINK = re.compile(r"/verify\?token=([A-Za-z0-9_-]+)")


PAGES: dict[str, dict[str, tuple[str, str]]] = {
    "rules": {
        "fr": ("Règlement du budget participatif",
               "Toute personne qui vit ou travaille dans la ville peut **proposer** et **voter**, "
               "sans condition d'âge ni de nationalité.\n\n- une proposition par projet\n"
               "- au plus 5 propositions par personne et par édition"),
        "en": ("Rules of the participatory budget",
               "Anyone who lives or works in the city may **propose** and **vote**, whatever "
               "their age or nationality.\n\n- one proposal per project\n"
               "- at most 5 proposals per person and edition"),
    },
    "faq": {
        "fr": ("Questions fréquentes", "**Pourquoi confirmer mon adresse ?** Pour que personne "
               "ne participe en votre nom."),
        "en": ("Frequently asked questions", "**Why confirm my address?** So that nobody takes "
               "part in your name."),
    },
    "legal": {
        "fr": ("Mentions légales", "Site édité par la Ville (démonstration)."),
        "en": ("Legal notice", "Published by the City (demonstration)."),
    },
    "privacy": {
        "fr": ("Politique de confidentialité", "Vos données : téléchargez-les ou supprimez votre "
               "compte depuis *Mon compte*. Les bulletins sont anonymes."),
        "en": ("Privacy notice", "Your data: download it or delete your account from *My "
               "account*. Ballots are anonymous."),
    },
    "accessibility": {
        "fr": ("Déclaration d'accessibilité", "Ce site vise la conformité RGAA 4.1 (WCAG 2.1 AA)."),
        "en": ("Accessibility statement", "This site aims at RGAA 4.1 (WCAG 2.1 AA)."),
    },
}  # fmt: skip


def write_pages(db: Session, now: datetime, council: int) -> None:
    """The footer's public pages, in both languages, as the council writes them."""
    for slug, texts in PAGES.items():
        for language, (title, body) in texts.items():
            pages.save_page(db, now, actor_id=council, slug=slug, language=language,
                            title=title, body=body)  # fmt: skip


def register_verified(db: Session, now: datetime, **fields: object) -> AccountView:
    """accounts.register, then the mailed verification link opened."""
    key = secrets.token_bytes(32)
    links = Links(key, "http://demo.invalid", key, f"demo-{secrets.token_hex(4)}")
    view = accounts.register(db, now, links=links, **fields)  # type: ignore[arg-type]
    assert view is not None  # noqa: S101 - the demo's addresses are new
    query = select(OutboxEmail).where(OutboxEmail.to_address == view.email)
    mail = db.exec(query.order_by(col(OutboxEmail.id).desc())).first()
    found = _LINK.search(mail.body) if mail is not None else None
    if mail is None or found is None:  # pragma: no cover - register always mails the link
        raise RuntimeError("registration mailed no verification link")
    identity.confirm_email(db, now, token=found.group(1), token_key=key)
    db.exec(delete(OutboxEmail).where(col(OutboxEmail.id) == mail.id))
    return view
