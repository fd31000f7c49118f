"""Fields (reservoirs) of few-level systems: spectral densities, inverse-temperature profiles.

Paper 003 (Accardi & Imafuku), Secs. II and VI. A field j couples to the system through
`H_I = ∫dk (g_j(k) D_j a†_{j,k} + h.c.)`; everything the stochastic limit keeps of it is the
spectral density `J_j(ω) = ∫dk |g_j(k)|² δ(ω_j(k) - ω)` and the occupation `N_j(ω)` at the
system's Bohr frequencies. Rates (CONVENTIONS.md, "Few-level systems"), for a transition of
Bohr frequency `ω > 0` with matrix element `D_nm = ⟨ε_n|D|ε_m⟩` (`ε_m - ε_n = ω`):

- emission `m → n`: `2π J(ω) (N(ω) + 1) |D_nm|²` (fermions: `1 - N`),
- absorption `n → m`: `2π J(ω) N(ω) |D_nm|²`.

In the paper's notation `Γ_{-,ω} = 2 Re γ_{-,ω} = 2π J(ω)(N(ω)+1)` and
`Γ_{+,ω} = 2π J(ω) N(ω)` (Eqs. 20, 22c), with the matrix element carried by `E_ω`.
"""

import abc
from typing import ClassVar

import equinox as eqx
import jax.numpy as jnp

from .._baths import as_matrix
from .._custom_types import Array, ArrayLike, Float, Inexact
from .._statistics import occupation_factors


def _real_array(owner: str, name: str, value, ndim: int | None = None) -> Array:
    x = jnp.asarray(value)
    if jnp.iscomplexobj(x):
        raise TypeError(f"{owner}: `{name}` must be real, got a complex value.")
    if ndim is not None and x.ndim != ndim:
        raise ValueError(f"{owner}: `{name}` must have {ndim} dimension(s), got shape {x.shape}.")
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(jnp.result_type(float))
    return x


# ---------------------------------------------------------------------------------------
# Spectral densities J(ω) >= 0
# ---------------------------------------------------------------------------------------


class AbstractSpectralDensity(eqx.Module):
    """A coupling spectral density `J(ω) = ∫dk |g(k)|² δ(ω(k) - ω)` (units of energy when
    `D` is dimensionless). Subclass it (an `equinox.Module`, so its numbers are leaves that
    can be differentiated and optimised) and implement `__call__`."""

    @abc.abstractmethod
    def __call__(self, frequency: Float[Array, "..."]) -> Float[Array, "..."]:
        """`J(ω)` for an array of frequencies `ω > 0`."""


class FlatSpectralDensity(AbstractSpectralDensity):
    """`J(ω) = strength` (the paper's flat, 'wide-band' field).

    **Arguments:** `strength` (`J`, energy units).
    """

    strength: Float[Array, ""]

    def __init__(self, strength: Float[ArrayLike, ""]):
        self.strength = _real_array("FlatSpectralDensity", "strength", strength, 0)

    def __call__(self, frequency):
        return jnp.broadcast_to(self.strength, jnp.shape(frequency)).astype(
            jnp.result_type(self.strength, frequency)
        )


class OhmicSpectralDensity(AbstractSpectralDensity):
    """`J(ω) = strength · ω^s ω_c^{1-s} e^{-ω/ω_c}` (ohmic for `s = 1`, sub-/super-ohmic
    otherwise) with cutoff `ω_c`.

    **Arguments:** `strength`, `cutoff` (`ω_c`), `exponent` (`s`, static, default 1).
    """

    strength: Float[Array, ""]
    cutoff: Float[Array, ""]
    exponent: float = eqx.field(static=True)

    def __init__(self, strength: Float[ArrayLike, ""], cutoff: Float[ArrayLike, ""], exponent=1.0):
        self.strength = _real_array("OhmicSpectralDensity", "strength", strength, 0)
        self.cutoff = _real_array("OhmicSpectralDensity", "cutoff", cutoff, 0)
        self.exponent = float(exponent)

    def __call__(self, frequency):
        w = jnp.asarray(frequency)
        return (
            self.strength
            * w**self.exponent
            * self.cutoff ** (1.0 - self.exponent)
            * jnp.exp(-w / self.cutoff)
        )


# ---------------------------------------------------------------------------------------
# Inverse-temperature profiles β(ω) > 0 (paper Sec. VI, 'local KMS' fields)
# ---------------------------------------------------------------------------------------


class AbstractInverseTemperature(eqx.Module):
    """A frequency-dependent inverse temperature `β(ω) > 0` (paper 003 Eq. 95: the field's
    occupation is `N(ω) = 1/(e^{β(ω)ω} - 1)`). Subclass it and implement `__call__`."""

    @abc.abstractmethod
    def __call__(self, frequency: Float[Array, "..."]) -> Float[Array, "..."]:
        """`β(ω)` for an array of frequencies."""


class ConstantInverseTemperature(AbstractInverseTemperature):
    """`β(ω) = value`: an ordinary thermal field (paper Eq. 96).

    **Arguments:** `value` (β > 0, inverse energy).
    """

    value: Float[Array, ""]

    def __init__(self, value: Float[ArrayLike, ""]):
        self.value = _real_array("ConstantInverseTemperature", "value", value, 0)

    def __call__(self, frequency):
        return jnp.broadcast_to(self.value, jnp.shape(frequency)).astype(
            jnp.result_type(self.value, frequency)
        )


