"""Small helpers shared by the Lyapunov solvers."""

import jax.numpy as jnp

from .._custom_types import Array, Bool, Complex, Float
from .._linalg import dagger as dagger, matmul
from .._solution import RESULTS


def all_finite(x: Array) -> Bool[Array, ""]:
    return jnp.all(jnp.isfinite(x))


def finite_result(x: Array, rhs: Array) -> RESULTS:
    """`successful`, or `singular` / `nonfinite_input` if the solution is not finite."""
    finite_out = all_finite(x)
    finite_in = all_finite(rhs)
    result = RESULTS.where(finite_out, RESULTS.successful, RESULTS.singular)
    return RESULTS.where(finite_in, result, RESULTS.nonfinite_input)


def relative_residual(
    drift: Complex[Array, "n n"], x: Complex[Array, "n n"], diffusion: Complex[Array, "n n"]
) -> Float[Array, ""]:
    """`||W X + X W^H + F||_F / (2 ||W||_F ||X||_F + ||F||_F)`: the backward error of a
    Lyapunov solve (machine epsilon times a small factor for a backward-stable solver).

    **Arguments:** `drift` W, `x` X, `diffusion` F (n × n each).

    **Returns:** the relative residual (dimensionless).
    """
    r = matmul(drift, x) + matmul(x, dagger(drift)) + diffusion
    scale = 2 * jnp.linalg.norm(drift) * jnp.linalg.norm(x) + jnp.linalg.norm(diffusion)
    scale = jnp.where(scale == 0, 1.0, scale)
    return jnp.linalg.norm(r) / scale
