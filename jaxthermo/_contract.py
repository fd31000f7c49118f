"""The contract every model family implements, and the verbs that call it.

Every model type (`QuadraticModel`, `fewlevel.FewLevelModel`, `junction.Junction`, the closed
systems) is a final subclass of `AbstractModel` and answers the same verbs with the same
meaning:

- `steady_state(model, method=None, *, throw=True)`: a result module with the state
  (`.covariance` or `.density_matrix`) and `.result`;
- `evolve(model, state0, ts, method=None, *, throw=True)`: a trajectory module; its entry at
  `ts[0]` is `state0`;
- `currents(model, state)`: one `Currents(particle, energy, heat)`, one entry per bath /
  field / lead, positive into the system;
- `entropy_production(model, state)`: the entropy production rate, `>= 0` in the family's
  thermodynamically consistent picture.

The verbs dispatch through the abstract methods below (equinox's abstract/final pattern:
no `isinstance` chains); a model type that cannot answer a verb raises a `TypeError` that
names it. Capabilities built on top (counting statistics, limit cycles, Onsager
coefficients, sweeps) are written once, against these verbs.
"""

import abc
from typing import Any

import equinox as eqx

from ._custom_types import Array, Float, Real
from ._solution import RESULTS, AbstractResult


PICTURES = ("local", "global")


class Currents(AbstractResult):
    """Particle, energy and heat currents, **positive from the bath into the system**, one
    entry per bath / field / lead in the model's order (a leading time axis when computed
    along a trajectory).

    **Attributes:**

    - `particle`: `J^P_α` (particles, or field quanta, per unit time);
    - `energy`: `J^E_α` (energy per unit time);
    - `heat`: `J^Q_α = J^E_α − μ_α J^P_α`.
    """

    particle: Float[Array, "... B"]
    energy: Float[Array, "... B"]
    heat: Float[Array, "... B"]


class AbstractSteadyState(AbstractResult):
    """A steady state returned by `jaxthermo.steady_state`: the state (`.covariance` or
    `.density_matrix`) and `.result`, a `jaxthermo.RESULTS` item."""

    result: eqx.AbstractVar[RESULTS]


class AbstractTrajectory(AbstractResult):
    """A trajectory returned by `jaxthermo.evolve`: `.ts` (the save times), the state at each
    of them (`.covariance` or `.density_matrix`, leading axis `len(ts)`, entry 0 the initial
    state) and `.result`."""

    ts: eqx.AbstractVar[Real[Array, " T"]]
    result: eqx.AbstractVar[RESULTS]


class AbstractModel(eqx.Module):
    """The interface every model family implements (see the module docstring). Subclasses
    implement the four methods below; the public verbs `jaxthermo.steady_state`, `evolve`,
    `currents` and `entropy_production` validate the common arguments and call them. A model
    that cannot answer a verb implements it by raising a `TypeError` naming the model type.
    """

    @abc.abstractmethod
    def _steady_state(self, method: Any, throw: bool) -> AbstractSteadyState:
        """The steady state for `method` (None: the family's default)."""

    @abc.abstractmethod
    def _evolve(self, state0: Any, ts: Real[Array, " T"], method: Any, throw: bool) -> Any:
        """The trajectory from `state0` at `ts[0]`, saved at `ts` (validated, 1-D)."""

    @abc.abstractmethod
    def _currents(self, state: Any, picture: str) -> Currents:
        """Per-bath currents into the system in `state`."""

    @abc.abstractmethod
    def _entropy_production(self, state: Any, picture: str) -> Float[Array, "..."]:
        """The entropy production rate in `state`."""


def unsupported(model: Any, verb: str, why: str) -> TypeError:
    """The `TypeError` a model raises for a verb it does not support."""
    return TypeError(f"`{verb}` is not defined for {type(model).__name__}: {why}")


def _model(model: Any, verb: str) -> AbstractModel:
    if not isinstance(model, AbstractModel):
        raise TypeError(
            f"`{verb}`: `model` must be a jaxthermo model (QuadraticModel, "
            "fewlevel.FewLevelModel, junction.Junction, closed.ClosedSystem, ...; any "
            f"subclass of jaxthermo.AbstractModel), got {type(model).__name__}."
        )
    return model


def _picture(picture: str) -> str:
    if picture not in PICTURES:
        raise ValueError(f"`picture` must be 'local' or 'global', got {picture!r}.")
    return picture


# `steady_state` runs as one compiled program per model structure (`equinox.filter_jit`): an
# eager call (outside any jit) is one XLA program instead of op by op (at d = 64 a few-level
# steady state took 0.8 s eagerly even with every op compiled, 8 ms compiled); inside a
# user's jit/vmap/grad it is inlined. The cheap verbs (`currents`, `entropy_production`) stay
# op by op: compiling them per model structure made the test suite's many small random models
# slower (measured); `evolve` too (eager `ts` checks, host-sequenced closed systems).
@eqx.filter_jit
def _steady_state_compiled(model, method, throw):
    return model._steady_state(method, throw)


