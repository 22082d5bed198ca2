"""Sessions no longer store a CSRF token: the web layer derives it from the session id under its
own key (SECURITY.md T12: a dump of the table must hold nothing a request could be forged with).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_column("csrf_token")


def downgrade() -> None:
    # The old tokens cannot be recovered, and the column is NOT NULL: live sessions end (their
    # holders sign in again), which is the safe way back.
    op.execute(sa.text("DELETE FROM web_session"))
    with op.batch_alter_table("web_session", schema=None, recreate="always") as batch_op:
        batch_op.add_column(sa.Column("csrf_token", sa.String(length=64), nullable=False))
