"""Lyapunov equations with a low-rank linear feedback (self-consistent probes):

    W X + X W^H + U(ℓ(X)) = B,

solved exactly by the Woodbury identity on top of any Lyapunov solver `L(X) = W X + X W^H`:

    X = L^{-1}B - L^{-1} U S^{-1} ℓ(L^{-1}B),   S = I + ℓ ∘ L^{-1} ∘ U   (P x P).

The transposed operator `L^T + ℓ^T U^T` has capacitance `S^T`, so reverse-mode derivatives
reuse the same LU factors.
"""

import equinox.internal as eqxi
import jax
import jax.lax as lax
import jax.numpy as jnp
import jax.scipy.linalg as jsl

from .._linalg import after
from ._base import AbstractLyapunovSolver


def _capacitance_eigen(drift, feedback):
    """`ℓ_p(L^{-1}(E_q))` for particle probes from `W = V diag(λ) V^{-1}`:

        [L^{-1}(E_q)]_pp = Σ_ij V_pi Ṽ_iq conj(Ṽ_jq) conj(V_pj) / (λ_i + conj(λ_j)),

    accumulated over `i` as one (P x n)(n x P) product each: O(n^2 P^2) work in matrix
    products, O(n P) memory (instead of P full Lyapunov solves, O(P n^3))."""
    lam, v = jnp.linalg.eig(drift)
    vi = jnp.linalg.inv(v)
    modes = jnp.asarray(feedback.modes)
    vp = v[modes, :]  # (P, n)
    vq = vi[:, modes]  # (n, P)
    kernel = 1.0 / (lam[:, None] + jnp.conj(lam)[None, :])

    def term(i):
        left = vp[:, i, None] * jnp.conj(vp)  # (P, n): V_pi conj(V_pj)
        right = (kernel[i, :, None] * jnp.conj(vq)) * vq[i, None, :]  # (n, P)
        return left @ right

    m = jnp.sum(lax.map(term, jnp.arange(lam.shape[0]), batch_size=16), axis=0)
    cond = jnp.linalg.norm(v) * jnp.linalg.norm(vi) / lam.shape[0]
    return m, cond


def _capacitance_solves(solver, state, feedback, dtype):
    """`ℓ(L^{-1}(E_q))` for every probe `q` by P solves (chunked to bound memory)."""
    P = len(feedback.modes)
    eye = jnp.eye(P, dtype=dtype)

    def column(e):
        x, _, _ = solver.compute(state, feedback.inject(e / feedback.rates.astype(dtype)))
        return feedback.functional(x)

    return lax.map(column, eye, batch_size=8).T


def capacitance(solver: AbstractLyapunovSolver, state, feedback, drift):
    """`S = I + ℓ ∘ L^{-1} ∘ U` (P x P). Particle probes use the eigenvector route when the
    eigenvectors of `W` are well conditioned (κ <= 1e3), otherwise P solves."""
    P = len(feedback.modes)
    dtype = drift.dtype
    rates = feedback.rates.astype(dtype)

    def by_solves(_):
        return _capacitance_solves(solver, state, feedback, dtype)

    if any(feedback.energy):
        m = by_solves(None)
    else:
        # after the solver's factorisation (`after`): independent batched LAPACK calls in
        # flight together can deadlock XLA:CPU's thread pool under vmap
        first = jax.tree_util.tree_leaves(state)[0]
        m_eig, cond = _capacitance_eigen(after(drift, first), feedback)
        bad = jnp.invert(cond <= 1e3)
        # Under vmap, the solves run only if some batch element needs them.
        m = lax.cond(
            eqxi.unvmap_any(bad),
            lambda _: jnp.where(bad, by_solves(None), m_eig),
            lambda _: m_eig,
            None,
        )
    return jnp.eye(P, dtype=dtype) + m * rates[None, :]


def woodbury(solver, state, feedback, lu, rhs, transpose: bool):
    """Solve `(L + U ℓ)(X) = rhs` (or the transposed operator) given `lu` of `S`."""
    if transpose:
        ell_t = jax.linear_transpose(feedback.functional, rhs)
        u_t = jax.linear_transpose(feedback.inject, jnp.zeros(len(feedback.modes), rhs.dtype))
        y, result, stats = solver.compute(state, rhs)
        (uy,) = u_t(y)
        v = jsl.lu_solve(lu, uy, trans=1)
        (correction,) = ell_t(v)
    else:
        y, result, stats = solver.compute(state, rhs)
        v = jsl.lu_solve(lu, feedback.functional(y))
        correction = feedback.inject(v)
    z, _, _ = solver.compute(state, correction)
    return y - z, result, stats