def steady_state(model: AbstractModel, method: Any = None, *, throw: bool = True):
    """The (non-equilibrium) steady state of any jaxthermo model.

    - `QuadraticModel`: the solution `C` of the Lyapunov equation `W C + C W† + F = 0`
      (paper 002, Eq. (B5) with `−½{C, Γ}`; paper 000, Eqs. (17)–(18)); `method` a Lyapunov
      solver (default `jaxthermo.lyapunov.Auto()`).
    - `fewlevel.FewLevelModel`: `L ρ = 0`, `Tr ρ = 1` (paper 003, Eq. (22)); `method`
      `fewlevel.Secular()` (default), `fewlevel.Redfield()` or `fewlevel.Pauli()`.
    - `junction.Junction`: the exact `C(∞)` of paper 004, Eq. (32) (`junction.Exact()`,
      default) or the stationary state of the asymptotic EPA master equation
      (`junction.EPA()`).
    - closed systems have no steady state: `TypeError`.

    Differentiable (implicitly) in every number of the model; jit-able and vmappable.

    **Arguments:**

    - `model`: any `jaxthermo.AbstractModel`.
    - `method`: the family's method object, or None for its default.
    - `throw`: if True (default), invalid parameters or a failed solve raise an error that
      names the argument (also inside `jit`). If False, nothing ever raises: a failed point
      returns NaN values and a non-successful `.result` (the mode for large sweeps).

    **Returns:** the family's steady-state module (`.covariance` or `.density_matrix`,
    `.result`, diagnostics such as `.residual`).
    """
    return _steady_state_compiled(_model(model, "steady_state"), method, bool(throw))


def evolve(model: AbstractModel, state0: Any, ts: Any, method: Any = None, *, throw: bool = True):
    """Evolve any jaxthermo model from `state0` at time `ts[0]`; the returned trajectory's
    entry 0 is `state0` for every family.

    - `QuadraticModel`: `state0` a covariance `C` (L × L); `dC/dt = W C + C W† + F`
      (paper 002 Eq. (B1)); `method` `jaxthermo.ODE()` (default, diffrax) or
      `jaxthermo.ExactPropagator()`.
    - `fewlevel.FewLevelModel`: `state0` a density matrix (basis of `H_S` as given);
      `method` `fewlevel.Secular()` (default), `Redfield()` or `Pauli()` (populations).
    - `junction.Junction`: `state0` the system covariance (ours, energy basis) of a product
      initial state with thermal reservoirs at `ts[0]`; paper 004 Eqs. (29)–(31).
    - `closed.ClosedSystem` / `closed.DrivenSystem` / `closed.SpinGORM`: `state0` the system
      covariance (or the spin's density matrix) with the reservoirs thermal at `ts[0]`
      (paper 001, Eq. (2)); exact unitary evolution of the whole.

    **Arguments:**

    - `model`: any `jaxthermo.AbstractModel`.
    - `state0`: the initial system state (see above).
    - `ts`: save times, shape `(T,)`, non-decreasing, in units of 1/energy (ħ = 1).
    - `method`: the family's method object, or None for its default.
    - `throw`: raise on invalid input or a failed integration (True, default), or report it
      in `.result` (False).

    **Returns:** the family's trajectory module: `.ts`, `.result` and `.covariance` or
    `.density_matrix` of shape `(T, ...)`.
    """
    import jax.numpy as jnp

    model = _model(model, "evolve")
    times = jnp.asarray(ts)
    if times.ndim != 1 or times.shape[0] < 1:
        raise ValueError(f"`ts` must be a non-empty 1-D array of times, got shape {times.shape}.")
    if jnp.iscomplexobj(times):
        raise TypeError("`ts` must be real.")
    if not jnp.issubdtype(times.dtype, jnp.floating):
        times = times.astype(jnp.result_type(float))
    return model._evolve(state0, times, method, bool(throw))


def currents(model: AbstractModel, state: Any, *, picture: str = "local") -> Currents:
    """Particle, energy and heat currents from every bath (field, lead, reservoir) into the
    system, in the model's order; positive into the system.

    **Arguments:**

    - `model`: any `jaxthermo.AbstractModel`.
    - `state`: a steady state (from `steady_state`), a trajectory (then the currents have a
      leading time axis) or, where the family allows, a bare state (a covariance or density
      matrix).
    - `picture`: for local master equations of quadratic models, `"local"` (default: bath
      energy `ω_α J^P_α`, the thermodynamically consistent choice, σ >= 0) or `"global"`
      (`Tr[H D_α(C)]`, which sums to `d⟨H⟩/dt`). Families whose generators are exact or
      global (few-level, junction, closed) give the same currents in both.

    **Returns:** `jaxthermo.Currents(particle, energy, heat)`, each of shape `(..., B)`.
    """
    return _model(model, "currents")._currents(state, _picture(picture))


def entropy_production(
    model: AbstractModel, state: Any, *, picture: str = "local"
) -> Float[Array, "..."]:
    """Entropy production rate (nats per unit time, k_B = 1).

    - `QuadraticModel`: `σ = dS/dt − Σ_α β_α J^Q_α` (Clausius/Spohn; `dS/dt = 0` at a steady
      state), `>= 0` in the local picture.
    - `fewlevel.FewLevelModel`: Spohn's `Σ_j −Tr[L_j(ρ)(ln ρ − ln ρ_j)] >= 0` (paper 003;
      `= −Σ_j β_j J^Q_j` at a stationary state with thermal fields).
    - `junction.Junction`: `−Σ_α β_α J^Q_α` with the exact Landauer heat currents (exact
      method) or with those of the thermalising generators (EPA, paper 004 Eq. (64)).
    - closed systems: `TypeError` (their trajectories carry `Δ_iS`, paper 001 Eq. (10)).

    **Arguments:** `model`; `state` (as for `currents`); `picture` (as for `currents`).

    **Returns:** `σ`, a scalar (or `(T,)` along a trajectory).
    """
    return _model(model, "entropy_production")._entropy_production(state, _picture(picture))
