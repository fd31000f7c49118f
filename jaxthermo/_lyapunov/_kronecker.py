"""Dense Kronecker-product Lyapunov solver for tiny systems."""

from typing import NamedTuple

import jax.numpy as jnp
import jax.scipy.linalg as jsl

from .._custom_types import Array, Complex, Int
from .._linalg import after
from ._base import AbstractLyapunovSolver, make_stats
from ._common import finite_result


MAX_KRONECKER_SIZE = 32


class _KroneckerState(NamedTuple):
    lu: Complex[Array, "n2 n2"]
    pivots: Int[Array, " n2"]
    eigenvalues: Complex[Array, " n"]
    trans: int  # 0: the operator of W, 1: its transpose (static: part of the state's type)


def eigenvalues_small(w: Complex[Array, "n n"]) -> Complex[Array, " n"]:
    """Eigenvalues of a tiny matrix; closed forms for n <= 2 (no LAPACK call, so that large
    vmapped batches stay fast), `jnp.linalg.eigvals` otherwise."""
    n = w.shape[0]
    if n == 1:
        return w[0]
    if n == 2:
        half_trace = 0.5 * (w[0, 0] + w[1, 1])
        det = w[0, 0] * w[1, 1] - w[0, 1] * w[1, 0]
        root = jnp.sqrt(half_trace**2 - det)
        return jnp.stack([half_trace + root, half_trace - root])
    return jnp.linalg.eigvals(w)


class Kronecker(AbstractLyapunovSolver):
    """Solve `W X + X W^H = B` as the dense `n² x n²` linear system

        (W ⊗ I + I ⊗ conj(W)) vec(X) = vec(B)     (row-major `vec`)

    by LU decomposition. O(n^6) work and O(n^4) memory: only for tiny systems
    (`n <= 32`), where it is the fastest route under `vmap` (no eigen or Schur
    decomposition). The transposed solve reuses the LU factors. Eigenvalues of `W`
    (for the steady-state stability check) come in closed form for `n <= 2`.
    """

    def init(self, drift):
        n = drift.shape[0]
        if n > MAX_KRONECKER_SIZE:
            raise ValueError(
                f"Kronecker: the n^2 x n^2 system is too large for n = {n} > "
                f"{MAX_KRONECKER_SIZE}; use BartelsStewart, Eigen or Sign."
            )
        eye = jnp.eye(n, dtype=drift.dtype)
        matrix = jnp.kron(drift, eye) + jnp.kron(eye, jnp.conj(drift))
        lu, piv = jsl.lu_factor(matrix)
        # the eigenvalues after the LU (`after`): two independent batched LAPACK calls in
        # flight together can deadlock XLA:CPU's thread pool under vmap
        return _KroneckerState(lu, piv, eigenvalues_small(after(drift, lu)), 0)

    def compute(self, state, rhs):
        n = rhs.shape[0]
        # every solve after the eigenvalues: under vmap the batched `eigvals` (LAPACK, which
        # blocks a pool thread while its chunks run) and the solve's triangular solves
        # (Eigen's pool with XLA's default flags) in flight together hung the stress test
        # (tests/test_stress.py, about one run in three)
        rhs = after(rhs, state.eigenvalues)
        x = jsl.lu_solve((state.lu, state.pivots), rhs.reshape(n * n), trans=state.trans)
        x = x.reshape(n, n)
        stats = make_stats(0, jnp.max(jnp.real(state.eigenvalues)))
        return x, finite_result(x, rhs), stats

    def transpose(self, state):
        return state._replace(trans=1 - state.trans)
