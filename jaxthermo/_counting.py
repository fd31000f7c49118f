"""Counting statistics of the currents between a model and one of its baths: the scaled
cumulant generating function, the cumulants, the finite-frequency noise, the thermodynamic
uncertainty ratio — for every family that has a tilted generator.

Definitions (the docs' "current fluctuations" page). `N_α(t)` is the net number of particles
(or, with `quantity="energy"`, the net energy) transferred **from bath α into the system** up
to time t, so that its first cumulant is `jaxthermo.currents(...)`'s entry for α. The scaled
cumulant generating function is

    λ_α(s) = lim_{t→∞} t⁻¹ ln E[exp(s N_α(t))]      (real counting field s),

the scaled cumulants are `c_k = dᵏλ/dsᵏ(0)` (`c_1` the mean current, `c_2` the zero-frequency
noise, `c_2/c_1` the Fano factor). For Lindblad baths λ(s) is the leading eigenvalue of the
tilted generator, in which every gain jump of bath α (a quantum into the system) is weighted by
`e^{s}` and every loss jump by `e^{−s}` (`e^{±sω}` for energy, ω the quantum's energy).

A family supports counting statistics by implementing `AbstractCountingModel._counting`,
which returns an `AbstractCounting` for one bath; the functions below validate the arguments
and call it. `tur_ratio` and `gallavotti_cohen_residual` are written once, on top.
"""

import abc
from typing import Any

import equinox as eqx
import jax.numpy as jnp

from ._contract import AbstractModel, entropy_production, steady_state, unsupported
from ._custom_types import Array, ArrayLike, Float


QUANTITIES = ("particle", "energy")


class AbstractCounting(eqx.Module):
    """The counting statistics of one bath of one model (built by the model's `_counting`)."""

    @abc.abstractmethod
    def cgf(self, s: Float[Array, ""]) -> Float[Array, ""]:
        """`λ(s)`, the scaled cumulant generating function at a real counting field `s`."""

    @abc.abstractmethod
    def cumulants(self, order: int) -> Float[Array, " order"]:
        """`(c_1, …, c_order)`, exact (no finite differences)."""

    @abc.abstractmethod
    def noise(self, omegas: Float[Array, " W"]) -> Float[Array, " W"]:
        """The symmetrised finite-frequency noise `S(ω)` (`S(0) = c_2`)."""


class AbstractCountingModel(AbstractModel):
    """A model family with counting statistics: `_counting(bath, quantity, method)` returns
    the `AbstractCounting` of bath `bath` (a validated index) for `quantity` (`"particle"` or
    `"energy"`) with the family's `method` (None: its default), or raises a `ValueError` for a
    bath, quantity or method it cannot count."""

    @abc.abstractmethod
    def _counting(self, bath: int, quantity: str, method: Any) -> AbstractCounting:
        """The counting statistics of `bath`."""


def _baths(model) -> int:
    for name in ("baths", "fields"):
        if hasattr(model, name):
            return len(getattr(model, name))
    return 2  # the junction's leads (L, R)


# The verbs below validate their arguments eagerly, then evaluate in one compiled program per
# model structure (equinox.filter_jit; inlined inside a user's jit/vmap/grad). Run op by op,
# the cumulants of a 2-mode quadratic model took 6.9 s for the first call (hundreds of small
# programs, most of them compiled again for every new model size) against 0.8 s compiled
# (junction: 9.9 s against 1.0 s); a second call with new numbers takes milliseconds.
@eqx.filter_jit
def _evaluate(model, bath: int, quantity: str, method, what: str, *args):
    return getattr(model._counting(bath, quantity, method), what)(*args)


