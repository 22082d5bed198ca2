"""Per-cycle districts and the roll (issue 14): districts belong to a cycle; eligibility lives in
per-cycle roll entries (imported or declared) with their voting codes, no longer on accounts.

Existing data is carried:
- every existing district becomes a district of every cycle (the first cycle keeps the row, the
  others get copies with code, name and boundary), and each cycle's budgets point at its own copy;
  with no cycle at all there is nothing a district could belong to, and the rows go;
- an account's district and birth year were its own statement: they become its declaration
  (`source` declared, district mapped to that cycle's copy) in every declared-mode cycle not yet
  archived. A roll-mode cycle takes eligibility from its roll only, so they are not carried there.

Downgrade keeps one district per code (the lowest id; budgets re-pointed to it) and gives each
account the district and birth year of its newest roll entry.

Revision ID: 0004_cycle_districts_roll
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0004_cycle_districts_roll"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    now = datetime.now(UTC)
    if connection.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # stored as UTC without a zone, as UTCDateTime does

    op.create_table(
        "roll_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("given_name", sa.String(length=120), nullable=False),
        sa.Column("family_name", sa.String(length=120), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("postal_address", sa.Text(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("chosen_district_id", sa.Integer(), nullable=True),
        sa.Column("district_chosen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("verified_by_provider", sa.Boolean(), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("void_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_roll_entry_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["chosen_district_id"],
            ["district.id"],
            name=op.f("fk_roll_entry_chosen_district_id_district"),
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycle.id"], name=op.f("fk_roll_entry_cycle_id_cycle")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_roll_entry_district_id_district")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roll_entry")),
        sa.UniqueConstraint(
            "cycle_id", "account_id", name=op.f("uq_roll_entry_cycle_id_account_id")
        ),
        sa.UniqueConstraint(
            "cycle_id", "external_id", name=op.f("uq_roll_entry_cycle_id_external_id")
        ),
    )
    with op.batch_alter_table("roll_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roll_entry_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_roll_entry_cycle_id"), ["cycle_id"], unique=False)

    op.create_table(
        "voting_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("code_hmac", sa.String(length=64), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("void_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycle.id"], name=op.f("fk_voting_code_cycle_id_cycle")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["roll_entry.id"], name=op.f("fk_voting_code_entry_id_roll_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_code")),
        sa.UniqueConstraint("code_hmac", name=op.f("uq_voting_code_code_hmac")),
    )
    with op.batch_alter_table("voting_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voting_code_cycle_id"), ["cycle_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_voting_code_entry_id"), ["entry_id"], unique=False)

    with op.batch_alter_table("cycle", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "proposers_must_be_eligible",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )

    with op.batch_alter_table("district", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cycle_id", sa.Integer(), nullable=True))
        batch_op.drop_constraint("uq_district_code", type_="unique")  # codes repeat per cycle

    copies = _districts_per_cycle(connection)
    _declarations(connection, copies, now)

    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_constraint("fk_account_district_id_district", type_="foreignkey")
        batch_op.drop_column("birth_year")
        batch_op.drop_column("district_id")

    with op.batch_alter_table("district", schema=None) as batch_op:
        batch_op.alter_column("cycle_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_district_cycle_id"), ["cycle_id"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_district_cycle_id_code"), ["cycle_id", "code"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_district_cycle_id_cycle"), "cycle", ["cycle_id"], ["id"]
        )


def _districts_per_cycle(connection: sa.Connection) -> dict[tuple[int, int], int]:
    """Give every cycle its own copy of every district; (cycle, old district) -> its district."""
    cycles = [r[0] for r in connection.execute(sa.text("SELECT id FROM cycle ORDER BY id"))]
    districts = connection.execute(
        sa.text("SELECT id, code, name, boundary FROM district ORDER BY id")
    ).all()
    if not cycles:
        connection.execute(sa.text("UPDATE account SET district_id = NULL"))
        connection.execute(sa.text("DELETE FROM district"))
        return {}
    first, *others = cycles
    connection.execute(sa.text("UPDATE district SET cycle_id = :c"), {"c": first})
    copies = {(first, d.id): d.id for d in districts}
    for cycle_id in others:
        for district in districts:
            new_id = connection.execute(
                sa.text(
                    "INSERT INTO district (cycle_id, code, name, boundary)"
                    " VALUES (:c, :code, :name, :boundary) RETURNING id"
                ),
                {"c": cycle_id, "code": district.code, "name": district.name,
                 "boundary": district.boundary},
            ).scalar_one()  # fmt: skip
            copies[(cycle_id, district.id)] = new_id
            connection.execute(
                sa.text(
                    "UPDATE budget SET district_id = :new"
                    " WHERE cycle_id = :c AND district_id = :old"
                ),
                {"new": new_id, "c": cycle_id, "old": district.id},
            )  # fmt: skip
    return copies


def _declarations(
    connection: sa.Connection, copies: dict[tuple[int, int], int], now: datetime
) -> None:
    """Each account's district and birth year, as its declaration in each declared-mode cycle
    not yet archived."""
    cycles = connection.execute(
        sa.text(
            "SELECT id FROM cycle WHERE eligibility_mode = 'declared' AND phase <> 'archived'"
            " ORDER BY id"
        )
    ).all()
    accounts = connection.execute(
        sa.text(
            "SELECT id, district_id, birth_year, created_at FROM account"
            " WHERE district_id IS NOT NULL OR birth_year IS NOT NULL ORDER BY id"
        )
    ).all()
    for (cycle_id,) in cycles:
        for account in accounts:
            district = copies.get((cycle_id, account.district_id))
            connection.execute(
                sa.text(
                    "INSERT INTO roll_entry (cycle_id, source, given_name, family_name,"
                    " birth_year, postal_address, district_id, account_id, verified_by_provider,"
                    " created_at, updated_at) VALUES (:c, 'declared', '', '', :year, '',"
                    " :district, :account, :false, :created, :now)"
                ),
                {"c": cycle_id, "year": account.birth_year, "district": district,
                 "account": account.id, "false": False, "created": account.created_at,
                 "now": now},
            )  # fmt: skip


def downgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("district_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("birth_year", sa.Integer(), nullable=True))

    keep: dict[str, int] = dict(
        connection.execute(sa.text("SELECT code, MIN(id) FROM district GROUP BY code")).all()
    )
    for district_id, code in connection.execute(sa.text("SELECT id, code FROM district")).all():
        if keep[code] != district_id:
            for table, column in (
                ("budget", "district_id"),
                ("roll_entry", "district_id"),
                ("roll_entry", "chosen_district_id"),
            ):
                connection.execute(
                    sa.text(f"UPDATE {table} SET {column} = :keep WHERE {column} = :old"),  # noqa: S608 - names from the tuple above
                    {"keep": keep[code], "old": district_id},
                )
    entries = connection.execute(
        sa.text(
            "SELECT account_id, district_id, birth_year FROM roll_entry"
            " WHERE account_id IS NOT NULL ORDER BY cycle_id, id"
        )
    ).all()
    for account_id, district_id, birth_year in entries:  # the newest entry is written last
        connection.execute(
            sa.text("UPDATE account SET district_id = :d, birth_year = :y WHERE id = :a"),
            {"d": district_id, "y": birth_year, "a": account_id},
        )

    op.drop_table("voting_code")
    op.drop_table("roll_entry")
    connection.execute(
        sa.text("DELETE FROM district WHERE id NOT IN (SELECT MIN(id) FROM district GROUP BY code)")
    )

    with op.batch_alter_table("district", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_district_cycle_id_cycle"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_district_cycle_id_code"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_district_cycle_id"))
        batch_op.create_unique_constraint("uq_district_code", ["code"])
        batch_op.drop_column("cycle_id")

    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_account_district_id_district", "district", ["district_id"], ["id"]
        )

    with op.batch_alter_table("cycle", schema=None) as batch_op:
        batch_op.drop_column("proposers_must_be_eligible")
