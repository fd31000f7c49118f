"""Few-level systems between fields (paper 003): master equations against QuTiP and closed
forms, micro-currents and their sum rules, detailed balance, local KMS, Onsager."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

import jaxthermo as jt


fl = jt.fewlevel
FLAT = fl.FlatSpectralDensity(0.01)


def _random_coupling(rng, d, hermitian=True):
    a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    return (a + a.conj().T) / 2 if hermitian else a


def _random_model(seed, d=4, temps=(0.8, 2.5), mus=(0.0, 0.0), field=fl.BosonField):
    rng = np.random.default_rng(seed)
    energies = 0.5 + np.cumsum(rng.uniform(0.4, 1.1, d))  # gaps >= 0.4 > |μ|
    u = np.linalg.qr(rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d)))[0]
    h = u @ np.diag(energies) @ u.conj().T  # not diagonal in the given basis
    fields = [
        field(_random_coupling(rng, d), fl.OhmicSpectralDensity(0.004 * (i + 1), 5.0), t, mu)
        for i, (t, mu) in enumerate(zip(temps, mus, strict=True))
    ]
    return fl.FewLevelModel(h, fields)


# ---------------------------------------------------------------------------------------
# Against QuTiP: the GKSL generator built independently from grouped jump operators
# ---------------------------------------------------------------------------------------


def _qutip_steady_state(model, statistics="boson"):
    """Independent construction: jump operators A_j(ω) = Σ_{ε_m-ε_n=ω} P_n D_j P_m in the
    original basis (numpy grouping of Bohr frequencies), QuTiP's `steadystate`."""
    import qutip  # test dependency (extra "test"): a missing QuTiP must fail, not skip

    h = np.asarray(model.hamiltonian)
    e, v = np.linalg.eigh(h)
    d = len(e)
    c_ops = []
    for f in model.fields:
        dm = v.conj().T @ np.asarray(f.coupling) @ v
        beta = float(f.inverse_temperature.value)
        mu = float(f.chemical_potential)
        omegas = []
        for m in range(d):
            for n in range(d):
                w = e[m] - e[n]
                if w > 1e-9 and not any(abs(w - o) < 1e-9 for o in omegas):
                    omegas.append(w)
        for w in omegas:
            a = np.zeros((d, d), complex)
            for m in range(d):
                for n in range(d):
                    if abs(e[m] - e[n] - w) < 1e-9:
                        a[n, m] = dm[n, m]
            a = v @ a @ v.conj().T
            occ = 1 / np.expm1(beta * (w - mu))
            emit = occ + 1
            if statistics == "fermion":
                occ = 1 / (np.exp(beta * (w - mu)) + 1)
                emit = 1 - occ
            j = float(f.spectral_density(jnp.asarray(w)))
            c_ops.append(np.sqrt(2 * np.pi * j * emit) * qutip.Qobj(a))
            c_ops.append(np.sqrt(2 * np.pi * j * occ) * qutip.Qobj(a.conj().T))
    return qutip.steadystate(qutip.Qobj(h), c_ops).full()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_secular_steady_state_agrees_with_qutip(seed):
    model = _random_model(seed, d=3 + seed, mus=(0.1, -0.2))
    ours = jt.steady_state(model)
    np.testing.assert_allclose(ours.density_matrix, _qutip_steady_state(model), atol=1e-10)
    assert float(ours.residual) < 1e-14


def test_fermion_fields_agree_with_qutip():
    model = _random_model(5, d=4, temps=(0.6, 1.7), mus=(1.0, 2.5), field=fl.FermionField)
    ours = jt.steady_state(model)
    np.testing.assert_allclose(
        ours.density_matrix, _qutip_steady_state(model, "fermion"), atol=1e-10
    )


def test_degenerate_bohr_frequencies_are_grouped():
    """Equally spaced levels (a spin-3/2 ladder, all three transitions at ω) plus a degenerate
    pair: the secular generator must couple coherences exactly like A(ω) does."""
    rng = np.random.default_rng(3)
    e = np.array([0.0, 1.0, 2.0, 3.0, 3.0])
    u = np.linalg.qr(rng.normal(size=(5, 5)))[0]
    h = u @ np.diag(e) @ u.T
    fields = [
        fl.BosonField(_random_coupling(rng, 5), FLAT, 0.9),
        fl.BosonField(_random_coupling(rng, 5), FLAT, 2.0),
    ]
    model = fl.FewLevelModel(h, fields)
    ours = jt.steady_state(model)
    np.testing.assert_allclose(ours.density_matrix, _qutip_steady_state(model), atol=1e-10)
    # the Pauli route ignores the coherences: it is not exact here
    pauli = jt.steady_state(model, fl.Pauli()).populations
    assert np.max(np.abs(pauli - np.asarray(ours.populations))) > 1e-4


def _ladder_with_degenerate_pair():
    rng = np.random.default_rng(3)
    e = np.array([0.0, 1.0, 2.0, 3.0, 3.0])
    u = np.linalg.qr(rng.normal(size=(5, 5)))[0]
    fields = [fl.BosonField(_random_coupling(rng, 5), FLAT, 0.9),
              fl.BosonField(_random_coupling(rng, 5), FLAT, 2.0)]  # fmt: skip
    return fl.FewLevelModel(u @ np.diag(e) @ u.T, fields)


def _two_identical_qubits():
    """Degenerate |01>, |10> coupled through correlated fields: nonzero stationary coherence
    between the degenerate levels (checked below)."""
    sz, sx, i2 = np.diag([1.0, -1.0]), np.array([[0.0, 1.0], [1.0, 0.0]]), np.eye(2)
    h = 0.65 * (np.kron(sz, i2) + np.kron(i2, sz))
    return fl.FewLevelModel(h, [
        fl.BosonField(np.kron(sx, i2) + 0.7 * np.kron(i2, sx), FLAT, 0.7),
        fl.BosonField(np.kron(sx, i2) + 0.4 * np.kron(i2, sx), FLAT, 1.9),
    ])  # fmt: skip


