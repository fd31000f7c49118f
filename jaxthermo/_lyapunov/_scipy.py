"""A CPU reference solver: `scipy.linalg.solve_continuous_lyapunov` through a callback."""

import jax
import jax.numpy as jnp
import numpy as np

from ._base import AbstractLyapunovSolver, make_stats
from ._common import finite_result


def _scipy_solve(drift, rhs):
    try:
        import scipy.linalg
    except ImportError as e:  # pragma: no cover - exercised only without the extra
        raise ImportError("ScipyReference needs scipy: pip install 'jaxthermo[test]'") from e
    drift = np.asarray(drift)
    rhs = np.asarray(rhs)
    x = scipy.linalg.solve_continuous_lyapunov(drift, rhs)
    abscissa = np.max(np.linalg.eigvals(drift).real)
    return x.astype(rhs.dtype), np.asarray(abscissa, dtype=np.real(rhs).dtype)


class ScipyReference(AbstractLyapunovSolver):
    """`scipy.linalg.solve_continuous_lyapunov` (LAPACK Schur + `trsyl`) called through
    `jax.pure_callback`: a host round-trip, for tests and benchmarks only. Differentiable
    like every solver (the implicit rule calls it again for the adjoint with `W^T`).
    Needs the optional `scipy` dependency."""

    def init(self, drift):
        return drift

    def compute(self, state, rhs):
        real = jnp.real(rhs).dtype
        shapes = (
            jax.ShapeDtypeStruct(rhs.shape, rhs.dtype),
            jax.ShapeDtypeStruct((), real),
        )
        x, abscissa = jax.pure_callback(_scipy_solve, shapes, state, rhs, vmap_method="sequential")
        return x, finite_result(x, rhs), make_stats(0, abscissa)

    def transpose(self, state):
        return state.T
