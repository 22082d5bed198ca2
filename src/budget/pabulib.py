"""Pabulib .pb files <-> tally.Election: exact decimals, errors that name the line."""

from __future__ import annotations
