"""Limit cycles of periodically driven open systems and their thermodynamics per cycle,
written once for every family that supplies a stroke map (`_gaussian.py`, `_fewlevel.py`).

A protocol `t ↦ model` of period τ is cut at its breakpoints into strokes. Each stroke is an
exact map of the state — affine `C ↦ Φ C Φ† + Q` for quadratic models, a superoperator for
few-level ones — computed exactly where the model is constant on the stroke and with diffrax
where it changes. The periodic state is the fixed point of their composition (a discrete
Lyapunov equation, or the kernel of `1 − 𝒫`), computed once, not by integrating periods.

Whether a stroke is constant is taken from the protocol's `constant_strokes` (a static tuple
of bools, one per stroke, that the engines of `jaxthermo.models` declare), or else decided
from the model's numbers at five interior times (fractions 0.05, 0.3, 0.5, 0.7, 0.95 of the
stroke): in Python when they are concrete, with `lax.cond` under `jit` (then both branches
are compiled, and under `vmap` both run; pass `ExactPropagator()` for piecewise-constant
protocols to skip the ODE entirely).
"""

from collections.abc import Callable
from typing import Any

import diffrax
import equinox as eqx
import jax
import jax.lax as lax
import jax.numpy as jnp
import numpy as np

from .._checks import apply_checks
from .._custom_types import Array, ArrayLike, Float, Real
from .._dynamics import ExactPropagator
from .._fewlevel._master import FewLevelModel
from .._linalg import after
from .._ode import ODE, solve_ode
from .._quadratic import QuadraticModel
from .._solution import RESULTS, AbstractResult
from ._fewlevel import FewLevelFamily
from ._gaussian import GaussianFamily


_FRACTIONS = (0.05, 0.3, 0.5, 0.7, 0.95)
# A cycle's heat and work are differences of O(1) energies over a period and its first law is
# checked to 1e-10, so changing strokes are integrated more tightly than `jaxthermo.ODE()`
# (8th order: at these tolerances fewer steps than Tsit5; measured residual 5e-11 on a
# two-mode Otto cycle with ramps of 50/ω, against 1.5e-8 with Tsit5 at 1e-10/1e-12).
_CYCLE_ODE = ODE(solver=diffrax.Dopri8(), rtol=1e-12, atol=1e-14)
_PICTURES = ("local", "global")


def _chained(x, earlier):
    """`x`, made to depend on the previous stroke's result: the strokes' batched LAPACK calls
    (block exponentials) then run one after another. Under `vmap` independent ones in flight
    together deadlock XLA:CPU's thread pool (observed: a 4096-point vmapped cycle never
    returned; `jaxthermo._linalg.after`)."""
    return x if earlier is None else after(x, earlier)


def _is_concrete(x) -> bool:
    return not isinstance(x, jax.core.Tracer)


def _family(model, where: str):
    if isinstance(model, QuadraticModel):
        return GaussianFamily
    if isinstance(model, FewLevelModel):
        return FewLevelFamily
    raise TypeError(
        f"{where}: the protocol must return a jaxthermo.QuadraticModel or a "
        f"jaxthermo.fewlevel.FewLevelModel, got {type(model).__name__}."
    )


def _leaves(model) -> list:
    return [x for x in jax.tree_util.tree_leaves(model) if eqx.is_inexact_array(x)]


def _same(a, b):
    scale = jnp.abs(b) + jnp.finfo(jnp.real(b).dtype).tiny
    return jnp.all(jnp.abs(a - b) <= 8 * jnp.finfo(jnp.real(b).dtype).eps * scale)


