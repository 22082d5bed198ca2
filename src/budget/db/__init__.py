"""Persistence: tables, engine, named queries and migrations."""
