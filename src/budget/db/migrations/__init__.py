"""Alembic migrations, configured in code by budget.db.migrate."""