def _checked_bath(model: Any, bath: int, quantity: str, verb: str) -> int:
    """The bath index (in `[0, n)`) after checking `model`, `bath` and `quantity`."""
    if not isinstance(model, AbstractModel):
        raise TypeError(f"`{verb}`: `model` must be a jaxthermo model, got {type(model).__name__}.")
    if not isinstance(model, AbstractCountingModel):
        raise unsupported(model, verb, "this model family has no counting statistics.")
    if isinstance(bath, bool) or not isinstance(bath, int):
        raise TypeError(f"`{verb}`: `bath` must be a Python int (an index), got {bath!r}.")
    n = _baths(model)
    if not -n <= bath < n:
        raise ValueError(f"`{verb}`: `bath` must be in [0, {n}) for this model, got {bath}.")
    if quantity not in QUANTITIES:
        raise ValueError(f"`{verb}`: `quantity` must be 'particle' or 'energy', got {quantity!r}.")
    return bath % n


def current_cumulants(
    model: AbstractCountingModel,
    bath: int,
    order: int = 2,
    *,
    quantity: str = "particle",
    method: Any = None,
) -> Float[Array, " order"]:
    """The scaled cumulants `(c_1, …, c_order)` of the particles (or energy) transferred from
    bath `bath` into the system, in the steady state, exactly (see the module docstring).

    - `QuadraticModel`: from the stationary covariance of the tilted generator, a Riccati
      equation whose Taylor coefficients in s each cost one Lyapunov solve with the drift `W`
      of the steady state (one factorisation for all orders): `c_2` costs one more solve than
      the steady state, `c_1 … c_4` three more. Local baths and rate-matrix baths; not
      `ProbeBath` (its occupation follows the mean current: no tilted generator).
    - `fewlevel.FewLevelModel`: the quanta exchanged with one field, by Rayleigh–Schrödinger
      perturbation theory of the tilted generator (`Secular()` or `Pauli()`; the Redfield
      generator has no jump unravelling: `ValueError`).
    - `junction.Junction` (`junction.Exact()`): the Levitov–Lesovik formula with the exact
      transmission (Eq. (45)); `N_R = −N_L`.

    **Arguments:** `model`; `bath` (the index of the bath, field or lead, a Python int);
    `order` (>= 1, static); `quantity` (`"particle"` or `"energy"`: for energy each quantum
    carries its bath frequency ω_α (quadratic local picture), its Bohr frequency (few-level),
    or its energy ω (junction)); `method` (the family's method: a Lyapunov solver,
    `fewlevel.Secular()`/`Pauli()`, `junction.Exact(quadrature)`; None for the default).

    **Returns:** shape `(order,)`: `c_1` (per unit time, = `currents(...)[bath]`), `c_2`
    (per unit time), … (particles^k or energy^k per unit time).
    """
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"`current_cumulants`: `order` must be an int >= 1, got {order!r}.")
    bath = _checked_bath(model, bath, quantity, "current_cumulants")
    return _evaluate(model, bath, quantity, method, "cumulants", order)


def cumulant_generating_function(
    model: AbstractCountingModel,
    bath: int,
    s: Float[ArrayLike, ""],
    *,
    quantity: str = "particle",
    method: Any = None,
) -> Float[Array, ""]:
    """The scaled cumulant generating function `λ(s) = lim t⁻¹ ln E[e^{s N(t)}]` of the
    particles (or energy) from bath `bath` into the system, exact (the leading eigenvalue of the
    tilted generator: for quadratic models the stabilising solution of a Riccati equation, for
    few-level models of the dense tilted generator; for the junction the Levitov–Lesovik
    integral). Jit-able, differentiable in `s` and every model number; its s-derivatives at 0
    are `current_cumulants`.

    **Arguments:** `model`; `bath`; `s` (a real scalar; bosonic λ(s) diverges outside a window
    around 0, where NaN is returned); `quantity`; `method` (as for `current_cumulants`).

    **Returns:** `λ(s)` (per unit time).
    """
    s = jnp.asarray(s, dtype=jnp.result_type(float))
    if s.ndim != 0:
        raise ValueError("`cumulant_generating_function`: `s` must be a scalar (vmap over it).")
    bath = _checked_bath(model, bath, quantity, "cumulant_generating_function")
    return _evaluate(model, bath, quantity, method, "cgf", s)


