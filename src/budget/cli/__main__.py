"""`python -m budget.cli`: the same command as the `budget` console script."""

from __future__ import annotations

import sys

from budget.cli import main

if __name__ == "__main__":
    sys.exit(main())
