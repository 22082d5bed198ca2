"""Starlette: HTTP in, HTML out, no business rules."""
