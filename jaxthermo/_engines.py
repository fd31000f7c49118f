"""Driven cycles ready to use with `jaxthermo.limit_cycle` and `cycle_thermodynamics`
(issue 17): protocols `t ↦ model` written as equinox modules, so that every number is a
leaf (vmap a sweep over them, differentiate the power by them) and each carries its
`period`, `breakpoints` and `constant_strokes`.

- `HarmonicOttoEngine`: one bosonic mode; hot isochore at ω_h (hot bath on), expansion
  ω_h → ω_c (sudden or a linear ramp, no bath), cold isochore at ω_c, compression back.
- `TwoModeOttoEngine`: the same strokes on mode 0 of two coupled modes
  `H = [[ω(t), g], [g, ω_b]]`; `[H(t), H(t')] ≠ 0`, so finite-time ramps create coherences
  between the normal modes (quantum friction).
- `QubitOttoEngine`: a qubit `H_S = ω(t) σ_z / 2` with a `BosonField` through `σ_x` on
  each isochore (fields switched off, `J = 0`, on the unitary strokes).
- `ModulatedNetwork`: a chain whose first site's frequency is modulated sinusoidally,
  `ω_0(t) = ω_0 + A sin(2πt/τ)`, with both baths always on (no breakpoints).
"""

import equinox as eqx
import jax.numpy as jnp

from ._baths import BosonBath
from ._custom_types import Array, ArrayLike, Float, RealScalarLike
from ._fewlevel._fields import BosonField, FlatSpectralDensity
from ._fewlevel._master import FewLevelModel
from ._quadratic import QuadraticModel


def _f(x) -> Array:
    return jnp.asarray(x, dtype=jnp.result_type(float))


def _is_zero(x) -> bool:
    return isinstance(x, (int, float)) and x == 0


class _OttoStrokes(eqx.Module):
    """Shared stroke timing of the Otto engines: hot isochore `[0, τ_h)`, expansion
    `[τ_h, τ_h + τ_e)`, cold isochore, compression; `period` is their sum."""

    time_hot: Float[Array, ""]
    time_expansion: Float[Array, ""]
    time_cold: Float[Array, ""]
    time_compression: Float[Array, ""]
    sudden: tuple[bool, bool] = eqx.field(static=True)

    @property
    def period(self) -> Float[Array, ""]:
        """τ = τ_h + τ_e + τ_c + τ_k."""
        return self.time_hot + self.time_expansion + self.time_cold + self.time_compression

    @property
    def breakpoints(self) -> tuple:
        """The stroke boundaries `(τ_h, τ_h + τ_e, τ_h + τ_e + τ_c)`, without those of
        sudden (zero-length) ramps."""
        a = self.time_hot
        b = a + self.time_expansion
        out = [a] + ([] if self.sudden[0] else [b])
        return tuple(out + ([] if self.sudden[1] else [b + self.time_cold]))

    @property
    def constant_strokes(self) -> tuple[bool, ...]:
        """Isochores constant, ramps not (each entry one stroke between breakpoints)."""
        out = [True] + ([] if self.sudden[0] else [False]) + [True]
        return tuple(out + ([] if self.sudden[1] else [False]))

    def _stroke(self, t):
        """`(hot, cold, frequency fraction x)`: x = 0 at ω_h, 1 at ω_c."""
        a = self.time_hot
        b = a + self.time_expansion
        c = b + self.time_cold
        hot = t < a
        cold = (t >= b) & (t < c)
        up = (t - a) / jnp.where(self.time_expansion > 0, self.time_expansion, 1.0)
        down = (t - c) / jnp.where(self.time_compression > 0, self.time_compression, 1.0)
        x = jnp.where(
            hot,
            0.0,
            jnp.where(
                t < b, jnp.clip(up, 0.0, 1.0), jnp.where(cold, 1.0, 1.0 - jnp.clip(down, 0, 1))
            ),
        )
        return hot, cold, x


def _otto_init(
    self,
    omega_hot,
    omega_cold,
    temperature_hot,
    temperature_cold,
    rate_hot,
    rate_cold,
    time_hot,
    time_cold,
    time_expansion,
    time_compression,
):
    self.omega_hot, self.omega_cold = _f(omega_hot), _f(omega_cold)
    self.temperature_hot, self.temperature_cold = _f(temperature_hot), _f(temperature_cold)
    self.rate_hot, self.rate_cold = _f(rate_hot), _f(rate_cold)
    self.time_hot, self.time_cold = _f(time_hot), _f(time_cold)
    self.time_expansion, self.time_compression = _f(time_expansion), _f(time_compression)
    self.sudden = (_is_zero(time_expansion), _is_zero(time_compression))


