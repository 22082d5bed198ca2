"""`budget tally` loads no database or web module: counting starts in a fraction of a second."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "starlette", "jinja2", "uvicorn", "argon2",
         "budget.db", "budget.web", "budget.services")  # fmt: skip

BOX = """\
META
key;value
budget;100
vote_type;approval
rule;equalshares/add1
PROJECTS
project_id;cost
a;60
b;50
VOTES
voter_id;vote
1;a
2;b
"""

PROBE = """\
import json, sys
from budget.cli import main
status = main(sys.argv[1:])
print(json.dumps([status, sorted(sys.modules)]), file=sys.stderr)
"""


def test_budget_tally_imports_no_database_or_web_module(tmp_path: Path) -> None:
    path = tmp_path / "box.pb"
    path.write_text(BOX, encoding="utf-8")
    for argv in (["tally", str(path), "--format", "json"], ["compare", str(path)]):
        result = subprocess.run(  # noqa: S603 (our interpreter, fixed arguments)
            [sys.executable, "-c", PROBE, *argv],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        status, modules = json.loads(result.stderr.splitlines()[-1])
        assert status == 0, result.stderr
        loaded = [m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY)]
        assert loaded == [], f"budget {argv[0]} imported {loaded[:5]}"
        assert "budget.tally.mes" in modules  # the probe does see what counting loads
