"""The one contract every model family answers (`steady_state`, `evolve`, `currents`,
`entropy_production`): each verb on each family, the initial-time convention, cross-family
agreement on models two families can both express, failure codes in batches instead of
crashes, and the generic Onsager routine on every family."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxthermo as jt


fl, jn, cl = jt.fewlevel, jt.junction, jt.closed


def _quadratic():
    h = jnp.array([[1.0, 0.2], [0.2, 1.3]])
    return jt.QuadraticModel(h, [jt.BosonBath(0, 0.1, 2.0), jt.BosonBath(1, 0.2, 0.6, 0.1)])


def _fewlevel():
    d = jnp.array([[0.0, 1.0, 0.4], [1.0, 0.0, 0.7], [0.4, 0.7, 0.0]])
    return jt.models.multilevel(jnp.array([0.0, 1.0, 2.3]), d, jnp.array([0.7, 1.9]))


def _junction():
    return jt.models.junction(1.0, 0.2, 0.5, 0.05, 10.0, (0.1, 0.3), (1.2, 0.6))


def _closed():
    rng = np.random.default_rng(0)
    h_r = np.diag(rng.uniform(-1, 1, 6))
    b = 0.2 * rng.normal(size=(1, 6))
    return cl.ClosedSystem(np.array([[0.2]]), [cl.FiniteReservoir(h_r, b, 0.5, 0.1)], "fermion")


FAMILIES = {
    "quadratic": (_quadratic, lambda: jnp.diag(jnp.array([0.3, 0.1]))),
    "fewlevel": (_fewlevel, lambda: jnp.diag(jnp.array([0.2, 0.5, 0.3]))),
    "junction": (_junction, lambda: jnp.diag(jnp.array([0.3, 0.6]))),
    "closed": (_closed, lambda: jnp.array([[0.9]])),
    "spin_gorm": (
        lambda: jt.models.spin_gorm(6, key=jax.random.key(2)),
        lambda: jnp.array([[0.3, 0.1], [0.1, 0.7]]),
    ),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_evolve_entry_at_ts0_is_state0(family):
    """For every family the trajectory starts at `ts[0]` (here 2.5, not 0) from `state0`."""
    make, state0 = FAMILIES[family]
    model, rho0 = make(), state0()
    traj = jt.evolve(model, rho0, jnp.array([2.5, 3.0, 6.0]))
    state = traj.density_matrix if hasattr(traj, "density_matrix") else traj.covariance
    assert state.shape[0] == 3
    np.testing.assert_allclose(state[0], rho0, atol=1e-13)
    assert not np.allclose(state[-1], rho0, atol=1e-6)  # it does evolve
    np.testing.assert_allclose(traj.ts, [2.5, 3.0, 6.0])
    assert traj.result == jt.RESULTS.successful
    # time-translation invariance: starting at 0 gives the same states at the same elapsed times
    shifted = jt.evolve(model, rho0, jnp.array([0.0, 0.5, 3.5]))
    other = shifted.density_matrix if hasattr(shifted, "density_matrix") else shifted.covariance
    np.testing.assert_allclose(other, state, atol=1e-9)


@pytest.mark.parametrize("family", ["quadratic", "fewlevel", "junction"])
def test_steady_state_currents_entropy_production(family):
    make, _ = FAMILIES[family]
    model = make()
    state = jt.steady_state(model)
    assert state.result == jt.RESULTS.successful
    flows = jt.currents(model, state)
    assert isinstance(flows, jt.Currents)
    assert flows.particle.shape == flows.energy.shape == flows.heat.shape
    sigma = jt.entropy_production(model, state)
    assert float(sigma) > 0  # non-equilibrium: strictly positive
    if family != "fewlevel":  # particle numbers are conserved: Kirchhoff
        assert abs(float(jnp.sum(flows.particle))) < 1e-10 * float(jnp.max(jnp.abs(flows.particle)))
    # energy is conserved by the steady state (global energy for the few-level generator)
    if family == "fewlevel":
        assert abs(float(jnp.sum(flows.energy))) < 1e-12
    # the steady state is stationary under evolve (not for the junction, whose evolution
    # starts from a product state with thermal leads and relaxes back on the scale 1/Γ)
    if family != "junction":
        rho = state.density_matrix if family == "fewlevel" else state.covariance
        traj = jt.evolve(model, rho, jnp.array([0.0, 7.0]))
        later = traj.density_matrix if family == "fewlevel" else traj.covariance
        np.testing.assert_allclose(later[-1], rho, atol=1e-10)


@pytest.mark.parametrize("family", ["closed", "spin_gorm"])
def test_closed_systems_have_no_steady_state(family):
    make, state0 = FAMILIES[family]
    model = make()
    with pytest.raises(TypeError, match="`steady_state` is not defined for"):
        jt.steady_state(model)
    traj = jt.evolve(model, state0(), jnp.linspace(0.0, 5.0, 6))
    with pytest.raises(TypeError, match="`entropy_production` is not defined for"):
        jt.entropy_production(model, traj)
    flows = jt.currents(model, traj)
    assert flows.energy.shape == (6, 1)


def test_verbs_reject_non_models():
    for verb in (jt.steady_state, lambda m: jt.currents(m, None)):
        with pytest.raises(TypeError, match="`model` must be a jaxthermo model"):
            verb(jnp.eye(2))
    with pytest.raises(TypeError, match="`currents` is not defined for Junction"):
        jt.currents(_junction(), jnp.eye(2))
    with pytest.raises(ValueError, match="`picture` must be"):
        jt.currents(_quadratic(), jt.steady_state(_quadratic()), picture="both")
    with pytest.raises(ValueError, match="`ts` must be a non-empty 1-D"):
        jt.evolve(_quadratic(), jnp.eye(2), 1.0)


# ---------------------------------------------------------------------------------------
# One physics, two families
# ---------------------------------------------------------------------------------------


def test_junction_epa_is_the_quadratic_model():
    """The junction's asymptotic EPA master equation (paper 004 Sec. V) is a QuadraticModel:
    same steady state; the per-lead EPA currents are those of the thermalising generators,
    which the additive QuadraticModel gives in the same state (Eqs. (61)–(62)); Kirchhoff."""
    m = _junction()
    epa = jt.steady_state(m, jn.EPA())
    quad = jn.quadratic_model(m)
    np.testing.assert_allclose(jt.steady_state(quad).covariance, epa.covariance, atol=1e-14)
    flows = jt.currents(m, epa)
    additive = jt.currents(jn.quadratic_model(m, additive=True), epa.covariance)
    np.testing.assert_allclose(flows.particle, additive.particle, atol=1e-15)
    np.testing.assert_allclose(flows.energy, additive.energy, atol=1e-15)
    # a RateMatrixBath has no chemical potential; the lead's heat is J^E − μ_α J^P
    np.testing.assert_allclose(flows.heat, flows.energy - m.chemical_potentials * flows.particle)
    np.testing.assert_allclose(jnp.sum(flows.particle), 0.0, atol=1e-15)
    assert float(jnp.sum(jt.currents(quad, epa.covariance).particle)) == pytest.approx(0, abs=1e-15)
    # EPA and exact currents: the same sign, O(Γ/Ω) apart; J_L > 0 for μ_L > μ_R
    exact = jt.currents(m, jt.steady_state(m))
    assert float(exact.particle[0]) > 0 and float(flows.particle[0]) > 0
    # (Γ/Δ ≈ 0.1 here: the EPA currents are within 10 %)
    assert float(exact.particle[0]) == pytest.approx(float(flows.particle[0]), rel=0.1)
    # the entropy production is the EPA second law's (Eq. (64))
    assert float(jt.entropy_production(m, epa)) == pytest.approx(
        float(jn.second_law(m).entropy_production), rel=1e-12
    )


@pytest.mark.parametrize("temperatures", [(0.4, 1.5), (0.9, 0.9)])
def test_single_fermionic_level_two_families(temperatures):
    """One fermionic level between two leads: as a few-level model (|0⟩, |1⟩, coupling
    D = |0⟩⟨1|, flat J) and as a QuadraticModel with FermionBaths of rate 2πJ: the same
    occupation, currents (sign: into the system) and entropy production."""
    eps, j_l, j_r, mus = 0.7, 0.01, 0.03, (0.9, 0.2)
    lower = jnp.array([[0.0, 1.0], [0.0, 0.0]])
    fields = [
        fl.FermionField(lower, fl.FlatSpectralDensity(j), t, mu)
        for j, t, mu in zip((j_l, j_r), temperatures, mus, strict=True)
    ]
    few = fl.FewLevelModel(jnp.diag(jnp.array([0.0, eps])), fields)
    quad = jt.QuadraticModel(
        jnp.array([[eps]]),
        [jt.FermionBath(0, 2 * jnp.pi * j, t, mu) for j, t, mu in zip((j_l, j_r), temperatures,
                                                                         mus, strict=True)],
    )  # fmt: skip
    s_few, s_quad = jt.steady_state(few), jt.steady_state(quad)
    assert float(s_few.populations[1]) == pytest.approx(float(s_quad.occupations[0]), rel=1e-12)
    c_few, c_quad = jt.currents(few, s_few), jt.currents(quad, s_quad)
    for key in ("particle", "energy", "heat"):
        np.testing.assert_allclose(
            getattr(c_few, key), getattr(c_quad, key), rtol=1e-10, atol=1e-16
        )
    assert float(jt.entropy_production(few, s_few)) == pytest.approx(
        float(jt.entropy_production(quad, s_quad)), rel=1e-9, abs=1e-16
    )
    # and along a trajectory from the empty level
    ts = jnp.array([0.0, 5.0, 30.0])
    t_few = jt.evolve(few, jnp.diag(jnp.array([1.0, 0.0])), ts)
    t_quad = jt.evolve(quad, jnp.zeros((1, 1)), ts, jt.ExactPropagator())
    np.testing.assert_allclose(t_few.density_matrix[:, 1, 1].real, t_quad.occupations[:, 0],
                               atol=1e-10)  # fmt: skip
    np.testing.assert_allclose(
        jt.currents(few, t_few).particle, jt.currents(quad, t_quad).particle, atol=1e-12
    )
    np.testing.assert_allclose(
        jt.entropy_production(few, t_few), jt.entropy_production(quad, t_quad), atol=1e-9
    )


# ---------------------------------------------------------------------------------------
# Failure codes in batches (throw=False) and in sweeps
# ---------------------------------------------------------------------------------------


def test_vmapped_batch_with_one_invalid_point_quadratic():
    def point(t):
        m = jt.QuadraticModel(_quadratic().hamiltonian, [jt.BosonBath(0, 0.1, t),
                                                         jt.BosonBath(1, 0.2, 0.6)])  # fmt: skip
        state = jt.steady_state(m, throw=False)
        return state.occupations, state.result._value, jt.entropy_production(m, state)

    temps = jnp.array([1.0, -2.0, 3.0])
    occ, codes, sigma = jax.jit(jax.vmap(point))(temps)
    assert list(np.asarray(codes)) == [0, jt.RESULTS.invalid_parameters._value, 0]
    assert np.all(np.isnan(occ[1])) and np.isnan(sigma[1])
    for k in (0, 2):
        ref = jt.steady_state(
            jt.QuadraticModel(
                _quadratic().hamiltonian,
                [jt.BosonBath(0, 0.1, temps[k]), jt.BosonBath(1, 0.2, 0.6)],
            )  # fmt: skip
        )
        np.testing.assert_allclose(occ[k], ref.occupations, rtol=1e-12)
    # throw=True names the argument, also inside jit
    with pytest.raises(Exception, match=r"`baths\[0\]` \(BosonBath\): `temperature` must be > 0"):
        jax.jit(lambda t: point_throw(t))(-2.0)


def point_throw(t):
    m = jt.QuadraticModel(_quadratic().hamiltonian, [jt.BosonBath(0, 0.1, t)])
    return jt.steady_state(m).covariance


def test_vmapped_batch_with_one_invalid_point_fewlevel_and_junction():
    def few(t):
        m = jt.models.multilevel(jnp.array([0.0, 1.0, 2.3]), _fewlevel().fields[0].coupling,
                                 jnp.stack([t, 1.0]), (0.0, 0.0))  # fmt: skip
        s = jt.steady_state(m, throw=False)
        return s.populations, s.result._value

    pops, codes = jax.vmap(few)(jnp.array([0.8, -1.0]))
    assert list(np.asarray(codes)) == [0, jt.RESULTS.invalid_parameters._value]
    assert np.all(np.isfinite(pops[0])) and np.all(np.isnan(pops[1]))

    def lead(gamma):
        m = jt.models.junction(1.0, 0.0, 0.5, gamma, 10.0, 0.1, (1.2, 0.6))
        s = jt.steady_state(m, throw=False)
        return jt.currents(m, s).particle, s.result._value

    flows, codes = jax.vmap(lead)(jnp.array([0.05, 20.0]))  # Γ > Ω is invalid
    assert list(np.asarray(codes)) == [0, jt.RESULTS.invalid_parameters._value]
    assert np.all(np.isfinite(flows[0])) and np.all(np.isnan(flows[1]))


def test_sweep_over_an_invalid_corner_finishes_and_reports(tmp_path):
    def fn(p):
        baths = [jt.BosonBath(0, 0.1, p["t"]), jt.BosonBath(1, p["rate"], 0.6)]
        m = jt.QuadraticModel(_quadratic().hamiltonian, baths)
        state = jt.steady_state(m, throw=False)
        return {"heat": jt.currents(m, state).heat[0], "state": state}

    axes = {"t": jnp.array([-1.0, 0.5, 1.0, 2.0]), "rate": jnp.array([-0.1, 0.1, 0.2])}
    with pytest.warns(RuntimeWarning, match="6 of 12 points did not succeed"):
        result = jt.sweep(fn, axes, chunk_size=5, path=tmp_path, progress=False)
    assert result.complete and result.failed == 6
    bad = (axes["t"][:, None] < 0) | (axes["rate"][None, :] < 0)
    np.testing.assert_array_equal(result.results != 0, bad)
    assert np.all(np.isnan(result.values["heat"][bad]))
    assert np.all(np.isfinite(result.values["heat"][~bad]))
    assert list(result.failures.values()) == [6]
    # resumed from disk: the same codes
    with pytest.warns(RuntimeWarning):
        again = jt.sweep(fn, axes, chunk_size=5, path=tmp_path, progress=False)
    assert again.loaded_chunks == 3
    np.testing.assert_array_equal(again.results, result.results)


# ---------------------------------------------------------------------------------------
# One Onsager routine for every family
# ---------------------------------------------------------------------------------------


def test_onsager_reciprocity_across_families():
    """`jt.onsager_coefficients` works through the verbs: reciprocity L = Lᵀ for a
    quadratic model, a few-level model and the junction; positive semidefinite L."""
    d = _fewlevel().fields[0].coupling
    makers = {
        # a common bath frequency, so that equal (T, μ) is an equilibrium of the local baths
        "quadratic": lambda t, mu: jt.QuadraticModel(
            _quadratic().hamiltonian,
            [
                jt.BosonBath(0, 0.1, t[0], mu[0], frequency=1.15),
                jt.BosonBath(1, 0.2, t[1], mu[1], frequency=1.15),
            ],
        ),  # fmt: skip
        "fewlevel": lambda t, mu: jt.models.multilevel(jnp.array([0.0, 1.0, 2.3]), d, t, mu),
        "junction": lambda t, mu: jt.models.junction(1.0, 0.2, 0.5, 0.05, 10.0, t, mu),
    }
    for name, make in makers.items():
        mu0 = 0.0 if name == "fewlevel" else 0.3
        ons = jt.onsager_coefficients(
            make, jnp.array([0.8, 0.8]), jnp.array([mu0, mu0]), second_order=False
        )
        assert float(ons.reciprocity_error) < 1e-9, name
        assert float(jnp.min(jnp.linalg.eigvalsh(0.5 * (ons.linear + ons.linear.T)))) > -1e-12
        np.testing.assert_allclose(ons.currents, 0.0, atol=1e-12)