class HarmonicOttoEngine(_OttoStrokes):
    """A quantum Otto engine with one harmonic mode (`Ĥ(t) = ω(t) a†a`), protocol of
    `jaxthermo.limit_cycle`: `engine(t)` is the `QuadraticModel` at time t.

    Strokes: hot isochore (ω_h, hot `BosonBath` of rate γ_h at T_h, duration τ_h); expansion
    ω_h → ω_c (linear in time over τ_e; `time_expansion=0` is a sudden quench); cold isochore
    (ω_c, cold bath γ_c at T_c, τ_c); compression ω_c → ω_h (τ_k). The baths thermalise at
    the mode's current frequency. Closed forms (tested): after a stroke of a bath at
    occupation n_b the occupation is `n' = n_b + (n − n_b) e^{−γτ}`; the work is
    `(ω_c − ω_h)(n_A − n_B)` (n_A, n_B after the hot and cold isochores; < 0 for an engine),
    the efficiency `1 − ω_c/ω_h`.

    **Arguments:** `omega_hot`, `omega_cold` (ω_h > ω_c > 0); `temperature_hot`,
    `temperature_cold`; `rate_hot`, `rate_cold` (γ); `time_hot`, `time_cold` (isochores);
    `time_expansion`, `time_compression` (ramps; default 0, sudden).

    **Returns:** (calling it at t) a `QuadraticModel`.
    """

    omega_hot: Float[Array, ""]
    omega_cold: Float[Array, ""]
    temperature_hot: Float[Array, ""]
    temperature_cold: Float[Array, ""]
    rate_hot: Float[Array, ""]
    rate_cold: Float[Array, ""]

    def __init__(
        self,
        omega_hot: RealScalarLike,
        omega_cold: RealScalarLike,
        temperature_hot: RealScalarLike,
        temperature_cold: RealScalarLike,
        rate_hot: RealScalarLike,
        rate_cold: RealScalarLike,
        time_hot: RealScalarLike,
        time_cold: RealScalarLike,
        time_expansion: RealScalarLike = 0.0,
        time_compression: RealScalarLike = 0.0,
    ):
        _otto_init(
            self,
            omega_hot,
            omega_cold,
            temperature_hot,
            temperature_cold,
            rate_hot,
            rate_cold,
            time_hot,
            time_cold,
            time_expansion,
            time_compression,
        )

    def frequency(self, t: Float[ArrayLike, ""]) -> Float[Array, ""]:
        """ω(t)."""
        _, _, x = self._stroke(jnp.asarray(t))
        return self.omega_hot + x * (self.omega_cold - self.omega_hot)

    def __call__(self, t: Float[ArrayLike, ""]) -> QuadraticModel:
        t = jnp.asarray(t)
        hot, cold, _ = self._stroke(t)
        h = self.frequency(t)[None, None]
        baths = [
            BosonBath(0, jnp.where(hot, self.rate_hot, 0.0), self.temperature_hot),
            BosonBath(0, jnp.where(cold, self.rate_cold, 0.0), self.temperature_cold),
        ]
        return QuadraticModel(h, baths)


class TwoModeOttoEngine(HarmonicOttoEngine):
    """The Otto strokes of `HarmonicOttoEngine` on mode 0 of two coupled modes,
    `H(t) = [[ω(t), g], [g, ω_b]]`, both baths on mode 0. The drive does not commute with
    itself (`[H(t), H(t')] ≠ 0`), so a finite-time ramp does not carry the normal-mode
    populations along (quantum friction): unlike the single mode, the work per cycle depends
    on the ramp durations, and only slow ramps approach the adiabatic value. Keep ω_b outside
    `[ω_c, ω_h]` (default 3) to avoid an avoided crossing during the ramps.

    **Arguments:** as `HarmonicOttoEngine`, plus `coupling` g (default 0.2) and `omega_b`
    (mode 1's frequency, default 3.0).

    **Returns:** (calling it at t) a `QuadraticModel` of two modes.
    """

    coupling: Float[Array, ""]
    omega_b: Float[Array, ""]

    def __init__(self, *args, coupling: RealScalarLike = 0.2, omega_b: RealScalarLike = 3.0,
                 **kwargs):  # fmt: skip
        HarmonicOttoEngine.__init__(self, *args, **kwargs)
        self.coupling, self.omega_b = _f(coupling), _f(omega_b)

    def __call__(self, t: Float[ArrayLike, ""]) -> QuadraticModel:
        t = jnp.asarray(t)
        hot, cold, _ = self._stroke(t)
        w = self.frequency(t)
        h = (
            jnp.array([[1.0, 0.0], [0.0, 0.0]]) * w
            + jnp.array([[0.0, 1.0], [1.0, 0.0]]) * (self.coupling)
            + jnp.array([[0.0, 0.0], [0.0, 1.0]]) * self.omega_b
        )
        baths = [
            BosonBath(0, jnp.where(hot, self.rate_hot, 0.0), self.temperature_hot),
            BosonBath(0, jnp.where(cold, self.rate_cold, 0.0), self.temperature_cold),
        ]
        return QuadraticModel(h, baths)


