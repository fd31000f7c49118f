"""The default Lyapunov solver: picks a concrete solver by size and backend."""

import jax

from ._bartels_stewart import BartelsStewart
from ._base import AbstractLyapunovSolver
from ._kronecker import Kronecker
from ._sign import Sign


KRONECKER_MAX_SIZE = 4


class Auto(AbstractLyapunovSolver):
    """The default solver. The choice is static (made at trace time from the size `n` of
    `W` and from `jax.default_backend()`):

    - `n <= 4`: `Kronecker` (a 16 x 16 LU at most; the fastest route in large vmapped
      batches of tiny systems);
    - CPU: `BartelsStewart` (Schur-based, backward stable for any `W`);
    - GPU/TPU: `Sign` (matrix products and LU inverses only; `schur`/`eig` are CPU-only in
      JAX).

    Pass a concrete solver to `solve_lyapunov` / `steady_state` to override the choice.
    """

    def select(self, n: int) -> AbstractLyapunovSolver:
        if n <= KRONECKER_MAX_SIZE:
            return Kronecker()
        if jax.default_backend() == "cpu":
            return BartelsStewart()
        return Sign()

    def init(self, drift):
        solver = self.select(drift.shape[0])
        return solver, solver.init(drift)

    def compute(self, state, rhs):
        solver, substate = state
        return solver.compute(substate, rhs)

    def compute_hermitian(self, state, rhs):
        solver, substate = state
        return solver.compute_hermitian(substate, rhs)

    def transpose(self, state):
        solver, substate = state
        return solver, solver.transpose(substate)