class _Plan:
    """The validated protocol: strokes (boundaries, models), family and method."""

    def __init__(self, protocol, period, breakpoints, method, throw, where):
        if not callable(protocol):
            raise TypeError(
                f"{where}: `protocol` must be a callable t -> model (a QuadraticModel or "
                f"FewLevelModel), got {type(protocol).__name__}."
            )
        self.where = where
        self.protocol = protocol
        self.throw = throw
        real = jnp.result_type(float)
        self.period = jnp.asarray(period, dtype=real)
        if self.period.ndim != 0:
            raise ValueError(f"{where}: `period` must be a scalar, got shape {self.period.shape}.")
        if isinstance(breakpoints, (jax.Array, np.ndarray)):
            if breakpoints.ndim != 1:
                raise ValueError(f"{where}: `breakpoints` must be a 1-D sequence of times.")
            breakpoints = [breakpoints[i] for i in range(breakpoints.shape[0])]
        elif not isinstance(breakpoints, (tuple, list)):
            raise TypeError(f"{where}: `breakpoints` must be a tuple of times in [0, period).")
        bps = [jnp.asarray(b, dtype=real) for b in breakpoints]
        if any(b.ndim != 0 for b in bps):
            raise ValueError(f"{where}: every breakpoint must be a scalar time.")
        bad = jnp.invert(self.period > 0) | jnp.invert(jnp.isfinite(self.period))
        if _is_concrete(bad) and bool(bad):
            raise ValueError(f"{where}: `period` must be a finite number > 0, got {period!r}.")
        order = jnp.asarray(False)
        for i, b in enumerate(bps):
            order = order | jnp.invert(b >= 0) | jnp.invert(b < self.period)
            if i:
                order = order | jnp.invert(b >= bps[i - 1])
        if _is_concrete(order) and bool(order):
            raise ValueError(
                f"{where}: `breakpoints` must be sorted (non-decreasing) times in [0, period), "
                f"got {tuple(float(b) for b in bps)} with period {float(self.period)}."
            )
        self.invalid = bad | order
        self.boundaries = [jnp.zeros((), real), *bps, self.period]
        self.segments = len(self.boundaries) - 1
        self.models = [self.model_at(k)(self._mid(k)) for k in range(self.segments)]
        self.family = _family(self.models[0], where)
        sig = self.family.signature(self.models[0])
        for k, m in enumerate(self.models):
            if _family(m, where) is not self.family or self.family.signature(m) != sig:
                raise ValueError(
                    f"{where}: the protocol's model changes type, size, statistics or bath "
                    f"types with t (stroke 0: {sig}; stroke {k}: "
                    f"{_family(m, where).signature(m)}). Switch baths on and off through their "
                    f"rates instead."
                )
        if isinstance(method, ODE):
            self.mode, self.ode, self.method = "ode", method, self.family.resolve_method(None)
        elif isinstance(method, ExactPropagator):
            self.mode, self.ode = "exact", _CYCLE_ODE
            self.method = self.family.resolve_method(method.solver)
        else:
            self.mode, self.ode = "auto", _CYCLE_ODE
            self.method = self.family.resolve_method(method)
        self.constant = [self._constant(k) for k in range(self.segments)]
        self.checks = [c for m in self.models for c in self.family.checks(m)]

    # --- strokes -------------------------------------------------------------------------

    def _mid(self, k):
        return 0.5 * (self.boundaries[k] + self.boundaries[k + 1])

    def duration(self, k):
        return jnp.maximum(self.boundaries[k + 1] - self.boundaries[k], 0.0)

    def model_at(self, k: int) -> Callable:
        """`t ↦ protocol(t)` with t kept strictly inside stroke k (so that a protocol that
        jumps at a breakpoint is never evaluated on the wrong side of it)."""
        lo, hi = self.boundaries[k], self.boundaries[k + 1]
        lo_, hi_ = lax.stop_gradient(lo), lax.stop_gradient(hi)
        up = jnp.nextafter(lo_, jnp.inf) - lo_
        down = hi_ - jnp.nextafter(hi_, -jnp.inf)
        return lambda t: self.protocol(jnp.clip(t, lo + up, hi - down))

    def _constant(self, k):
        declared = getattr(self.protocol, "constant_strokes", None)
        if declared is not None:
            declared = tuple(declared)
            if len(declared) != self.segments or not all(isinstance(x, bool) for x in declared):
                raise ValueError(
                    f"{self.where}: the protocol's `constant_strokes` must be a tuple of "
                    f"{self.segments} bools (one per stroke between breakpoints), got "
                    f"{declared!r}."
                )
            return declared[k]
        ref = _leaves(self.models[k])
        at = self.model_at(k)
        lo, dt = self.boundaries[k], self.duration(k)
        flag = jnp.asarray(True)
        for frac in _FRACTIONS:
            for a, b in zip(_leaves(at(lo + frac * dt)), ref, strict=True):
                flag = flag & _same(a, b)
        return bool(flag) if _is_concrete(flag) else flag

    def branch(self, k, exact: Callable, ode: Callable):
        """`exact()` on a constant stroke, `ode()` on a changing one (each returns a pytree
        and a result); the method may force either."""
        if self.mode == "ode":
            return ode()
        if self.mode == "exact":
            out, result = exact()
            bad = jnp.invert(jnp.asarray(self.constant[k]))
            return out, RESULTS.where(bad, RESULTS.not_piecewise_constant, result)
        flag = self.constant[k]
        if isinstance(flag, bool):
            return exact() if flag else ode()
        return lax.cond(flag, exact, ode)

    def driven_result(self, k):
        """`unsupported_protocol` where stroke k changes with a model that forbids it."""
        ok = self.family.driven_allowed(self.models[k])
        for frac in _FRACTIONS:
            t = self.boundaries[k] + frac * self.duration(k)
            ok = ok & self.family.driven_allowed(self.model_at(k)(t))
        return RESULTS.where(ok, RESULTS.successful, RESULTS.unsupported_protocol)

    # --- the cycle ----------------------------------------------------------------------

    def maps(self):
        fam, out, results = self.family, [], []
        prev = None
        for k in range(self.segments):

            def exact(k=k, prev=prev):
                dt = _chained(self.duration(k), prev)
                return fam.constant_map(self.models[k], dt, self.method), RESULTS.successful

            def ode(k=k):
                m, result = fam.driven_map(
                    self.model_at(k),
                    self.boundaries[k],
                    self.boundaries[k + 1],
                    self.ode,
                    self.method,
                )
                driven = self.driven_result(k)
                return m, RESULTS.where(driven != RESULTS.successful, driven, result)

            m, result = self.branch(k, exact, ode)
            prev = jax.tree_util.tree_leaves(m)[0]
            out.append(m)
            results.append(result)
        return out, results

    def periodic_state(self):
        """`(starts, result, stats)`: the state at every stroke boundary on the cycle
        (`starts[0]` at t = 0, `starts[-1]` at t = τ, equal to it)."""
        maps, results = self.maps()
        total = maps[0]
        for m in maps[1:]:
            total = total.then(m)
        state, fixed, stats = self.family.fixed_point(total, self.method)
        # a stroke's failure (unsupported protocol, ODE) explains a failed fixed point: first
        result = RESULTS.successful
        for r in [*results, fixed]:
            result = RESULTS.where(result == RESULTS.successful, r, result)
        result = RESULTS.where(self.invalid, RESULTS.invalid_parameters, result)
        starts = [state]
        for m in maps:
            starts.append(m.apply(starts[-1]))
        return starts, result, stats

    def finish(self, result, value):
        """Raise for a failed cycle with `throw=True` (invalid model numbers first, naming the
        argument), else NaN `value` where it failed."""
        value, invalid = apply_checks(value, self.checks, self.throw)
        result = RESULTS.where(invalid != RESULTS.successful, invalid, result)
        if self.throw:
            return result.error_if(value, result != RESULTS.successful), result
        bad = result != RESULTS.successful
        return jax.tree_util.tree_map(lambda x: jnp.where(bad, jnp.nan, x), value), result


