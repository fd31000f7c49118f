"""Steady states and time evolution of quadratic models (the `QuadraticModel` side of the
verbs `steady_state` and `evolve`)."""

import jax
import jax.lax as lax
import jax.numpy as jnp
import jax.scipy.linalg as jsl

from ._checks import apply_checks, nan_where
from ._contract import AbstractSteadyState, AbstractTrajectory
from ._custom_types import Array, Float, Inexact, Real
from ._linalg import dagger, matmul
from ._lyapunov import (
    AbstractLyapunovSolver,
    lyapunov_operator,
    relative_residual,
    shifted_drift,
)
from ._ode import ODE, AbstractEvolutionMethod, solve_ode
from ._solution import RESULTS


class SteadyState(AbstractSteadyState):
    """The non-equilibrium steady state (NESS) of a quadratic model.

    **Attributes:**

    - `covariance`: `C_ij = ⟨a_j† a_i⟩`, shape `(L, L)`, Hermitian.
    - `residual`: relative residual `||W C + C W† + F|| / (2||W|| ||C|| + ||F||)` of the
      Lyapunov equation (backward error; ~1e-16 for a good float64 solve).
    - `result`: a `jaxthermo.RESULTS` item (`RESULTS[state.result]` is its message).
    - `stats`: the solver's statistics (`num_steps`, `spectral_abscissa`,
      `eigenvector_condition`; NaN where a solver does not compute them).
    """

    covariance: Inexact[Array, "L L"]
    residual: Float[Array, ""]
    result: RESULTS
    stats: dict[str, Array]

    @property
    def occupations(self) -> Float[Array, "... L"]:
        """Mode occupations `⟨a_k† a_k⟩ = Re C_kk`."""
        return jnp.real(jnp.diagonal(self.covariance, axis1=-2, axis2=-1))


def stability_tolerance(drift: Array) -> Array:
    """Spectral abscissas above `−tol` count as 'not Hurwitz': `tol = 100 n eps ||W||_F`,
    the size of rounding errors in computed eigenvalues."""
    n = drift.shape[-1]
    eps = jnp.finfo(drift.dtype).eps
    return 100 * n * eps * jnp.linalg.norm(drift)


def _solver(method) -> AbstractLyapunovSolver | None:
    if method is not None and not isinstance(method, AbstractLyapunovSolver):
        raise TypeError(
            "steady_state of a QuadraticModel: `method` must be a Lyapunov solver (e.g. "
            f"jaxthermo.lyapunov.BartelsStewart()) or None, got {type(method).__name__}."
        )
    return method


def quadratic_steady_state(model, method, throw: bool, *, with_operator: bool = False):
    """`W C + C W† + F = 0` (plus the probes' `U(ℓ(C))`), solved by `method` (a Lyapunov
    solver; default `jaxthermo.lyapunov.Auto()`), with its residual and result code. With
    `with_operator=True` also the factorised `LyapunovOperator` of the drift, for further
    solves with the same factorisation (counting statistics)."""
    solver = _solver(method)
    checks = model.checks()
    drift, diffusion = model.covariance_equation()
    feedback = model.probe_feedback()
    operator = lyapunov_operator(drift, solver, feedback)
    # F is Hermitian for every parameter value and only (X + X†)/2 is used below, so the
    # tangents and cotangents are Hermitian too (see `LyapunovOperator.solve`)
    x, result, stats = operator.solve(-diffusion, hermitian=True)
    covariance = 0.5 * (x + dagger(x))
    abscissa = stats["spectral_abscissa"]
    tolerance = stability_tolerance(lax.stop_gradient(shifted_drift(drift)))
    unstable = abscissa >= -tolerance  # NaN: unknown
    result = RESULTS.where(unstable, RESULTS.not_hurwitz, result)
    result = RESULTS.where(result == RESULTS.sign_not_hurwitz, RESULTS.not_hurwitz, result)
    total_diffusion = diffusion.astype(drift.dtype)
    if feedback is not None:  # the probes' self-consistent gain U(ℓ(C)) belongs to F
        total_diffusion = total_diffusion + feedback.inject(feedback.functional(covariance))
    residual = relative_residual(
        *(lax.stop_gradient(a) for a in (drift, covariance, total_diffusion))
    )
    covariance, invalid = apply_checks(covariance, checks, throw)
    result = RESULTS.where(invalid != RESULTS.successful, invalid, result)
    if throw:
        covariance = result.error_if(covariance, result != RESULTS.successful)
    else:
        covariance = nan_where(result != RESULTS.successful, covariance)
    state = SteadyState(covariance, residual, result, stats)
    return (state, operator) if with_operator else state