@pytest.mark.parametrize("case", ["random10", "ladder", "qubits"])
def test_zero_sector_solve_matches_the_dense_generator_and_qutip(case):
    """Issue 16: the secular stationary state by GMRES in the zero-Bohr-frequency sector
    (O(d³) per iteration) equals the dense d² × d² LU (the reference) and QuTiP, also with
    degenerate levels whose coherences survive."""
    model = {"random10": lambda: _random_model(4, d=10), "ladder": _ladder_with_degenerate_pair,
             "qubits": _two_identical_qubits}[case]()  # fmt: skip
    sectors = jt.steady_state(model, fl.Secular("sectors"))
    dense = jt.steady_state(model, fl.Secular("dense"))
    np.testing.assert_allclose(sectors.density_matrix, dense.density_matrix, atol=1e-12)
    np.testing.assert_allclose(sectors.density_matrix, _qutip_steady_state(model), atol=1e-10)
    assert float(sectors.residual) < 1e-13
    if case == "qubits":
        eig = np.asarray(sectors.eigenbasis_density_matrix)
        assert abs(eig[1, 2]) > 1e-3  # the degenerate pair's coherence
    # the auto choice: dense below 9 levels, sectors from 9
    assert fl.Secular()._sectors(model.size) == (model.size >= 9)


def test_zero_sector_solve_gradients_vmap_and_large_d():
    model = _random_model(2, d=10)

    def population(t):
        fields = [model.fields[0], fl.BosonField(model.fields[1].coupling,
                                                 model.fields[1].spectral_density, t)]  # fmt: skip
        m = fl.FewLevelModel(model.hamiltonian, fields)
        return jt.steady_state(m, fl.Secular("sectors")).populations

    check_grads(jax.jit(lambda t: population(t)[0]), (jnp.array(1.7, float),), order=1,
                modes=["rev"], eps=1e-5, atol=1e-8, rtol=1e-6)  # fmt: skip
    temps = jnp.array([0.9, 1.7, 3.0])
    batch = jax.jit(jax.vmap(population))(temps)
    single = jax.jit(population)  # (one point at a time, not batched)
    for t, p in zip(temps, batch, strict=True):
        np.testing.assert_allclose(p, single(t), atol=1e-13)
    # d = 64 with a non-degenerate spectrum: the secular populations are the Pauli ones
    big = jt.models.multilevel(jnp.linspace(0.0, 2.0, 64) ** 1.3,
                               jnp.asarray(_random_coupling(np.random.default_rng(0), 64).real),
                               jnp.array([0.5, 1.7]))  # fmt: skip
    secular = jt.steady_state(big)
    np.testing.assert_allclose(secular.populations, jt.steady_state(big, fl.Pauli()).populations,
                               atol=1e-13)  # fmt: skip
    assert float(secular.residual) < 1e-13
    with pytest.raises(ValueError, match="`stationary_solver` must be"):
        fl.Secular("lu")


def _oscillator_ladder():
    """A truncated oscillator (equally spaced levels, coupling a + a†): every Bohr frequency
    is degenerate, so coherences of equal frequency feed each other through the jumps."""
    n = 6
    a = np.diag(np.sqrt(np.arange(1.0, n)), 1)
    return jt.models.multilevel(jnp.arange(n, dtype=float), jnp.asarray(a + a.T),
                                jnp.array([0.8, 2.5]))  # fmt: skip


@pytest.mark.parametrize("case", ["random10", "ladder", "qubits", "oscillator"])
def test_secular_matrix_free_generator_and_ode_propagation(case):
    """Issue 16: the secular generator applied without a d² × d² matrix (`secular_apply`:
    contiguous ranges of levels with equal Bohr frequency, cumulative sums) equals the dense
    generator, also with degenerate levels and degenerate Bohr frequencies; its ODE
    propagation in the interaction picture equals the exponential of the d² × d² generator."""
    from jaxthermo._fewlevel._transitions import secular_apply

    model = {"random10": lambda: _random_model(4, d=10), "ladder": _ladder_with_degenerate_pair,
             "qubits": _two_identical_qubits, "oscillator": _oscillator_ladder}[case]()  # fmt: skip
    d = model.size
    rng = np.random.default_rng(3)
    x = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    dense = fl.liouvillian(model, fl.Secular())
    np.testing.assert_allclose(secular_apply(fl.transitions(model))(jnp.asarray(x)).reshape(-1),
                               dense @ x.reshape(-1), atol=1e-13)  # fmt: skip
    if case in ("qubits", "oscillator"):  # degenerate levels / Bohr frequencies (the d = 32
        # test below covers a non-degenerate spectrum)
        rho0 = x @ x.conj().T
        rho0 = rho0 / np.trace(rho0)
        ts = jnp.array([0.0, 3.0, 40.0, 400.0])
        ode = jt.evolve(model, rho0, ts, fl.Secular(propagation="ode")).density_matrix
        exact = jt.evolve(model, rho0, ts, fl.Secular(propagation="expm")).density_matrix
        np.testing.assert_allclose(ode, exact, atol=1e-9)
    if case == "oscillator":  # the feeding between coherences is really there
        s = np.asarray(dense).reshape(d, d, d, d)
        assert abs(s[0, 1, 1, 2]) > 1e-3


def test_secular_ode_route_at_d32_against_pauli():
    """At d = 32 `jt.evolve` takes the ODE route by default; for a non-degenerate spectrum its
    populations follow the Pauli equation (a d × d exponential) exactly, and it relaxes to the
    sector-GMRES stationary state; the coherences decay."""
    e = jnp.linspace(0.0, 2.0, 32) ** 1.3
    big = jt.models.multilevel(e, jnp.asarray(_random_coupling(np.random.default_rng(0), 32).real),
                               jnp.array([0.5, 1.7]))  # fmt: skip
    assert fl.Secular()._propagates_by_ode(32) and not fl.Secular()._propagates_by_ode(31)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(32, 32)) + 1j * rng.normal(size=(32, 32))
    rho0 = x @ x.conj().T / np.trace(x @ x.conj().T)
    ts = jnp.array([0.0, 0.3, 16.0])  # rates up to 16, spectral gap 1.6: e^{-25} by t = 16
    traj = jt.evolve(big, rho0, ts)
    pauli = jt.evolve(big, rho0, ts, fl.Pauli())  # H_S diagonal: eigenbasis = given basis
    np.testing.assert_allclose(
        jnp.diagonal(traj.density_matrix, axis1=1, axis2=2),
        jnp.diagonal(pauli.density_matrix, axis1=1, axis2=2),
        atol=1e-9,
    )
    np.testing.assert_allclose(traj.density_matrix[-1], jt.steady_state(big).density_matrix,
                               atol=1e-9)  # fmt: skip
    assert abs(traj.density_matrix[1, 0, 1]) > 1e-4 > abs(traj.density_matrix[2, 0, 1])
    with pytest.raises(ValueError, match="`propagation` must be"):
        fl.Secular(propagation="rk4")


