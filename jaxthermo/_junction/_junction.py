"""The two-site junction of paper 004 as a jaxthermo model: its method objects (`Exact`,
`EPA`), steady states and trajectories, its side of the verbs, and the checked public
functions of the family (Landauer currents, asymptotic rates, ν∞, ...)."""

import abc

import equinox as eqx
import jax
import jax.numpy as jnp

from .._baths import _real_scalar, eager_check
from .._checks import apply_checks, nan_where, raise_if_bad
from .._contract import (
    AbstractSteadyState,
    AbstractTrajectory,
    Currents,
    unsupported,
)
from .._counting import AbstractCountingModel
from .._custom_types import Array, ArrayLike, Complex, Float, Real, RealScalarLike
from .._quadratic import QuadraticModel
from .._solution import RESULTS
from ._counting import junction_counting
from ._master import (
    Decomposition,
    RateMatrices,
    SecondLaw,
    asymptotic_rate_matrices,
    bath_decomposition,
    epa_currents,
    epa_quadratic_model,
    epa_second_law,
    non_markovianity,
)
from ._model import junction_checks
from ._quadrature import Quadrature
from ._solution import (
    POLES,
    TimeLocalGenerator,
    boundary,
    evolution,
    landauer,
    pole_of,
    propagator as _propagator,
    stationary_correlation,
)


# --------------------------------------------------------------------------------------------
# Methods
# --------------------------------------------------------------------------------------------


class AbstractJunctionMethod(eqx.Module):
    """How the junction is solved: exactly (`Exact`) or in the exponential-propagator
    approximation (`EPA`). Both carry their band `quadrature` (a `Quadrature`)."""

    quadrature: eqx.AbstractVar[Quadrature]

    @abc.abstractmethod
    def _pole(self) -> str | None:
        """The EPA pole (`"leading"`, `"shifted"`), or None for the exact solution."""

    @abc.abstractmethod
    def _currents(self, model, covariance) -> Currents:
        """The stationary per-lead currents of this method."""


class Exact(AbstractJunctionMethod):
    """The exact solution of paper 004 (Sec. III): `C(∞)` of Eq. (32), Landauer currents
    (43)–(45), `C(t)` of Eqs. (29)–(31) by band quadrature. The default junction method.

    **Arguments:** `quadrature` (default `Quadrature()`: ~1e-10 relative accuracy against
    `scipy.integrate.quad` on the paper's figure parameters).
    """

    quadrature: Quadrature = Quadrature()

    def _pole(self):
        return None

    def _currents(self, model, covariance):
        return landauer(model, self.quadrature)


class EPA(AbstractJunctionMethod):
    """The exponential-propagator approximation (paper 004 Sec. IV B, Eqs. (53)–(55)): the
    propagator `G_j(t) ≈ e^{−iE_j t − Γ_j t/2}` and the asymptotic master equation with rate
    matrices `Λ±` of Eq. (55). Its per-lead currents are those of the thermalising
    generators `L_α` (Eqs. (61)–(62)).

    **Arguments:** `pole` (static): `"leading"` (default; `(E_j, 2πJ_N(E_j))`, leading order
    in Γ/Ω, as Eq. (55) and Fig. 5 print it) or `"shifted"` (`(E'_j, Γ_j)` of Eq. (36), as in
    Eq. (53) and Fig. 4); `quadrature` (default `Quadrature()`).
    """

    pole: str = eqx.field(static=True, default="leading")
    quadrature: Quadrature = Quadrature()

    def __check_init__(self):
        if self.pole not in POLES:
            raise ValueError(f"EPA: `pole` must be one of {POLES}, got {self.pole!r}.")

    def _pole(self):
        return self.pole

    def _currents(self, model, covariance):
        return epa_currents(model, covariance, self.pole, self.quadrature)


def _method(method, default) -> AbstractJunctionMethod:
    method = default if method is None else method
    if not isinstance(method, AbstractJunctionMethod):
        raise TypeError(
            "junction: `method` must be jaxthermo.junction.Exact(...) or EPA(...), got "
            f"{type(method).__name__}."
        )
    return method


def _epa(method) -> EPA:
    method = EPA() if method is None else method
    if not isinstance(method, EPA):
        raise TypeError(
            "this is a quantity of the asymptotic EPA master equation (paper 004 Sec. V): "
            f"`method` must be jaxthermo.junction.EPA(...), got {type(method).__name__}."
        )
    return method


# --------------------------------------------------------------------------------------------
# Model, steady state, trajectory
# --------------------------------------------------------------------------------------------


