"""scripts/conformance.py on its fixed sample of real elections: every file reproduces, or its
mismatch is listed with a reason (and no listed file reproduces by now)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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
