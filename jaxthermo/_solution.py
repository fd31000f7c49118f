"""Result codes and the base class of every result module.

`RESULTS` extends lineax's result enumeration (itself used by optimistix and diffrax), so a
result from a jaxthermo solver reads like one from the rest of the ecosystem. Every result
module (steady states, trajectories, ...) derives from `AbstractResult`, which adds
`.to_numpy()`.
"""

import equinox as eqx
import jax
import lineax as lx
import numpy as np


class RESULTS(lx.RESULTS):  # pyright: ignore[reportGeneralTypeIssues]
    """Result codes of jaxthermo's solvers (extends `lineax.RESULTS`).

    `RESULTS[result]` gives the human-readable message of a result item. With `throw=False`
    a verb never raises inside `jit`/`vmap`: invalid points come back with one of these codes
    (and NaN values), the others with `RESULTS.successful`.
    """

    not_hurwitz = (
        "The drift matrix `W = -iH - G/2` is not Hurwitz (some eigenvalue has real part >= 0 "
        "within numerical tolerance), so the model has no unique steady state. Usually a "
        "mode, or a combination of modes, has no path to any bath (a 'dark' mode), or a "
        "bosonic gain rate exceeds the loss rate."
    )
    sign_not_hurwitz = (
        "The matrix-sign iteration converged, but not to -I: the drift matrix `W` has "
        "eigenvalues with positive real part, so the Lyapunov equation cannot be solved by "
        "the sign function (and there is no steady state)."
    )
    invalid_parameters = (
        "A model parameter is invalid (a negative rate, a non-positive temperature, a Bose "
        "chemical potential at or above the mode frequency, a negative spectral density, a "
        "non-Hermitian Hamiltonian, ...). Rerun the point with `throw=True` for an error that "
        "names the argument."
    )
    not_schur_stable = (
        "The matrix `A` of the discrete Lyapunov equation `X = A X A† + Q` has an eigenvalue "
        "of modulus >= 1 (within numerical tolerance): the equation has no unique solution."
    )
    unsupported_protocol = (
        "A few-level protocol changes `H_S` while a field is switched on. Cycles of few-level "
        "models are stroke protocols: fields on only while `H_S` is constant (the stroke's "
        "secular or Pauli generator), unitary strokes (every field off) in between."
    )
    not_piecewise_constant = (
        "`method=ExactPropagator()` was given, but the protocol changes within a stroke "
        "(between two breakpoints): add the missing breakpoints, or use the default method "
        "(exact on constant strokes, diffrax on the others)."
    )
    not_converged = (
        "An iterative (matrix-free GMRES) stationary-state solve did not reach its tolerance "
        "within its iteration budget: the generator couples its coherences too strongly for "
        "the secular preconditioner (rates comparable to the Bohr-frequency gaps). Use "
        "`stationary_solver='dense'` (the d² × d² LU) where d allows it."
    )
    no_unique_cycle = (
        "The one-period map has an eigenvalue of modulus >= 1 (within numerical tolerance): "
        "the protocol has no unique periodic steady state (e.g. no bath is ever switched on, "
        "or a mode never couples to one)."
    )


class AbstractResult(eqx.Module):
    """Base class of jaxthermo's result modules (steady states, trajectories, cycles, ...):
    small equinox modules whose array leaves hold the numbers. `to_numpy()` converts them."""

    def to_numpy(self):
        """The same module with every JAX array leaf converted to a NumPy array (host copy);
        result codes are kept as they are."""
        return jax.tree_util.tree_map(
            lambda x: np.asarray(x) if isinstance(x, jax.Array) else x, self
        )