@pytest.mark.parametrize("seed", [0, 1])
def test_pauli_and_gksl_agree_on_populations(seed):
    model = _random_model(seed, d=5)
    gksl = jt.steady_state(model)
    pauli = jt.steady_state(model, fl.Pauli())
    np.testing.assert_allclose(pauli.populations, gksl.populations, atol=1e-13)
    # stationary coherences vanish (paper Eq. 23) for non-degenerate levels
    off = gksl.eigenbasis_density_matrix - jnp.diag(jnp.diagonal(gksl.eigenbasis_density_matrix))
    assert float(jnp.max(jnp.abs(off))) < 1e-14


def test_redfield_converges_to_secular_at_weak_coupling():
    diffs = []
    for strength in (2e-3, 1e-3, 5e-4):
        model = _random_model(7, d=4)
        fields = [
            fl.BosonField(
                f.coupling, fl.FlatSpectralDensity(strength), 1.0 / f.inverse_temperature.value
            )
            for f in model.fields
        ]
        model = fl.FewLevelModel(model.hamiltonian, fields)
        red = jt.steady_state(model, fl.Redfield()).density_matrix
        sec = jt.steady_state(model, fl.Secular()).density_matrix
        diffs.append(float(jnp.max(jnp.abs(red - sec))))
    # first-order corrections in the coupling: halving it halves the difference
    assert diffs[0] > 1e-6
    assert diffs[1] / diffs[0] == pytest.approx(0.5, abs=0.05)
    assert diffs[2] / diffs[1] == pytest.approx(0.5, abs=0.05)


def test_evolution_preserves_trace_and_reaches_the_stationary_state():
    model = _random_model(2, d=3)
    rho0 = np.zeros((3, 3), complex)
    rho0[0, 0] = 1.0
    ts = jnp.array([0.0, 1.0, 4000.0])
    rhos = jt.evolve(model, rho0, ts).density_matrix
    np.testing.assert_allclose(jnp.trace(rhos, axis1=1, axis2=2), 1.0, atol=1e-12)
    np.testing.assert_allclose(rhos[0], rho0, atol=1e-14)
    np.testing.assert_allclose(rhos[-1], jt.steady_state(model).density_matrix, atol=1e-8)
    assert float(jnp.min(jnp.linalg.eigvalsh(rhos[1]))) > -1e-12  # positivity


# ---------------------------------------------------------------------------------------
# Equilibrium and detailed balance
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", [fl.BosonField, fl.FermionField])
def test_equal_fields_give_gibbs_zero_micro_currents_and_detailed_balance(field):
    model = _random_model(4, d=5, temps=(1.3, 1.3), field=field)
    state = jt.steady_state(model)
    e = np.asarray(state.energies)
    gibbs = np.exp(-e / 1.3) / np.sum(np.exp(-e / 1.3))
    np.testing.assert_allclose(state.populations, gibbs, atol=1e-14)
    assert float(jnp.max(jnp.abs(fl.micro_currents(model, state).particle))) < 1e-16
    assert float(fl.kolmogorov_violation(model)) < 1e-12
    assert float(jnp.max(jnp.abs(fl.detailed_balance_matrix(model, state)))) < 1e-16


def test_unequal_fields_break_detailed_balance():
    model = _random_model(4, d=5)
    state = jt.steady_state(model)
    assert float(fl.kolmogorov_violation(model)) > 1e-2
    micro = fl.micro_currents(model, state)
    assert float(jnp.max(jnp.abs(micro.pair_currents))) > 1e-6  # Eq. (47a) ≠ 0


def test_equal_bose_fields_with_chemical_potential_violate_eq26_on_cycles():
    """ERRATA: a bosonic μ ≠ 0 acts like a frequency-dependent temperature, so equal fields
    break (26) once the transitions form a cycle (three levels), but not without a cycle."""
    cycle = _random_model(6, d=3, temps=(1.0, 1.0), mus=(0.3, 0.3))
    assert float(fl.kolmogorov_violation(cycle)) == pytest.approx(0.3 / 1.0, rel=1e-10)
    two = _random_model(6, d=2, temps=(1.0, 1.0), mus=(0.3, 0.3))
    state = jt.steady_state(two)
    assert float(jnp.max(jnp.abs(fl.micro_currents(two, state).particle))) < 1e-16


def test_sum_rules_41_42_hold_at_any_time():
    model = _random_model(8, d=4)
    rng = np.random.default_rng(0)
    p = rng.uniform(size=4)
    table = fl.transitions(model)
    v = np.asarray(table.basis)
    rho_eig = np.diag(p / p.sum()).astype(complex)
    rho = v @ rho_eig @ v.conj().T
    lv = np.asarray(fl.liouvillian(model))
    drho = (lv @ rho_eig.reshape(-1)).reshape(4, 4)
    micro = fl.micro_currents(model, rho)
    # (41): J_m = -dρ_mm/dt
    np.testing.assert_allclose(micro.level_currents, -np.real(np.diag(drho)), atol=1e-16)
    # (42) corrected (ERRATA): -dE/dt = Σ_j Σ_{m>n} J^E_{j,mn}
    de_dt = np.real(np.sum(np.asarray(table.energies) * np.diag(drho)))
    assert -de_dt == pytest.approx(float(jnp.sum(micro.energy)), rel=1e-12)
    # the fields' energy currents (Tr[H L_j(ρ)]) are minus the micro-current sums
    np.testing.assert_allclose(
        jt.currents(model, rho).energy, -jnp.sum(micro.energy, axis=(1, 2)), rtol=1e-12
    )
    np.testing.assert_allclose(
        jt.currents(model, rho).particle, -jnp.sum(micro.particle, axis=(1, 2)), rtol=1e-12
    )


