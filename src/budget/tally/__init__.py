"""The tally engine: pure, exact allocation rules over plain ballots (standard library only)."""

from __future__ import annotations

from budget import __version__

# Stored with every count: results are reproduced by this version of the rules.
ENGINE_VERSION = f"budget.tally {__version__}"