# ---------------------------------------------------------------------------------------
# limit_cycle
# ---------------------------------------------------------------------------------------


def limit_cycle(
    protocol: Callable[[Array], Any],
    period: Float[ArrayLike, ""],
    ts: Real[ArrayLike, " T"] | None = None,
    *,
    breakpoints: tuple = (),
    method: Any = None,
    throw: bool = True,
):
    """The periodic steady state (limit cycle) of a periodically driven open system, exactly
    and once: the one-period map of the state is composed from its strokes (exact
    exponentials where the model is constant, diffrax where it changes) and its fixed point
    solved directly — for quadratic models the discrete Lyapunov equation
    `C₀ = Φ C₀ Φ† + Q` (Φ the fundamental matrix of `W(t)` over one period, `Q` the
    covariance accumulated from zero; `jaxthermo.solve_discrete_lyapunov`), for few-level
    models the kernel of `1 − 𝒫` with unit trace. Differentiable (implicitly through the
    fixed point) in every number of the protocol, including its breakpoints.

    **Arguments:**

    - `protocol`: a pure, jit-able `t ↦ model` (a `QuadraticModel`, or a
      `fewlevel.FewLevelModel` stroke protocol: fields switched on only while `H_S` is
      constant, unitary strokes in between) with period `period`. The model's type, size,
      statistics and bath types must not change with t; baths are switched through their
      rates (0 is valid). An equinox module with `__call__` (e.g. `jaxthermo.models.
      HarmonicOttoEngine`) can be vmapped and differentiated like any model.
    - `period`: τ > 0.
    - `ts`: times at which to return the state (any reals, taken modulo τ); default 101
      points over `[0, τ]`.
    - `breakpoints`: sorted times in `[0, τ)` where the protocol may jump (stroke
      boundaries, sudden quenches); a tuple of scalars (values may be traced).
    - `method`: None (each stroke exact if the model is constant on it, else diffrax), a
      Lyapunov solver (quadratic) or `fewlevel.Secular()`/`Pauli()` (few-level) for the same,
      `jaxthermo.ExactPropagator(solver)` (every stroke is constant: no ODE is compiled; a
      stroke that is not gives `RESULTS.not_piecewise_constant`), or `jaxthermo.ODE(...)`
      (integrate every stroke with its solver and tolerances; the default for changing
      strokes is `ODE(diffrax.Dopri8(), rtol=1e-12, atol=1e-14)`).
    - `throw`: raise for a failed cycle (no unique cycle, invalid protocol); with
      `throw=False` the result code says why and the states are NaN.

    **Returns:** the family's trajectory module (`jaxthermo.Trajectory` with `.covariance`
    `(T, L, L)`, or `fewlevel.Trajectory` with `.density_matrix` `(T, d, d)`), with `.ts` and
    `.result` (`RESULTS.no_unique_cycle` when the one-period map has no unique fixed point,
    e.g. no bath is ever on).
    """
    plan = _Plan(protocol, period, breakpoints, method, throw, "limit_cycle")
    real = plan.period.dtype
    if ts is None:
        ts = jnp.linspace(0.0, 1.0, 101, dtype=real) * plan.period
    ts = jnp.asarray(ts, dtype=real)
    if ts.ndim != 1:
        raise ValueError(f"limit_cycle: `ts` must be a 1-D array of times, got shape {ts.shape}.")
    starts, result, stats = plan.periodic_state()
    tmod = jnp.mod(ts, plan.period)
    order = jnp.argsort(tmod)
    sorted_t = tmod[order]
    fam = plan.family
    states = jnp.zeros((ts.shape[0], *starts[0].shape), starts[0].dtype)
    prev = None
    for k in range(plan.segments):
        lo, hi = plan.boundaries[k], plan.boundaries[k + 1]

        def exact(k=k, lo=lo, hi=hi, prev=prev):
            elapsed = jnp.clip(_chained(sorted_t, prev), lo, hi) - lo
            states = fam.constant_states(plan.models[k], starts[k], elapsed, plan.method)
            return states, RESULTS.successful

        def ode(k=k, lo=lo, hi=hi):
            return fam.driven_states(
                plan.model_at(k), lo, hi, starts[k], jnp.clip(sorted_t, lo, hi), plan.ode
            )

        values, r = plan.branch(k, exact, ode)
        prev = values
        result = RESULTS.where(result == RESULTS.successful, r, result)
        inside = (sorted_t >= lo) & (sorted_t <= hi)
        states = jnp.where(inside[:, None, None], values.astype(states.dtype), states)
    states = jnp.empty_like(states).at[order].set(states)
    states, result = plan.finish(result, states)
    return fam.trajectory(ts, states, result, stats, plan.method, plan.models[0])