# ---------------------------------------------------------------------------------------
# Time evolution
# ---------------------------------------------------------------------------------------


class ExactPropagator(AbstractEvolutionMethod):
    """Exact solution for time-independent models,

        C(t) = C∞ + e^{W(t−t0)} (C0 − C∞) e^{W†(t−t0)},

    with `C∞` the steady state (implicitly differentiated Lyapunov solve) and the matrix
    exponential from `jax.scipy.linalg.expm` (differentiable), one per saved time. Models
    without baths (closed systems, `G = F = 0`) use `C(t) = e^{−iHt} C0 e^{iHt}`. Needs a
    Hurwitz drift otherwise (use `ODE` for models without a steady state).

    **Arguments:** `solver`, the Lyapunov solver for `C∞` (default `Auto()`).
    """

    solver: AbstractLyapunovSolver | None = None


class Trajectory(AbstractTrajectory):
    """Covariances of a quadratic model along a trajectory.

    **Attributes:** `ts` (T,); `covariance` (T, L, L) with `covariance[i] = C(ts[i])` (entry 0
    is the initial state); `result` (a `RESULTS` item); `stats` (solver statistics); the
    property `occupations` (T, L).
    """

    ts: Real[Array, " T"]
    covariance: Inexact[Array, "T L L"]
    result: RESULTS
    stats: dict[str, Array]

    @property
    def occupations(self) -> Float[Array, "T L"]:
        """`Re C_kk(t)`, shape `(T, L)`."""
        return jnp.real(jnp.diagonal(self.covariance, axis1=-2, axis2=-1))


def quadratic_evolve(model, covariance0, ts, method, throw: bool) -> Trajectory:
    """`dC/dt = W C + C W† + F` (plus `U(ℓ(C))` for probes, whose occupation follows the
    state; paper 002 Eq. (B1), paper 000 Eq. (6) conjugated) from `C(ts[0]) = covariance0`."""
    c0 = jnp.asarray(covariance0)
    L = model.size
    if c0.shape != (L, L):
        raise ValueError(f"`state0` (a covariance) must have shape {(L, L)}, got {c0.shape}.")
    method = ODE() if method is None else method
    checks = model.checks()
    drift, diffusion = model.covariance_equation()
    dtype = jnp.promote_types(drift.dtype, c0.dtype)
    c0 = c0.astype(dtype)
    feedback = model.probe_feedback()
    if isinstance(method, ODE):
        out = _evolve_ode(method, drift, diffusion.astype(dtype), feedback, c0, ts, throw)
    elif isinstance(method, ExactPropagator):
        if feedback is not None:
            raise ValueError(
                "ExactPropagator: models with ProbeBath (self-consistent) baths evolve under "
                "W C + C W† + F + U(ℓ(C)), which is not of the form e^{Wt} C e^{W†t}; use "
                "method=jaxthermo.ODE()."
            )
        out = _evolve_exact(method, model, drift, c0, ts, throw)
    else:
        raise TypeError(
            "evolve of a QuadraticModel: `method` must be jaxthermo.ODE(...) or "
            f"jaxthermo.ExactPropagator(), got {type(method).__name__}."
        )
    covariance, invalid = apply_checks(out.covariance, checks, throw)
    result = RESULTS.where(invalid != RESULTS.successful, invalid, out.result)
    return Trajectory(out.ts, covariance, result, out.stats)


def _evolve_ode(method: ODE, drift, diffusion, feedback, c0, ts, throw):
    def vector_field(t, c, args):
        dc = matmul(drift, c) + matmul(c, dagger(drift)) + diffusion
        if feedback is not None:
            dc = dc + feedback.inject(feedback.functional(c))
        return dc

    sol = solve_ode(method, vector_field, c0, ts, throw=throw)
    return Trajectory(ts, sol.ys, sol.result, sol.stats)


def _evolve_exact(method: ExactPropagator, model, drift, c0, ts, throw):
    closed = len(model.baths) == 0
    if closed:
        stationary = jnp.zeros_like(c0)
        result = RESULTS.successful
        stats = {}
    else:
        state = quadratic_steady_state(model, method.solver, throw)
        stationary, result, stats = state.covariance.astype(c0.dtype), state.result, state.stats
    delta = c0 - stationary

    def at(t):
        e = jsl.expm(drift * (t - ts[0]))
        return stationary + e @ delta @ dagger(e)

    covariance = jax.vmap(at)(ts)
    return Trajectory(ts, covariance, result, stats)