class QubitOttoEngine(_OttoStrokes):
    """A qubit Otto engine, `H_S(t) = ω(t) σ_z / 2`, coupled through `σ_x` to a hot
    `BosonField` (flat spectral density `strength_hot`, T_h) on the hot isochore and a cold
    one on the cold isochore; both fields are off (J = 0) on the unitary ramps. A few-level
    stroke protocol of `jaxthermo.limit_cycle` (secular or Pauli strokes). Efficiency
    `1 − ω_c/ω_h`.

    **Arguments:** `omega_hot`, `omega_cold`; `temperature_hot`, `temperature_cold`;
    `strength_hot`, `strength_cold` (J, the emission rate is `2πJ(N+1)`); `time_hot`,
    `time_cold`, `time_expansion`, `time_compression` (as `HarmonicOttoEngine`).

    **Returns:** (calling it at t) a `fewlevel.FewLevelModel`.
    """

    omega_hot: Float[Array, ""]
    omega_cold: Float[Array, ""]
    temperature_hot: Float[Array, ""]
    temperature_cold: Float[Array, ""]
    rate_hot: Float[Array, ""]
    rate_cold: Float[Array, ""]

    def __init__(
        self,
        omega_hot,
        omega_cold,
        temperature_hot,
        temperature_cold,
        strength_hot,
        strength_cold,
        time_hot,
        time_cold,
        time_expansion=0.0,
        time_compression=0.0,
    ):
        _otto_init(
            self,
            omega_hot,
            omega_cold,
            temperature_hot,
            temperature_cold,
            strength_hot,
            strength_cold,
            time_hot,
            time_cold,
            time_expansion,
            time_compression,
        )

    frequency = HarmonicOttoEngine.frequency

    def __call__(self, t: Float[ArrayLike, ""]) -> FewLevelModel:
        t = jnp.asarray(t)
        hot, cold, _ = self._stroke(t)
        sz = jnp.array([[1.0, 0.0], [0.0, -1.0]])
        sx = jnp.array([[0.0, 1.0], [1.0, 0.0]])
        fields = [
            BosonField(
                sx, FlatSpectralDensity(jnp.where(hot, self.rate_hot, 0.0)), self.temperature_hot
            ),
            BosonField(
                sx, FlatSpectralDensity(jnp.where(cold, self.rate_cold, 0.0)), self.temperature_cold
            ),
        ]
        return FewLevelModel(0.5 * self.frequency(t) * sz, fields)


class ModulatedNetwork(eqx.Module):
    """A bosonic chain `H = diag(ω) + g (hopping)` whose first site's frequency is modulated,
    `ω_0(t) = ω_0 + A sin(2π t / τ)`, between a hot bath on site 0 and a cold bath on the
    last site, both always on: a continuously driven machine with no breakpoints (one
    changing stroke, integrated by diffrax).

    **Arguments:** `frequencies` `(L,)`; `hopping` g; `amplitude` A; `period` τ;
    `temperatures` `(T_hot, T_cold)`; `rates` `(γ_hot, γ_cold)`.

    **Returns:** (calling it at t) a `QuadraticModel`.
    """

    frequencies: Float[Array, " L"]
    hopping: Float[Array, ""]
    amplitude: Float[Array, ""]
    period: Float[Array, ""]
    temperatures: Float[Array, " 2"]
    rates: Float[Array, " 2"]

    def __init__(self, frequencies, hopping, amplitude, period, temperatures, rates):
        self.frequencies = _f(frequencies)
        if self.frequencies.ndim != 1 or self.frequencies.shape[0] < 1:
            raise ValueError("ModulatedNetwork: `frequencies` must be a 1-D array (L,).")
        self.hopping, self.amplitude, self.period = _f(hopping), _f(amplitude), _f(period)
        self.temperatures, self.rates = _f(temperatures), _f(rates)

    breakpoints = ()
    constant_strokes = (False,)

    def __call__(self, t: Float[ArrayLike, ""]) -> QuadraticModel:
        n = self.frequencies.shape[0]
        w = self.frequencies.at[0].add(self.amplitude * jnp.sin(2 * jnp.pi * t / self.period))
        i = jnp.arange(n - 1)
        h = jnp.diag(w).at[i, i + 1].set(self.hopping).at[i + 1, i].set(self.hopping)
        baths = [
            BosonBath(0, self.rates[0], self.temperatures[0]),
            BosonBath(n - 1, self.rates[1], self.temperatures[1]),
        ]
        return QuadraticModel(h, baths)
