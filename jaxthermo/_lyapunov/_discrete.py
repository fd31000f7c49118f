"""The discrete Lyapunov (Stein) equation `X = A X A† + Q`, solved by the continuous solvers
through the Cayley transform, with the same implicit-differentiation rule.

With `M = (A + I)⁻¹`, `W = (A − I) M` and `F = 2 M Q M†`,

    X − A X A† = Q   ⟺   W X + X W† + F = 0,

(multiply the first by `M` from the left and `M†` from the right and use `I − W = 2M`,
`I + W = 2AM`), and `A` is Schur stable (every `|λ| < 1`) exactly when `W` is Hurwitz. The
equation is invariant under `A → e^{iθ} A`, so the phase is chosen (from eight, without
gradient) to keep the eigenvalues of `A` away from −1, where `M` is ill-conditioned.
Derivatives flow through `W(A)`, `F(A, Q)` (plain JAX) and the continuous solve (implicit:
one more solve with the same factorisation), never through an iteration.

Schur stability is tested without eigenvalues (`eig` has no GPU kernel in JAX): `A` is
squared 40 times; `ρ(A) < 1` iff the powers `A^(2^k)` decay (`ρ(A) <= 1 − 1e-11` is resolved).
"""

import jax
import jax.lax as lax
import jax.numpy as jnp

from .._custom_types import Array, ArrayLike, Inexact
from .._linalg import dagger
from .._solution import RESULTS
from ._base import AbstractLyapunovSolver
from ._solve import _as_square, lyapunov_solve


_PHASES = 8
_SQUARINGS = 40


def _best_phase(a: Array) -> Array:
    """The phase `e^{iθ}` (θ = 2πk/8) maximising the smallest singular value of
    `e^{iθ} A + I`."""
    eye = jnp.eye(a.shape[0], dtype=a.dtype)
    phases = jnp.exp(2j * jnp.pi * jnp.arange(_PHASES) / _PHASES).astype(a.dtype)
    smallest = jax.vmap(lambda p: jnp.linalg.svd(p * a + eye, compute_uv=False)[-1])(phases)
    return phases[jnp.argmax(smallest)]


def schur_stable(a: Inexact[Array, "n n"]) -> Array:
    """True where the spectral radius of `a` is below 1 (the powers `a^(2^k)`, normalised
    at every step to avoid overflow, decay)."""

    def square(_, carry):
        p, log_norm = carry
        p = p @ p
        norm = jnp.linalg.norm(p)
        safe = jnp.where(norm > 0, norm, 1.0)
        return p / safe, 2 * log_norm + jnp.log(safe)

    norm0 = jnp.linalg.norm(a)
    safe0 = jnp.where(norm0 > 0, norm0, 1.0)
    _, log_norm = lax.fori_loop(0, _SQUARINGS, square, (a / safe0, jnp.log(safe0)))
    return jnp.where(norm0 > 0, log_norm < jnp.log(0.5), True)


def discrete_lyapunov_solve(
    a: Inexact[ArrayLike, "n n"],
    q: Inexact[ArrayLike, "n n"],
    solver: AbstractLyapunovSolver | None = None,
) -> tuple[Inexact[Array, "n n"], RESULTS, dict]:
    """`X = A X A† + Q` without raising (`jaxthermo.solve_discrete_lyapunov` is the raising
    form; the same Cayley route).

    **Arguments:** `a` (`A`, `(n, n)`), `q` (`Q`, `(n, n)`), `solver` (the continuous
    Lyapunov solver of the transformed equation, default `Auto()`).

    **Returns:** `(X, result, stats)`: `X` `(n, n)` (real if `a` and `q` are), a `RESULTS`
    item (`RESULTS.not_schur_stable` when `A` has an eigenvalue of modulus >= 1), the
    continuous solver's stats.
    """
    a = _as_square("a", a)
    q = _as_square("q", q)
    if a.shape != q.shape:
        raise ValueError(f"`a` and `q` must have the same shape, got {a.shape} and {q.shape}.")
    real_problem = not (jnp.iscomplexobj(a) or jnp.iscomplexobj(q))
    dtype = jnp.promote_types(jnp.result_type(a, q), jnp.complex64)
    a, q = a.astype(dtype), q.astype(dtype)
    stable = schur_stable(lax.stop_gradient(a))
    rotated = lax.stop_gradient(_best_phase(lax.stop_gradient(a))) * a
    eye = jnp.eye(a.shape[0], dtype=dtype)
    m = jnp.linalg.solve(rotated + eye, eye)  # (A + I)⁻¹
    drift = (rotated - eye) @ m
    diffusion = 2 * m @ q @ dagger(m)
    x, result, stats = lyapunov_solve(drift, diffusion, solver)
    result = RESULTS.where(stable, result, RESULTS.not_schur_stable)
    if real_problem:
        x = jnp.real(x)
    return x, result, stats


def solve_discrete_lyapunov(
    a: Inexact[ArrayLike, "n n"],
    q: Inexact[ArrayLike, "n n"],
    solver: AbstractLyapunovSolver | None = None,
    *,
    throw: bool = True,
) -> Inexact[Array, "n n"]:
    """Solve the discrete Lyapunov (Stein) equation `X = A X A† + Q` for `X`.

    The periodic state of a driven quadratic model is its solution with `A = Φ` the
    one-period fundamental matrix of `W(t)` and `Q` the covariance accumulated over one
    period from zero (`jaxthermo.limit_cycle`). Solved by the Cayley transform to the
    continuous equation `W X + X W† + F = 0` (module docstring) with any continuous solver;
    differentiable in `a` and `q` (forward and reverse, any order) by the same implicit rule
    as `solve_lyapunov`.

    **Arguments:**

    - `a`: `A`, shape `(n, n)`, Schur stable (every eigenvalue `|λ| < 1`).
    - `q`: `Q`, shape `(n, n)`.
    - `solver`: an `AbstractLyapunovSolver` for the transformed equation (default `Auto()`).
    - `throw`: raise (also inside `jit`) if `A` is not Schur stable or the solve fails; with
      `throw=False` the result is not checked.

    **Returns:** `X`, shape `(n, n)`; real if `a` and `q` are both real.

    Example: `jt.solve_discrete_lyapunov(jnp.array([[0.5]]), jnp.array([[0.75]]))` is
    `[[1.0]]`.
    """
    x, result, _ = discrete_lyapunov_solve(a, q, solver)
    if throw:
        x = result.error_if(x, result != RESULTS.successful)
    return x