# ---------------------------------------------------------------------------------------
# cycle_thermodynamics
# ---------------------------------------------------------------------------------------


class CycleThermodynamics(AbstractResult):
    """The thermodynamics of one period of a limit cycle (`cycle_thermodynamics`).

    **Attributes:**

    - `work`: work done **on** the system over one cycle, `∫ Tr[(∂_t H) C] dt` plus
      `Tr[(H(t⁺) − H(t⁻)) C(t)]` at every discontinuity (energy; < 0 for an engine).
    - `heat`: `(B,)`, heat from each bath into the system over one cycle, `∫ J^Q_α dt`.
    - `energy`, `particles`: `(B,)`, energy and particles from each bath over one cycle.
    - `power`: output power `−work / τ`.
    - `efficiency`: `−work / Σ_{α: heat_α > 0} heat_α` when the cycle is an engine
      (`work < 0`), NaN otherwise.
    - `entropy_production`: entropy produced per cycle, `−Σ_α ∫ β_α J^Q_α dt` (the
      system's entropy returns to itself); nats, k_B = 1.
    - `period`: τ; `result`: a `RESULTS` item.

    Property `first_law_residual`: `work + Σ_α energy_α` (zero in the global picture).
    """

    work: Float[Array, ""]
    heat: Float[Array, " B"]
    energy: Float[Array, " B"]
    particles: Float[Array, " B"]
    power: Float[Array, ""]
    efficiency: Float[Array, ""]
    entropy_production: Float[Array, ""]
    period: Float[Array, ""]
    result: RESULTS

    @property
    def first_law_residual(self) -> Float[Array, ""]:
        """`work + Σ_α energy_α` (energy conservation over a cycle)."""
        return self.work + jnp.sum(self.energy)


