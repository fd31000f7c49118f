"""Gradient-based optimisation of steady-state objectives with optax.

Gradients come from the implicit differentiation rule of the steady-state solvers (no finite
differences). `maximize` runs the whole optimisation loop as one `jax.lax.scan` under `jit`.
"""

from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import optax

from ._custom_types import Array, ArrayLike, Float, PyTree
from ._dynamics import steady_state
from ._junction._solution import landauer_currents
from .models import junction, ratchet, ratchet_current, sawtooth_potential, sine_temperatures


class OptimizationResult(eqx.Module):
    """`params` (final), `history` (objective before each step, shape `(steps,)`),
    `best_params`, `best_value` (the best iterate seen, objective evaluated at it)."""

    params: PyTree
    history: Float[Array, " steps"]
    best_params: PyTree
    best_value: Float[Array, ""]


def maximize(
    objective: Callable[[PyTree], Float[Array, ""]],
    params: PyTree,
    *,
    optimizer: optax.GradientTransformation | None = None,
    steps: int = 200,
    project: Callable[[PyTree], PyTree] | None = None,
) -> OptimizationResult:
    """Maximise a differentiable scalar `objective(params)` with an optax optimizer (default
    `optax.adam(1e-2)`), `steps` iterations in one jit-compiled `lax.scan`. `project` maps
    parameters back into the feasible set after every step (bounds, norm budgets), i.e.
    projected gradient ascent. Returns the final and the best iterate with the objective
    history (a convergence curve)."""
    optimizer = optax.adam(1e-2) if optimizer is None else optimizer
    project = (lambda p: p) if project is None else project
    params = project(params)
    value_and_grad = jax.value_and_grad(lambda p: -objective(p))

    def step(carry, _):
        p, state, best_p, best_v = carry
        loss, grad = value_and_grad(p)
        better = -loss > best_v
        best_p = jax.tree_util.tree_map(lambda a, b: jnp.where(better, a, b), p, best_p)
        best_v = jnp.where(better, -loss, best_v)
        updates, state = optimizer.update(grad, state, p)
        p = project(optax.apply_updates(p, updates))
        return (p, state, best_p, best_v), -loss

    @jax.jit
    def run(p):
        init = (p, optimizer.init(p), p, jnp.asarray(-jnp.inf, jnp.result_type(float)))
        (p, _, best_p, best_v), history = jax.lax.scan(step, init, None, length=steps)
        final = objective(p)
        best_p = jax.tree_util.tree_map(lambda a, b: jnp.where(final > best_v, a, b), p, best_p)
        return p, history, best_p, jnp.maximum(final, best_v)

    return OptimizationResult(*run(params))


def amplitude_potential(
    shape: Float[ArrayLike, " D"], reference: Float[ArrayLike, " D"]
) -> Float[Array, " D"]:
    """The on-site potential with the profile of `shape`, rescaled to the same minimum and
    maximum as `reference` (e.g. the sawtooth): a fixed peak-to-peak amplitude, so an
    optimiser can only reshape it (and every site energy stays as positive as the
    reference's)."""
    shape = jnp.asarray(shape)
    reference = jnp.asarray(reference)
    lo, hi = jnp.min(reference), jnp.max(reference)
    unit = (shape - jnp.min(shape)) / (jnp.max(shape) - jnp.min(shape))
    return lo + (hi - lo) * unit


class RatchetOptimization(eqx.Module):
    """Result of `optimize_ratchet_potential`: `potential` (best, shape `(D,)`), `current`
    there, `sawtooth_current`, `gain` (`current / sawtooth_current`), `history` (ring current
    per step)."""

    potential: Float[Array, " D"]
    current: Float[Array, ""]
    sawtooth_current: Float[Array, ""]
    gain: Float[Array, ""]
    history: Float[Array, " steps"]


def optimize_ratchet_potential(
    sites: int,
    amplitude: float = 0.5,
    hopping: float = 0.1,
    rate: float = 0.02,
    temperatures: Float[ArrayLike, " D"] | None = None,
    *,
    steps: int = 300,
    learning_rate: float = 0.02,
) -> RatchetOptimization:
    """Paper 000 Sec. IV: maximise the ratchet's ring current over the whole on-site potential
    array at the norm budget of the sawtooth `1 - V x_i/2` (`budget_potential`), starting from
    the sawtooth, in the sawtooth's current direction (its current is negative, towards
    decreasing x, so `-J` is maximised). Adam on the potential profile; gradients by implicit
    differentiation through the NESS."""
    reference = sawtooth_potential(sites, amplitude)
    temps = sine_temperatures(sites) if temperatures is None else jnp.asarray(temperatures)

    def current(potential):
        model = ratchet(potential, hopping, rate, temps)
        return ratchet_current(model, steady_state(model).covariance)

    j_saw = current(reference)
    sign = jnp.sign(j_saw)

    def objective(shape):
        return sign * current(amplitude_potential(shape, reference))

    result = maximize(objective, reference, optimizer=optax.adam(learning_rate), steps=steps)
    best = amplitude_potential(result.best_params, reference)
    j_best = current(best)
    return RatchetOptimization(best, j_best, j_saw, j_best / j_saw, sign * result.history)


class JunctionOptimization(eqx.Module):
    """Result of `optimize_junction_current`: the best `detuning` δ and `tunnelling` g, the
    particle `current` J^P_L there, the `start_current` at the initial guess, and `history`
    (J^P_L per Adam step)."""

    detuning: Float[Array, ""]
    tunnelling: Float[Array, ""]
    current: Float[Array, ""]
    start_current: Float[Array, ""]
    history: Float[Array, " steps"]


def optimize_junction_current(
    h: float = 1.0,
    gamma: float = 0.05,
    bandwidth: float = 10.0,
    temperatures=0.05,
    chemical_potentials=(1.3, 0.7),
    *,
    detuning: float = 0.2,
    tunnelling: float = 0.05,
    steps: int = 300,
    learning_rate: float = 0.02,
) -> JunctionOptimization:
    """Paper 004: maximise the stationary Landauer particle current `J^P_L` (Eq. 43, from the
    left reservoir into the system; positive for `μ_L > μ_R`) of the two-site junction over
    the level detuning δ and the inter-site tunnelling g (Eq. 10), at fixed mean level `h`,
    reservoir width `gamma` (Γ), half-bandwidth `bandwidth` (Ω) and baths. Adam from
    `(detuning, tunnelling)`; `g` is kept `>= 1e-4` by projection; gradients by autodiff
    through the band quadrature. For symmetric baths the optimum has δ = 0 (the two levels
    `h ± g` placed symmetrically in the bias window)."""
    mus = jnp.asarray(chemical_potentials)

    def current(p):
        model = junction(h, p[0], p[1], gamma, bandwidth, temperatures, mus)
        return landauer_currents(model).particle[0]

    start = jnp.array([detuning, tunnelling], dtype=jnp.result_type(float))
    result = maximize(
        current,
        start,
        optimizer=optax.adam(learning_rate),
        steps=steps,
        project=lambda p: p.at[1].set(jnp.maximum(p[1], 1e-4)),
    )
    best = result.best_params
    return JunctionOptimization(best[0], best[1], current(best), current(start), result.history)
