"""The two-site fermionic junction of paper 004 ("Non-additive dissipation in open quantum
networks"):
two tunnel-coupled fermionic modes, each exchanging particles with a semi-infinite uniform
tight-binding reservoir (Newns spectral density).

Conventions: ħ = k_B = 1. The paper's correlation matrix `C_jk = Tr[ρ d_j† d_k]` is the
**transpose** of ours (`C_ij = ⟨a_j† a_i⟩`); every public function returns ours. The
energy eigenmodes are `d = R c` with `R` of Eq. (16); `d_1` is the upper level
`E_1 = h + Δ/2`. Currents are positive from a reservoir into the system.
"""

from typing import TYPE_CHECKING

import jax.numpy as jnp

from .._checks import Check
from .._custom_types import Array, ArrayLike, Complex, Float, RealScalarLike
from .._statistics import fermi_dirac


if TYPE_CHECKING:  # the model class lives above this module (`_junction.py`)
    from ._junction import Junction


def junction_checks(model) -> list[Check]:
    """The checks of a junction's values (eager at construction, at run time in the verbs):
    `g, Γ, T_α > 0`, `Ω > Γ`, and condition (34) (levels well inside the band)."""
    prefix = "Junction: "
    return [
        Check(jnp.invert(model.g > 0), prefix + "`g` must be > 0."),
        Check(jnp.invert(model.gamma > 0), prefix + "`gamma` must be > 0."),
        Check(jnp.invert(model.temperatures > 0), prefix + "`temperatures` must be > 0."),
        Check(
            jnp.invert(model.bandwidth > model.gamma),
            prefix + "`bandwidth` (Ω) must exceed `gamma` (Γ).",
        ),
        Check(
            jnp.invert(inside_band(model)),
            prefix + "the levels must lie well inside the band, Eq. (34): "
            "sqrt(E_j^2 + gamma*bandwidth) < bandwidth with E_j = h ± sqrt(g^2 + delta^2)/2.",
        ),
    ]


def _against(pair: Array, omega: Array) -> Array:
    """`pair` `(2,)` reshaped to broadcast against `omega[..., None]` without rank promotion."""
    return pair.reshape((1,) * omega.ndim + (2,))


def inside_band(model) -> Array:
    """Condition (34): `√(E_j² + ΓΩ) < Ω` for both levels."""
    e = levels(model)
    return jnp.all(jnp.sqrt(e**2 + model.gamma * model.bandwidth) < model.bandwidth)


def splitting(model: "Junction") -> Float[Array, ""]:
    """`Δ = √(g² + δ²)`, Eq. (16).

    **Arguments:** `model` (a `junction.Junction`).

    **Returns:** `Δ` (energy).
    """
    return jnp.sqrt(model.g**2 + model.delta**2)


def levels(model: "Junction") -> Float[Array, " 2"]:
    """Single-particle energies `(E_1, E_2) = h ± Δ/2` (paper after Eq. (17)); `E_1 > E_2`.

    **Arguments:** `model` (a `junction.Junction`).

    **Returns:** `(E_1, E_2)`, shape `(2,)` (energy).
    """
    d = splitting(model)
    return jnp.stack([model.h + 0.5 * d, model.h - 0.5 * d])


def rotation(model: "Junction") -> Float[Array, "2 2"]:
    """`R` of Eq. (16): eigenmodes `d = R c`, rows = modes `(1, 2)`, columns = sites `(L, R)`;
    `R h R^T = diag(E_1, E_2)` for the site matrix `h = [[h_L, −g/2], [−g/2, h_R]]`.

    **Arguments:** `model` (a `junction.Junction`).

    **Returns:** `R`, `(2, 2)`.
    """
    d = splitting(model)
    a = jnp.sqrt((d + model.delta) / (2 * d))
    b = jnp.sqrt((d - model.delta) / (2 * d))
    return jnp.array([[a, -b], [b, a]])


def site_hamiltonian(model: "Junction") -> Float[Array, "2 2"]:
    """Single-particle site matrix of Eq. (10): `[[h_L, −g/2], [−g/2, h_R]]`.

    **Arguments:** `model` (a `junction.Junction`).

    **Returns:** `(2, 2)` (energy).
    """
    hl = model.h + 0.5 * model.delta
    hr = model.h - 0.5 * model.delta
    return jnp.array([[hl, -0.5 * model.g], [-0.5 * model.g, hr]])


def to_site_basis(model: "Junction", c: Complex[Array, "... 2 2"]) -> Complex[Array, "... 2 2"]:
    """Our correlation matrix from the energy basis to the site basis `(L, R)`:
    `⟨c_β† c_α⟩ = (Rᵀ C R)_{αβ}`.

    **Arguments:** `model`; `c` (ours, energy basis, `(..., 2, 2)`).

    **Returns:** ours in the site basis, `(..., 2, 2)`.
    """
    r = rotation(model)
    return jnp.einsum("ja,...jk,kb->...ab", r, jnp.asarray(c), r)


def newns_spectral_density(
    omega: Float[ArrayLike, "..."], gamma: RealScalarLike, bandwidth: RealScalarLike
) -> Float[Array, "..."]:
    """`J_N(ω) = Γ/(2π) √(1 − ω²/Ω²) Θ(Ω − |ω|)`, Eq. (19).

    **Arguments:** `omega` (any shape); `gamma` (Γ); `bandwidth` (Ω).

    **Returns:** `J_N(ω)`, the shape of `omega` (energy).
    """
    x = jnp.asarray(omega) / bandwidth
    y = 1 - x**2
    inside = y > 0  # a safe square root: zero with a zero gradient outside the band
    return gamma / (2 * jnp.pi) * jnp.where(inside, jnp.sqrt(jnp.where(inside, y, 1.0)), 0.0)