def noise_spectrum(
    model: AbstractCountingModel,
    bath: int,
    omegas: Float[ArrayLike, " W"],
    *,
    quantity: str = "particle",
    method: Any = None,
) -> Float[Array, " W"]:
    """The symmetrised finite-frequency noise of the current from bath `bath` into the system,

        S(ω) = ∫ dt e^{iωt} ⟨⟨I(t) I(0)⟩⟩ = ⟨⟨1|L''|ρ⟩⟩ − ⟨⟨1|L' [R(ω) + R(−ω)] L'|ρ⟩⟩,

    for the jump current `I(t) = dN/dt` of the tilted generator (`L' = J₊ − J₋`,
    `L'' = J₊ + J₋`, `R(ω) = (L − iω)⁻¹` on traceless operators; MacDonald's formula, as
    QuTiP's `countstat_current_noise`): even in ω, `S(0) = c_2`, `S(ω → ∞)` the shot-noise term
    `⟨⟨1|L''|ρ⟩⟩`. Quadratic models: closed form in covariances (one Sylvester solve per ω, by
    the eigendecomposition of W); few-level models: dense solves.

    **Arguments:** `model`; `bath`; `omegas` (frequencies, shape `(W,)`, energy units);
    `quantity`; `method`.

    **Returns:** `S(ω)`, shape `(W,)`.
    """
    omegas = jnp.asarray(omegas, dtype=jnp.result_type(float))
    if omegas.ndim != 1:
        raise ValueError("`noise_spectrum`: `omegas` must be a 1-D array of frequencies.")
    bath = _checked_bath(model, bath, quantity, "noise_spectrum")
    return _evaluate(model, bath, quantity, method, "noise", omegas)


def tur_ratio(
    model: AbstractCountingModel, bath: int, *, quantity: str = "particle", method=None
) -> Float[Array, ""]:
    """The thermodynamic uncertainty ratio `Q = σ c_2 / c_1²` of the current from bath `bath`
    (σ the steady-state entropy production rate of the model, `jaxthermo.entropy_production`;
    k_B = 1). Markovian classical (Pauli) dynamics obey `Q >= 2` (Barato–Seifert); coherent
    transport can go below it.

    **Arguments:** `model`; `bath`; `quantity`; `method` (for the cumulants and the steady
    state behind σ).

    **Returns:** `Q` (dimensionless).
    """
    c1, c2 = current_cumulants(model, bath, 2, quantity=quantity, method=method)
    sigma = entropy_production(model, steady_state(model, method))
    return sigma * c2 / c1**2


def gallavotti_cohen_residual(
    model: AbstractCountingModel,
    bath: int,
    affinity: Float[ArrayLike, ""],
    s: Float[ArrayLike, ""],
    *,
    quantity: str = "particle",
    method: Any = None,
) -> Float[Array, ""]:
    """`λ(s) − λ(−s − A)`: zero for every s when the current obeys the Gallavotti–Cohen
    fluctuation symmetry with the single affinity `A` (e.g. a level between two leads:
    `A = β_R(ε − μ_R) − β_L(ε − μ_L)` for the particles from the left lead). A test utility.

    **Arguments:** `model`; `bath`; `affinity` `A` (the conjugate of N, dimensionless for
    particles); `s`; `quantity`; `method`.

    **Returns:** the residual (per unit time).
    """
    s = jnp.asarray(s, dtype=jnp.result_type(float))
    a = jnp.asarray(affinity, dtype=s.dtype)
    bath = _checked_bath(model, bath, quantity, "gallavotti_cohen_residual")
    cgf = lambda x: _evaluate(model, bath, quantity, method, "cgf", x)  # noqa: E731
    return cgf(s) - cgf(-s - a)
