"""Results (issue 18): the closed ballot box, its count, comparisons, amendments,
certifications, the certificate and the publication; triggers on both backends refusing any
change to ballots of a closed box, to the box itself, and to certified counts and certificates.

Revision ID: 0012_results
Revises: 0006_identity
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_results"
down_revision = "0006_identity"
branch_labels = None
depends_on = None

# (trigger name, table, operations, condition on the row) -- the one list both backends build.
# `row` stands for OLD (UPDATE, DELETE) or NEW (INSERT).
GUARDS = (
    ("ballot_frozen", "ballot", ("INSERT", "UPDATE", "DELETE"),
     "EXISTS (SELECT 1 FROM closed_box WHERE closed_box.budget_id = {row}.budget_id)"),
    ("closed_box_frozen", "closed_box", ("UPDATE", "DELETE"), "1 = 1"),
    ("budget_count_certified", "budget_count", ("UPDATE", "DELETE"),
     "EXISTS (SELECT 1 FROM certification WHERE certification.budget_id = {row}.budget_id)"),
    ("rule_comparison_certified", "rule_comparison", ("UPDATE", "DELETE"),
     "EXISTS (SELECT 1 FROM certification WHERE certification.budget_id = {row}.budget_id)"),
    ("amendment_certified", "amendment", ("INSERT", "UPDATE", "DELETE"),
     "EXISTS (SELECT 1 FROM certification WHERE certification.budget_id = {row}.budget_id)"),
    ("certification_frozen", "certification", ("UPDATE", "DELETE"), "1 = 1"),
    ("certificate_frozen", "certificate", ("UPDATE", "DELETE"), "1 = 1"),
    ("publication_frozen", "publication", ("UPDATE", "DELETE"), "1 = 1"),
)  # fmt: skip


def _tables() -> None:
    op.create_table(
        "closed_box",
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("box", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("valid_online", sa.Integer(), nullable=False),
        sa.Column("valid_paper", sa.Integer(), nullable=False),
        sa.Column("blank_online", sa.Integer(), nullable=False),
        sa.Column("blank_paper", sa.Integer(), nullable=False),
        sa.Column("invalid_online", sa.Integer(), nullable=False),
        sa.Column("invalid_paper", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["budget.id"], name=op.f("fk_closed_box_budget_id_budget")
        ),
        sa.PrimaryKeyConstraint("budget_id", name=op.f("pk_closed_box")),
    )
    op.create_table(
        "budget_count",
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("engine_version", sa.String(length=40), nullable=False),
        sa.Column("result", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counted_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["closed_box.budget_id"],
            name=op.f("fk_budget_count_budget_id_closed_box"),
        ),
        sa.ForeignKeyConstraint(
            ["counted_by"], ["account.id"], name=op.f("fk_budget_count_counted_by_account")
        ),
        sa.PrimaryKeyConstraint("budget_id", name=op.f("pk_budget_count")),
    )
    op.create_table(
        "rule_comparison",
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("funded", sa.Text(), nullable=False),
        sa.Column("spent", sa.BigInteger(), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["budget_count.budget_id"],
            name=op.f("fk_rule_comparison_budget_id_budget_count"),
        ),
        sa.PrimaryKeyConstraint("budget_id", "rule", name=op.f("pk_rule_comparison")),
    )
    op.create_table(
        "amendment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("funded", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["account.id"], name=op.f("fk_amendment_actor_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["budget_count.budget_id"],
            name=op.f("fk_amendment_budget_id_budget_count"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name=op.f("fk_amendment_proposal_id_proposal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amendment")),
    )
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_amendment_budget_id"), ["budget_id"], unique=False)
    op.create_table(
        "certification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_certification_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["budget_count.budget_id"],
            name=op.f("fk_certification_budget_id_budget_count"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification")),
        sa.UniqueConstraint(
            "budget_id", "account_id", name=op.f("uq_certification_budget_id_account_id")
        ),
    )
    with op.batch_alter_table("certification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certification_budget_id"), ["budget_id"], unique=False)
    op.create_table(
        "certificate",
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("first_member", sa.Integer(), nullable=False),
        sa.Column("second_member", sa.Integer(), nullable=False),
        sa.Column("certified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audit_head", sa.String(length=64), nullable=False),
        sa.Column("box_sha256", sa.String(length=64), nullable=False),
        sa.Column("result_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["budget_count.budget_id"],
            name=op.f("fk_certificate_budget_id_budget_count"),
        ),
        sa.ForeignKeyConstraint(
            ["first_member"], ["account.id"], name=op.f("fk_certificate_first_member_account")
        ),
        sa.ForeignKeyConstraint(
            ["second_member"], ["account.id"], name=op.f("fk_certificate_second_member_account")
        ),
        sa.PrimaryKeyConstraint("budget_id", name=op.f("pk_certificate")),
    )
    op.create_table(
        "publication",
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["certificate.budget_id"],
            name=op.f("fk_publication_budget_id_certificate"),
        ),
        sa.ForeignKeyConstraint(
            ["published_by"], ["account.id"], name=op.f("fk_publication_published_by_account")
        ),
        sa.PrimaryKeyConstraint("budget_id", name=op.f("pk_publication")),
    )


def _create_guards() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table, operations, condition in GUARDS:
        if postgres:
            _postgres_guard(name, table, operations, condition)
            continue
        for operation in operations:
            row = "NEW" if operation == "INSERT" else "OLD"
            op.execute(
                f"CREATE TRIGGER {name}_{operation.lower()} BEFORE {operation} ON {table} "
                f"WHEN {condition.format(row=row)} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is frozen: {name}'); END"
            )


def _postgres_guard(name: str, table: str, operations: tuple[str, ...], condition: str) -> None:
    op.execute(
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN "
        f"IF TG_OP = 'INSERT' THEN "
        f"IF {condition.format(row='NEW')} THEN "
        f"RAISE EXCEPTION '{table} is frozen: {name}'; END IF; RETURN NEW; "
        f"END IF; "
        f"IF {condition.format(row='OLD')} THEN "
        f"RAISE EXCEPTION '{table} is frozen: {name}'; END IF; "
        f"IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; "
        f"END $$"
    )
    op.execute(
        f"CREATE TRIGGER {name} BEFORE {' OR '.join(operations)} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {name}()"
    )


def _drop_guards() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table, operations, _ in GUARDS:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
            continue
        for operation in operations:
            op.execute(f"DROP TRIGGER IF EXISTS {name}_{operation.lower()}")


def upgrade() -> None:
    _tables()
    _create_guards()


def downgrade() -> None:
    _drop_guards()
    op.drop_table("publication")
    op.drop_table("certificate")
    with op.batch_alter_table("certification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certification_budget_id"))
    op.drop_table("certification")
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_amendment_budget_id"))
    op.drop_table("amendment")
    op.drop_table("rule_comparison")
    op.drop_table("budget_count")
    op.drop_table("closed_box")
