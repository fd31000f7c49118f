"""QuadraticModel against dense density-matrix Lindblad simulations, and paper 002's chain."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxthermo as jt

from .helpers import (
    correlation_matrix,
    dense_evolve,
    dense_model,
    dense_steady_state,
    gaussian_density_matrix,
    mode_operators,
    random_hermitian,
    random_psd,
)


def _rates(model):
    """Dense total loss/gain rate matrices of a model (for the brute force)."""
    L = model.size
    loss = np.zeros((L, L), complex)
    gain = np.zeros((L, L), complex)
    for r in model.bath_rates():
        if isinstance(r, jt._baths.LocalRates):
            loss[r.mode, r.mode] += float(r.loss)
            gain[r.mode, r.mode] += float(r.gain)
        else:
            loss += np.asarray(r.loss)
            gain += np.asarray(r.gain)
    return loss, gain


def _fermion_model(rng, L):
    h = random_hermitian(rng, L, scale=1.5)
    baths = [
        jt.FermionBath(0, 0.7, 0.4, chemical_potential=0.3),
        jt.FermionBath(L - 1, 0.5, 2.0, chemical_potential=-0.2, frequency=0.8),
        jt.FermionBath(L - 1, 0.2, 0.9),  # a second bath on the same mode
    ]
    return jt.QuadraticModel(h, baths, "fermion")


def _boson_model(rng):
    h = np.array([[1.0, 0.15 + 0.1j], [0.15 - 0.1j, 1.3]])
    baths = [jt.BosonBath(0, 0.4, 0.25), jt.BosonBath(1, 0.3, 0.35, chemical_potential=0.1)]
    return jt.QuadraticModel(h, baths)


@pytest.mark.parametrize("L", [2, 3])
def test_fermionic_steady_state_matches_dense_lindblad(L):
    model = _fermion_model(np.random.default_rng(L), L)
    loss, gain = _rates(model)
    ops, lv = dense_model(np.asarray(model.hamiltonian), loss, gain, "fermion")
    c_dense = correlation_matrix(dense_steady_state(lv), ops)
    state = jt.steady_state(model)
    np.testing.assert_allclose(state.covariance, c_dense, atol=1e-12)
    assert state.residual < 1e-14


def test_bosonic_steady_state_matches_truncated_dense_lindblad():
    model = _boson_model(np.random.default_rng(0))
    loss, gain = _rates(model)
    ops, lv = dense_model(np.asarray(model.hamiltonian), loss, gain, "boson", cutoff=9)
    c_dense = correlation_matrix(dense_steady_state(lv), ops)
    state = jt.steady_state(model)
    # occupations ~0.02: truncation at 9 levels per mode costs ~1e-14
    np.testing.assert_allclose(state.covariance, c_dense, atol=1e-10)


@pytest.mark.parametrize("statistics", ["boson", "fermion"])
def test_nonlocal_rate_matrices_match_dense_lindblad(statistics):
    """Full (non-diagonal, complex) Λ⁻, Λ⁺ pin the index order of G and F."""
    rng = np.random.default_rng(42)
    L = 2 if statistics == "boson" else 3
    h = random_hermitian(rng, L) + 1.5 * np.eye(L)
    loss = random_psd(rng, L) * 0.8
    gain = random_psd(rng, L) * (0.02 if statistics == "boson" else 0.5)
    model = jt.QuadraticModel.from_rates(h, loss, gain, statistics)
    cutoff = 10 if statistics == "boson" else None
    ops, lv = dense_model(h, loss, gain, statistics, cutoff)
    c_dense = correlation_matrix(dense_steady_state(lv), ops)
    np.testing.assert_allclose(jt.steady_state(model).covariance, c_dense, atol=1e-9)


@pytest.mark.parametrize("statistics", ["boson", "fermion"])
def test_time_evolution_matches_dense_lindblad(statistics):
    rng = np.random.default_rng(3)
    if statistics == "fermion":
        model, cutoff = _fermion_model(rng, 3), None
        c0 = 0.5 * np.eye(3) + 0.1 * random_hermitian(rng, 3)
    else:
        model, cutoff = _boson_model(rng), 10
        c0 = np.array([[0.05, 0.01 + 0.02j], [0.01 - 0.02j, 0.08]])
    loss, gain = _rates(model)
    ops, lv = dense_model(np.asarray(model.hamiltonian), loss, gain, statistics, cutoff)
    rho0 = gaussian_density_matrix(c0, ops, statistics)
    np.testing.assert_allclose(correlation_matrix(rho0, ops), c0, atol=1e-10)
    ts = np.linspace(0.0, 4.0, 5)
    dense = [correlation_matrix(r, ops) for r in dense_evolve(lv, rho0, ts)]
    for method in (jt.ODE(rtol=1e-10, atol=1e-12), jt.ExactPropagator()):
        evo = jt.evolve(model, c0, ts, method=method)
        np.testing.assert_allclose(evo.covariance, np.stack(dense), atol=1e-8)


def test_unitary_part_is_minus_i_commutator():
    """With no baths, dC/dt = -i[H, C]: C evolves like a density matrix (CONVENTIONS.md)."""
    rng = np.random.default_rng(1)
    h = random_hermitian(rng, 3)
    ops = mode_operators(3, "fermion")
    c0 = 0.5 * np.eye(3) + 0.2 * random_hermitian(rng, 3)
    model = jt.QuadraticModel(h, (), "fermion")
    t = 0.7
    u = jax.scipy.linalg.expm(-1j * jnp.asarray(h) * t)
    expected = u @ c0 @ u.conj().T
    evo = jt.evolve(model, c0, jnp.array([0.0, t]), method=jt.ExactPropagator())
    np.testing.assert_allclose(evo.covariance[-1], expected, atol=1e-12)
    del ops


def test_bath_generators_sum_to_the_covariance_equation():
    model = _fermion_model(np.random.default_rng(5), 3)
    w, f = model.covariance_equation()
    gens = model.bath_generators()
    assert len(gens) == len(model.baths)
    g_sum = sum(g for g, _ in gens)
    f_sum = sum(fa for _, fa in gens)
    np.testing.assert_allclose(w, -1j * model.hamiltonian - 0.5 * g_sum, atol=1e-15)
    np.testing.assert_allclose(f, f_sum, atol=1e-15)
    # local thermal baths: G_kk = γ for both statistics, F_kk = γ f
    bath = model.baths[0]
    g0, f0 = gens[0]
    assert float(g0[0, 0]) == pytest.approx(float(bath.rate))
    assert float(f0[0, 0]) == pytest.approx(
        float(bath.rate * jt.fermi_dirac(model.hamiltonian[0, 0].real, 0.4, 0.3))
    )


def test_single_mode_thermalises_to_bath_occupation():
    for bath, n in [
        (jt.BosonBath(0, 0.3, 2.0, 0.5), jt.bose_einstein(1.7, 2.0, 0.5)),
        (jt.FermionBath(0, 0.3, 2.0, 0.5), jt.fermi_dirac(1.7, 2.0, 0.5)),
    ]:
        model = jt.QuadraticModel(jnp.array([[1.7]]), [bath])
        np.testing.assert_allclose(jt.steady_state(model).occupations, [n], rtol=1e-14)


@pytest.mark.parametrize("L", [2, 5, 12, 40])
def test_chain_closed_forms_without_probes(L):
    """Paper 002, Eqs. (29a)–(29b) with Γ = 0 (ballistic chain)."""
    gamma, lam, n1, nL = 0.07, 0.11, 1.0, 2.0
    model = jt.models.chain(
        L, hopping=lam, rate=gamma, frequency=1.3, occupation_left=n1, occupation_right=nL
    )
    c = np.asarray(jt.steady_state(model).covariance)
    den = 4 * lam**2 + gamma**2
    k = np.arange(1, L + 1)
    occ = (n1 + nL) / 2 + (n1 - nL) / 2 * gamma**2 * ((k == 1) * 1.0 - (k == L)) / den
    np.testing.assert_allclose(np.real(np.diag(c)), occ, rtol=1e-10)
    # <a_k† a_{k+1}> = C[k+1, k] (our C_ij = <a_j† a_i>)
    np.testing.assert_allclose(np.diag(c, -1), gamma * lam * (nL - n1) / den, atol=1e-12)
    # only nearest-neighbour correlations survive
    assert np.max(np.abs(np.triu(c, 2))) < 1e-10
