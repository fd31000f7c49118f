"""Eigendecomposition Lyapunov solver, with a Schur fallback for non-normal drifts."""

from typing import Any, NamedTuple

import equinox.internal as eqxi
import jax
import jax.lax as lax
import jax.numpy as jnp

from .._custom_types import Array, Bool, Complex
from .._linalg import matmul
from .._solution import RESULTS
from ._bartels_stewart import BartelsStewart
from ._base import AbstractLyapunovSolver, make_stats
from ._common import dagger, finite_result


class _EigenState(NamedTuple):
    vectors: Complex[Array, "n n"]  # V, columns are right eigenvectors
    inverse: Complex[Array, "n n"]  # V^{-1}
    values: Complex[Array, " n"]


class _GuardedState(NamedTuple):
    eigen: _EigenState
    fallback: Any  # the fallback solver's state (zeros when it was not needed)
    use_fallback: Bool[Array, ""]


def _eigen_solve(state: _EigenState, rhs):
    v, vi, lam = state
    y = matmul(matmul(vi, rhs), dagger(vi)) / (lam[:, None] + jnp.conj(lam)[None, :])
    x = matmul(matmul(v, y), dagger(v))
    n = lam.shape[0]
    # eig normalises columns, so ||V||_F = sqrt(n) and ||V||_F ||V^{-1}||_F / n estimates κ_2(V).
    cond = jnp.linalg.norm(v) * jnp.linalg.norm(vi) / n
    return x, finite_result(x, rhs), make_stats(0, jnp.max(jnp.real(lam)), cond)


class Eigen(AbstractLyapunovSolver):
    """Solve `W X + X W^H = B` through the eigendecomposition `W = V diag(λ) V^{-1}`:

        X = V [ (V^{-1} B V^{-H})_ij / (λ_i + conj(λ_j)) ] V^H.

    One `eig`, one inverse and four matrix products; the transposed (adjoint) solve reuses
    `V` and `V^{-1}` (`W^T = V^{-T} diag(λ) V^T`), so a gradient costs four more products.

    The error grows with the eigenvector condition number `κ(V)` (measured: relative
    residual ~1e-14 at κ = 20, ~1e-9 at κ = 3e5), so for strongly non-normal `W` the
    eigenvector route is not accurate. `κ(V)` is estimated after every decomposition
    (`stats["eigenvector_condition"]`); above `max_condition` the solve switches to
    `fallback` (default `BartelsStewart()`, backward stable). Under `vmap` the fallback is
    computed only if some batch element needs it. `fallback=None` disables the switch.

    `jnp.linalg.eig` is implemented on CPU (and on GPU only in recent jaxlib builds).

    **Arguments:**

    - `max_condition`: largest `κ(V)` accepted before switching (default 1e3: keeps the
      relative residual below ~1e-12 in float64).
    - `fallback`: the solver used above `max_condition`, or `None`.
    """

    max_condition: float = 1e3
    fallback: AbstractLyapunovSolver | None = BartelsStewart()

    def init(self, drift):
        values, vectors = jnp.linalg.eig(drift)
        state = _EigenState(vectors, jnp.linalg.inv(vectors), values)
        if self.fallback is None:
            return state
        n = drift.shape[0]
        cond = jnp.linalg.norm(vectors) * jnp.linalg.norm(state.inverse) / n
        use_fallback = jnp.invert(cond <= self.max_condition)  # NaN -> fallback too
        shapes = jax.eval_shape(self.fallback.init, drift)
        fallback_state = lax.cond(
            eqxi.unvmap_any(use_fallback),
            self.fallback.init,
            lambda _: jax.tree_util.tree_map(lambda s: jnp.zeros(s.shape, s.dtype), shapes),
            drift,
        )
        return _GuardedState(state, fallback_state, use_fallback)

    def compute(self, state, rhs):
        if self.fallback is None:
            return _eigen_solve(state, rhs)
        fallback = self.fallback

        def eigen_only():
            return _eigen_solve(state.eigen, rhs)

        def with_fallback():
            x_e, r_e, s_e = _eigen_solve(state.eigen, rhs)
            x_f, r_f, s_f = fallback.compute(state.fallback, rhs)
            use = state.use_fallback
            stats = jax.tree_util.tree_map(lambda f, e: jnp.where(use, f, e), s_f, s_e)
            stats["eigenvector_condition"] = s_e["eigenvector_condition"]
            return jnp.where(use, x_f, x_e), RESULTS.where(use, r_f, r_e), stats

        return lax.cond(eqxi.unvmap_any(state.use_fallback), with_fallback, eigen_only)

    def transpose(self, state):
        if self.fallback is None:
            return _transpose_eigen(state)
        return _GuardedState(
            _transpose_eigen(state.eigen),
            self.fallback.transpose(state.fallback),
            state.use_fallback,
        )


def _transpose_eigen(state: _EigenState) -> _EigenState:
    v, vi, lam = state
    return _EigenState(vi.T, v.T, lam)
