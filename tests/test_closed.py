"""Closed systems with finite reservoirs (paper 001 thermodynamics from covariances): exact
identities, the relative-entropy definition (10) by direct evaluation, dense density
matrices for a tiny case, and the approach to the Markovian entropy production."""

import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg as sla

import jaxthermo as jt

from .helpers import gaussian_density_matrix, mode_operators, random_hermitian


def _random_closed(seed, statistics="fermion", s=2, m=6, temps=(0.7, 1.6), mus=(0.2, -0.3)):
    rng = np.random.default_rng(seed)
    reservoirs = []
    for t, mu in zip(temps, mus, strict=True):
        h = random_hermitian(rng, m) + (2.5 if statistics == "boson" else 0.0) * np.eye(m)
        b = 0.3 * (rng.normal(size=(s, m)) + 1j * rng.normal(size=(s, m)))
        reservoirs.append(jt.FiniteReservoir(h, b, t, mu))
    hs = random_hermitian(rng, s) + (2.5 if statistics == "boson" else 0.0) * np.eye(s)
    return jt.ClosedSystem(hs, reservoirs, statistics)


@pytest.mark.parametrize("statistics", ["fermion", "boson"])
def test_identities(statistics):
    system = _random_closed(0, statistics)
    cs0 = np.diag([0.9, 0.1]) if statistics == "fermion" else np.diag([1.5, 0.2])
    ts = jnp.linspace(0.0, 20.0, 41)
    tr = jt.evolve_closed(system, cs0, ts, reservoir_entropies=True)
    # energy conservation (19)-(22): <H_s> + Σ<H_r> + <V> constant
    total = tr.system_energy + tr.reservoir_energy.sum(1) + tr.interaction_energy
    np.testing.assert_allclose(total, total[0], atol=1e-11)
    # particle conservation
    n_s = jnp.real(jnp.trace(tr.system_covariance, axis1=1, axis2=2))
    np.testing.assert_allclose(
        n_s + tr.reservoir_number.sum(1), n_s[0] + tr.reservoir_number[0].sum(), atol=1e-11
    )
    # (10) equals the relative entropy of the full covariances, at several times
    for k in (5, 20, 40):
        c = jt.full_covariance(system, cs0, ts[k])
        np.testing.assert_allclose(
            tr.entropy_production[k], jt.direct_entropy_production(system, c), atol=1e-10
        )
        # total entropy conserved
        np.testing.assert_allclose(
            jt.entropy(c, statistics),
            jt.entropy(jt.full_covariance(system, cs0, 0.0), statistics),
            atol=1e-10,
        )
    assert np.all(tr.entropy_production >= -1e-12)
    assert tr.entropy_production[0] == pytest.approx(0.0, abs=1e-12)
    # (16) S_c <= 0 and (18) Δ_iS >= -S_c, the gap being Σ D[ρ_r(t) ‖ ρ_r^eq] (17)
    assert np.all(tr.correlation_entropy <= 1e-12)
    assert np.all(tr.entropy_production + tr.correlation_entropy >= -1e-12)


def test_reservoirs_kept_thermal_give_minus_correlation_entropy():
    """With ρ_r(t) = ρ_r^eq exactly (here: reservoir modes that do not evolve, i.e. zero
    coupling and a system already thermal), Δ_iS = −S_c = 0; generically the gap (17) is
    the reservoirs' relative entropy, checked here for one reservoir directly."""
    system = _random_closed(1, s=2, m=5, temps=(0.9,), mus=(0.1,))
    cs0 = np.diag([0.8, 0.3])
    ts = jnp.array([3.0, 9.0])
    tr = jt.evolve_closed(system, cs0, ts, reservoir_entropies=True)
    blocks = system.slices()
    for k, t in enumerate(ts):
        c = jt.full_covariance(system, cs0, t)
        cr = c[blocks[1], blocks[1]]
        d_r = jt.relative_entropy(cr, system.thermal_covariance(system.reservoirs[0]), "fermion")
        np.testing.assert_allclose(
            tr.entropy_production[k] + tr.correlation_entropy[k], d_r, atol=1e-10
        )


def test_alternative_definition_eq27():
    """(25) differs from (10) by −β(⟨V⟩_t − ⟨V⟩_0) (Eq. (27), ERRATA's sign)."""
    system = _random_closed(2, s=2, m=6, temps=(0.5,), mus=(0.0,))
    cs0 = np.diag([1.0, 0.0])
    tr = jt.evolve_closed(system, cs0, jnp.linspace(0, 15, 16))
    alt = jt.system_relative_entropy_production(system, tr)
    beta = 1 / 0.5
    np.testing.assert_allclose(
        tr.entropy_production - alt,
        -beta * (tr.interaction_energy - tr.interaction_energy[0]),
        atol=1e-10,
    )


def _fock_hamiltonian(h, ops):
    n = len(ops)
    return sum(h[i, j] * (ops[i].conj().T @ ops[j]).toarray() for i in range(n) for j in range(n))


def _dense_relative_entropy(a, b):
    la = sla.logm(a + 1e-300 * np.eye(len(a)))
    lb = sla.logm(b)
    return float(np.real(np.trace(a @ (la - lb))))


def test_gaussian_route_matches_dense_density_matrices():
    """System 1 mode + reservoir 3 modes, fermions, exactly in Fock space (16 states)."""
    rng = np.random.default_rng(3)
    hr = random_hermitian(rng, 3)
    b = 0.4 * (rng.normal(size=(1, 3)) + 1j * rng.normal(size=(1, 3)))
    system = jt.ClosedSystem(np.array([[0.3]]), [jt.FiniteReservoir(hr, b, 0.8, 0.1)], "fermion")
    cs0 = np.array([[0.95]])
    t = 4.0
    tr = jt.evolve_closed(system, cs0, jnp.array([t]))
    ops = mode_operators(4, "fermion")
    h = np.asarray(system.total_hamiltonian())
    c0 = np.asarray(system.initial_covariance(cs0))
    rho0 = gaussian_density_matrix(c0, ops, "fermion")
    u = sla.expm(-1j * t * _fock_hamiltonian(h, ops))
    rho = u @ rho0 @ u.conj().T
    rho_ref = gaussian_density_matrix(
        np.asarray(jax_block(jt.full_covariance(system, cs0, t), system)), ops, "fermion"
    )
    np.testing.assert_allclose(
        tr.entropy_production[0], _dense_relative_entropy(rho, rho_ref), atol=1e-9
    )


def jax_block(c, system):
    """C_s(t) ⊕ f(h_r): covariance of ρ_s(t) ⊗ ρ_r^eq."""
    blocks = system.slices()
    ref = jnp.zeros_like(c).at[blocks[0], blocks[0]].set(c[blocks[0], blocks[0]])
    return ref.at[blocks[1], blocks[1]].set(system.thermal_covariance(system.reservoirs[0]))


def test_bad_input():
    with pytest.raises(ValueError, match="temperature"):
        jt.FiniteReservoir(np.eye(2), np.ones((1, 2)), 0.0)
    with pytest.raises(ValueError, match="coupling"):
        jt.FiniteReservoir(np.eye(2), np.ones((1, 3)), 1.0)
    with pytest.raises(ValueError, match="rows"):
        jt.ClosedSystem(np.eye(2), [jt.FiniteReservoir(np.eye(2), np.ones((1, 2)), 1.0)])
    system = _random_closed(0)
    with pytest.raises(ValueError, match="one reservoir temperature"):
        jt.system_relative_entropy_production(
            system, jt.evolve_closed(system, np.eye(2) * 0.5, jnp.array([1.0]))
        )
