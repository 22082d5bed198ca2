"""Settings from environment variables; read only at the edges (web/ and cli.py)."""

from __future__ import annotations