def _scalar(name: str, value) -> Array:
    return _real_scalar("Junction", name, value).astype(jnp.result_type(float))


def _pair(name: str, value) -> Array:
    x = jnp.asarray(value)
    if x.ndim == 0:
        x = jnp.stack([x, x])
    if jnp.iscomplexobj(x) or x.shape != (2,):
        raise ValueError(
            f"Junction: `{name}` must be a real scalar or a pair (left, right), got {x.shape}."
        )
    return x.astype(jnp.result_type(float))


class Junction(AbstractCountingModel):
    """Paper 004, Eqs. (10)–(19): `Ĥ_S = Σ_α h_α n̂_α − (g/2)(ĉ_L†ĉ_R + h.c.)`, each site
    coupled (tunnelling `√(ΓΩ)/2`) to the end of a uniform tight-binding chain of hopping
    `Ω/2`, i.e. Newns spectral density `J_N(ω) = Γ/(2π) √(1 − ω²/Ω²)` on `|ω| < Ω`.

    **Arguments:** (energies; ħ = k_B = 1)

    - `h`: mean site energy `(h_L + h_R)/2`; `delta`: detuning `h_L − h_R`;
    - `g`: tunnel coupling between the sites (> 0);
    - `gamma`: `Γ`, system–reservoir rate scale (> 0); `bandwidth`: `Ω` (> Γ);
    - `temperatures`, `chemical_potentials`: `(T_L, T_R)`, `(μ_L, μ_R)` (a scalar means both).

    Checks (eagerly when concrete, by the verbs when traced): `g, Γ, T_α > 0`, `Ω > Γ`, and
    the paper's condition (34) `√(E_j² + ΓΩ) < Ω` (levels well inside the band, so that
    `G_j(t) → 0` and the stationary state is unique). Methods: `junction.Exact()` (default)
    and `junction.EPA()`; the leads are `(L, R)` in every per-lead output.
    """

    h: Float[Array, ""]
    delta: Float[Array, ""]
    g: Float[Array, ""]
    gamma: Float[Array, ""]
    bandwidth: Float[Array, ""]
    temperatures: Float[Array, " 2"]
    chemical_potentials: Float[Array, " 2"]

    def __init__(
        self,
        h: RealScalarLike,
        delta: RealScalarLike,
        g: RealScalarLike,
        gamma: RealScalarLike,
        bandwidth: RealScalarLike,
        temperatures: Float[ArrayLike, "2"] | RealScalarLike,
        chemical_potentials: Float[ArrayLike, "2"] | RealScalarLike = 0.0,
    ):
        self.h = _scalar("h", h)
        self.delta = _scalar("delta", delta)
        self.g = _scalar("g", g)
        self.gamma = _scalar("gamma", gamma)
        self.bandwidth = _scalar("bandwidth", bandwidth)
        self.temperatures = _pair("temperatures", temperatures)
        self.chemical_potentials = _pair("chemical_potentials", chemical_potentials)
        leaves = [self.h, self.delta, self.g, self.gamma, self.bandwidth, self.temperatures]
        if not any(isinstance(x, jax.core.Tracer) for x in leaves):
            for check in junction_checks(self):
                if eager_check(lambda b: jnp.any(b), check.bad):
                    raise ValueError(check.message)

    def _steady_state(self, method, throw):
        method = _method(method, Exact())
        c = stationary_correlation(self, method._pole(), method.quadrature)
        bad = jnp.invert(jnp.all(jnp.isfinite(c)))
        c, result = apply_checks(c, junction_checks(self), throw)
        result = RESULTS.where(
            bad & (result == RESULTS.successful), RESULTS.nonfinite_input, result
        )
        return SteadyState(c, result, method)

    def _evolve(self, state0, ts, method, throw):
        method = _method(method, Exact())
        c0 = jnp.asarray(state0)
        if c0.shape != (2, 2):
            raise ValueError(
                f"`state0` (the system covariance, energy basis) must have shape (2, 2), got "
                f"{c0.shape}."
            )
        c, d, generator = evolution(self, c0, ts - ts[0], method._pole(), method.quadrature)
        (c, d, generator), result = apply_checks((c, d, generator), junction_checks(self), throw)
        return Trajectory(ts, c, d, generator, result, method)

    def _currents(self, state, picture):
        if not isinstance(state, SteadyState):
            raise unsupported(
                self,
                "currents",
                "the lead currents of the junction are stationary quantities: pass the "
                "result of jaxthermo.steady_state(model, method).",
            )
        flows = state.method._currents(self, state.covariance)
        return nan_where(state.result != RESULTS.successful, flows)

    def _entropy_production(self, state, picture):
        flows = self._currents(state, picture)
        return -jnp.sum(flows.heat / self.temperatures)

    def _counting(self, bath, quantity, method):
        method = _method(method, Exact())
        if method._pole() is not None:
            raise ValueError(
                "counting statistics of the junction's EPA master equation are not defined per "
                "lead (its interference term L_int belongs to no lead); use junction.Exact()."
            )
        return junction_counting(self, bath, quantity, method.quadrature)


