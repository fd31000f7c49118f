"""The `jaxthermo` command."""

import subprocess
import sys

from jaxthermo._cli import main


def test_chain_prints_closed_form_ness(capsys):
    assert main(["chain", "--sites", "4", "--hopping", "0.1", "--rate", "0.05"]) == 0
    out = capsys.readouterr().out
    assert "NESS occupations" in out
    # paper 002 Eq. (29b): γλ(n_L - n_1)/(4λ² + γ²) = 0.117647 for these parameters
    assert "0.117647" in out
    assert "residual" in out


def test_bad_arguments_exit_nonzero_without_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "jaxthermo", "chain", "--sites", "1"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "--sites" in proc.stderr