def test_master_equation_characterization_70():
    model = _random_model(9, d=4)
    state = jt.steady_state(model)
    m = np.asarray(fl.detailed_balance_matrix(model, state))
    pair = np.asarray(fl.micro_currents(model, state).pair_currents)  # [a, b], ε_a > ε_b
    np.testing.assert_allclose(m, pair - pair.T, atol=1e-17)
    assert np.max(np.abs(pair)) > 1e-6


def test_generalized_temperature_and_local_kms():
    model = _random_model(10, d=4)
    state = jt.steady_state(model)
    beta_s = fl.state_inverse_temperature(state)
    h = model.hamiltonian
    # (28): ρ = exp(-β_S(H) H) with Z = 1
    e, v = np.linalg.eigh(np.asarray(h))
    rebuilt = v @ np.diag(np.exp(-np.asarray(beta_s) * e)) @ v.conj().T
    np.testing.assert_allclose(state.density_matrix, rebuilt, atol=1e-14)
    assert float(jnp.max(beta_s) - jnp.min(beta_s)) > 1e-3  # not a Gibbs state
    rng = np.random.default_rng(1)
    for t in (0.0, 0.7):
        x, y = _random_coupling(rng, 4, False), _random_coupling(rng, 4, False)
        res = fl.local_kms_residual(h, state.density_matrix, beta_s, x, y, t)
        assert abs(complex(res)) < 1e-13
        # with a constant β (the mean), the NESS fails the KMS condition
        flat = jnp.full(4, jnp.mean(beta_s))
        assert abs(complex(fl.local_kms_residual(h, state.density_matrix, flat, x, y, t))) > 1e-4
    # a state that does not commute with H_S fails for every β(·) (Theorem 1)
    tilted = 0.9 * state.density_matrix + 0.1 * np.ones((4, 4)) / 4
    x, y = _random_coupling(rng, 4, False), _random_coupling(rng, 4, False)
    assert abs(complex(fl.local_kms_residual(h, tilted, beta_s, x, y))) > 1e-4


def test_spohn_entropy_production_per_field_and_clausius():
    model = _random_model(11, d=4)
    state = jt.steady_state(model)
    spohn = fl.spohn_entropy_production(model, state)
    assert bool(jnp.all(spohn > 0))
    clausius = fl.clausius_entropy_production(model, state)
    assert float(jnp.sum(spohn)) == pytest.approx(float(jnp.sum(clausius)), rel=1e-9)
    # away from the stationary state Spohn's per-field terms stay >= 0
    rho = np.eye(4) / 4
    assert bool(jnp.all(fl.spohn_entropy_production(model, rho) >= 0))


# ---------------------------------------------------------------------------------------
# Three-level system with β(ω) (Sec. VI)
# ---------------------------------------------------------------------------------------

E3 = jnp.array([0.0, 1.0, 2.6])


def _profiles():
    # δ = β(ω21)ω21 - β(ω31)ω31 + β(ω32)ω32 for ω21 = 1, ω31 = 2.6, ω32 = 1.6
    rising = fl.PolynomialInverseTemperature(jnp.array([1.0, 0.4]))  # δ = -1.28 < 0
    falling = fl.PolynomialInverseTemperature(jnp.array([1.0, -0.15]))  # δ = +0.48 > 0
    return rising, falling


def _delta(beta):
    w21, w31, w32 = 1.0, 2.6, 1.6
    return float(beta(w21) * w21 - beta(w31) * w31 + beta(w32) * w32)


def _rates(model):
    r = np.asarray(jnp.sum(fl.transitions(model).pauli_rates, axis=0))  # [n, m]: m → n
    # Γ-_{ω_ab} (down, a > b) and Γ+_{ω_ab} (up) for the pairs 21, 31, 32 (0-based indices)
    down = {k: r[b, a] for k, (a, b) in {"21": (1, 0), "31": (2, 0), "32": (2, 1)}.items()}
    up = {k: r[a, b] for k, (a, b) in {"21": (1, 0), "31": (2, 0), "32": (2, 1)}.items()}
    return down, up


@pytest.mark.parametrize("profile", [0, 1])
def test_three_level_closed_forms_105_and_currents_109(profile):
    beta = _profiles()[profile]
    dip = (0.7, 0.4, 0.9)
    model = jt.models.three_level(E3, beta, dip)
    state = jt.steady_state(model)
    gm, gp = _rates(model)
    x = (gm["31"] * gp["21"] + gm["32"] * gp["21"] + gp["31"] * gm["32"]) / (
        gm["31"] * gm["21"] + gm["31"] * gp["32"] + gm["32"] * gm["21"]
    )
    y = (gp["31"] * gm["21"] + gp["32"] * gp["21"] + gp["31"] * gp["32"]) / (
        gm["32"] * gm["21"] + gm["31"] * gm["21"] + gm["31"] * gp["32"]
    )
    np.testing.assert_allclose(state.populations, np.array([1, x, y]) / (1 + x + y), rtol=1e-12)
    # (109a) with the ERRATA normalisation by c (104c): J21 = J32 = -J31 = cycle current
    c = (
        gp["21"] * gp["32"] + gp["21"] * gm["31"] + gp["21"] * gm["32"] + gp["31"] * gm["21"]
        + gp["31"] * gp["32"] + gp["31"] * gm["32"] + gm["21"] * gm["31"] + gm["21"] * gm["32"]
        + gp["32"] * gm["31"]
    )  # fmt: skip
    b = lambda w: float(beta(w)) * w  # noqa: E731
    a21, a32, a31 = np.exp(b(1.0)), np.exp(b(1.6)), np.exp(b(2.6))
    gamma = [2 * np.pi * 0.01 * dip[0] ** 2, 2 * np.pi * 0.01 * dip[2] ** 2]
    gamma.append(2 * np.pi * 0.01 * dip[1] ** 2)
    delta = _delta(beta)
    cycle = np.prod(gamma) * np.expm1(delta) / ((a21 - 1) * (a32 - 1) * (1 - 1 / a31)) / c
    micro = np.asarray(fl.micro_currents(model, state).particle[0])
    j21, j32, j31 = micro[1, 0], micro[2, 1], micro[2, 0]
    np.testing.assert_allclose([j21, j32, j31], [cycle, cycle, -cycle], rtol=1e-10)
    # sign rule (112)/(113): δ > 0 → J21, J32 > 0 > J31 (quanta of ω31 split in two)
    assert np.sign(j21) == np.sign(j32) == -np.sign(j31) == np.sign(delta) != 0
    energy = np.asarray(fl.micro_currents(model, state).energy[0])
    assert energy[2, 0] == pytest.approx(-(energy[1, 0] + energy[2, 1]), rel=1e-12)  # (110)


