"""`solve_lyapunov`: the single entry point of every Lyapunov solver, and the single place
where derivatives of Lyapunov solves are defined."""

import jax.lax as lax
import jax.numpy as jnp
import jax.scipy.linalg as jsl

from .._custom_types import Array, ArrayLike, Inexact
from .._linalg import matmul
from .._solution import RESULTS
from ._auto import Auto
from ._base import AbstractLyapunovSolver, LyapunovStats
from ._common import dagger
from ._feedback import capacitance, woodbury


def _as_square(name: str, x: ArrayLike) -> Array:
    x = jnp.asarray(x)
    if x.ndim != 2 or x.shape[0] != x.shape[1]:
        raise ValueError(f"`{name}` must be a square matrix, got shape {x.shape}.")
    if not jnp.issubdtype(x.dtype, jnp.number) or jnp.issubdtype(x.dtype, jnp.bool_):
        raise TypeError(f"`{name}` must be numeric, got dtype {x.dtype}.")
    return x


def shifted_drift(drift: Array) -> Array:
    """`W - i s 1` with `s = mean(Im diag W)`: the same Lyapunov operator, smaller norm."""
    s = jnp.mean(jnp.imag(jnp.diagonal(drift)))
    return drift - 1j * s * jnp.eye(drift.shape[0], dtype=drift.dtype)


class LyapunovOperator:
    """The Lyapunov operator `L(X) = W X + X W^H` (plus a probe feedback `U(ℓ(X))`), factorised
    once: `solve(rhs)` returns `(X, result, stats)` with `L(X) = rhs` for any number of
    right-hand sides, each a `jax.lax.custom_linear_solve` that reuses the factorisation and is
    differentiated implicitly (see `lyapunov_solve`). Build it inside the function you jit
    (it is not a pytree). Used by the steady state and by every cumulant of the counting
    statistics (one factorisation for all of them).

    **Arguments:** `drift` `W` `(n, n)`; `solver` (an `AbstractLyapunovSolver`, default
    `Auto()`); `feedback` (internal: the Büttiker-probe correction, or None).

    **Returns:** (of `solve(rhs)`, `rhs` `(n, n)`) `X` `(n, n)`, a `RESULTS` code and the
    solver's statistics.
    """

    def __init__(self, drift, solver=None, feedback=None):
        drift = _as_square("drift", drift)
        if solver is None:
            solver = Auto()
        if not isinstance(solver, AbstractLyapunovSolver):
            raise TypeError(
                f"`solver` must be an AbstractLyapunovSolver (e.g. jaxthermo.lyapunov.Eigen()), "
                f"got {type(solver).__name__}."
            )
        dtype = jnp.promote_types(drift.dtype, jnp.complex64)
        self.drift = drift.astype(dtype)
        self.solver = solver
        self.feedback = feedback
        # W -> W - i s 1 (s real) leaves W X + X W^H unchanged; removing the mean on-site
        # frequency keeps a large common ω (e.g. ω = 1 with rates 1e-7) out of the rounding
        # errors of the factorisation. Derivatives still see `drift` through `matvec`.
        self.factored = lax.stop_gradient(shifted_drift(self.drift))
        self.state = solver.init(self.factored)
        if feedback is not None:
            self.fixed = lax.stop_gradient(feedback)
            self.lu = jsl.lu_factor(capacitance(solver, self.state, self.fixed, self.factored))

    def matvec(self, x):
        out = matmul(self.drift, x) + matmul(x, dagger(self.drift))
        if self.feedback is not None:
            out = out + self.feedback.inject(self.feedback.functional(x))
        return out

    def _solve(self, rhs, transpose: bool, hermitian: bool = False):
        state = self.solver.transpose(self.state) if transpose else self.state
        if self.feedback is None:
            if hermitian:
                return self.solver.compute_hermitian(state, rhs)
            return self.solver.compute(state, rhs)
        return woodbury(self.solver, state, self.fixed, self.lu, rhs, transpose=transpose)

    def solve(self, rhs, *, hermitian: bool = False):
        """`X` with `W X + X W^H (+ U(ℓ(X))) = rhs`; `(X, result, stats)`.

        `hermitian=True` declares that `rhs` is Hermitian for every parameter value and that
        the caller uses only the Hermitian part of `X` (`(X + X^H)/2`, as `steady_state`
        does). Every solve then takes the solver's `compute_hermitian`: the forward solve,
        the forward-mode tangents (`-(dW X + X dW^H) + dF`, Hermitian) and the reverse-mode
        cotangents (the transpose of `(X + X^H)/2` makes them Hermitian, and the transposed
        operator maps Hermitian matrices to Hermitian ones). Without that symmetrisation by
        the caller, derivatives would be wrong for non-Hermitian perturbations."""
        rhs = _as_square("rhs", rhs).astype(self.drift.dtype)

        def solve(_, b):
            x, result, stats = self._solve(b, transpose=False, hermitian=hermitian)
            return x, (result, stats)

        def transpose_solve(_, b):
            x, result, stats = self._solve(b, transpose=True, hermitian=hermitian)
            return x, (result, stats)

        x, (result, stats) = lax.custom_linear_solve(
            self.matvec, rhs, solve, transpose_solve, has_aux=True
        )
        return x, result, stats

    __call__ = solve