def _driven_integrals(plan, k, start, picture):
    """`(end, work, Currents, entropy flux)` over a changing stroke, by diffrax with the
    integrals as extra state: `dW/dt = Tr[(∂_t H) C]`, `d(∫J)/dt = J(t)`."""
    fam, model_at = plan.family, plan.model_at(k)

    def hamiltonian(t):
        return model_at(t).hamiltonian

    def field(t, y, args):
        state = y[0]
        model = model_at(t)
        _, dh = jax.jvp(hamiltonian, (t,), (jnp.ones_like(t),))
        cur, flux = fam.rates(model, state, picture, plan.method)
        power = jnp.real(jnp.trace(dh @ state))
        return (fam.vector_field(model, state, plan.method), power, cur, flux)

    zero = jnp.zeros((), plan.period.dtype)
    cur0, _ = fam.rates(plan.models[k], start, picture, plan.method)
    acc0 = jax.tree_util.tree_map(jnp.zeros_like, cur0)
    y0 = (start, zero, acc0, zero)
    sol = solve_ode(
        plan.ode, field, y0, jnp.stack([plan.boundaries[k], plan.boundaries[k + 1]]), throw=False
    )
    end, work, cur, flux = sol.final
    driven = plan.driven_result(k)
    return (end, work, cur, flux), RESULTS.where(driven != RESULTS.successful, driven, sol.result)


