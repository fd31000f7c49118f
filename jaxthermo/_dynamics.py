"""Steady states and time evolution of quadratic models."""

import diffrax
import equinox as eqx
import jax
import jax.lax as lax
import jax.numpy as jnp
import jax.scipy.linalg as jsl

from ._custom_types import Array, ArrayLike, Float, Inexact
from ._lyapunov import AbstractLyapunovSolver, lyapunov_solve, relative_residual, shifted_drift
from ._lyapunov._common import dagger
from ._quadratic import QuadraticModel
from ._solution import RESULTS


class SteadyState(eqx.Module):
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


def _check_model(model) -> QuadraticModel:
    if not isinstance(model, QuadraticModel):
        raise TypeError(f"`model` must be a jaxthermo.QuadraticModel, got {type(model).__name__}.")
    return model


def stability_tolerance(drift: Array) -> Array:
    """Spectral abscissas above `-tol` count as 'not Hurwitz': `tol = 100 n eps ||W||_F`,
    the size of rounding errors in computed eigenvalues."""
    n = drift.shape[-1]
    eps = jnp.finfo(drift.dtype).eps
    return 100 * n * eps * jnp.linalg.norm(drift)


def steady_state(
    model: QuadraticModel,
    solver: AbstractLyapunovSolver | None = None,
    *,
    throw: bool = True,
) -> SteadyState:
    """The steady state of a quadratic model: the solution `C` of the Lyapunov equation

        W C + C W† + F = 0,   W = -iH - G/2

    (paper 002, Eq. (B5) with the sign of its anticommutator corrected, see ERRATA.md; paper
    000, Eq. (17)–(18) for `G = r·1`). It exists and is unique iff `W` is Hurwitz.

    Differentiable (forward and reverse, any order) with respect to every number of the model
    (Hamiltonian entries, rates, temperatures, chemical potentials, frequencies) by implicit
    differentiation of the Lyapunov equation; jit-able and vmappable over batches of models.

    **Arguments:**

    - `model`: a `QuadraticModel`.
    - `solver`: a Lyapunov solver (default `jaxthermo.lyapunov.Auto()`).
    - `throw`: if True (default), raise a clear error (also inside `jit`) when there is no
      unique steady state (`RESULTS.not_hurwitz`) or the solve failed. With `throw=False`
      the failure is reported in `.result` instead: the fast path for large sweeps that
      inspect results afterwards.

    **Returns:** a `SteadyState` (`.covariance`, `.occupations`, `.residual`, `.result`,
    `.stats`).

    Example: a single bosonic mode with one bath has `C = n`, the bath occupation.
    """
    model = _check_model(model)
    drift, diffusion = model.covariance_equation()
    x, result, stats = lyapunov_solve(drift, diffusion, solver, model.probe_feedback())
    covariance = 0.5 * (x + dagger(x))
    abscissa = stats["spectral_abscissa"]
    tolerance = stability_tolerance(lax.stop_gradient(shifted_drift(drift)))
    unstable = abscissa >= -tolerance  # NaN: unknown
    result = RESULTS.where(unstable, RESULTS.not_hurwitz, result)
    result = RESULTS.where(result == RESULTS.sign_not_hurwitz, RESULTS.not_hurwitz, result)
    feedback = model.probe_feedback()
    total_diffusion = diffusion.astype(drift.dtype)
    if feedback is not None:  # the probes' self-consistent gain U(ℓ(C)) belongs to F
        total_diffusion = total_diffusion + feedback.inject(feedback.functional(covariance))
    residual = relative_residual(
        *(lax.stop_gradient(a) for a in (drift, covariance, total_diffusion))
    )
    if throw:
        covariance = result.error_if(covariance, result != RESULTS.successful)
    return SteadyState(covariance, residual, result, stats)


# ---------------------------------------------------------------------------------------
# Time evolution
# ---------------------------------------------------------------------------------------


class AbstractEvolutionMethod(eqx.Module):
    """How `evolve` integrates `dC/dt = W C + C W† + F`."""


class ODE(AbstractEvolutionMethod):
    """Integrate the covariance equation with diffrax (real and imaginary parts as one real
    state, since complex support in diffrax is experimental).

    **Arguments:** `solver` (default `diffrax.Tsit5()`), `rtol`/`atol` of a
    `diffrax.PIDController` (defaults 1e-8 / 1e-10), `dt0` (default: diffrax picks),
    `max_steps` (default 100 000), `adjoint` (default `diffrax.RecursiveCheckpointAdjoint()`).
    """

    solver: diffrax.AbstractSolver = diffrax.Tsit5()
    rtol: float = 1e-8
    atol: float = 1e-10
    dt0: float | None = None
    max_steps: int = 100_000
    adjoint: diffrax.AbstractAdjoint = diffrax.RecursiveCheckpointAdjoint()


class ExactPropagator(AbstractEvolutionMethod):
    """Exact solution for time-independent models,

        C(t) = C∞ + e^{W(t-t0)} (C0 - C∞) e^{W†(t-t0)},

    with `C∞` the steady state (implicitly differentiated Lyapunov solve) and the matrix
    exponential from `jax.scipy.linalg.expm` (differentiable), one per saved time. Models
    without baths (closed systems, `G = F = 0`) use `C(t) = e^{-iHt} C0 e^{iHt}`. Needs a
    Hurwitz drift otherwise (use `ODE` for models without a steady state).

    **Arguments:** `solver`, the Lyapunov solver for `C∞` (default `Auto()`).
    """

    solver: AbstractLyapunovSolver | None = None


