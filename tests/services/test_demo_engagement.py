"""The demo's open cycle shows everything before review: images, supports (one idea below the
threshold), comments with an author's reply and one hidden by moderation, a report waiting,
follows of the demo resident."""

from __future__ import annotations

import io

from PIL import Image
from sqlmodel import Session

from budget.db import queries
from budget.domain.cycle import Phase
from tests.services.conftest import LoadedDemo


def test_the_demo_has_a_cycle_open_for_ideas(demo_db: Session, loaded_demo: LoadedDemo) -> None:
    cycle = next(c for c in queries.list_cycles(demo_db) if c.instance == "2028-idees")
    assert cycle.phase is Phase.SUBMISSION
    assert queries.support_option(demo_db, cycle.id) == queries.SupportOption(True, 3)
    ideas = queries.list_proposals(demo_db, cycle.id)
    assert len(ideas) == 6
    counts = queries.support_counts(demo_db, [p.id for p in ideas])
    assert sorted(counts.values())[0] < 3 <= sorted(counts.values())[1]
    pictures = [image for p in ideas for image in queries.images_of(demo_db, p.id)]
    assert len(pictures) == 9
    content = queries.image_content(demo_db, pictures[0].id, "full").data or b""
    assert Image.open(io.BytesIO(content)).format == "WEBP"
    threads = queries.comments_of(demo_db, ideas[0].id)
    assert [c.body is None for c in threads] == [False, False, True]
    assert threads[0].replies[0].by_author
    assert threads[2].hidden_reason
    queue = queries.moderation_queue(demo_db)
    assert [(i.reasons != (), i.hidden_reason is not None) for i in queue] == [
        (True, False), (False, True)
    ]  # fmt: skip
    resident = queries.find_account(demo_db, "resident@demo.budget")
    assert resident is not None
    assert queries.is_following(demo_db, ideas[1].id, resident.id)
    assert queries.has_supported(demo_db, ideas[1].id, resident.id)
    assert queries.is_following(demo_db, ideas[2].id, resident.id)
