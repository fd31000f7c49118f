"""The documentation site builds without a warning (`mkdocs build --strict`): every page,
every `:::` API reference (docstrings parsed by mkdocstrings/griffe), and the benchmark table
included from benchmarks/RESULTS.md."""

import os
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).parent.parent


def test_mkdocs_build_strict(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    page = (tmp_path / "junction" / "index.html").read_text()
    assert "landauer_currents" in page and "asymptotic_non_markovianity" in page
    assert "Lyapunov" in (tmp_path / "benchmarks" / "index.html").read_text()
