"""Matrix-sign-function (Newton) Lyapunov solver: matrix products and inverses only."""

import jax.lax as lax
import jax.numpy as jnp
import jax.scipy.linalg as jsl

from .._solution import RESULTS
from ._base import AbstractLyapunovSolver, make_stats
from ._common import dagger, finite_result, matmul


class Sign(AbstractLyapunovSolver):
    """Solve `W X + X W^H = B` for Hurwitz `W` by the Newton iteration for the matrix sign
    function (J. D. Roberts, Int. J. Control 32, 677 (1980); P. Benner, E. S. Quintana-Ortí,
    Numer. Algorithms 20, 75 (1999)):

        A_0 = W,   Q_0 = -B,
        A_{k+1} = (c_k A_k + A_k^{-1} / c_k) / 2,
        Q_{k+1} = (c_k Q_k + A_k^{-1} Q_k A_k^{-H} / c_k) / 2,

    with determinant scaling `c_k = |det A_k|^{-1/n}` while far from convergence. Then
    `A_k -> sign(W) = -I` and `X = Q_∞ / 2`. Only LU-based inverses and matrix products:
    the solver for GPUs and for large vmapped batches. Convergence is quadratic; the number
    of steps grows like `log(||W|| / min |Re λ|)`.

    Stopping rule: stop once `||A_{k+1} - A_k||_1 <= rtol ||A_{k+1}||_1` (the last step then
    squares the error, so the result is accurate to about machine precision), or after
    `max_steps`, in which case the result is `RESULTS.max_steps_reached`. If the iteration
    converges to a sign matrix other than `-I` (eigenvalues with positive real part) the
    result is `RESULTS.sign_not_hurwitz`. `stats["num_steps"]` reports the iterations.

    The transposed solve runs the iteration again on `W^T` (no factorisation to reuse).

    **Arguments:**

    - `rtol`: relative tolerance on successive iterates (default `sqrt(eps)` of the dtype).
    - `max_steps`: maximum number of Newton steps (default 100).
    """

    rtol: float | None = None
    max_steps: int = 100

    def init(self, drift):
        return drift

    def compute(self, state, rhs):
        a0 = state
        n = a0.shape[0]
        dtype = jnp.result_type(a0, rhs)
        eps = jnp.finfo(dtype).eps
        rtol = jnp.sqrt(eps) if self.rtol is None else self.rtol
        eye = jnp.eye(n, dtype=dtype)

        def cond(carry):
            _, _, step, err = carry
            return (step < self.max_steps) & (err > rtol)

        def body(carry):
            a, q, step, err = carry
            lu, piv = jsl.lu_factor(a)
            a_inv = jsl.lu_solve((lu, piv), eye)
            log_abs_det = jnp.sum(jnp.log(jnp.abs(jnp.diagonal(lu))))
            c = jnp.where(err > 1e-2, jnp.exp(-log_abs_det / n), 1.0).astype(dtype)
            a_new = 0.5 * (c * a + a_inv / c)
            q_new = 0.5 * (c * q + matmul(matmul(a_inv, q), dagger(a_inv)) / c)
            new_err = jnp.linalg.norm(a_new - a, ord=1) / jnp.linalg.norm(a_new, ord=1)
            return a_new, q_new, step + 1, new_err.astype(err.dtype)

        init = (a0.astype(dtype), (-rhs).astype(dtype), jnp.array(0), jnp.array(jnp.inf))
        a, q, steps, err = lax.while_loop(cond, body, init)
        x = 0.5 * q
        result = finite_result(x, rhs)
        converged = err <= rtol
        result = RESULTS.where(converged, result, RESULTS.max_steps_reached)
        is_minus_identity = jnp.linalg.norm(a + eye) <= 1e-6 * jnp.sqrt(n)
        result = RESULTS.where(
            converged & jnp.invert(is_minus_identity), RESULTS.sign_not_hurwitz, result
        )
        return x, result, make_stats(steps)

    def transpose(self, state):
        return state.T
