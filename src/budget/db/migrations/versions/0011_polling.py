"""Polling places and paper ballots (issue 17): places and the budgets voted there, officer
shifts, check-ins (the paper participation plus its place), paper batches entered twice (sides A
and B) and, on `ballot`, the batch of a paper ballot (which has no receipt). An index on
roll_entry (cycle, birth date) keeps the officers' search fast on a large roll.

Revision ID: 0011_polling
Revises: 0005_voting
Create Date: 2026-12-04 18:56:25.935799
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_polling"
down_revision = "0005_voting"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "polling_place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycle.id"], name=op.f("fk_polling_place_cycle_id_cycle")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polling_place")),
    )
    with op.batch_alter_table("polling_place", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_polling_place_cycle_id"), ["cycle_id"], unique=False)

    op.create_table(
        "officer_shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_officer_shift_ordered")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_officer_shift_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["polling_place.id"], name=op.f("fk_officer_shift_place_id_polling_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_shift")),
    )
    with op.batch_alter_table("officer_shift", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_officer_shift_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_officer_shift_place_id"), ["place_id"], unique=False)

    op.create_table(
        "paper_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("officer_a_id", sa.Integer(), nullable=True),
        sa.Column("officer_b_id", sa.Integer(), nullable=True),
        sa.Column("void_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "officer_a_id IS NULL OR officer_b_id IS NULL OR officer_a_id <> officer_b_id",
            name=op.f("ck_paper_batch_two_officers"),
        ),
        sa.CheckConstraint("size BETWEEN 1 AND 50", name=op.f("ck_paper_batch_size")),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["budget.id"], name=op.f("fk_paper_batch_budget_id_budget")
        ),
        sa.ForeignKeyConstraint(
            ["officer_a_id"], ["account.id"], name=op.f("fk_paper_batch_officer_a_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["officer_b_id"], ["account.id"], name=op.f("fk_paper_batch_officer_b_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["polling_place.id"], name=op.f("fk_paper_batch_place_id_polling_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_batch")),
        sa.UniqueConstraint(
            "place_id", "budget_id", "number", name=op.f("uq_paper_batch_place_id_budget_id_number")
        ),
    )
    with op.batch_alter_table("paper_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_batch_budget_id"), ["budget_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_paper_batch_place_id"), ["place_id"], unique=False)

    op.create_table(
        "place_budget",
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["budget.id"], name=op.f("fk_place_budget_budget_id_budget")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["polling_place.id"], name=op.f("fk_place_budget_place_id_polling_place")
        ),
        sa.PrimaryKeyConstraint("place_id", "budget_id", name=op.f("pk_place_budget")),
    )
    op.create_table(
        "check_in",
        sa.Column("participation_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["account.id"], name=op.f("fk_check_in_officer_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["participation_id"],
            ["participation.id"],
            name=op.f("fk_check_in_participation_id_participation"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["polling_place.id"], name=op.f("fk_check_in_place_id_polling_place")
        ),
        sa.PrimaryKeyConstraint("participation_id", name=op.f("pk_check_in")),
    )
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_in_place_id"), ["place_id"], unique=False)

    op.create_table(
        "paper_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=1), nullable=False),
        sa.Column("ballot_number", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("choices", sa.Text(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["paper_batch.id"], name=op.f("fk_paper_entry_batch_id_paper_batch")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["account.id"], name=op.f("fk_paper_entry_officer_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_entry")),
        sa.UniqueConstraint(
            "batch_id",
            "side",
            "ballot_number",
            name=op.f("uq_paper_entry_batch_id_side_ballot_number"),
        ),
    )
    with op.batch_alter_table("paper_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_entry_batch_id"), ["batch_id"], unique=False)

    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch_op.alter_column("receipt_hash", existing_type=sa.VARCHAR(length=64), nullable=True)
        batch_op.create_index(batch_op.f("ix_ballot_batch_id"), ["batch_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_ballot_batch_id_paper_batch"), "paper_batch", ["batch_id"], ["id"]
        )

    with op.batch_alter_table("roll_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_roll_entry_cycle_id_birth_date"),
            ["cycle_id", "birth_date"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("roll_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roll_entry_cycle_id_birth_date"))

    op.execute("DELETE FROM ballot WHERE receipt_hash IS NULL")  # paper ballots go with batches
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_ballot_batch_id_paper_batch"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_ballot_batch_id"))
        batch_op.alter_column("receipt_hash", existing_type=sa.VARCHAR(length=64), nullable=False)
        batch_op.drop_column("batch_id")

    with op.batch_alter_table("paper_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_entry_batch_id"))

    op.drop_table("paper_entry")
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_in_place_id"))

    op.drop_table("check_in")
    op.drop_table("place_budget")
    with op.batch_alter_table("paper_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_batch_place_id"))
        batch_op.drop_index(batch_op.f("ix_paper_batch_budget_id"))

    op.drop_table("paper_batch")
    with op.batch_alter_table("officer_shift", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_officer_shift_place_id"))
        batch_op.drop_index(batch_op.f("ix_officer_shift_account_id"))

    op.drop_table("officer_shift")
    with op.batch_alter_table("polling_place", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_polling_place_cycle_id"))

    op.drop_table("polling_place")
