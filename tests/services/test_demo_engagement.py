"""The demo's open cycle shows everything before review: images, supports (one idea below the
threshold), comments with an author's reply and one hidden by moderation, a report waiting,
follows of the demo resident."""

from __future__ import annotations

import io

from PIL import Image
from sqlmodel import Session

from budget.db import queries
from budget.domain.cycle import Phase
from budget.services import demo
from tests.services.conftest import NOW


def test_the_demo_has_a_cycle_open_for_ideas(db: Session, hasher) -> None:
    demo.load_demo(db, NOW, hasher, residents=60)
    cycle = next(c for c in queries.list_cycles(db) if c.instance == "2028-idees")
    assert cycle.phase is Phase.SUBMISSION
    assert queries.support_option(db, cycle.id) == queries.SupportOption(True, 3)
    ideas = queries.list_proposals(db, cycle.id)
    assert len(ideas) == 6
    counts = queries.support_counts(db, [p.id for p in ideas])
    assert sorted(counts.values())[0] < 3 <= sorted(counts.values())[1]
    pictures = [image for p in ideas for image in queries.images_of(db, p.id)]
    assert len(pictures) == 9
    content = queries.image_content(db, pictures[0].id, "full").data or b""
    assert Image.open(io.BytesIO(content)).format == "WEBP"
    threads = queries.comments_of(db, ideas[0].id)
    assert [c.body is None for c in threads] == [False, False, True]
    assert threads[0].replies[0].by_author
    assert threads[2].hidden_reason
    queue = queries.moderation_queue(db)
    assert [(i.reasons != (), i.hidden_reason is not None) for i in queue] == [
        (True, False), (False, True)
    ]  # fmt: skip
    resident = queries.find_account(db, "resident@demo.budget")
    assert resident is not None
    assert queries.is_following(db, ideas[1].id, resident.id)
    assert queries.has_supported(db, ideas[1].id, resident.id)
    assert queries.is_following(db, ideas[2].id, resident.id)