def test_three_level_profiles_have_both_signs_of_delta():
    rising, falling = _profiles()
    assert _delta(rising) * _delta(falling) < 0


def test_three_level_without_d12_eq107_and_inverse_population_108():
    """(107) with D₁₂ = 0; (108) with the ERRATA factor (ε₃-ε₁)/(ε₃-ε₂): ρ₂₂ > ρ₁₁ iff
    β(ω32) > (ω31/ω32) β(ω31)."""
    steep = fl.InterpolatedInverseTemperature(jnp.array([1.6, 2.6]), jnp.array([3.0, 1.0]))
    mild = fl.InterpolatedInverseTemperature(jnp.array([1.6, 2.6]), jnp.array([1.2, 1.0]))
    for beta, inverted in ((steep, True), (mild, False)):
        assert (float(beta(1.6)) > 2.6 / 1.6 * float(beta(2.6))) == inverted
        model = jt.models.three_level(E3, beta, (0.0, 0.5, 0.8))
        p = np.asarray(jt.steady_state(model).populations)
        x = np.exp(float(beta(1.6)) * 1.6 - float(beta(2.6)) * 2.6)
        np.testing.assert_allclose(p[1] / p[0], x, rtol=1e-12)
        np.testing.assert_allclose(p[2] / p[0], np.exp(-float(beta(2.6)) * 2.6), rtol=1e-12)
        np.testing.assert_allclose(p[2] / p[1], np.exp(-float(beta(1.6)) * 1.6), rtol=1e-12)
        assert (p[1] > p[0]) == inverted


# ---------------------------------------------------------------------------------------
# Linear regime: Onsager (57)–(59)
# ---------------------------------------------------------------------------------------


def _two_field_factory(energies, coupling, density=FLAT):
    def make(temps, mus):
        return jt.models.multilevel(energies, coupling, temps, mus, density)

    return make


@pytest.mark.parametrize("mu0", [0.0, 0.3])
def test_micro_onsager_matches_closed_form_finite_differences_and_reciprocity(mu0):
    rng = np.random.default_rng(12)
    energies = jnp.array([0.0, 1.1, 2.5, 3.2])
    coupling = np.real(_random_coupling(rng, 4))
    t0 = 0.9
    make = _two_field_factory(energies, coupling)
    ons = fl.micro_onsager_coefficients(make, t0, mu0)
    assert float(ons.reciprocity_error) < 1e-12
    # closed form (57b–c) with the ERRATA signs
    beta0 = 1 / t0
    rho0 = np.asarray(jt.steady_state(make(jnp.array([t0, t0]), jnp.array([mu0, mu0]))).populations)
    for m in range(4):
        for n in range(m):
            w = float(energies[m] - energies[n])
            gamma = np.pi * 0.01 * coupling[n, m] ** 2
            x = beta0 * (w - mu0)
            big = gamma * beta0 * np.exp(x) / np.expm1(x) ** 2 * (rho0[m] - rho0[n])
            expected = big * np.array([[1, w - mu0], [w - mu0, (w - mu0) ** 2]])
            np.testing.assert_allclose(ons.matrix[m, n], expected, rtol=1e-8, atol=1e-17)
    # finite differences of the full non-linear currents

    def current(dmu, dbeta_rel):
        betas = np.array([beta0 * (1 + dbeta_rel / 2), beta0 * (1 - dbeta_rel / 2)])
        model = make(jnp.asarray(1 / betas), jnp.array([mu0 - dmu / 2, mu0 + dmu / 2]))
        p = fl.micro_currents(model, jt.steady_state(model)).particle
        return np.asarray(0.5 * (p[1] - p[0]))

    h = 1e-5
    fd_mu = (current(h, 0) - current(-h, 0)) / (2 * h)
    fd_beta = (current(0, h) - current(0, -h)) / (2 * h)
    np.testing.assert_allclose(ons.matrix[..., 0, 0], fd_mu, rtol=1e-6, atol=1e-14)
    np.testing.assert_allclose(ons.matrix[..., 0, 1], fd_beta, rtol=1e-6, atol=1e-14)


def test_entropy_production_59_is_nonnegative_and_matches_clausius():
    energies = jnp.array([0.0, 1.0, 2.3])
    coupling = np.array([[0, 1.0, 0.5], [1.0, 0, 0.8], [0.5, 0.8, 0]])
    make = _two_field_factory(energies, coupling)
    t0, mu0 = 1.0, 0.0
    ons = fl.micro_onsager_coefficients(make, t0, mu0)
    rng = np.random.default_rng(2)
    for _ in range(5):
        dmu, dbr = rng.normal(scale=1e-3, size=2)
        aff = np.array([dmu, dbr])
        # σ = -β0 Σ_mn J_mn (δμ + (ω-μ0)δβ/β0) to second order (Eq. 59, ERRATA signs)
        sigma_59 = -sum(
            aff @ np.asarray(ons.matrix[m, n]) @ aff for m in range(3) for n in range(m)
        )
        assert sigma_59 >= 0
        model = make(
            jnp.asarray([1 / (1 + dbr / 2), 1 / (1 - dbr / 2)]),
            jnp.array([mu0 - dmu / 2, mu0 + dmu / 2]),
        )
        full = float(jnp.sum(fl.clausius_entropy_production(model, jt.steady_state(model))))
        assert full > 0
        assert full == pytest.approx(sigma_59, rel=5e-3)


