"""Occupation functions and bath parameters: accuracy and stable derivatives."""

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
