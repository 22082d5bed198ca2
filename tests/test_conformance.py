"""scripts/conformance.py on its fixed sample of real elections: every file reproduces, or its
mismatch is listed with a reason (and no listed file reproduces by now)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from budget import pabulib
from budget.cli import main

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "pabulib" / "pabulib.zip"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
RUN_SAMPLE = (
    "import sys; sys.path.insert(0, 'scripts'); import conformance; "
    "sys.exit(conformance.main(['--sample', '60', '--workers', '2']))"
)


@pytest.mark.slow
def test_the_sample_reproduces_or_every_mismatch_is_diagnosed() -> None:
    if not CORPUS.exists():
        pytest.skip(f"no Pabulib corpus at {CORPUS.parent} (see shared/pabulib/README.md)")
    python = VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable)
    result = subprocess.run(  # noqa: S603 (our own interpreter and script, fixed arguments)
        [str(python), "-c", RUN_SAMPLE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "60 elections counted" in result.stdout
    assert "(not diagnosed)" not in result.stdout
    assert "greedy-reserve" in result.stdout  # Poznan's files are counted with their own rule


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("Poland_Poznan_2023.pb", "greedy-reserve"),  # the reserve rule stated in the comment
        ("Poland_Warszawa_2022_Bemowo.pb", "greedy-exclusive"),  # exclusions in the comment
        ("Poland_Warszawa_2022_Bielany.pb", "greedy-exclusive"),
    ],
)
def test_plain_budget_tally_reproduces_what_conformance_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, rule: str
) -> None:
    if not CORPUS.exists():
        pytest.skip(f"no Pabulib corpus at {CORPUS.parent} (see shared/pabulib/README.md)")
    with zipfile.ZipFile(CORPUS) as corpus:
        (tmp_path / name).write_bytes(corpus.read(name))
    parsed = pabulib.read_path(tmp_path / name)
    assert main(["tally", str(tmp_path / name), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rule"] == rule
    assert set(report["funded"]) == set(pabulib.plan(parsed).expected or ()) != set()