# ---------------------------------------------------------------------------------------
# Differentiability and batching
# ---------------------------------------------------------------------------------------


def test_gradients_of_a_current_wrt_beta_profile_and_energies():
    def current(coefficients, energies):
        beta = fl.PolynomialInverseTemperature(coefficients)
        model = jt.models.three_level(energies, beta, (0.7, 0.4, 0.9))
        return fl.micro_currents(model, jt.steady_state(model)).energy[0, 2, 0]

    check_grads(jax.jit(current), (jnp.array([1.0, 0.4]), E3), order=1, modes=("fwd", "rev"))


def test_vmap_over_temperature_grid_matches_loop():
    rng = np.random.default_rng(13)
    coupling = np.real(_random_coupling(rng, 3))
    energies = jnp.array([0.0, 1.0, 2.4])

    def heat(t1, t2):
        model = jt.models.multilevel(energies, coupling, jnp.stack([t1, t2]))
        return jt.currents(model, jt.steady_state(model)).heat[0]

    t1, t2 = jnp.meshgrid(jnp.linspace(0.5, 2.0, 4), jnp.linspace(0.6, 2.1, 3))
    batched = jax.jit(jax.vmap(heat))(t1.ravel(), t2.ravel())
    looped = [heat(a, b) for a, b in zip(t1.ravel(), t2.ravel(), strict=True)]
    np.testing.assert_allclose(batched, looped, rtol=1e-12, atol=1e-16)
    # heat flows from the hotter field 1 into the system
    assert bool(jnp.all(jnp.sign(batched) == jnp.sign(t1.ravel() - t2.ravel())))


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------


def test_bad_input_errors():
    d2 = np.array([[0, 1.0], [1.0, 0]])
    h = np.diag([0.0, 1.0])
    with pytest.raises(ValueError, match="`hamiltonian` must be Hermitian"):
        fl.FewLevelModel(np.array([[0, 1.0], [0.2, 1]]), [fl.BosonField(d2, FLAT, 1.0)])
    with pytest.raises(RuntimeError, match="`hamiltonian` must be Hermitian"):
        jax.jit(
            lambda a: (
                jt.steady_state(fl.FewLevelModel(a, [fl.BosonField(d2, FLAT, 1.0)])).populations
            )
        )(jnp.array([[0, 1.0], [0.2, 1]]))
    with pytest.raises(ValueError, match="`fields\\[0\\].coupling` has shape"):
        fl.FewLevelModel(h, [fl.BosonField(np.eye(3), FLAT, 1.0)])
    with pytest.raises(RuntimeError, match="spectral density J\\(ω\\) must be >= 0"):
        jt.steady_state(fl.FewLevelModel(h, [fl.BosonField(d2, fl.FlatSpectralDensity(-0.1), 1.0)]))
    bad_beta = fl.PolynomialInverseTemperature(jnp.array([-1.0]))
    with pytest.raises(RuntimeError, match="β\\(ω\\) must be > 0"):
        jt.steady_state(
            fl.FewLevelModel(h, [fl.BosonField(d2, FLAT, inverse_temperature=bad_beta)])
        )
    with pytest.raises(RuntimeError, match="chemical_potential"):
        jt.steady_state(fl.FewLevelModel(h, [fl.BosonField(d2, FLAT, 1.0, 1.5)]))
    with pytest.raises(ValueError, match="exactly one of `temperature`"):
        fl.BosonField(d2, FLAT)
    with pytest.raises(TypeError, match="`spectral_density` must be"):
        fl.BosonField(d2, 0.01, 1.0)
    with pytest.raises(TypeError, match="`method` must be jaxthermo.fewlevel.Secular"):
        jt.steady_state(fl.FewLevelModel(h, [fl.BosonField(d2, FLAT, 1.0)]), "lindblad")
    # a level no field reaches: the stationary state is not unique
    h3 = np.diag([0.0, 1.0, 2.5])
    d3 = np.zeros((3, 3))
    d3[0, 1] = d3[1, 0] = 1.0
    with pytest.raises(RuntimeError, match="singular"):
        jt.steady_state(fl.FewLevelModel(h3, [fl.BosonField(d3, FLAT, 1.0)]))
    state = jt.steady_state(fl.FewLevelModel(h3, [fl.BosonField(d3, FLAT, 1.0)]), throw=False)
    assert state.result == jt.RESULTS.singular


# ---------------------------------------------------------------------------------------
# Bloch–Redfield against an independent operator-form implementation and QuTiP
# ---------------------------------------------------------------------------------------


def _thermal_spectrum(strength, temperature):
    def spectrum(w):
        if w > 1e-12:
            return 2 * np.pi * strength * (1 / np.expm1(w / temperature) + 1)
        if w < -1e-12:
            return 2 * np.pi * strength / np.expm1(-w / temperature)
        return 0.0

    return spectrum


def _redfield_problem(seed, complex_coupling):
    rng = np.random.default_rng(seed)
    d, strength, temps = 3, 0.05, (0.5, 2.0)
    e = 0.5 + np.cumsum(rng.uniform(0.4, 1.1, d))
    phase = 1j if complex_coupling else 0.0
    u = np.linalg.qr(rng.normal(size=(d, d)) + phase * rng.normal(size=(d, d)))[0]
    h = u @ np.diag(e) @ u.conj().T
    couplings = [_random_coupling(rng, d) for _ in temps]
    if not complex_coupling:  # real H and D: real eigenbasis matrix elements
        couplings = [np.real(c) for c in couplings]
    fields = [
        fl.BosonField(c, fl.FlatSpectralDensity(strength), t)
        for c, t in zip(couplings, temps, strict=True)
    ]
    spectra = [_thermal_spectrum(strength, t) for t in temps]
    return fl.FewLevelModel(h, fields), h, couplings, spectra