class PolynomialInverseTemperature(AbstractInverseTemperature):
    """`β(ω) = Σ_k c_k ω^k` with `coefficients = (c_0, c_1, …)`.

    **Arguments:** `coefficients` `(K,)`.
    """

    coefficients: Float[Array, " K"]

    def __init__(self, coefficients: Float[ArrayLike, " K"]):
        self.coefficients = _real_array(
            "PolynomialInverseTemperature", "coefficients", coefficients, 1
        )

    def __call__(self, frequency):
        return jnp.polyval(self.coefficients[::-1], jnp.asarray(frequency))


class InterpolatedInverseTemperature(AbstractInverseTemperature):
    """Piecewise-linear `β(ω)` through `(frequencies[i], values[i])` (constant beyond the
    ends); `values` is the optimisable leaf.

    **Arguments:** `frequencies` `(K,)`, `values` `(K,)`.
    """

    frequencies: Float[Array, " K"]
    values: Float[Array, " K"]

    def __init__(self, frequencies: Float[ArrayLike, " K"], values: Float[ArrayLike, " K"]):
        owner = "InterpolatedInverseTemperature"
        self.frequencies = _real_array(owner, "frequencies", frequencies, 1)
        self.values = _real_array(owner, "values", values, 1)
        if self.frequencies.shape != self.values.shape or self.values.shape[0] < 1:
            raise ValueError(f"{owner}: `frequencies` and `values` must have the same shape (K,).")

    def __call__(self, frequency):
        return jnp.interp(jnp.asarray(frequency), self.frequencies, self.values)


# ---------------------------------------------------------------------------------------
# Fields
# ---------------------------------------------------------------------------------------


class AbstractField(eqx.Module):
    """A reservoir coupled to a few-level system through the operator `coupling` (`D`, in the
    basis in which the system Hamiltonian is given). `D` lowers the system's energy when it
    creates a field quantum: `H_I = ∫dk (g(k) D a_k† + h.c.)`; for Hermitian `D` (e.g. `σ_x`)
    this is `D ⊗ (B + B†)`.

    **Arguments:** `coupling` `(d, d)` (an array or a `qutip.Qobj`); `spectral_density` (an
    `AbstractSpectralDensity`); either `temperature` (> 0, with `chemical_potential`, default 0) or
    the keyword `inverse_temperature`, a profile `β(ω)` (an `AbstractInverseTemperature`, paper 003
    Sec. VI). Every number is a differentiable leaf.
    """

    coupling: Inexact[Array, "d d"]
    spectral_density: AbstractSpectralDensity
    inverse_temperature: AbstractInverseTemperature
    chemical_potential: Float[Array, ""]
    statistics: ClassVar[str]

    def __init__(
        self,
        coupling: Inexact[ArrayLike, "d d"],
        spectral_density: AbstractSpectralDensity,
        temperature: Float[ArrayLike, ""] | None = None,
        chemical_potential: Float[ArrayLike, ""] = 0.0,
        *,
        inverse_temperature: AbstractInverseTemperature | None = None,
    ):
        owner = type(self).__name__
        d = as_matrix(coupling, owner, "coupling")
        if d.ndim != 2 or d.shape[0] != d.shape[1]:
            raise ValueError(f"{owner}: `coupling` must be a square matrix, got shape {d.shape}.")
        if not isinstance(spectral_density, AbstractSpectralDensity):
            raise TypeError(
                f"{owner}: `spectral_density` must be an AbstractSpectralDensity (e.g. "
                f"FlatSpectralDensity(0.01)), got {type(spectral_density).__name__}."
            )
        beta = inverse_temperature
        if (temperature is None) == (beta is None):
            raise ValueError(
                f"{owner}: give exactly one of `temperature` and `inverse_temperature`."
            )
        if beta is None:
            beta = ConstantInverseTemperature(
                1.0 / _real_array(owner, "temperature", temperature, 0)
            )
        elif not isinstance(beta, AbstractInverseTemperature):
            raise TypeError(
                f"{owner}: `inverse_temperature` must be an AbstractInverseTemperature (e.g. "
                f"PolynomialInverseTemperature([...])), got {type(beta).__name__}."
            )
        self.coupling = d
        self.spectral_density = spectral_density
        self.inverse_temperature = beta
        self.chemical_potential = _real_array(owner, "chemical_potential", chemical_potential, 0)

    def occupation(self, frequency: Float[Array, "..."]) -> Float[Array, "..."]:
        """`N(ω)` (Bose–Einstein or Fermi–Dirac with `β(ω)` and `μ`)."""
        x = self.inverse_temperature(frequency) * (frequency - self.chemical_potential)
        return occupation_factors(x, self.statistics)[0]


class BosonField(AbstractField):
    """A bosonic field: `BosonField(coupling, spectral_density, temperature, chemical_potential=0)`
    or `BosonField(coupling, spectral_density, inverse_temperature=β(ω))` (paper Sec. VI):
    emission `∝ N + 1`, absorption `∝ N`. Needs `ω > μ` at every Bohr frequency it drives
    (checked when the rates are built).

    **Arguments:** as `AbstractField`.
    """

    statistics: ClassVar[str] = "boson"


class FermionField(AbstractField):
    """A fermionic field (e.g. a lead exchanging electrons with a dot): emission `∝ 1 - f`,
    absorption `∝ f`. Same arguments as `BosonField`; any `μ`.

    **Arguments:** as `AbstractField`.
    """

    statistics: ClassVar[str] = "fermion"