def lyapunov_operator(drift, solver=None, feedback=None) -> LyapunovOperator:
    """The factorised Lyapunov operator of `drift` (see `LyapunovOperator`), e.g.
    `op = lyapunov_operator(W); X, result, _ = op.solve(-F)` solves `W X + X W^H + F = 0`.

    **Arguments:** `drift` `W` `(n, n)`; `solver` (default `Auto()`); `feedback` (internal).

    **Returns:** a `LyapunovOperator`.
    """
    return LyapunovOperator(drift, solver, feedback)


def lyapunov_solve(
    drift: Inexact[ArrayLike, "n n"],
    diffusion: Inexact[ArrayLike, "n n"],
    solver: AbstractLyapunovSolver | None = None,
    feedback=None,
) -> tuple[Inexact[Array, "n n"], RESULTS, LyapunovStats]:
    """Solve `W X + X W^H + F = 0` (with a `feedback`, `W X + X W^H + U(ℓ(X)) + F = 0`, see
    `_feedback.py`); returns `(X, result, stats)` without raising.

    Derivatives are defined once, here, by implicit differentiation
    (`jax.lax.custom_linear_solve` on the operator `X -> W X + X W^H`): a JVP is one more
    solve `L_W(dX) = -(dW X + X dW^H + dF)` with the same factorisation, a VJP one solve of
    the transposed operator (`solver.transpose`). No solver iteration, `eig` or `schur` is
    ever differentiated.
    """
    drift = _as_square("drift", drift)
    diffusion = _as_square("diffusion", diffusion)
    if drift.shape != diffusion.shape:
        raise ValueError(
            f"`drift` and `diffusion` must have the same shape, got {drift.shape} and "
            f"{diffusion.shape}."
        )
    real_problem = not (jnp.iscomplexobj(drift) or jnp.iscomplexobj(diffusion))
    dtype = jnp.promote_types(jnp.result_type(drift, diffusion), jnp.complex64)
    operator = LyapunovOperator(drift.astype(dtype), solver, feedback)
    x, result, stats = operator.solve(-diffusion.astype(dtype))
    if real_problem:
        x = jnp.real(x)
    return x, result, stats


def solve_lyapunov(
    drift: Inexact[ArrayLike, "n n"],
    diffusion: Inexact[ArrayLike, "n n"],
    solver: AbstractLyapunovSolver | None = None,
    *,
    throw: bool = True,
) -> Inexact[Array, "n n"]:
    """Solve the continuous Lyapunov equation `W X + X W^H + F = 0` for `X`.

    With `W = -iH - G/2` and `F` from a `QuadraticModel`, `X` is the steady-state
    correlation matrix `C_ij = <a_j^† a_i>` (CONVENTIONS.md; paper 002, Eq. (B5)).

    The solution is differentiable (forward and reverse mode, any order) with respect to
    `drift` and `diffusion` by implicit differentiation; a derivative costs about one extra
    solve that reuses the forward factorisation.

    **Arguments:**

    - `drift`: `W`, shape `(n, n)`, real or complex.
    - `diffusion`: `F`, shape `(n, n)` (any matrix; Hermitian for covariance equations).
    - `solver`: an `AbstractLyapunovSolver` (`jaxthermo.lyapunov.BartelsStewart()`,
      `Eigen()`, `Sign()`, `Kronecker()`, `ScipyReference()`); default
      `jaxthermo.lyapunov.Auto()`.
    - `throw`: raise (also inside `jit`, via `equinox.error_if`) if the solver fails (singular
      operator, non-finite output, iteration not converged). With `throw=False` failures are
      not checked; use `jaxthermo.steady_state` to get a result code.

    **Returns:** `X`, shape `(n, n)`; real if `drift` and `diffusion` are both real.

    Example: `jt.solve_lyapunov(jnp.array([[-1.0]]), jnp.array([[2.0]]))` is `[[1.0]]`.
    """
    x, result, _ = lyapunov_solve(drift, diffusion, solver)
    if throw:
        x = result.error_if(x, result != RESULTS.successful)
    return x