def test_redfield_equals_textbook_operator_form():
    """dρ/dt = -i[H,ρ] - Σ_j [D_j, Λ_j ρ - ρ Λ_j†], Λ_j = ∫_0^∞ C_j(s) D_j(-s) ds (real part),
    i.e. Λ_nm = ½ S(ε_m - ε_n) D_nm in the eigenbasis; written directly in numpy."""
    model, h, couplings, spectra = _redfield_problem(5, complex_coupling=True)
    e, v = np.linalg.eigh(h)
    d = len(e)

    def generator(rho):
        out = -1j * (h @ rho - rho @ h)
        for dj, spectrum in zip(couplings, spectra, strict=True):
            de = v.conj().T @ dj @ v
            lam = np.array(
                [[0.5 * spectrum(e[m] - e[n]) * de[n, m] for m in range(d)] for n in range(d)]
            )
            lam = v @ lam @ v.conj().T
            out += (
                -dj @ lam @ rho + dj @ rho @ lam.conj().T + lam @ rho @ dj - rho @ lam.conj().T @ dj
            )
        return out

    basis = np.eye(d * d).reshape(d * d, d, d)
    textbook = np.stack([generator(b).reshape(-1) for b in basis], axis=1)
    tb = np.asarray(fl.transitions(model).basis)
    u = np.kron(tb, tb.conj())
    ours = u @ np.asarray(fl.liouvillian(model, fl.Redfield())) @ u.conj().T
    np.testing.assert_allclose(ours, textbook, atol=1e-14)


def test_redfield_agrees_with_qutip_for_real_couplings():
    """QuTiP's `bloch_redfield_tensor` agrees when the eigenbasis matrix elements are real;
    with complex ones it matches ours evaluated at `D^T` (a transpose convention on its side;
    ours is pinned by the operator-form test above)."""
    import qutip

    model, h, couplings, spectra = _redfield_problem(6, complex_coupling=False)
    a_ops = [[qutip.Qobj(c), s] for c, s in zip(couplings, spectra, strict=True)]
    tensor = qutip.bloch_redfield_tensor(qutip.Qobj(h), a_ops, sec_cutoff=-1, fock_basis=True)
    ours = jt.steady_state(model, fl.Redfield()).density_matrix
    np.testing.assert_allclose(ours, qutip.steadystate(tensor).full(), atol=1e-12)
    # and the non-secular terms matter at this coupling
    secular = jt.steady_state(model).density_matrix
    assert float(jnp.max(jnp.abs(ours - secular))) > 1e-3


# ---------------------------------------------------------------------------------------
# Bloch–Redfield matrix-free (issue 16): generator applied as O(d³) products, GMRES
# ---------------------------------------------------------------------------------------


def _detuned_qubit_chain(n):
    """n qubits (frequencies 1, 1.1, 1.2, ...), XX couplings 0.05, hot field on the first, cold
    on the last: near-degenerate levels, strong non-secular coherences."""
    return jt.models.qubit_chain(1.0 + 0.1 * jnp.arange(n), 0.05, (2.0, 0.5), FLAT)


@pytest.mark.parametrize("case", ["random10", "chain4"])
def test_redfield_matrix_free_equals_the_dense_generator(case):
    """The matrix-free Redfield generator equals the dense d² × d² one (itself pinned to the
    textbook operator form and QuTiP above) on random matrices; its GMRES stationary state,
    currents and entropy production equal the dense route's."""
    from jaxthermo._fewlevel._transitions import redfield_apply

    model = _random_model(9, d=10) if case == "random10" else _detuned_qubit_chain(4)
    d = model.size
    table = fl.transitions(model)
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d)))
    dense = fl.liouvillian(model, fl.Redfield())  # eigenbasis, row-major vec
    np.testing.assert_allclose(redfield_apply(table)(x).reshape(-1), dense @ x.reshape(-1),
                               atol=1e-13)  # fmt: skip
    krylov = jt.steady_state(model, fl.Redfield("krylov"))
    reference = jt.steady_state(model, fl.Redfield("dense"))
    assert krylov.result == jt.RESULTS.successful
    np.testing.assert_allclose(krylov.density_matrix, reference.density_matrix, atol=1e-12)
    assert float(krylov.residual) < 1e-13
    # the non-secular coherences are really there
    coherences = krylov.eigenbasis_density_matrix - jnp.diag(krylov.populations)
    assert float(jnp.max(jnp.abs(coherences))) > 1e-4
    ours, ref = jt.currents(model, krylov), jt.currents(model, reference)
    for name in ("particle", "energy", "heat"):
        np.testing.assert_allclose(getattr(ours, name), getattr(ref, name), atol=1e-13)
    np.testing.assert_allclose(jt.entropy_production(model, krylov),
                               jt.entropy_production(model, reference), atol=1e-12)  # fmt: skip
    assert not fl.Redfield()._krylov(d) and fl.Redfield()._krylov(24)  # the auto choice


def test_redfield_matrix_free_against_qutip_and_its_gradient():
    """d = 10, real couplings: GMRES stationary state = QuTiP's Bloch–Redfield tensor solved by
    `steadystate`; check_grads through the implicit GMRES derivative."""
    import qutip

    rng = np.random.default_rng(11)
    d, strength, temps = 10, 0.01, (0.6, 1.8)
    e = 0.3 + np.cumsum(rng.uniform(0.3, 1.0, d))
    couplings = [np.real(_random_coupling(rng, d)) for _ in temps]
    h = np.diag(e)
    model = fl.FewLevelModel(h, [fl.BosonField(c, fl.FlatSpectralDensity(strength), t)
                                 for c, t in zip(couplings, temps, strict=True)])  # fmt: skip
    a_ops = [[qutip.Qobj(c), _thermal_spectrum(strength, t)]
             for c, t in zip(couplings, temps, strict=True)]  # fmt: skip
    tensor = qutip.bloch_redfield_tensor(qutip.Qobj(h), a_ops, sec_cutoff=-1, fock_basis=True)
    ours = jt.steady_state(model, fl.Redfield("krylov")).density_matrix
    np.testing.assert_allclose(ours, qutip.steadystate(tensor).full(), atol=1e-12)

    def coherence(t):
        fields = [model.fields[0], fl.BosonField(couplings[1], fl.FlatSpectralDensity(strength), t)]
        rho = jt.steady_state(fl.FewLevelModel(h, fields), fl.Redfield("krylov")).density_matrix
        return jnp.real(rho[0, 1]) + jnp.real(rho[2, 2])

    check_grads(jax.jit(coherence), (jnp.array(1.8, float),), order=1, modes=["rev"], eps=1e-5,
                atol=1e-9, rtol=1e-6)  # fmt: skip


