"""Voting online (issue 16): the frozen ballot rules of each budget and its on-ballot projects;
ballots (no voter, no time), the voter-to-ballot link destroyed at close, participation (who voted
where, by which channel) apart from ballots with UNIQUE(entry, budget) as the one-ballot rule (T1),
receipts stored as SHA-256 only, and the idempotency keys of processed ballot forms.

Revision ID: 0005_voting
Revises: 0010_implementation
Create Date: 2026-12-04 02:57:48.264942
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_voting"
down_revision = "0010_implementation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "frozen_budget",
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("ballot_type", sa.String(length=16), nullable=False),
        sa.Column("limits", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("rule_options", sa.Text(), nullable=False),
        sa.Column("tie_break", sa.String(length=200), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["budget.id"], name=op.f("fk_frozen_budget_budget_id_budget")
        ),
        sa.PrimaryKeyConstraint("budget_id", name=op.f("pk_frozen_budget")),
    )
    op.create_table(
        "idempotency_key",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["budget.id"], name=op.f("fk_idempotency_key_budget_id_budget")
        ),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_idempotency_key")),
    )
    with op.batch_alter_table("idempotency_key", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_key_budget_id"), ["budget_id"], unique=False
        )

    op.create_table(
        "participation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roll_entry_id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("voted_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["budget.id"], name=op.f("fk_participation_budget_id_budget")
        ),
        sa.ForeignKeyConstraint(
            ["roll_entry_id"],
            ["roll_entry.id"],
            name=op.f("fk_participation_roll_entry_id_roll_entry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participation")),
        sa.UniqueConstraint(
            "roll_entry_id", "budget_id", name=op.f("uq_participation_roll_entry_id_budget_id")
        ),
    )
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participation_budget_id"), ["budget_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_participation_roll_entry_id"), ["roll_entry_id"], unique=False
        )

    op.create_table(
        "receipt",
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["budget.id"], name=op.f("fk_receipt_budget_id_budget")
        ),
        sa.PrimaryKeyConstraint("receipt_hash", name=op.f("pk_receipt")),
    )
    with op.batch_alter_table("receipt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_receipt_budget_id"), ["budget_id"], unique=False)

    op.create_table(
        "ballot",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("choices", sa.Text(), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["budget.id"], name=op.f("fk_ballot_budget_id_budget")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_hash"], ["receipt.receipt_hash"], name=op.f("fk_ballot_receipt_hash_receipt")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_ballot_receipt_hash")),
    )
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ballot_budget_id"), ["budget_id"], unique=False)

    op.create_table(
        "ballot_project",
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["frozen_budget.budget_id"],
            name=op.f("fk_ballot_project_budget_id_frozen_budget"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name=op.f("fk_ballot_project_proposal_id_proposal")
        ),
        sa.PrimaryKeyConstraint("budget_id", "proposal_id", name=op.f("pk_ballot_project")),
    )
    op.create_table(
        "ballot_link",
        sa.Column("voter_key", sa.String(length=64), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballot.id"], name=op.f("fk_ballot_link_ballot_id_ballot")
        ),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["budget.id"], name=op.f("fk_ballot_link_budget_id_budget")
        ),
        sa.PrimaryKeyConstraint("voter_key", "budget_id", name=op.f("pk_ballot_link")),
        sa.UniqueConstraint("ballot_id", name=op.f("uq_ballot_link_ballot_id")),
    )


def downgrade() -> None:
    op.drop_table("ballot_link")
    op.drop_table("ballot_project")
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ballot_budget_id"))

    op.drop_table("ballot")
    with op.batch_alter_table("receipt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_receipt_budget_id"))

    op.drop_table("receipt")
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participation_roll_entry_id"))
        batch_op.drop_index(batch_op.f("ix_participation_budget_id"))

    op.drop_table("participation")
    with op.batch_alter_table("idempotency_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_key_budget_id"))

    op.drop_table("idempotency_key")
    op.drop_table("frozen_budget")
