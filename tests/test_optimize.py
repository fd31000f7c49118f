"""optax optimisation of steady-state objectives: the ratchet potential (paper 000 Sec. IV)."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.test_util import check_grads

import jaxthermo as jt


D = 12
X = jt.models.ratchet_positions(D)
SAW = jt.models.sawtooth_potential(D, 0.5)


def _current(potential):
    model = jt.models.ratchet(potential, 0.1, 0.02)
    return jt.models.ratchet_current(model, jt.steady_state(model).covariance)


def _family(theta):
    """Two-parameter potentials at the sawtooth's amplitude: sin(x + θ₀) + θ₁ sin(2x)."""
    shape = jnp.sin(X + theta[0]) + theta[1] * jnp.sin(2 * X)
    return jt.amplitude_potential(shape, SAW)


def test_objective_gradients():
    shape = SAW + 0.1 * jnp.cos(3 * X)
    check_grads(
        jax.jit(lambda s: _current(jt.amplitude_potential(s, SAW))),
        (shape,),
        order=1,
        modes=("fwd", "rev"),
    )


def test_two_parameter_optimum_confirmed_by_brute_force_scan():
    objective = lambda th: -_current(_family(th))  # noqa: E731 (sawtooth direction: J < 0)
    # the phase landscape has several local maxima: multi-start (vmapped) projected ascent
    starts = jnp.stack([jnp.linspace(-jnp.pi, jnp.pi, 8, endpoint=False), jnp.zeros(8)], axis=1)
    runs = jax.vmap(lambda th: jt.maximize(objective, th, optimizer=optax.adam(0.05), steps=150))(
        starts
    )
    result = jax.tree_util.tree_map(lambda x: x[jnp.argmax(runs.best_value)], runs)
    t0 = jnp.linspace(-jnp.pi, jnp.pi, 73)
    t1 = jnp.linspace(-1.0, 1.0, 41)
    g0, g1 = jnp.meshgrid(t0, t1, indexing="ij")
    scan = jax.jit(jax.vmap(objective))(jnp.stack([g0.ravel(), g1.ravel()], axis=1))
    best_scan = float(jnp.max(scan))
    assert float(result.best_value) >= best_scan - 1e-3 * abs(best_scan)
    np.testing.assert_allclose(result.best_value, objective(result.best_params), rtol=1e-12)
    # the convergence curve rises from the start to the optimum
    assert float(result.history[-1]) > float(result.history[0])


def test_ratchet_potential_optimisation_beats_the_sawtooth():
    opt = jt.optimize_ratchet_potential(D, steps=150, learning_rate=0.02)
    assert float(opt.gain) > 3.0
    np.testing.assert_allclose(float(opt.current), float(_current(opt.potential)), rtol=1e-12)
    np.testing.assert_allclose(float(opt.sawtooth_current), float(_current(SAW)), rtol=1e-12)
    # same amplitude budget as the sawtooth
    np.testing.assert_allclose(jnp.min(opt.potential), jnp.min(SAW), rtol=1e-12)
    np.testing.assert_allclose(jnp.max(opt.potential), jnp.max(SAW), rtol=1e-12)


def test_chain_current_optimum_over_bath_rates_matches_closed_form():
    """Paper 002 chain: J = 2γλ²(n_L - n_1)/(4λ² + γ²) (2λ × Eq. 29b), maximal at γ = 2λ.
    Projected Adam over (γ_L, γ_R) within bounds [0.01, 1] must land there; a 2-D scan
    confirms the optimum."""
    lam, sites = 0.1, 6
    h = jt.models.chain(sites, lam, 0.1, occupation_left=1.0, occupation_right=2.0).hamiltonian
    t_left = jt.occupation_temperature(1.0, 1.0)
    t_right = jt.occupation_temperature(2.0, 1.0)

    def current(rates):
        baths = [jt.BosonBath(0, rates[0], t_left), jt.BosonBath(sites - 1, rates[1], t_right)]
        model = jt.QuadraticModel(h, baths)
        return -jt.currents(model, jt.steady_state(model)).particle[0]  # into the left bath

    bounds = lambda r: jnp.clip(r, 0.01, 1.0)  # noqa: E731
    result = jt.maximize(
        current, jnp.array([0.02, 0.5]), optimizer=optax.adam(0.01), steps=400, project=bounds
    )
    np.testing.assert_allclose(result.best_params, [2 * lam, 2 * lam], rtol=2e-3)
    # current = 2λ × coherence (29b) = 2γλ²Δn/(4λ² + γ²), at γ = 2λ: λΔn/2 (Δn = 1)
    np.testing.assert_allclose(result.best_value, lam / 2, rtol=1e-5)
    grid = jnp.linspace(0.01, 1.0, 45)
    g0, g1 = jnp.meshgrid(grid, grid, indexing="ij")
    scan = jax.jit(jax.vmap(current))(jnp.stack([g0.ravel(), g1.ravel()], axis=1))
    assert float(result.best_value) >= float(jnp.max(scan))