def cycle_thermodynamics(
    protocol: Callable[[Array], Any],
    period: Float[ArrayLike, ""],
    *,
    breakpoints: tuple = (),
    picture: str = "local",
    method: Any = None,
    throw: bool = True,
) -> CycleThermodynamics:
    """Work, heat, power, efficiency and entropy production of one period of the limit cycle
    of `protocol` (see `limit_cycle` for `protocol`, `period`, `breakpoints`, `method`,
    `throw`). On a constant stroke the heat is exact (the currents are affine in the state,
    and the state's time integral along the stroke is one block exponential); on a changing
    stroke work and heat are integrated with the state by diffrax.

    Sign convention: work is done **on** the system, heat and energy flow **from each bath
    into** the system (as `jaxthermo.currents`). The first law `work + Σ_α energy_α = 0`
    closes exactly in the global picture (`picture="global"`: the bath energy currents
    `Tr[H D_α(C)]` sum to `d⟨H⟩/dt − Tr[(∂_t H) C]`), and for few-level models in both; in the
    local picture of a quadratic model (bath energy `ω_α` per quantum) it closes only when
    every bath couples to a mode that is an eigenmode of `H`. The second law
    `entropy_production >= 0` is guaranteed in the local picture (every local bath's
    dissipator has its Gibbs state as fixed point: Spohn's inequality at every instant) and
    for the secular and Pauli few-level generators; the global picture of a local master
    equation can violate it.

    **Arguments:** as `limit_cycle`, plus `picture` (`"local"` or `"global"`, the meaning of
    `jaxthermo.currents`).

    **Returns:** a `CycleThermodynamics` (energies per cycle; `power` per unit time).
    """
    if picture not in _PICTURES:
        raise ValueError(
            f"cycle_thermodynamics: `picture` must be 'local' or 'global', got {picture!r}."
        )
    plan = _Plan(protocol, period, breakpoints, method, throw, "cycle_thermodynamics")
    fam = plan.family
    starts, result, _ = plan.periodic_state()
    real = plan.period.dtype
    work = jnp.zeros((), real)
    flux = jnp.zeros((), real)
    total = None
    prev = None
    for k in range(plan.segments):

        def exact(k=k, prev=prev):
            dt = _chained(plan.duration(k), prev)
            _, cur, fl = fam.constant_integrals(plan.models[k], starts[k], dt, picture, plan.method)
            return (starts[k + 1], jnp.zeros((), real), cur, fl), RESULTS.successful

        def ode(k=k):
            return _driven_integrals(plan, k, starts[k], picture)

        (_, w, cur, fl), r = plan.branch(k, exact, ode)
        prev = fl
        result = RESULTS.where(result == RESULTS.successful, r, result)
        work = work + w
        flux = flux + fl
        total = cur if total is None else jax.tree_util.tree_map(jnp.add, total, cur)
    # discontinuities: Tr[(H(b⁺) − H(b⁻)) C(b)], with b = 0 ≡ τ closing the cycle
    for k in range(plan.segments):
        before = plan.model_at(k - 1 if k else plan.segments - 1)
        after = plan.model_at(k)
        b = plan.boundaries[k]
        b_before = b if k else plan.period
        work = work + fam.energy(after(b), starts[k]) - fam.energy(before(b_before), starts[k])
    engine = work < 0
    absorbed = jnp.sum(jnp.where(total.heat > 0, total.heat, 0.0))
    safe = jnp.where(engine & (absorbed > 0), absorbed, 1.0)
    efficiency = jnp.where(engine & (absorbed > 0), -work / safe, jnp.nan)
    out = CycleThermodynamics(
        work,
        total.heat,
        total.energy,
        total.particle,
        -work / plan.period,
        efficiency,
        flux,
        plan.period,
        result,
    )
    values, result = plan.finish(
        result,
        (
            out.work,
            out.heat,
            out.energy,
            out.particles,
            out.power,
            out.efficiency,
            out.entropy_production,
        ),
    )
    return CycleThermodynamics(*values, plan.period, result)
