"""The abstract Lyapunov solver.

Every solver solves the (generally non-Hermitian) continuous Lyapunov equation

    W X + X W^H = B

for `X`, given the drift `W` (n x n, complex) and a right-hand side `B` (n x n, complex, not
necessarily Hermitian: adjoint solves receive arbitrary cotangents). A solver is split, as in
lineax, into

- `init(W)`: the expensive, right-hand-side independent work (a Schur form, an eigen
  decomposition, an LU factorisation, ...), returned as a pytree `state`;
- `compute(state, B)`: the solve for one right-hand side, reusing `state`
  (`compute_hermitian(state, B)`: the same for a `B` known to be Hermitian);
- `transpose(state)`: a state for the *transposed* operator, i.e. the Lyapunov operator of
  `W^T` (`Z -> W^T Z + Z conj(W)`), ideally obtained from `state` without refactorising.
  Reverse-mode differentiation calls it, so a gradient costs one extra solve with the same
  factorisation.

Solvers never implement derivatives themselves: `jaxthermo.solve_lyapunov` wraps every solver
in one `jax.lax.custom_linear_solve`, which differentiates the solution implicitly.
"""

import abc
from typing import Any

import equinox as eqx
import jax.numpy as jnp

from .._custom_types import Array, Complex, Float, Int
from .._linalg import hermitian_part
from .._solution import RESULTS


LyapunovStats = dict[str, Any]


def make_stats(
    num_steps: Int[Array, ""] | int = 0,
    spectral_abscissa: Float[Array, ""] | float = jnp.nan,
    eigenvector_condition: Float[Array, ""] | float = jnp.nan,
) -> LyapunovStats:
    """The statistics every solver reports (same keys for every solver, so they can be mixed
    under `jax.lax.cond` and `vmap`).

    - `num_steps`: iterations of an iterative solver (0 for direct solvers);
    - `spectral_abscissa`: `max Re eig(W)` where the solver gets it for free (NaN otherwise);
    - `eigenvector_condition`: estimated condition number of the eigenvector matrix of `W`
      (NaN where the solver does not compute eigenvectors).
    """
    return {
        "num_steps": jnp.asarray(num_steps, dtype=jnp.int32),
        "spectral_abscissa": jnp.asarray(spectral_abscissa, dtype=float),
        "eigenvector_condition": jnp.asarray(eigenvector_condition, dtype=float),
    }


class AbstractLyapunovSolver(eqx.Module):
    """Abstract base class of all Lyapunov solvers (see the module docstring for the
    `init` / `compute` / `transpose` protocol)."""

    @abc.abstractmethod
    def init(self, drift: Complex[Array, "n n"]) -> Any:
        """Factorise `drift` (called once, outside differentiation)."""

    @abc.abstractmethod
    def compute(
        self, state: Any, rhs: Complex[Array, "n n"]
    ) -> tuple[Complex[Array, "n n"], RESULTS, LyapunovStats]:
        """Solve `W X + X W^H = rhs`; returns `(X, result, stats)`."""

    def compute_hermitian(
        self, state: Any, rhs: Complex[Array, "n n"]
    ) -> tuple[Complex[Array, "n n"], RESULTS, LyapunovStats]:
        """`compute` for a right-hand side the caller knows to be Hermitian: solves with the
        Hermitian part of `rhs`, so the solution is Hermitian (the operator maps Hermitian
        matrices to Hermitian ones). Solvers that can exploit it override this
        (`BartelsStewart`: only the upper triangle, block by block); the default is
        `compute` of the Hermitian part."""
        return self.compute(state, hermitian_part(rhs))

    @abc.abstractmethod
    def transpose(self, state: Any) -> Any:
        """A state for the Lyapunov operator of `W^T`, reusing `state`'s factorisation."""