def spectral_density(model: "Junction", omega: Float[ArrayLike, "..."]) -> Float[Array, "..."]:
    """The model's Newns spectral density, Eq. (19).

    **Arguments:** `model`; `omega` (frequencies, any shape `...`, energy units).

    **Returns:** `J_N(ω)`, the shape of `omega`.
    """
    return newns_spectral_density(omega, model.gamma, model.bandwidth)


def shifted_levels(model: "Junction") -> tuple[Float[Array, " 2"], Float[Array, " 2"]]:
    """Eq. (36): shifted energies `E'_j = (1 − Γ/2Ω)/(1 − Γ/Ω) E_j` and decay rates
    `Γ_j = √(1 − Γ/Ω − E_j²/Ω²)/(1 − Γ/Ω) Γ` (the pole of the exact propagator).

    **Arguments:** `model` (a `junction.Junction`).

    **Returns:** `(E'_j, Γ_j)`, two arrays of shape `(2,)` (energy).
    """
    e = levels(model)
    r = model.gamma / model.bandwidth
    shifted = (1 - 0.5 * r) / (1 - r) * e
    width = jnp.sqrt(1 - r - (e / model.bandwidth) ** 2) / (1 - r) * model.gamma
    return shifted, width


def leading_levels(model: "Junction") -> tuple[Float[Array, " 2"], Float[Array, " 2"]]:
    """Leading order in `Γ/Ω` of Eq. (36): `E_j` and `Γ_j = 2π J_N(E_j)` (used in (55)).

    **Arguments:** `model` (a `junction.Junction`).

    **Returns:** `(E_j, Γ_j)`, two arrays of shape `(2,)` (energy).
    """
    e = levels(model)
    return e, 2 * jnp.pi * spectral_density(model, e)


def energy_distribution(model: "Junction", omega: Float[ArrayLike, "..."]) -> Float[Array, "... 2"]:
    """`ϕ_j(ω)`, Eq. (35): probability density of excitation energies of `d_j†|0⟩`
    (normalised, Eq. (26)); last axis `j = 1, 2`. Units 1/energy.

    **Arguments:** `model`; `omega` (frequencies, any shape `...`, energy units).

    **Returns:** `ϕ_j(ω)`, shape `(..., 2)` (1/energy).
    """
    omega = jnp.asarray(omega)
    e, w = (_against(x, omega) for x in shifted_levels(model))
    omega = omega[..., None]
    r = model.gamma / model.bandwidth
    return spectral_density(model, omega) / ((1 - r) * ((omega - e) ** 2 + 0.25 * w**2))


def hilbert_distribution(
    model: "Junction", omega: Float[ArrayLike, "..."]
) -> Float[Array, "... 2"]:
    """`ϑ_j(ω) = P∫dω' ϕ_j(ω')/(ω − ω')`, Eq. (37) (closed form inside the band):
    `[(1 − Γ/2Ω) ω − E_j] ϕ_j(ω) / J_N(ω)`.

    **Arguments:** `model`; `omega` (frequencies, any shape `...`, energy units).

    **Returns:** `ϑ_j(ω)`, shape `(..., 2)` (1/energy).
    """
    omega = jnp.asarray(omega)
    e = _against(levels(model), omega)
    es, w = (_against(x, omega) for x in shifted_levels(model))
    omega = omega[..., None]
    r = model.gamma / model.bandwidth
    return ((1 - 0.5 * r) * omega - e) / ((1 - r) * ((omega - es) ** 2 + 0.25 * w**2))


def transmission(model: "Junction", omega: Float[ArrayLike, "..."]) -> Float[Array, "..."]:
    """Transmission function `T(ω) = (π g²/2) ϕ_1(ω) ϕ_2(ω)`, Eq. (45) (dimensionless).

    **Arguments:** `model`; `omega` (frequencies, any shape `...`, energy units).

    **Returns:** `T(ω)`, the shape of `omega`.
    """
    phi = energy_distribution(model, omega)
    return 0.5 * jnp.pi * model.g**2 * phi[..., 0] * phi[..., 1]


def occupations(model: "Junction", omega: Float[ArrayLike, "..."]) -> Float[Array, "... 2"]:
    """Fermi functions `(f_L(ω), f_R(ω))` of the reservoirs.

    **Arguments:** `model`; `omega` (frequencies, any shape `...`, energy units).

    **Returns:** `(f_L, f_R)`, shape `(..., 2)`.
    """
    omega = jnp.asarray(omega)
    mu = _against(model.chemical_potentials, omega)
    temperature = _against(model.temperatures, omega)
    return fermi_dirac(omega[..., None], temperature, mu)


def noise_matrix(model: "Junction", omega: Float[ArrayLike, "..."]) -> Float[Array, "... 2 2"]:
    """`F(ω) = R diag(f_L, f_R) Rᵀ` (paper after Eq. (27)); real symmetric, so the same in
    both index conventions.

    **Arguments:** `model`; `omega` (frequencies, any shape `...`, energy units).

    **Returns:** `F(ω)`, shape `(..., 2, 2)`.
    """
    r = rotation(model)
    return jnp.einsum("ja,...a,ka->...jk", r, occupations(model, omega), r)
