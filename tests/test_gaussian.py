"""Gaussian-state entropies, relative entropies and traces against dense density matrices."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.integrate as si
import scipy.linalg as sla
from jax.test_util import check_grads

import jaxthermo as jt

from .helpers import gaussian_density_matrix, mode_operators


def _random_covariance(rng, L, statistics):
    u, _ = np.linalg.qr(rng.normal(size=(L, L)) + 1j * rng.normal(size=(L, L)))
    hi = 0.25 if statistics == "boson" else 0.95
    return u @ np.diag(rng.uniform(0.02, hi, L)) @ u.conj().T


def _dense(statistics, L):
    return mode_operators(L, statistics, 16 if statistics == "boson" else None)


def _vn(rho):
    w = np.linalg.eigvalsh(rho)
    w = w[w > 1e-300]
    return float(-np.sum(w * np.log(w)))


# bosonic Fock truncation at 16 levels with occupations <= 0.25 costs ~1e-11
TOL = {"boson": 1e-8, "fermion": 1e-12}


@pytest.mark.parametrize("statistics", ["boson", "fermion"])
def test_entropy_matches_dense(statistics):
    rng = np.random.default_rng(0)
    L = 2 if statistics == "boson" else 3
    c = _random_covariance(rng, L, statistics)
    rho = gaussian_density_matrix(c, _dense(statistics, L), statistics)
    assert float(jt.entropy(c, statistics)) == pytest.approx(_vn(rho), abs=TOL[statistics])


@pytest.mark.parametrize("statistics", ["boson", "fermion"])
def test_relative_entropy_matches_dense(statistics):
    """Paper 000 (A13)/(23) for bosons; the fermionic analogue derived in the docstring."""
    rng = np.random.default_rng(1)
    L = 2 if statistics == "boson" else 3
    ops = _dense(statistics, L)
    c1, c2 = (_random_covariance(rng, L, statistics) for _ in range(2))
    r1, r2 = (gaussian_density_matrix(c, ops, statistics) for c in (c1, c2))
    dense = float(np.real(np.trace(r1 @ (sla.logm(r1) - sla.logm(r2)))))
    assert float(jt.relative_entropy(c1, c2, statistics)) == pytest.approx(
        dense, abs=TOL[statistics]
    )
    assert float(jt.relative_entropy(c1, c1, statistics)) == pytest.approx(0.0, abs=1e-13)
    assert float(jt.relative_entropy(c1, c2, statistics)) > 0


def test_single_log_form_of_eq23_is_wrong_for_noncommuting_matrices():
    """ERRATA: (23) with one logarithm of a product differs from the correct (A13) form."""
    rng = np.random.default_rng(2)
    n, n_r = (_random_covariance(rng, 2, "boson") for _ in range(2))
    correct = float(jt.relative_entropy(n_r, n))  # Δ(ρ; ρ_R) = D(ρ_R ‖ ρ)
    single_log = np.real(
        np.trace(
            (np.eye(2) + n_r) @ sla.logm((np.eye(2) + n) @ np.linalg.inv(np.eye(2) + n_r))
            - n_r @ sla.logm(n @ np.linalg.inv(n_r))
        )
    )
    separate = np.real(
        np.trace(
            (np.eye(2) + n_r) @ (sla.logm(np.eye(2) + n) - sla.logm(np.eye(2) + n_r))
            - n_r @ (sla.logm(n) - sla.logm(n_r))
        )
    )
    assert separate == pytest.approx(correct, rel=1e-10)
    assert abs(single_log - correct) > 1e-4


@pytest.mark.parametrize("statistics", ["boson", "fermion"])
@pytest.mark.parametrize("m", [1, 2, 3])
def test_trace_product_matches_dense(statistics, m):
    """Paper 000, Eq. (A9), for non-commuting states (complex for m = 3)."""
    rng = np.random.default_rng(10 + m)
    L = 2
    ops = _dense(statistics, L)
    cs = [_random_covariance(rng, L, statistics) for _ in range(m)]
    rhos = [gaussian_density_matrix(c, ops, statistics) for c in cs]
    dense = np.trace(np.linalg.multi_dot(rhos) if m > 1 else rhos[0])
    ours = complex(jt.trace_product(cs, statistics))
    assert ours == pytest.approx(dense, abs=TOL[statistics])


@pytest.mark.parametrize("statistics", ["boson", "fermion"])
def test_log_partition_function_and_legendre_relation(statistics):
    """Paper 000, Eq. (21): ln Z = Tr ln(1+n) = S - Tr[n δS/δn]; and Z from the dense state."""
    rng = np.random.default_rng(3)
    c = _random_covariance(rng, 3, statistics)
    lnz = float(jt.log_partition_function(c, statistics))
    k = jt.modular_hamiltonian(c, statistics)
    legendre = float(jt.entropy(c, statistics) - jnp.real(jnp.trace(c @ k)))
    assert lnz == pytest.approx(legendre, abs=1e-12)
    # Z = Tr exp(-Σ K_ij a_i† a_j) on the Fock space (fermions exactly)
    if statistics == "fermion":
        ops = _dense("fermion", 3)
        gen = sum(
            k[i, j] * (ops[i].conj().T @ ops[j]).toarray() for i in range(3) for j in range(3)
        )
        assert lnz == pytest.approx(
            np.log(np.real(np.trace(sla.expm(-np.asarray(gen))))), abs=1e-12
        )


def test_wigner_entropy_of_a_thermal_mode_by_quadrature():
    """S_W = -∫ d²α W ln W for W = e^{-|α|²/(n+½)} / (π(n+½)) (paper 002, Eqs. (9), (12))."""
    n = 0.7
    nu = n + 0.5

    def integrand(rad):  # radial integral of -W ln W · 2π r, with ln W analytic
        log_w = -(rad**2) / nu - np.log(np.pi * nu)
        return -np.exp(log_w) * log_w * 2 * np.pi * rad

    value, _ = si.quad(integrand, 0, 40)
    assert float(jt.wigner_entropy(jnp.array([[n]]))) == pytest.approx(value, rel=1e-10)
    # basis invariance for several modes
    rng = np.random.default_rng(4)
    c = _random_covariance(rng, 3, "boson")
    u, _ = np.linalg.qr(rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3)))
    assert float(jt.wigner_entropy(u @ c @ u.conj().T)) == pytest.approx(
        float(jt.wigner_entropy(c)), rel=1e-12
    )


@pytest.mark.parametrize("statistics", ["boson", "fermion"])
def test_second_order_gradients_at_degenerate_and_pure_states(statistics):
    degenerate = jnp.diag(jnp.array([0.3, 0.3, 0.2])).astype(complex)
    check_grads(
        jax.jit(lambda c: jt.entropy(c, statistics)), (degenerate,), order=2, modes=("fwd", "rev")
    )
    other = degenerate + 0.05 * jnp.ones((3, 3))
    check_grads(
        jax.jit(lambda a, b: jt.relative_entropy(a, b, statistics)),
        (degenerate, other),
        order=2,
        modes=("fwd", "rev"),
    )
    pure = jnp.diag(jnp.array([0.0, 0.3, 0.2]))
    g = jax.grad(lambda c: jt.entropy(c, statistics))(pure)
    assert jnp.all(jnp.isfinite(g))
    assert float(jt.entropy(pure, statistics)) == pytest.approx(
        float(jt.entropy(jnp.diag(jnp.array([0.3, 0.2])), statistics)), abs=1e-25
    )


def test_bad_statistics_and_shapes():
    with pytest.raises(ValueError, match="'boson' or 'fermion'"):
        jt.entropy(jnp.eye(2), "anyon")
    with pytest.raises(ValueError, match="square"):
        jt.entropy(jnp.ones((2, 3)))
    with pytest.raises(ValueError, match="shapes differ"):
        jt.relative_entropy(jnp.eye(2), jnp.eye(3))
