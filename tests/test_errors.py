"""Bad input gives a clear error naming the problem, outside and inside jit; never a NaN."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxthermo as jt
from jaxthermo import lyapunov as ly


H2 = jnp.array([[1.0, 0.2], [0.2, 1.5]])


def _model(temperature=1.0, rate=0.3, mu=0.0, h=H2, bath=jt.BosonBath):
    return jt.QuadraticModel(h, [bath(0, rate, temperature, mu), bath(1, 0.2, 0.5)])


@pytest.mark.parametrize("temperature", [0.0, -1.0, float("nan")])
def test_non_positive_temperature(temperature):
    with pytest.raises(ValueError, match="`temperature` must be > 0"):
        _model(temperature=temperature)
    with pytest.raises(RuntimeError, match="`temperature` must be > 0"):
        jax.jit(lambda t: jt.steady_state(_model(temperature=t)).covariance)(temperature)


def test_negative_rate():
    with pytest.raises(ValueError, match="`rate` must be >= 0"):
        _model(rate=-0.1)
    with pytest.raises(RuntimeError, match="`rate` must be >= 0"):
        jax.jit(lambda r: jt.steady_state(_model(rate=r)).covariance)(-0.1)


def test_non_hermitian_hamiltonian():
    bad = jnp.array([[1.0, 0.3], [0.1, 1.5]])
    with pytest.raises(ValueError, match="`hamiltonian` must be Hermitian"):
        _model(h=bad)
    with pytest.raises(RuntimeError, match="`hamiltonian` must be Hermitian"):
        jax.jit(lambda h: jt.steady_state(_model(h=h)).covariance)(bad)


@pytest.mark.parametrize("mu", [1.0, 2.0])
def test_bose_chemical_potential_at_or_above_frequency(mu):
    # H[0, 0] = 1 is the default bath frequency
    with pytest.raises(RuntimeError, match="`chemical_potential` must be below"):
        jt.steady_state(_model(mu=mu))
    with pytest.raises(RuntimeError, match="`chemical_potential` must be below"):
        jax.jit(lambda m: jt.steady_state(_model(mu=m)).covariance)(mu)
    # fermions accept any μ
    assert jnp.all(jnp.isfinite(jt.steady_state(_model(mu=mu, bath=jt.FermionBath)).covariance))


def _dark_model(hopping=0.0):
    # mode 2 has no bath and (for hopping = 0) no path to one
    h = jnp.array([[1.0, 0.3, 0.0], [0.3, 1.2, hopping], [0.0, hopping, 0.9]])
    return jt.QuadraticModel(h, [jt.BosonBath(0, 0.3, 1.0), jt.BosonBath(1, 0.2, 2.0)])


@pytest.mark.parametrize(
    "solver",
    [None, ly.BartelsStewart(), ly.Eigen(), ly.Sign(max_steps=60), ly.ScipyReference()],
    ids=["auto", "schur", "eigen", "sign", "scipy"],
)
def test_no_unique_steady_state(solver):
    expected = "not Hurwitz|maximum number of solver steps"
    with pytest.raises(RuntimeError, match=expected):
        jt.steady_state(_dark_model(), solver)
    with pytest.raises(RuntimeError, match=expected):
        jax.jit(lambda h: jt.steady_state(_dark_model(h), solver).covariance)(0.0)
    # ... but a path to a bath makes it fine
    assert jt.steady_state(_dark_model(0.2), solver).result == jt.RESULTS.successful


def test_dark_superposition_is_detected():
    # Two degenerate modes coupled identically to a bathed mode: (a_1 - a_2)/√2 is dark.
    h = jnp.array([[1.0, 0.3, 0.3], [0.3, 1.0, 0.0], [0.3, 0.0, 1.0]])
    model = jt.QuadraticModel(h, [jt.BosonBath(0, 0.5, 1.0)])
    with pytest.raises(RuntimeError, match="not Hurwitz"):
        jt.steady_state(model)


def test_throw_false_reports_instead_of_raising():
    state = jt.steady_state(_dark_model(), throw=False)
    assert state.result == jt.RESULTS.not_hurwitz
    assert "not Hurwitz" in jt.RESULTS[state.result]


def test_unstable_bosonic_gain():
    h = jnp.array([[1.0]])
    model = jt.QuadraticModel.from_rates(h, jnp.array([[0.1]]), jnp.array([[0.3]]), "boson")
    with pytest.raises(RuntimeError, match="not Hurwitz"):
        jt.steady_state(model)


def test_shape_errors():
    with pytest.raises(ValueError, match="`hamiltonian` must be a square matrix"):
        jt.QuadraticModel(jnp.ones((2, 3)), [jt.BosonBath(0, 0.1, 1.0)])
    with pytest.raises(ValueError, match="acts on mode 5, but the model has only 2 modes"):
        jt.QuadraticModel(H2, [jt.BosonBath(5, 0.1, 1.0)])
    with pytest.raises(ValueError, match="`rate` must be a scalar"):
        jt.BosonBath(0, jnp.ones(3), 1.0)
    with pytest.raises(TypeError, match="`mode` must be a Python int"):
        jt.BosonBath(0.5, 0.1, 1.0)
    with pytest.raises(ValueError, match="expected \\(2, 2\\)"):
        jt.QuadraticModel.from_rates(H2, jnp.eye(3), jnp.zeros((3, 3)), "boson")
    with pytest.raises(ValueError, match="`state0` \\(a covariance\\) must have shape"):
        jt.evolve(_model(), jnp.eye(3), jnp.linspace(0, 1, 3))


def test_statistics_errors():
    with pytest.raises(ValueError, match="statistics is 'boson'"):
        jt.QuadraticModel(H2, [jt.BosonBath(0, 0.1, 1.0), jt.FermionBath(1, 0.1, 1.0)], "boson")
    with pytest.raises(ValueError, match="`statistics` .* must be given"):
        jt.QuadraticModel(H2, [])
    with pytest.raises(ValueError, match="'boson' or 'fermion'"):
        jt.QuadraticModel(H2, [], "anyon")


def test_rate_matrix_errors():
    with pytest.raises(ValueError, match="`loss` must be Hermitian"):
        jt.RateMatrixBath(jnp.array([[1.0, 0.5], [0.0, 1.0]]), jnp.zeros((2, 2)))
    with pytest.raises(ValueError, match="`gain` must be positive semidefinite"):
        jt.RateMatrixBath(jnp.eye(2), -jnp.eye(2))


def test_complex_bath_parameter():
    with pytest.raises(TypeError, match="`temperature` must be real"):
        jt.BosonBath(0, 0.1, 1.0 + 1j)


def test_wrong_model_and_method_types():
    with pytest.raises(TypeError, match="`model` must be a jaxthermo model"):
        jt.steady_state(H2)
    with pytest.raises(TypeError, match="`method` must be"):
        jt.evolve(_model(), jnp.eye(2), jnp.linspace(0, 1, 3), method="rk4")


def test_no_nan_for_extreme_but_valid_temperatures():
    for t in (1e-3, 1e-2, 1e3, 1e6):
        c = jt.steady_state(_model(temperature=t)).covariance
        assert np.all(np.isfinite(c))