def test_redfield_ode_propagation_equals_the_exponential():
    """`Redfield(propagation="ode")` (diffrax on the (d, d) matrix, generator applied
    matrix-free) equals the exponential of the d² × d² generator, and relaxes to the GMRES
    stationary state."""
    model = _detuned_qubit_chain(3)
    rho0 = np.zeros((8, 8))
    rho0[0, 0] = 1.0
    ts = jnp.array([0.0, 3.0, 40.0, 4000.0])
    ode = jt.evolve(model, rho0, ts, fl.Redfield(propagation="ode")).density_matrix
    exact = jt.evolve(model, rho0, ts, fl.Redfield(propagation="expm")).density_matrix
    np.testing.assert_allclose(ode, exact, atol=1e-9)
    stationary = jt.steady_state(model, fl.Redfield("krylov")).density_matrix
    np.testing.assert_allclose(ode[-1], stationary, atol=1e-8)


def test_redfield_matrix_free_errors():
    """Bad options are named; a GMRES solve that does not converge (rates far above the
    Bohr-frequency gaps) says so (`RESULTS.not_converged`, raised with throw=True) instead of
    returning a wrong state."""
    with pytest.raises(ValueError, match="`stationary_solver` must be"):
        fl.Redfield("sectors")
    with pytest.raises(ValueError, match="`propagation` must be"):
        fl.Redfield(propagation="rk4")
    rng = np.random.default_rng(1)
    d = 16
    e = np.cumsum(rng.uniform(0.0, 0.05, d))
    c = rng.normal(size=(d, d))
    model = jt.models.multilevel(jnp.asarray(e), jnp.asarray(c + c.T) / 2, jnp.array([0.7, 1.6]))
    state = jt.steady_state(model, fl.Redfield("krylov"), throw=False)
    assert state.result == jt.RESULTS.not_converged
    assert bool(jnp.all(jnp.isnan(state.density_matrix)))
    with pytest.raises(Exception, match="did not reach its tolerance"):
        jt.steady_state(model, fl.Redfield("krylov"))
    # the dense reference solves it
    assert jt.steady_state(model, fl.Redfield("dense")).result == jt.RESULTS.successful


def test_qubit_chain_model():
    """`models.qubit_chain`: at equal temperatures the secular stationary state is the Gibbs
    state of H_S (detailed balance); between a hot and a cold field heat flows hot → cold
    (into the system from the hot field), energy is conserved and σ >= 0; bad input named."""
    import scipy.linalg as sla

    equal = jt.models.qubit_chain(jnp.array([1.0, 1.1, 1.2]), 0.05, (0.8, 0.8))
    gibbs = sla.expm(-np.asarray(equal.hamiltonian) / 0.8)
    np.testing.assert_allclose(jt.steady_state(equal).density_matrix, gibbs / np.trace(gibbs),
                               atol=1e-12)  # fmt: skip
    model = jt.models.qubit_chain(jnp.array([1.0, 1.1, 1.2]), 0.05, (2.0, 0.5))
    for method in (fl.Secular(), fl.Redfield()):
        state = jt.steady_state(model, method)
        heat = jt.currents(model, state).heat
        assert float(heat[0]) > 1e-6 and float(heat[1]) < -1e-6
        assert abs(float(heat[0] + heat[1])) < 1e-9 * float(heat[0])  # Tr[H_S L(ρ)] = 0
    assert float(jt.entropy_production(model, jt.steady_state(model))) > 0
    with pytest.raises(ValueError, match="at least 2 qubits"):
        jt.models.qubit_chain(jnp.array([1.0]))
    with pytest.raises(ValueError, match="`temperatures` must have shape"):
        jt.models.qubit_chain(jnp.array([1.0, 1.1]), temperatures=(1.0,))


def test_gmres_flag_is_judged_by_the_states_own_residual(monkeypatch):
    """lineax GMRES tests convergence entrywise at ~2e-15, which rounding alone can keep it
    from reaching (it then reports failure with an excellent state, as on some runs of the
    7-qubit Redfield chain). `krylov_stationary` accepts a unit-trace state whose own residual
    `||L ρ|| / ||W||` is at that level, and still reports `not_converged` for a poor one."""
    import lineax as lx

    from jaxthermo._fewlevel import _methods

    rng = np.random.default_rng(4)
    coupling = rng.normal(size=(10, 10))
    levels = np.sort(rng.uniform(0, 2, 10))

    def model(d):  # two sizes: two compiled programs (steady_state caches per structure)
        c = 0.05 * (coupling[:d, :d] + coupling[:d, :d].T)
        return jt.models.multilevel(jnp.asarray(levels[:d]), jnp.asarray(c), jnp.array([0.7, 1.6]))

    solve = lx.linear_solve

    def flagged(value):  # GMRES's answer, reported as not converged
        def linear_solve(*args, **kwargs):
            sol = solve(*args, **kwargs)
            return lx.Solution(value(sol.value), lx.RESULTS.max_steps_reached, sol.stats, sol.state)

        return linear_solve

    monkeypatch.setattr(_methods.lx, "linear_solve", flagged(lambda v: v))
    good = jt.steady_state(model(10), fl.Redfield("krylov"), throw=False)
    assert good.result == jt.RESULTS.successful
    exact = jt.steady_state(model(10), fl.Redfield("dense")).density_matrix
    np.testing.assert_allclose(good.density_matrix, exact, atol=1e-12)
    monkeypatch.setattr(_methods.lx, "linear_solve", flagged(lambda v: v + 1e-6 * v.T))
    poor = jt.steady_state(model(9), fl.Redfield("krylov"), throw=False)
    assert poor.result == jt.RESULTS.not_converged
