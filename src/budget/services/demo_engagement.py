"""The demo's cycle open for ideas: "Idées de quartier 2028", in its proposals phase with
supports on (threshold 3), so that residents can try everything that happens before review:
proposals with photos (drawn here with Pillow, then uploaded through the image service like any
upload), supports, comments and an author's reply, a comment hidden by moderation with its
public reason, a report waiting in the council's queue, and follows.

Built through the services, from a fixed seed: the same call builds the same cycle.
"""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta

from PIL import Image, ImageDraw
from sqlmodel import Session

from budget.db import queries
from budget.domain.cycle import Phase
from budget.domain.engagement import FlagTarget
from budget.services import budgets, comments, cycles, follows, images, proposals, supports
from budget.services.budgets import BudgetForm
from budget.services.cycles import CycleForm
from budget.services.demo_data import CENTRES, PROJECT_IDEAS, STREETS

EURO = 100
DAY = timedelta(days=1)
THRESHOLD = 3
IDEAS = 6
COLOURS = ((46, 125, 50), (21, 101, 192), (239, 108, 0), (106, 27, 154), (0, 121, 107))
HIDDEN_REASON = "Propos injurieux envers un habitant : contraire à la charte de participation."
COMMENTS = (
    "Très bonne idée, le quartier en a besoin depuis longtemps.",
    "Pensez aux personnes à mobilité réduite : **des bancs avec accoudoirs** aideraient.",
    "Est-ce que l'entretien est prévu par la Ville ?",
)


def picture(rng: random.Random, title: str) -> bytes:
    """A JPEG drawn for the demo: sky, ground, a few trees and benches, in varied colours."""
    width, height = 1200, 800
    image = Image.new("RGB", (width, height), (135, 190, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 2 // 3, width, height), fill=(160, 160, 150))
    for _ in range(rng.randint(3, 6)):
        x = rng.randint(50, width - 50)
        colour = rng.choice(COLOURS)
        draw.rectangle((x - 8, 430, x + 8, 540), fill=(101, 67, 33))
        draw.ellipse((x - 70, 300, x + 70, 450), fill=colour)
    draw.rectangle((80, 560, 420, 600), fill=(120, 80, 40))
    draw.text((40, 40), title[:60], fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def load_open_cycle(
    db: Session, now: datetime, *, council: int, resident: int, authors: list[int]
) -> int:
    """The open cycle; returns its id. `resident` is the demo resident (who supports, comments
    and follows there); `authors` the generated residents. The caller commits."""
    rng = random.Random(2028)  # noqa: S311 - reproducible demo data, not a secret
    form = CycleForm(
        name_fr="Idées de quartier 2028", name_en="Neighbourhood ideas 2028",
        instance="2028-idees", time_zone="Europe/Paris", currency="EUR",
        eligibility_mode="declared", district_mode="choice", min_age=None,
        reference_date=(now + 200 * DAY).date(),
    )  # fmt: skip
    cycle_id = cycles.create_cycle(db, now, actor_id=council, form=form)
    budget = BudgetForm(
        name_fr="Tout Paris", name_en="All of Paris", scope="city", district_id=None,
        amount=5_000_000 * EURO,
    )  # fmt: skip
    budget_id = budgets.create_budget(db, now, actor_id=council, cycle_id=cycle_id, form=budget)
    cycles.set_schedule(
        db, now, actor_id=council, cycle_id=cycle_id,
        dates={Phase.SUBMISSION: (now - 10 * DAY, now + 40 * DAY)},
    )  # fmt: skip
    cycles.advance_phase(db, now, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    supports.configure_supports(
        db, now, actor_id=council, cycle_id=cycle_id, enabled=True, threshold=THRESHOLD
    )
    writers = rng.sample(authors, IDEAS)
    made = [_idea(db, now, rng, k, budget_id, writers[k]) for k in range(IDEAS)]
    _discuss(db, now, rng, council, resident, authors, made)
    return cycle_id


def _idea(
    db: Session, now: datetime, rng: random.Random, k: int, budget_id: int, author: int
) -> int:
    verb, summary, _, detail = PROJECT_IDEAS[k % len(PROJECT_IDEAS)]
    street = STREETS[(k * 5) % len(STREETS)]
    lat, lon = CENTRES[(k * 3) % len(CENTRES)]
    title = f"{verb} {street}"
    proposal_id = proposals.create_proposal(
        db, now, author_id=author, budget_id=budget_id, title=title, summary=summary,
        description=f"## Le projet\n\n{summary}\n\nNous proposons {detail}.",
        address=f"{rng.randint(1, 80)} {street}, Paris",
        lat=str(lat / 1_000_000), lon=str(lon / 1_000_000), language="fr",
    )  # fmt: skip
    for n in range(1 + k % 2):  # one photo each, two for every other idea
        images.add_image(
            db, now, actor_id=author, proposal_id=proposal_id, upload=picture(rng, title),
            alt_text=f"Vue du lieu, {street} : des arbres et un banc (photo {n + 1})",
        )  # fmt: skip
    proposals.submit_proposal(db, now, actor_id=author, proposal_id=proposal_id)
    return proposal_id


def _discuss(
    db: Session,
    now: datetime,
    rng: random.Random,
    council: int,
    resident: int,
    authors: list[int],
    made: list[int],
) -> None:
    """Supports (most ideas above the threshold, one below), comments with an author's reply,
    one comment hidden by the council, one report waiting, and follows."""
    for k, proposal_id in enumerate(made):
        count = 1 if k == len(made) - 1 else THRESHOLD + rng.randint(0, 6)
        for supporter in rng.sample(authors, count):
            supports.support(db, now, actor_id=supporter, proposal_id=proposal_id)
    first, second = made[0], made[1]
    supports.support(db, now, actor_id=resident, proposal_id=second)  # and so follows it
    follows.follow(db, now, actor_id=resident, proposal_id=made[2])
    talkers = rng.sample(authors, 4)
    top = comments.post_comment(db, now, actor_id=talkers[0], proposal_id=first, body=COMMENTS[0])
    author = queries.get_proposal(db, first).created_by
    comments.post_comment(
        db, now, actor_id=author, proposal_id=first, parent_id=top,
        body="Merci ! Nous avons prévu un arrosage pour les premiers étés.",
    )  # fmt: skip
    comments.post_comment(db, now, actor_id=talkers[1], proposal_id=first, body=COMMENTS[1])
    rude = comments.post_comment(
        db, now, actor_id=talkers[2], proposal_id=first, body="Encore une idée de mon voisin…"
    )
    comments.flag(db, now, actor_id=author, kind=FlagTarget.COMMENT, target_id=rude,
                  reason="Ce commentaire vise une personne.")  # fmt: skip
    comments.hide(db, now, actor_id=council, kind=FlagTarget.COMMENT, target_id=rude,
                  public_reason=HIDDEN_REASON)  # fmt: skip
    waiting = comments.post_comment(
        db, now, actor_id=talkers[3], proposal_id=second, body=COMMENTS[2]
    )
    comments.flag(db, now, actor_id=resident, kind=FlagTarget.COMMENT, target_id=waiting,
                  reason="Question hors sujet ? À vérifier.")  # fmt: skip
