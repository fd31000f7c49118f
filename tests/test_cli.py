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


def test_optimize_ratchet_writes_plot_and_optimum(tmp_path, capsys):
    import json

    out = tmp_path / "res"
    assert main(["optimize", "ratchet", "--sites", "8", "--steps", "60", "--out", str(out)]) == 0
    summary = json.loads((out / "ratchet_optimum.json").read_text())
    assert summary["gain"] > 1.0  # the optimum beats the sawtooth it starts from
    assert summary["optimal_current"] * summary["sawtooth_current"] > 0  # same direction
    assert len(summary["optimal_potential"]) == 8
    assert (out / "ratchet_optimization.png").stat().st_size > 10_000
    assert "gain" in capsys.readouterr().out


def test_optimize_unwritable_out_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    proc = subprocess.run(
        [sys.executable, "-m", "jaxthermo", "optimize", "ratchet", "--out", str(blocker / "x")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "--out" in proc.stderr


def test_reproduce_junction_figures(tmp_path):
    """`jaxthermo reproduce 004` writes the three figures and a summary whose numbers are
    the library's (checked against direct calls)."""
    import json

    import jax.numpy as jnp

    import jaxthermo as jt
    from jaxthermo._cli import main

    assert main(["reproduce", "004", "--resolution", "4", "--out", str(tmp_path)]) == 0
    for name in ("fig3_transmission", "fig4_correlations", "fig5_nonmarkovianity"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
    summary = json.loads((tmp_path / "junction_figures.json").read_text())
    m = jt.models.junction(1.0, 0.5, 0.5, 0.02 * float(jnp.hypot(0.5, 0.5)), 10.0, 0.1)
    peak = float(jnp.max(jt.junction.transmission(m, jnp.linspace(-1.0, 3.0, 2001))))
    assert summary["fig3_max_transmission_gamma_0.02Delta"] == peak
    assert 1e-4 < summary["fig4a_max_abs_exact_minus_epa"] < 1e-2  # O(Γ/Ω) = 2e-3


def test_reproduce_spin_gorm_figure(tmp_path):
    """`jaxthermo reproduce 001`: Fig. 1's curves; Δ_iS (10) never negative, values equal to
    direct library calls."""
    import json

    import jax
    import jax.numpy as jnp

    import jaxthermo as jt
    from jaxthermo._cli import main

    assert main(["reproduce", "001", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "fig1_entropy_production.png").stat().st_size > 10_000
    summary = json.loads((tmp_path / "fig1_entropy_production.json").read_text())
    assert summary["N20"]["min_entropy_production"] > -1e-12
    assert summary["N800"]["min_entropy_production"] > -1e-12
    model = jt.models.spin_gorm(20, 0.1, 10.0, 0.1, jax.random.key(0))
    direct = jt.closed.evolve_spin_gorm(model, jnp.array([600.0])).entropy_production[0]
    assert abs(summary["N20"]["late_entropy_production"] - float(direct)) < 1e-10
