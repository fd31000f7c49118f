"""Paper-specific optimisations built on the generic `maximize`: the ratchet's ring current
over its potential (paper 000, Sec. IV) and the junction's particle current over (δ, g)
(paper 004). They sit above the models and below the command line."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
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

    evaluate = jax.jit(current)  # the evaluations outside the optimisation: one program
    j_saw = evaluate(reference)
    sign = jnp.sign(j_saw)

    def objective(shape):
        return sign * current(amplitude_potential(shape, reference))

    result = maximize(objective, reference, optimizer=optax.adam(learning_rate), steps=steps)
    best = amplitude_potential(result.best_params, reference)
    j_best = evaluate(best)
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

    evaluate = jax.jit(current)  # the evaluations outside the optimisation: one program
    start = jnp.array([detuning, tunnelling], dtype=jnp.result_type(float))
    result = maximize(
        current,
        start,
        optimizer=optax.adam(learning_rate),
        steps=steps,
        project=lambda p: p.at[1].set(jnp.maximum(p[1], 1e-4)),
    )
    best = result.best_params
    return JunctionOptimization(best[0], best[1], evaluate(best), evaluate(start), result.history)


class PrecisionOptimization(eqx.Module):
    """Result of `optimize_precision`.

    **Attributes:** the best on-site `energies` `(L,)` and `hoppings` `(L−1,)`, the TUR
    ratio `tur` `Q = σ c_2/c_1²` there, `start_tur` at the initial guess, `current` (`c_1`, the
    particle current from the left lead) and `history` (Q per Adam step).
    """

    energies: Float[Array, " L"]
    hoppings: Float[Array, " L-1"]
    tur: Float[Array, ""]
    start_tur: Float[Array, ""]
    current: Float[Array, ""]
    history: Float[Array, " steps"]


def precision_chain(
    energies: Float[ArrayLike, " L"],
    hoppings: Float[ArrayLike, " L-1"],
    rate: float,
    temperatures: Float[ArrayLike, " 2"],
    chemical_potentials: Float[ArrayLike, " 2"],
):
    """A fermionic chain `Ĥ = Σ ε_k c_k†c_k + Σ g_k (c_k†c_{k+1} + h.c.)` with a `FermionBath`
    of rate `rate` on each end site at `(T, μ)` of `temperatures`, `chemical_potentials`
    (left, right): the coherent conductor of `optimize_precision`.

    **Arguments:** `energies` `(L,)`, `hoppings` `(L−1,)`, `rate`, `temperatures`,
    `chemical_potentials` (pairs).

    **Returns:** a `QuadraticModel`.
    """
    from ._baths import FermionBath
    from ._quadratic import QuadraticModel

    e = jnp.asarray(energies)
    g = jnp.asarray(hoppings, dtype=e.dtype)
    n = e.shape[0]
    i = jnp.arange(n - 1)
    h = jnp.diag(e).at[i, i + 1].set(g).at[i + 1, i].set(g)
    t, mu = jnp.asarray(temperatures), jnp.asarray(chemical_potentials)
    return QuadraticModel(
        h, [FermionBath(0, rate, t[0], mu[0]), FermionBath(n - 1, rate, t[1], mu[1])]
    )


def optimize_precision(
    sites: int = 2,
    rate: float = 1.0,
    temperatures=(1.0, 1.0),
    chemical_potentials=(2.0, -2.0),
    *,
    energies=None,
    hoppings=None,
    steps: int = 300,
    learning_rate: float = 0.03,
) -> PrecisionOptimization:
    """Search a coherent fermionic chain (`precision_chain`) for the most precise current at
    its entropy cost: minimise the thermodynamic uncertainty ratio `Q = σ c_2/c_1²` of the
    particle current from the left lead over the on-site energies and the hoppings, at fixed
    leads. Classical Markov jump processes obey `Q >= 2`; coherent transport between the sites
    can beat it (measured: Q = 1.77 for the default double dot). Adam; gradients of `Q` exact
    (implicit differentiation through the steady state and the counting statistics);
    hoppings kept in `[1e-3, 10]`, energies in `[−10, 10]` by projection.

    **Arguments:** `sites` (L >= 2); `rate` (both leads); `temperatures`,
    `chemical_potentials` (left, right); `energies`, `hoppings` (start; default a slightly
    detuned chain with hoppings 0.3); `steps`, `learning_rate` (Adam).

    **Returns:** a `PrecisionOptimization`.
    """
    from ._counting import current_cumulants, tur_ratio

    if isinstance(sites, bool) or not isinstance(sites, int) or sites < 2:
        raise ValueError(f"optimize_precision: `sites` must be an int >= 2, got {sites!r}.")
    t = np.broadcast_to(np.asarray(temperatures, dtype=float), (2,))
    mu = np.broadcast_to(np.asarray(chemical_potentials, dtype=float), (2,))
    if t[0] == t[1] and mu[0] == mu[1]:
        raise ValueError(
            "optimize_precision: the leads are at equal `temperatures` and "
            "`chemical_potentials`: there is no current and Q is undefined."
        )
    f = jnp.result_type(float)
    e0 = jnp.linspace(0.3, -0.3, sites) if energies is None else jnp.asarray(energies, f)
    g0 = jnp.full(sites - 1, 0.3) if hoppings is None else jnp.asarray(hoppings, f)

    def tur(p):
        model = precision_chain(p[:sites], p[sites:], rate, temperatures, chemical_potentials)
        return tur_ratio(model, 0)

    def project(p):
        return jnp.concatenate([jnp.clip(p[:sites], -10.0, 10.0), jnp.clip(p[sites:], 1e-3, 10.0)])

    start = jnp.concatenate([e0, g0]).astype(f)
    result = maximize(lambda p: -tur(p), start, optimizer=optax.adam(learning_rate), steps=steps,
                      project=project)  # fmt: skip
    best = result.best_params

    @jax.jit  # the evaluations outside the optimisation: one program, not op by op
    def summary(p):
        model = precision_chain(p[:sites], p[sites:], rate, temperatures, chemical_potentials)
        return tur_ratio(model, 0), current_cumulants(model, 0, 1)[0]

    (tur_best, current), (tur_start, _) = summary(best), summary(start)
    return PrecisionOptimization(best[:sites], best[sites:], tur_best, tur_start, current,
                                 -result.history)  # fmt: skip


class EngineOptimization(eqx.Module):
    """Result of `optimize_engine`.

    **Attributes:** `engine` (the best engine found, same type as the start), its `power`
    (output power, energy per unit time), `efficiency`, `start_power`, `curzon_ahlborn`
    (`1 − sqrt(T_c/T_h)`), `otto` (`1 − ω_c/ω_h` at the optimum), and `history` (power per
    Adam step).
    """

    engine: eqx.Module
    power: Float[Array, ""]
    efficiency: Float[Array, ""]
    start_power: Float[Array, ""]
    curzon_ahlborn: Float[Array, ""]
    otto: Float[Array, ""]
    history: Float[Array, " steps"]


_ENGINE_TIMES = ("time_hot", "time_cold", "time_expansion", "time_compression")


def optimize_engine(
    engine,
    *,
    frequency_bounds=(0.5, 2.0),
    time_bounds=(0.05, 20.0),
    steps: int = 200,
    learning_rate: float = 0.05,
) -> EngineOptimization:
    """Maximise the output power `−W/τ` of an Otto engine (`models.HarmonicOttoEngine` or
    `models.TwoModeOttoEngine`) over its stroke durations (isochores, and the ramps unless
    they are sudden) and both frequencies, within bounds, by Adam with exact gradients
    through the limit cycle (`cycle_thermodynamics`, implicit differentiation of the
    discrete Lyapunov fixed point). Bath temperatures and rates stay fixed.

    For the sudden single-mode engine at high temperatures the efficiency at maximum power
    approaches the Curzon–Ahlborn value `1 − sqrt(T_c/T_h)` (ω_c/ω_h → sqrt(T_c/T_h) when
    `n ≈ T/ω`; Rezek & Kosloff, New J. Phys. 8, 83 (2006)); it always equals the Otto value
    `1 − ω_c/ω_h` there. In the two-mode engine the ramps cost friction, so the optimum
    trades their duration against the cycle time.

    **Arguments:** `engine` (the start; its structure — sudden or finite ramps — is kept);
    `frequency_bounds` (ω_min, ω_max) for both frequencies (ω_c < ω_h is enforced);
    `time_bounds` for every optimised duration; `steps`, `learning_rate` (Adam).

    **Returns:** an `EngineOptimization`.
    """
    from ._cycles import cycle_thermodynamics
    from ._engines import HarmonicOttoEngine

    if not isinstance(engine, HarmonicOttoEngine):
        raise TypeError(
            "optimize_engine: `engine` must be a jaxthermo.models.HarmonicOttoEngine or "
            f"TwoModeOttoEngine, got {type(engine).__name__}."
        )
    (w_lo, w_hi), (t_lo, t_hi) = frequency_bounds, time_bounds
    if not 0 < w_lo < w_hi:
        raise ValueError(f"optimize_engine: `frequency_bounds` must be 0 < ω_min < ω_max, got "
                         f"{frequency_bounds!r}.")  # fmt: skip
    if not 0 < t_lo < t_hi:
        raise ValueError(f"optimize_engine: `time_bounds` must be 0 < t_min < t_max, got "
                         f"{time_bounds!r}.")  # fmt: skip
    times = [n for n, s in zip(_ENGINE_TIMES, (False, False, *engine.sudden), strict=True)
             if not s]  # fmt: skip
    names = ("omega_hot", "omega_cold", *times)

    def build(p):
        return eqx.tree_at(lambda e: [getattr(e, n) for n in names], engine, list(p))

    def thermo(p):
        e = build(p)
        return cycle_thermodynamics(e, e.period, breakpoints=e.breakpoints)

    def project(p):
        w_h = jnp.clip(p[0], w_lo, w_hi)
        w_c = jnp.clip(p[1], w_lo, w_h - 1e-3 * (w_hi - w_lo))
        return jnp.concatenate([jnp.stack([w_h, w_c]), jnp.clip(p[2:], t_lo, t_hi)])

    start = jnp.stack([jnp.asarray(getattr(engine, n)) for n in names])
    result = maximize(lambda p: thermo(p).power, start, optimizer=optax.adam(learning_rate),
                      steps=steps, project=project)  # fmt: skip
    best = result.best_params
    evaluate = jax.jit(thermo)  # the two cycles outside the optimisation: one program
    out = evaluate(best)
    ca = 1 - jnp.sqrt(engine.temperature_cold / engine.temperature_hot)
    return EngineOptimization(build(best), out.power, out.efficiency,
                              evaluate(project(start)).power, ca, 1 - best[1] / best[0],
                              result.history)  # fmt: skip
