"""Paper-specific optimisations built on the generic `maximize`: the ratchet's ring current
over its potential (paper 000, Sec. IV) and the junction's particle current over (δ, g)
(paper 004). They sit above the models and below the command line."""

import equinox as eqx
import jax.numpy as jnp
import optax

from ._contract import steady_state
from ._custom_types import Array, ArrayLike, Float
from ._junction._junction import landauer_currents
from ._optimize import maximize
from .models import junction, ratchet, ratchet_current, sawtooth_potential, sine_temperatures


def amplitude_potential(
    shape: Float[ArrayLike, " D"], reference: Float[ArrayLike, " D"]
) -> Float[Array, " D"]:
    """The on-site potential with the profile of `shape`, rescaled to the same minimum and
    maximum as `reference` (e.g. the sawtooth): a fixed peak-to-peak amplitude, so an
    optimiser can only reshape it (and every site energy stays as positive as the
    reference's).

    **Arguments:** `shape` `(D,)`; `reference` `(D,)`.

    **Returns:** the potential, shape `(D,)` (energy).
    """
    shape = jnp.asarray(shape)
    reference = jnp.asarray(reference)
    lo, hi = jnp.min(reference), jnp.max(reference)
    unit = (shape - jnp.min(shape)) / (jnp.max(shape) - jnp.min(shape))
    return lo + (hi - lo) * unit


class RatchetOptimization(eqx.Module):
    """Result of `optimize_ratchet_potential`.

    **Attributes:** `potential` (best, shape `(D,)`), `current` there, `sawtooth_current`,
    `gain` (`current / sawtooth_current`), `history` (ring current per step).
    """

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
    array at the peak-to-peak amplitude of the sawtooth `1 − V x_i/2` (`amplitude_potential`),
    starting from the sawtooth, in the sawtooth's current direction (its current is negative,
    towards decreasing x, so `−J` is maximised). Adam on the potential profile; gradients by
    implicit differentiation through the NESS.

    **Arguments:** `sites` (D), `amplitude` (V), `hopping` (h), `rate` (r), `temperatures`
    (default `sine_temperatures(D)`), `steps`, `learning_rate` (Adam).

    **Returns:** a `RatchetOptimization` (currents in quanta per unit time).
    """
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
    """Result of `optimize_junction_current`.

    **Attributes:** the best `detuning` δ and `tunnelling` g, the particle `current` J^P_L
    there, the `start_current` at the initial guess, and `history` (J^P_L per Adam step).
    """

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
    `h ± g` placed symmetrically in the bias window).

    **Arguments:** `h`, `gamma`, `bandwidth`, `temperatures`, `chemical_potentials` (the fixed
    junction); `detuning`, `tunnelling` (start); `steps`, `learning_rate` (Adam).

    **Returns:** a `JunctionOptimization`.
    """
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
