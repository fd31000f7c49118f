"""The `jaxthermo` command."""

import math
import subprocess
import sys

import numpy as np
import pytest

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
    """`jaxthermo reproduce 004`'s figures (its function, as `reproduce 004` calls it, with
    4 × 4 Fig. 5 maps and 64 instead of 256 quadrature panels for Fig. 4: the exact − EPA
    differences agree to 1e-6 between the two) and a summary whose numbers are the library's
    (checked against direct calls)."""
    import json

    import jax.numpy as jnp

    import jaxthermo as jt
    from jaxthermo._reproduce import junction_figures

    junction_figures(tmp_path, resolution=4, quadrature_panels=64)
    for name in ("fig3_transmission", "fig4_correlations", "fig5_nonmarkovianity"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
    summary = json.loads((tmp_path / "junction_figures.json").read_text())
    m = jt.models.junction(1.0, 0.5, 0.5, 0.02 * float(jnp.hypot(0.5, 0.5)), 10.0, 0.1)
    peak = float(jnp.max(jt.junction.transmission(m, jnp.linspace(-1.0, 3.0, 2001))))
    assert summary["fig3_max_transmission_gamma_0.02Delta"] == peak
    assert 1e-4 < summary["fig4a_max_abs_exact_minus_epa"] < 1e-2  # O(Γ/Ω) = 2e-3


def test_reproduce_spin_gorm_figure(tmp_path):
    """Paper 001 Fig. 1 (`jaxthermo reproduce 001` draws N = 20 and 800; here N = 20 and 200,
    the same statement for a smaller large reservoir): Δ_iS (10) never negative, values equal
    to direct library calls."""
    import json

    import jax
    import jax.numpy as jnp

    import jaxthermo as jt
    from jaxthermo._reproduce import spin_gorm_figure

    spin_gorm_figure(tmp_path, levels=(20, 200))
    assert (tmp_path / "fig1_entropy_production.png").stat().st_size > 10_000
    summary = json.loads((tmp_path / "fig1_entropy_production.json").read_text())
    assert summary["N20"]["min_entropy_production"] > -1e-12
    assert summary["N200"]["min_entropy_production"] > -1e-12
    model = jt.models.spin_gorm(20, 0.1, 10.0, 0.1, jax.random.key(0))
    down = jnp.diag(jnp.array([0.0, 1.0]))
    direct = jt.evolve(model, down, jnp.array([0.0, 600.0])).entropy_production[-1]
    assert abs(summary["N20"]["late_entropy_production"] - float(direct)) < 1e-10


def _one_line_error(capsys, *args):
    """The error of `jaxthermo ARGS`, run in this process (the entry point itself, as a
    subprocess, is tested above): nonzero exit, one line on stderr, no traceback."""
    from jaxthermo._cli import main

    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exit_:  # argparse's errors
        code = exit_.code
    err = capsys.readouterr().err
    assert code != 0
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    return err


def test_bad_command_lines_are_one_line_errors(tmp_path, capsys):
    assert "invalid choice" in _one_line_error(capsys, "reproduce", "005")
    assert "name=start:stop:num" in _one_line_error(
        capsys, "sweep", "chain", "--param", "hopping=0:1"
    )
    assert "name=start:stop:num" in _one_line_error(
        capsys, "sweep", "chain", "--param", "hopping=a:1:3"
    )
    assert "no parameter 'foo'" in _one_line_error(
        capsys, "sweep", "ratchet", "--param", "foo=0:1:3", "--out", str(tmp_path)
    )
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert "--out" in _one_line_error(capsys, "reproduce", "000", "--out", str(blocker / "x"))
    assert "--device" in _one_line_error(capsys, "chain", "--device", "gpu")


def test_reproduce_paper000_figs5_7(tmp_path):
    """`reproduce 000` (Figs. 2–3 are checked in test_reproduce_oscillator_figs2_3).

    Fig. 7: the current is largest where r is comparable to the eigenvalue differences of H
    (the paper's statement), decays as r⁻³ at large r (the commutator series (46) starts at
    third order), and runs towards decreasing x at every r (brute-force sign, ERRATA). The
    stored current equals a direct library call.

    Fig. 5 (50 realisations of two 36-site reservoirs at T₀ = 1100, 900, E_x − E_y = 0.025):
    the paper's statements, measured: n₊ − n₋ and n_u − n_v settle to fixed ratios to the
    reservoir difference (constant within 10 % over t ∈ [300, 1500]), n₊ − n₋ ≠ 0 with the sign
    of a current from the hotter u side (our C = paper's n*, so negative here); the difference
    decays at the rate that this current predicts (particle conservation, 5 %), by more than
    half; E_x n_x → E_y n_y at late times. The plotted n₊ − n₋ at t = 1000 is recomputed by the
    paper's own route: C(t) = U C(0) U† of the whole system, n = K_eff⁻¹ (Eq. 43)."""
    import json

    import jax
    import jax.numpy as jnp

    import jaxthermo as jt

    assert main(["reproduce", "000", "--out", str(tmp_path)]) == 0
    for name in (
        "fig7_ratchet",
        "fig2_entropy_surface",
        "fig3_coarse_grainings",
        "fig5_reservoir_relaxation",
    ):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
    s = json.loads((tmp_path / "fig7_ratchet.json").read_text())
    rates, current = np.array(s["rates"]), np.array(s["current"])
    gaps = np.array(s["eigenvalue_gaps"])
    assert np.all(current < 0)
    assert gaps.min() / 3 < s["rate_of_max_current"] < 3 * gaps.max()
    slope = np.log(current[-1] / current[-7]) / np.log(rates[-1] / rates[-7])
    assert abs(slope + 3.0) < 0.1
    occ = np.array(s["occupations"])  # one row per r; total number = trace of C
    m = jt.models.ratchet(jt.models.sawtooth_potential(16, 0.5), 0.1, rates[10])
    c = jt.steady_state(m).covariance
    assert abs(occ[10].sum() - float(jnp.real(jnp.trace(c)))) < 1e-9
    assert abs(current[10] - float(jt.models.ratchet_current(m, c))) < 1e-12

    f5 = json.loads((tmp_path / "fig5_reservoir_relaxation.json").read_text())
    assert f5["pm_to_gap_mean"] < -0.3 and f5["pm_to_gap_relative_std"] < 0.1
    assert f5["uv_to_gap_mean"] > 0.1 and f5["uv_to_gap_relative_std"] < 0.1
    assert f5["gap_decay_rate"] == pytest.approx(f5["gap_decay_rate_from_current"], rel=0.05)
    assert 0 < f5["min_gap_fraction"] < 0.5
    assert abs(f5["late_equipartition_mean"]) < 0.2 * f5["initial_equipartition"]

    k = f5["times"].index(1000.0)

    def n_pm(key):
        system = jt.models.random_reservoir_oscillator(key)
        full = jt.closed.full_covariance(system, jnp.eye(2) * 1000.0, 1000.0)
        n = jnp.linalg.inv(jt.closed.effective_system_matrix(full, 2))  # C_xy
        return -2.0 * jnp.imag(n[1, 0])  # n₊ − n₋ = i(C_yx − C_xy)

    keys = jax.random.split(jax.random.key(0), 50)
    reference = float(jnp.mean(jax.vmap(n_pm)(keys)))
    assert f5["n_plus"][k] - f5["n_minus"][k] == pytest.approx(reference, rel=1e-8)


def test_reproduce_chain_figures(tmp_path):
    """Paper 002 Figs. 2–3 (short chains; the Fig. 3 exponents at large L are checked in
    test_observables): Γ = 0 gives the ballistic profile, flat at (n₁ + n_L)/2 inside the chain
    (Eq. 29a); Γ > 0 a linear interior profile (29a: linear in k); Π_r dominates for the
    shortest chain and Π_sc overtakes it as L grows (the paper's reading of Fig. 3), Π_r
    decreasing with L."""
    from jaxthermo._reproduce import chain_figures

    s = chain_figures(tmp_path, sizes=(10, 20, 40), asymptotic_sizes=(100, 200))
    for name in ("fig2_occupation_profiles", "fig3_entropy_production"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
    ballistic = np.array(s["fig2a"]["occupations"])
    np.testing.assert_allclose(ballistic[:, 1:-1], 1.5, atol=1e-10)
    for row in np.array(s["fig2c"]["occupations"]):
        steps = np.diff(row[1:-1])
        np.testing.assert_allclose(steps, steps[0], rtol=1e-8)
        assert steps[0] > 0  # from n₁ = 1 up to n_L = 2
    pi_r, pi_sc = np.array(s["fig3"]["pi_r"]), np.array(s["fig3"]["pi_sc"])
    assert pi_r[0] > pi_sc[0] and pi_sc[-1] > pi_r[-1]
    assert np.all(np.diff(pi_r) < 0)
    # the closed-form points continue the library's ones (L = 100, 200: local exponents
    # −1.82, −0.82 on the way to −2, −1; reproduce 002 fits L up to 1600)
    assert s["fig3"]["asymptotic_slope_pi_r"] == pytest.approx(-1.815, abs=0.01)
    assert s["fig3"]["asymptotic_slope_pi_sc"] == pytest.approx(-0.818, abs=0.01)


def test_reproduce_fewlevel_figures(tmp_path):
    """Paper 003: the three-level cycle J₂₁ = J₃₂ = −J₃₁ (109) has the sign of δ (112)–(113)
    and vanishes at δ = 0 (detailed balance); the Onsager blocks are reciprocal and have the
    closed-form structure Γ[[1, ω], [ω, ω²]] of (57b–c) for each Bohr frequency ω."""
    import json

    assert main(["reproduce", "003", "--out", str(tmp_path)]) == 0
    for name in ("three_level_currents", "onsager_matrix"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
    s = json.loads((tmp_path / "fewlevel_figures.json").read_text())
    t = s["three_level"]
    delta, j21, j32, j31 = (np.array(t[k]) for k in ("delta", "J21", "J32", "J31"))
    np.testing.assert_allclose(j21, j32, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(j21, -j31, rtol=1e-9, atol=1e-15)
    centre = np.argmin(np.abs(delta))
    assert abs(delta[centre]) < 1e-12 and abs(j21[centre]) < 1e-15
    off = np.abs(delta) > 1e-6
    assert np.all(np.sign(j21[off]) == np.sign(delta[off]))
    o = s["onsager"]
    assert o["reciprocity_error"] < 1e-12
    for (m, n), block in zip(o["pairs"], np.array(o["blocks"]), strict=True):
        w = [0.0, 1.0, 2.3][m] - [0.0, 1.0, 2.3][n]
        np.testing.assert_allclose(block / block[0, 0], [[1, w], [w, w * w]], rtol=1e-8)


def test_sweep_writes_the_library_values(tmp_path):
    import jax.numpy as jnp

    import jaxthermo as jt

    args = ["sweep", "ratchet", "--param", "rate=0.01:0.1:3", "--param", "hopping=0.1:0.2:2"]
    assert main([*args, "--sites", "5", "--out", str(tmp_path)]) == 0
    data = np.load(tmp_path / "sweep_ratchet.npz")
    assert data["ring_current"].shape == (3, 2)
    m = jt.models.ratchet(jt.models.sawtooth_potential(5, 0.5), 0.2, 0.055)
    direct = float(jt.models.ratchet_current(m, jt.steady_state(m).covariance))
    assert abs(data["ring_current"][1, 1] - direct) < 1e-12
    np.testing.assert_allclose(data["axis_rate"], jnp.linspace(0.01, 0.1, 3))


def test_optimize_junction_finds_the_symmetric_optimum(tmp_path):
    """Maximising J^P over (δ, g) from an asymmetric start: with equal temperatures and a
    bias window symmetric about h the optimum is δ = 0 (mirror symmetry), the gradient
    vanishes there, and the current beats the start."""
    import json

    import jax
    import jax.numpy as jnp

    import jaxthermo as jt

    assert main(["optimize", "junction", "--steps", "200", "--out", str(tmp_path)]) == 0
    s = json.loads((tmp_path / "junction_optimum.json").read_text())
    assert (tmp_path / "junction_optimization.png").stat().st_size > 10_000
    assert abs(s["optimal_detuning"]) < 1e-3
    assert s["optimal_current"] > 5 * s["start_current"] > 0

    def current(p):
        m = jt.models.junction(1.0, p[0], p[1], 0.05, 10.0, 0.05, jnp.array([1.3, 0.7]))
        return jt.junction.landauer_currents(m).particle[0]

    p = jnp.array([s["optimal_detuning"], s["optimal_tunnelling"]])
    assert float(current(p)) == s["optimal_current"]
    assert float(jnp.max(jnp.abs(jax.grad(current)(p)))) < 1e-3 * s["optimal_current"]


def test_reproduce_oscillator_figs2_3():
    """Paper 000 Figs. 2–3 (2-D oscillator, E_x − E_y = 0.025): every NESS lies on the
    coarse-graining circle (n_R)₁/(1 − iλ) at λ = (E_x − E_y)/r (Eq. 18), at the paper's
    angle tan α = r/(E_x − E_y); |n2| is largest at r = E_x − E_y; the Hamiltonian orbit keeps n0
    and the entropy (it lies on δS = 0); the drawn surface has the orbit's entropy."""
    import tempfile
    from pathlib import Path

    import jax.numpy as jnp

    import jaxthermo as jt
    from jaxthermo._reproduce import oscillator_figures

    with tempfile.TemporaryDirectory() as tmp:
        s = oscillator_figures(Path(tmp), points=41)
    rates = np.array(s["rates"])
    n12 = np.array(s["n1"]) + 1j * np.array(s["n2"])
    expected = s["reservoir_n1"] / (1 - 1j * 0.025 / rates)
    np.testing.assert_allclose(n12, expected, rtol=1e-10, atol=1e-14)
    # the paper's angle α (from the n2 axis): tan α = 1/λ = r/(E_x − E_y)
    np.testing.assert_allclose(np.arctan2(n12.real, n12.imag), np.arctan(rates / 0.025), atol=1e-9)
    assert s["rate_of_max_current"] == pytest.approx(0.025, rel=0.01)
    lo, hi = s["orbit_entropy_range"]
    assert hi - lo < 1e-10 and abs(lo - s["entropy_at_split"]) < 1e-10
    assert s["orbit_n0_range"][1] - s["orbit_n0_range"][0] < 1e-12
    # a point of the drawn δS = 0 surface, rebuilt as a covariance, has the same entropy
    k = next(i for i, r in enumerate(s["surface_radius"]) if r is not None and r > 0.01)
    n0, rho, n3 = s["surface_n0"][k], s["surface_radius"][k], s["n3"][0]
    n = jnp.array([[n0 + n3, rho], [rho, n0 - n3]])
    assert float(jt.entropy(n)) == pytest.approx(s["entropy_at_split"], rel=1e-10)


def test_optimize_precision_beats_the_classical_bound(tmp_path, capsys):
    import json

    out = tmp_path / "res"
    assert main(["optimize", "precision", "--steps", "40", "--out", str(out)]) == 0
    summary = json.loads((out / "precision_optimum.json").read_text())
    # the coherent double dot starts above the classical TUR bound and ends below it
    assert summary["start_tur"] > 2.0 > summary["optimal_tur"] > 0.0
    assert summary["history"][-1] < summary["history"][0]
    assert len(summary["optimal_energies"]) == 2 and len(summary["optimal_hoppings"]) == 1
    assert (out / "precision_optimization.png").stat().st_size > 10_000
    assert "classical bound" in capsys.readouterr().out


def test_optimize_precision_rejects_a_zero_bias(tmp_path):
    argv = ["optimize", "precision", "--mu-left", "1", "--mu-right", "1", "--out", str(tmp_path)]
    assert main(argv) == 2


def test_reproduce_fcs_matches_the_resonant_tunnelling_closed_forms(tmp_path):
    """`reproduce fcs`: the sequential-limit Fano factor and c3/c1 of a resonant level from
    the Riccati route equal the published closed forms; Levitov–Lesovik with the Lorentzian
    transmission approaches them at bias ≫ Γ, T; the resonant level obeys Q >= 2 and the
    coherent double dot goes below it."""
    from jaxthermo._reproduce import fluctuation_figures

    s = fluctuation_figures(tmp_path, points=9)
    assert s["fano_max_error_lindblad"] < 1e-9
    assert s["skewness_max_error_lindblad"] < 1e-9
    assert s["fano_max_error_levitov_lesovik_bias400gamma"] < 3e-3
    # at eV = 4T the thermal noise is not negligible: the closed form does not hold there
    assert s["fano_max_error_levitov_lesovik_bias40gamma"] > 0.05
    q = s["min_tur"]
    assert q["resonant level, Lindblad leads"] >= 2.0 - 1e-9
    assert q["resonant level, Levitov-Lesovik"] >= 2.0 - 1e-6
    assert q["double dot, Levitov-Lesovik"] < 1.9 and q["double dot, Lindblad leads"] < 1.9
    assert (tmp_path / "fcs_resonant_tunnelling.png").stat().st_size > 10_000


def test_optimize_engine_reaches_curzon_ahlborn(tmp_path, capsys):
    """Maximum power of the sudden harmonic Otto engine at T_h/T_c = 5: the efficiency there
    is the Otto value 1 − ω_c/ω_h and, at these high temperatures (n ≈ T/ω), close to the
    Curzon–Ahlborn value 1 − sqrt(T_c/T_h) = 0.5528 (Rezek & Kosloff 2006)."""
    import json

    out = tmp_path / "res"
    assert main(["optimize", "engine", "--steps", "40", "--out", str(out)]) == 0
    s = json.loads((out / "engine_optimum.json").read_text())
    assert s["power"] > 1.3 * s["start_power"] > 0
    assert s["efficiency"] == pytest.approx(s["otto_efficiency"], abs=1e-10)
    assert s["curzon_ahlborn"] == pytest.approx(1 - math.sqrt(0.2), rel=1e-12)
    assert abs(s["efficiency"] - s["curzon_ahlborn"]) < 5e-3
    assert 0.5 <= s["optimum"]["omega_cold"] < s["optimum"]["omega_hot"] <= 2.0
    assert (out / "engine_optimization.png").stat().st_size > 10_000
    assert "Curzon–Ahlborn" in capsys.readouterr().out


def test_optimize_engine_rejects_bad_bounds(tmp_path):
    argv = ["optimize", "engine", "--omega-min", "2", "--omega-max", "1", "--out", str(tmp_path)]
    assert main(argv) == 2