class SteadyState(AbstractSteadyState):
    """Stationary state of the junction.

    **Attributes:** `covariance` (ours, energy basis, `(2, 2)`; the exact `C(∞)` of Eq. (32)
    or the EPA one), `result`, `method`; the property `double_occupancy` `det C` (the state
    is Gaussian).
    """

    covariance: Complex[Array, "2 2"]
    result: RESULTS
    method: AbstractJunctionMethod

    @property
    def double_occupancy(self) -> Float[Array, ""]:
        return jnp.real(jnp.linalg.det(self.covariance))


class Trajectory(AbstractTrajectory):
    """Junction trajectory from a product initial state.

    **Attributes:** `ts`; `covariance` (ours, energy basis, `(T, 2, 2)`, entry 0 the initial
    state); `double_occupancy` (Eq. (31), `(T,)`); `generator` (the time-local generator (47)
    at the same times, a `TimeLocalGenerator`); `result`; `method`.
    """

    ts: Real[Array, " T"]
    covariance: Complex[Array, "T 2 2"]
    double_occupancy: Float[Array, " T"]
    generator: TimeLocalGenerator
    result: RESULTS
    method: AbstractJunctionMethod


# --------------------------------------------------------------------------------------------
# The family's own functions (checked: they raise on invalid parameters)
# --------------------------------------------------------------------------------------------


def _require(model) -> Junction:
    if not isinstance(model, Junction):
        raise TypeError(
            f"`model` must be a jaxthermo.junction.Junction, got {type(model).__name__}."
        )
    return model


def _checked(model: Junction) -> Junction:
    return raise_if_bad(_require(model), junction_checks(model))


def _guarded(value, model: Junction, throw: bool):
    """`value` (computed from `model`) with the model's checks: raised (`throw=True`) or turned
    into NaN where they fail (`throw=False`, for sweeps that must not stop)."""
    return apply_checks(value, junction_checks(model), throw)[0]


def landauer_currents(
    model: Junction, quadrature: Quadrature | None = None, *, throw: bool = True
) -> Currents:
    """Landauer formulae (43)–(44) with the transmission (45): `J^P_L = ∫dω T(ω)[f_L − f_R]`,
    `J^E_L = ∫dω ω T(ω)[f_L − f_R]`, `J_R = −J_L` (the exact stationary lead currents).

    **Arguments:** `model`; `quadrature` (default `Quadrature()`); `throw` (False: NaN
    instead of an error for invalid parameters).

    **Returns:** `jaxthermo.Currents` with entries `(L, R)`, positive into the system.
    """
    _require(model)
    q = Quadrature() if quadrature is None else quadrature
    return _guarded(landauer(model, q), model, throw)


def boundary_currents(model: Junction, quadrature: Quadrature | None = None) -> Currents:
    """Stationary lead currents from the reservoir-side formulae (D4)–(D5): independent of
    (43)–(45), used to check them.

    **Arguments:** `model`; `quadrature`. **Returns:** `jaxthermo.Currents`, `(L, R)`.
    """
    return boundary(_checked(model), Quadrature() if quadrature is None else quadrature)


def epa_pole(model: Junction, method: EPA | None = None) -> tuple[Array, Array]:
    """Energies and widths `(E_j, Γ_j)` of the EPA propagator `e^{−iE_j t − Γ_j t/2}` for the
    pole of `method` (default `EPA()`, the leading-order pole of Eq. (55)).

    **Arguments:** `model`; `method` (an `EPA`).

    **Returns:** two arrays of shape `(2,)` (energy units; levels `(1, 2)`, `E_1 > E_2`).
    """
    return pole_of(_checked(model), _epa(method).pole)


