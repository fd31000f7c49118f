"""steady_state and evolve: agreement of the routes, convergence, gradients, jit/vmap."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

import jaxthermo as jt
from jaxthermo import lyapunov as ly

from .helpers import force_unrolled, random_hermitian


def _model(h_scale=1.0, statistics="boson"):
    rng = np.random.default_rng(0)
    h = random_hermitian(rng, 4, scale=h_scale) + 2.0 * np.eye(4)
    bath = jt.BosonBath if statistics == "boson" else jt.FermionBath
    baths = (bath(0, 0.3, 1.5), bath(3, 0.5, 0.4, 0.2), bath(2, 0.1, 0.8))
    return jt.QuadraticModel(h, baths)


def test_evolve_ode_agrees_with_exact_propagator_and_converges():
    model = _model()
    c0 = np.diag([0.1, 2.0, 0.5, 0.0]).astype(complex)
    slowest = -float(jt.steady_state(model, ly.Eigen()).stats["spectral_abscissa"])
    ts = jnp.linspace(0.0, 40.0 / slowest, 7)  # e^{-40}: relaxed to machine precision
    ode = jt.evolve(model, c0, ts, method=jt.ODE(rtol=1e-10, atol=1e-12))
    exact = jt.evolve(model, c0, ts, method=jt.ExactPropagator())
    assert ode.covariance.shape == (7, 4, 4)
    np.testing.assert_allclose(ode.covariance, exact.covariance, atol=1e-8)
    ness = jt.steady_state(model).covariance
    np.testing.assert_allclose(exact.covariance[-1], ness, atol=1e-9)
    np.testing.assert_allclose(ode.covariance[0], c0, atol=1e-14)


def test_evolve_ode_default_tolerances_are_reasonable():
    model = _model()
    ts = jnp.linspace(0.0, 10.0, 3)
    c0 = jnp.eye(4) * 0.3
    default = jt.evolve(model, c0, ts).covariance
    exact = jt.evolve(model, c0, ts, method=jt.ExactPropagator()).covariance
    np.testing.assert_allclose(default, exact, atol=1e-6)


def test_evolve_is_differentiable():
    model = _model()
    ts = jnp.array([0.0, 1.0, 3.0])

    def occupation_at(t_bath, method):
        m = eqx.tree_at(lambda m: m.baths[0].temperature, model, t_bath)
        return jt.evolve(m, jnp.eye(4) * 0.2, ts, method=method).occupations[-1, 1]

    # compiled (filter_jit: the method is a static module), as a user would differentiate
    grad = eqx.filter_jit(jax.grad(occupation_at))
    g_exact = grad(jnp.array(1.5), jt.ExactPropagator())
    g_ode = grad(jnp.array(1.5), jt.ODE(rtol=1e-10, atol=1e-12))
    h = 1e-5
    value = eqx.filter_jit(occupation_at)
    fd = (
        value(jnp.array(1.5 + h), jt.ExactPropagator())
        - value(jnp.array(1.5 - h), jt.ExactPropagator())
    ) / (2 * h)
    assert float(g_exact) == pytest.approx(float(fd), rel=1e-6)
    assert float(g_ode) == pytest.approx(float(fd), rel=1e-6)


def _with(model, h, rates, temps, mus):
    params = zip(model.baths, rates, temps, mus, strict=True)
    baths = tuple(type(b)(b.mode, r, t, m, b.frequency) for b, r, t, m in params)
    return jt.QuadraticModel(h, baths, model.statistics)


@pytest.mark.parametrize("statistics", ["boson", "fermion"])
@pytest.mark.parametrize("solver", [None, ly.Eigen(), ly.Sign()], ids=["auto", "eigen", "sign"])
def test_steady_state_gradients_wrt_every_model_number(statistics, solver):
    model = _model(statistics=statistics)
    h0 = jnp.asarray(model.hamiltonian, complex)
    rates = jnp.array([b.rate for b in model.baths])
    temps = jnp.array([b.temperature for b in model.baths])
    mus = jnp.array([b.chemical_potential for b in model.baths])

    def covariance(h, rates, temps, mus):
        h = 0.5 * (h + jnp.conj(h.T))  # stay Hermitian under finite differences
        return jt.steady_state(_with(model, h, rates, temps, mus), solver).covariance

    # Derivatives are defined once for every solver (implicit differentiation in
    # `lyapunov_solve`; a solver only supplies its forward and transposed solves): second
    # order is checked here through the default solver, first order (which runs each
    # solver's forward and transposed solve) through every solver; every solver's derivatives
    # of all orders are checked in test_lyapunov.py::test_implicit_gradients_all_orders_and_modes.
    order = 2 if solver is None else 1
    check_grads(jax.jit(covariance), (h0, rates, temps, mus), order=order, modes=("fwd", "rev"))


def test_steady_state_jit_and_vmap_over_a_batch_of_models():
    hopping = jnp.linspace(0.05, 0.3, 6)
    t_right = jnp.linspace(1.0, 3.0, 6)

    def make(lam, t):
        return jt.models.chain(4, hopping=lam, rate=0.1, temperature_left=0.5, temperature_right=t)

    models = eqx.filter_vmap(make)(hopping, t_right)
    batched = jax.jit(jax.vmap(jt.steady_state))(models)
    assert batched.covariance.shape == (6, 4, 4)
    for i in range(6):
        single = jt.steady_state(make(hopping[i], t_right[i]))
        np.testing.assert_allclose(batched.covariance[i], single.covariance, atol=1e-13)
    assert jnp.all(batched.residual < 1e-13)


def test_vmap_of_a_parameter_function():
    def occupations(t_right):
        model = jt.models.chain(
            6, hopping=0.1, rate=0.05, temperature_left=1.0, temperature_right=t_right
        )
        return jt.steady_state(model).occupations

    ts = jnp.linspace(0.5, 2.0, 5)
    out = jax.jit(jax.vmap(occupations))(ts)
    assert out.shape == (5, 6)
    np.testing.assert_allclose(out[2], occupations(ts[2]), atol=1e-13)


def test_vmapped_steady_state_derivatives(monkeypatch):
    """Under vmap a 6-mode steady state takes the Hermitian unrolled solve (forward and
    tangents) and the general one (cotangents): derivatives of both modes, checked against
    finite differences and against single points."""

    def covariance(lam, t_right):
        model = jt.models.chain(
            6, hopping=lam, rate=0.1, temperature_left=0.5, temperature_right=t_right
        )
        return jt.steady_state(model).covariance

    unrolled = force_unrolled(monkeypatch)  # the unrolled path at batch 3
    lams = jnp.array([0.1, 0.2, 0.3])
    ts = jnp.array([1.0, 2.0, 3.0])
    check_grads(jax.jit(jax.vmap(covariance)), (lams, ts), order=1, modes=("fwd", "rev"))

    def current_like(lam, t_right):
        c = covariance(lam, t_right)
        return jnp.imag(c[0, 1]) + jnp.real(c[2, 4])  # a non-Hermitian cotangent

    batched = jax.jit(jax.vmap(jax.grad(current_like, argnums=(0, 1))))(lams, ts)
    for i in range(3):
        single = jax.grad(current_like, argnums=(0, 1))(lams[i], ts[i])
        np.testing.assert_allclose(batched[0][i], single[0], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(batched[1][i], single[1], rtol=1e-10, atol=1e-12)
    assert unrolled


def test_steady_state_reports_solver_statistics():
    state = jt.steady_state(_model(), ly.Sign())
    assert int(state.stats["num_steps"]) > 0
    state = jt.steady_state(_model(), ly.Eigen())
    assert float(state.stats["eigenvector_condition"]) >= 1.0
    assert float(state.stats["spectral_abscissa"]) < 0
