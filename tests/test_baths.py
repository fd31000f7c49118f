"""Occupation functions and bath parameters: accuracy and stable derivatives; the bath
protocol (user-defined baths work end to end)."""

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

import jaxthermo as jt


@pytest.mark.parametrize("x", [1e-9, 1e-4, 0.3, 1.0, 7.0, 40.0, 700.0, 1e4])
def test_bose_einstein_accuracy_and_finite_derivatives(x):
    n = float(jt.bose_einstein(x, 1.0))
    exact = float(1 / np.expm1(np.float64(x))) if x < 700 else 0.0
    assert n == pytest.approx(exact, rel=1e-14, abs=1e-300)
    grads = jax.grad(lambda w, t, m: jt.bose_einstein(w, t, m), argnums=(0, 1, 2))(
        x + 0.5, 1.0, 0.5
    )
    assert all(np.isfinite(float(g)) for g in grads)


@pytest.mark.parametrize("x", [-800.0, -30.0, -1.0, 0.0, 0.2, 3.0, 30.0, 800.0])
def test_fermi_dirac_accuracy_and_symmetry(x):
    f = float(jt.fermi_dirac(x, 1.0))
    assert f == pytest.approx(
        float(1 / (np.exp(np.float64(np.clip(x, -700, 700))) + 1)), rel=1e-14, abs=1e-300
    )
    assert f + float(jt.fermi_dirac(-x, 1.0)) == pytest.approx(1.0, abs=1e-15)
    g = jax.grad(lambda t: jt.fermi_dirac(x, t))(1.0)
    assert np.isfinite(float(g))


def test_occupation_derivatives_match_finite_differences():
    check_grads(jt.bose_einstein, (1.3, 0.7, 0.2), order=2, modes=("fwd", "rev"))
    check_grads(jt.fermi_dirac, (1.3, 0.7, 0.2), order=2, modes=("fwd", "rev"))


@pytest.mark.parametrize("statistics", ["boson", "fermion"])
def test_occupation_temperature_inverts_occupations(statistics):
    occ = jt.bose_einstein if statistics == "boson" else jt.fermi_dirac
    for n in [0.01, 1.0, 2.0, 37.0] if statistics == "boson" else [0.01, 0.3, 0.49]:
        t = jt.occupation_temperature(n, 1.4, statistics, 0.2)
        assert float(occ(1.4, t, 0.2)) == pytest.approx(n, rel=1e-13)


def test_bath_leaves_are_arrays_and_frequency_defaults_to_onsite_energy():
    bath = jt.BosonBath(1, 0.2, 3)
    assert bath.temperature.dtype == jnp.float64
    h = jnp.array([[0.5, 0.0], [0.0, 2.5]])
    assert float(bath.occupation(h)) == pytest.approx(float(jt.bose_einstein(2.5, 3.0)))
    explicit = jt.BosonBath(1, 0.2, 3, frequency=1.0)
    assert float(explicit.occupation(h)) == pytest.approx(float(jt.bose_einstein(1.0, 3.0)))


# ---------------------------------------------------------------------------------------
# The bath protocol: a user-defined bath works end to end
# ---------------------------------------------------------------------------------------


class OccupationBath(jt.AbstractBath):
    """A local bosonic bath given by its occupation `n` instead of a temperature (defined
    here, outside the package, through the protocol only)."""

    mode: int = eqx.field(static=True)
    rate: jax.Array
    occupation: jax.Array
    statistics: ClassVar[str] = "boson"

    def rates(self, hamiltonian):
        return jt.LocalRates(
            self.mode, self.rate * (self.occupation + 1), self.rate * self.occupation
        )

    def parameters(self, hamiltonian):
        omega = jnp.real(hamiltonian[self.mode, self.mode])
        return jt.BathParameters(omega, jnp.log1p(1 / self.occupation) / omega, jnp.zeros(()))

    def checks(self, hamiltonian):
        return (jt.Check(self.occupation < 0, "`occupation` must be >= 0."),)


class CollectiveLoss(jt.AbstractBath):
    """Collective loss through `Σ_j v_j a_j` (a non-local bath without a temperature)."""

    rate: jax.Array
    vector: jax.Array
    statistics: ClassVar[None] = None

    def rates(self, hamiltonian):
        loss = self.rate * jnp.outer(self.vector, jnp.conj(self.vector))
        return jt.MatrixRates(loss, jnp.zeros_like(loss))

    def parameters(self, hamiltonian):
        return jt.BathParameters(None, None, None)

    def checks(self, hamiltonian):
        return ()


H3 = jnp.array([[1.0, 0.2, 0.0], [0.2, 1.4, 0.1], [0.0, 0.1, 0.8]])