class Evolution(eqx.Module):
    """Covariances along a trajectory: `ts` (T,), `covariance` (T, L, L) with
    `covariance[i] = C(ts[i])`, `result` (a `RESULTS` item), `stats` (solver statistics)."""

    ts: Float[Array, " T"]
    covariance: Inexact[Array, "T L L"]
    result: RESULTS
    stats: dict[str, Array]

    @property
    def occupations(self) -> Float[Array, "T L"]:
        return jnp.real(jnp.diagonal(self.covariance, axis1=-2, axis2=-1))


def _check_evolve_inputs(model, covariance0, ts):
    model = _check_model(model)
    c0 = jnp.asarray(covariance0)
    L = model.size
    if c0.shape != (L, L):
        raise ValueError(f"`covariance0` must have shape {(L, L)}, got {c0.shape}.")
    ts = jnp.asarray(ts)
    if ts.ndim != 1 or ts.shape[0] < 1:
        raise ValueError(f"`ts` must be a non-empty 1-D array of times, got shape {ts.shape}.")
    if not jnp.issubdtype(ts.dtype, jnp.floating):
        ts = ts.astype(jnp.result_type(float))
    return model, c0, ts


def evolve(
    model: QuadraticModel,
    covariance0: Inexact[ArrayLike, "L L"],
    ts: Float[ArrayLike, " T"],
    *,
    method: AbstractEvolutionMethod | None = None,
    throw: bool = True,
) -> Evolution:
    """Evolve the correlation matrix `C_ij = ⟨a_j† a_i⟩` under the covariance equation

        dC/dt = W C + C W† + F      (paper 002 Eq. (B1); paper 000 Eq. (6), conjugated)

    (plus `U(ℓ(C))` for self-consistent `ProbeBath`s, whose occupation follows the state)

    from `C(ts[0]) = covariance0`, and return it at every time in `ts` (non-decreasing).

    **Arguments:**

    - `model`: a `QuadraticModel` (time-independent).
    - `covariance0`: `C` at `ts[0]`, shape `(L, L)`.
    - `ts`: save times, shape `(T,)`, in the model's inverse energy units (ħ = 1).
    - `method`: `jaxthermo.ODE(...)` (default; diffrax) or `jaxthermo.ExactPropagator()`.
    - `throw`: raise if the integration fails (diffrax) or there is no steady state
      (`ExactPropagator` with baths).

    **Returns:** an `Evolution` with `.covariance` of shape `(T, L, L)`.
    """
    model, c0, ts = _check_evolve_inputs(model, covariance0, ts)
    method = ODE() if method is None else method
    drift, diffusion = model.covariance_equation()
    dtype = jnp.promote_types(drift.dtype, c0.dtype)
    c0 = c0.astype(dtype)
    feedback = model.probe_feedback()
    if isinstance(method, ODE):
        return _evolve_ode(method, drift, diffusion.astype(dtype), feedback, c0, ts, throw)
    if isinstance(method, ExactPropagator):
        if feedback is not None:
            raise ValueError(
                "ExactPropagator: models with ProbeBath (self-consistent) baths evolve under "
                "W C + C W† + F + U(ℓ(C)), which is not of the form e^{Wt} C e^{W†t}; use "
                "method=jaxthermo.ODE()."
            )
        return _evolve_exact(method, model, drift, c0, ts, throw)
    raise TypeError(
        f"`method` must be jaxthermo.ODE(...) or jaxthermo.ExactPropagator(), got "
        f"{type(method).__name__}."
    )


def _evolve_ode(method: ODE, drift, diffusion, feedback, c0, ts, throw):
    def vector_field(t, y, args):
        c = y[0] + 1j * y[1]
        dc = drift @ c + c @ dagger(drift) + diffusion
        if feedback is not None:
            dc = dc + feedback.inject(feedback.functional(c))
        return jnp.stack([jnp.real(dc), jnp.imag(dc)])

    y0 = jnp.stack([jnp.real(c0), jnp.imag(c0)])
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(vector_field),
        method.solver,
        t0=ts[0],
        t1=ts[-1],
        dt0=method.dt0,
        y0=y0,
        saveat=diffrax.SaveAt(ts=ts),
        stepsize_controller=diffrax.PIDController(rtol=method.rtol, atol=method.atol),
        max_steps=method.max_steps,
        adjoint=method.adjoint,
        throw=throw,
    )
    covariance = sol.ys[:, 0] + 1j * sol.ys[:, 1]
    result = RESULTS.where(
        sol.result == diffrax.RESULTS.successful, RESULTS.successful, RESULTS.max_steps_reached
    )
    stats = {k: v for k, v in sol.stats.items() if k in ("num_steps", "num_accepted_steps")}
    return Evolution(ts, covariance, result, stats)


def _evolve_exact(method: ExactPropagator, model, drift, c0, ts, throw):
    closed = len(model.baths) == 0
    if closed:
        stationary = jnp.zeros_like(c0)
        result = RESULTS.successful
        stats = {}
    else:
        state = steady_state(model, method.solver, throw=throw)
        stationary, result, stats = state.covariance.astype(c0.dtype), state.result, state.stats
    delta = c0 - stationary

    def at(t):
        e = jsl.expm(drift * (t - ts[0]))
        return stationary + e @ delta @ dagger(e)

    covariance = jax.vmap(at)(ts)
    return Evolution(ts, covariance, result, stats)