def propagator(model: Junction, t: Float[ArrayLike, " T"], method=None) -> Complex[Array, "T 2"]:
    """`G_j(t) = ⟨0|d_j(t) d_j†|0⟩`: `Exact()` (default), Eq. (24) `∫dω e^{−iωt} ϕ_j(ω)` by
    quadrature (its `panels` resolve the oscillation: keep `Ω t_max / panels ≲ 3`), or
    `EPA()`, Eq. (53).

    **Arguments:** `model`; `t` (scalar or `(T,)`, units of 1/energy, `t >= 0`); `method`.

    **Returns:** shape `(T, 2)` (or `(2,)` for scalar `t`), dimensionless.
    """
    m = _method(method, Exact())
    ts = jnp.asarray(t, dtype=jnp.result_type(float))
    if ts.ndim > 1:
        raise ValueError(f"`t` must be a scalar or a 1-D array of times, got shape {ts.shape}.")
    return _propagator(_checked(model), ts, m._pole(), m.quadrature)


def asymptotic_rates(
    model: Junction, method: EPA | None = None, *, throw: bool = True
) -> RateMatrices:
    """Eq. (55): the asymptotic EPA rate matrices `Λ⁻`, `Λ⁺` (ours: the paper's transposed),
    Hermitian but not necessarily positive (negative eigenvalues are asymptotic
    non-Markovianity, Eq. (82)).

    **Arguments:** `model`; `method` (default `EPA()`); `throw` (False: NaN instead of an
    error for invalid parameters). **Returns:** `RateMatrices` (`loss`, `gain`, `(2, 2)`
    each, energy basis, rates per unit time).
    """
    m = _epa(method)
    _require(model)
    return _guarded(asymptotic_rate_matrices(model, m.pole, m.quadrature), model, throw)


def decomposition(model: Junction, method: EPA | None = None) -> Decomposition:
    """Eqs. (57)–(58), (66)–(67) (with `g/(4Δ)` in (66)) and (70)–(75), all with `ϕ_j →
    ϕ^EPA_j` and bare normalisation integrals `∫ϕ_j` set to 1 (Eq. (26)), so that
    `L_L + L_R + L_int` and `L̄_L + L̄_R + L̄_LR` reproduce `asymptotic_rates` exactly (the
    paper's exact `ϕ_j` in (58) differs at `O(Γ/Ω)`); each `L_α`'s fixed point is then
    Eq. (59), `c_j = ∫ϕ_j f_α`.

    **Arguments:** `model`; `method` (default `EPA()`). **Returns:** `Decomposition`.
    """
    m = _epa(method)
    return bath_decomposition(_checked(model), m.pole, m.quadrature)


def asymptotic_non_markovianity(
    model: Junction, method: EPA | None = None, *, throw: bool = True
) -> Float[Array, ""]:
    """`ν∞` of Eq. (82) from the EPA rate matrices (55), as in Fig. 5: `Σ_{s=±} Σ_j
    max(0, −λ^s_j)` over the eigenvalues of `Λ±`.

    **Arguments:** `model`; `method` (default `EPA()`); `throw`. **Returns:** `ν∞`, energy
    units (the figure's colour scale is `ν∞` for `Γ = 0.01`).
    """
    return non_markovianity(asymptotic_rates(model, method, throw=throw))


def quadratic_model(
    model: Junction, additive: bool = False, method: EPA | None = None
) -> QuadraticModel:
    """The asymptotic EPA master equation as a `QuadraticModel` in the energy basis:
    `H = diag(E_j)` of the pole, `baths = (RateMatrixBath(Λ⁻, Λ⁺),)` from Eq. (55)
    (`additive=False`), or the additive model `L_L + L_R` of Eq. (57) with `L_int = 0` as two
    diagonal `RateMatrixBath`s, one per reservoir (`additive=True`), so that
    `jaxthermo.currents` gives per-reservoir currents `⟨L_α†N̂_S⟩`, `⟨L_α†Ĥ_S⟩` (Eqs. (61)–(62)).
    The full model's `steady_state` is `jaxthermo.steady_state(model, EPA(...))`.

    **Arguments:** `model`; `additive`; `method` (default `EPA()`).

    **Returns:** a `QuadraticModel` (fermionic, 2 modes).
    """
    m = _epa(method)
    return epa_quadratic_model(_checked(model), additive, m.pole, m.quadrature)


def second_law(model: Junction, method: EPA | None = None) -> SecondLaw:
    """Eqs. (63)–(64) at the stationary state of the full asymptotic generator: the Spohn
    rates of the thermalising generators (57), their heat currents and
    `entropy_production = −Σ_α β_α J^Q_α` (whose ratio to Γ is >= 0 as Γ → 0).

    **Arguments:** `model`; `method` (default `EPA()`). **Returns:** `SecondLaw`.
    """
    m = _epa(method)
    return epa_second_law(_checked(model), m.pole, m.quadrature)