def _with(bath0):
    return jt.QuadraticModel(H3, [bath0, jt.BosonBath(2, 0.3, 0.4)])


def test_user_bath_equals_the_builtin_bath_it_mimics():
    n = 0.7
    temperature = float(H3[0, 0] / np.log1p(1 / n))
    ours, builtin = (
        _with(OccupationBath(0, jnp.asarray(0.2), jnp.asarray(n))),
        _with(jt.BosonBath(0, 0.2, temperature)),
    )
    np.testing.assert_allclose(ours.dissipation()[0], builtin.dissipation()[0], rtol=1e-14)
    s1, s2 = jt.steady_state(ours), jt.steady_state(builtin)
    np.testing.assert_allclose(s1.covariance, s2.covariance, rtol=1e-12)
    for picture in ("local", "global"):
        c1, c2 = jt.currents(ours, s1, picture=picture), jt.currents(builtin, s2, picture=picture)
        for key in ("particle", "energy", "heat"):
            np.testing.assert_allclose(getattr(c1, key), getattr(c2, key), rtol=1e-12, atol=1e-17)
    assert float(jt.entropy_production(ours, s1)) == pytest.approx(
        float(jt.entropy_production(builtin, s2)), rel=1e-12
    )
    assert float(jt.currents(ours, s1).particle[0]) > 1e-4  # it carries a current


def test_user_bath_is_never_dropped():
    """A BosonBath of rate 1 plus a user bath of rate 5 on the same mode: G = 6, and the
    user bath's current is its own (the v0.1 bath table silently ignored it)."""
    model = jt.QuadraticModel(
        jnp.array([[1.0]]), [jt.BosonBath(0, 1.0, 1.0), OccupationBath(0, jnp.asarray(5.0),
                                                                       jnp.asarray(0.2))]
    )  # fmt: skip
    np.testing.assert_allclose(model.dissipation()[0], [[6.0]])
    state = jt.steady_state(model)
    n_bose = float(jt.bose_einstein(1.0, 1.0))
    np.testing.assert_allclose(state.covariance, [[(n_bose + 5 * 0.2) / 6]], rtol=1e-13)
    flows = jt.currents(model, state)
    assert float(flows.particle[1]) == pytest.approx(5 * (0.2 - float(state.covariance[0, 0].real)))
    np.testing.assert_allclose(jnp.sum(flows.particle), 0.0, atol=1e-15)


def test_user_bath_gradients_vmap_and_checks():
    def heat(n):
        model = _with(OccupationBath(0, jnp.asarray(0.2), n))
        return jt.currents(model, jt.steady_state(model)).heat[0]

    check_grads(jax.jit(heat), (jnp.asarray(0.7),), order=1, modes=("fwd", "rev"))

    def point(n):
        state = jt.steady_state(_with(OccupationBath(0, jnp.asarray(0.2), n)), throw=False)
        return state.occupations, state.result._value

    occ, codes = jax.vmap(point)(jnp.array([0.5, -0.5]))
    assert list(np.asarray(codes)) == [0, jt.RESULTS.invalid_parameters._value]
    assert np.all(np.isnan(occ[1])) and np.all(np.isfinite(occ[0]))
    with pytest.raises(Exception, match=r"`baths\[0\]` \(OccupationBath\): `occupation` must"):
        jax.jit(
            lambda n: jt.steady_state(_with(OccupationBath(0, jnp.asarray(0.2), n))).covariance
        )(-0.5)


def test_non_local_user_bath_and_missing_methods():
    v = jnp.array([1.0, -1.0, 0.5]) / 1.5
    model = _with(CollectiveLoss(jnp.asarray(0.4), v))
    reference = _with(jt.RateMatrixBath(0.4 * jnp.outer(v, v), jnp.zeros((3, 3))))
    np.testing.assert_allclose(
        jt.steady_state(model).covariance, jt.steady_state(reference).covariance, rtol=1e-12
    )
    np.testing.assert_allclose(
        jt.currents(model, jt.steady_state(model)).energy,
        jt.currents(reference, jt.steady_state(reference)).energy,
        rtol=1e-12,
    )
    with pytest.raises(TypeError, match=r"`baths\[0\]` \(CollectiveLoss\) has no temperature"):
        jt.entropy_production(model, jt.steady_state(model))

    class OnlyRates(jt.AbstractBath):
        statistics: ClassVar[None] = None

        def rates(self, hamiltonian):
            return jt.LocalRates(0, jnp.asarray(1.0), jnp.asarray(0.0))

    with pytest.raises(TypeError, match="checks|parameters"):
        OnlyRates()
    with pytest.raises(TypeError, match="is not a bath"):
        jt.QuadraticModel(H3, [object()])
