"""The two-site fermionic junction of paper 004 ("Non-additive dissipation in open quantum
networks"):
two tunnel-coupled fermionic modes, each exchanging particles with a semi-infinite uniform
tight-binding reservoir (Newns spectral density).

Conventions: ħ = k_B = 1. The paper's correlation matrix `C_jk = Tr[ρ d_j† d_k]` is the
**transpose** of ours (`C_ij = ⟨a_j† a_i⟩`); every public function returns ours. The
energy eigenmodes are `d = R c` with `R` of Eq. (16); `d_1` is the upper level
`E_1 = h + Δ/2`. Currents are positive from a reservoir into the system.
"""

import equinox as eqx
import jax
import jax.numpy as jnp

from .._baths import _real_scalar, eager_check
from .._custom_types import Array, ArrayLike, Complex, Float, RealScalarLike
from ._quadrature import band_quadrature


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


class Junction(eqx.Module):
    """Paper 004, Eqs. (10)–(19): `Ĥ_S = Σ_α h_α n̂_α − (g/2)(ĉ_L†ĉ_R + h.c.)`, each site
    coupled (tunnelling `√(ΓΩ)/2`) to the end of a uniform tight-binding chain of hopping
    `Ω/2`, i.e. Newns spectral density `J_N(ω) = Γ/(2π) √(1 − ω²/Ω²)` on `|ω| < Ω`.

    **Arguments** (energies; ħ = k_B = 1):

    - `h`: mean site energy `(h_L + h_R)/2`; `delta`: detuning `h_L − h_R`;
    - `g`: tunnel coupling between the sites (> 0);
    - `gamma`: `Γ`, system–reservoir rate scale (> 0); `bandwidth`: `Ω` (> Γ);
    - `temperatures`, `chemical_potentials`: `(T_L, T_R)`, `(μ_L, μ_R)` (a scalar means both).

    Checks (eager when concrete, `equinox.error_if` when traced): `g, Γ, T_α > 0`,
    `Ω > Γ`, and the paper's condition (34) `√(E_j² + ΓΩ) < Ω` (levels well inside the band,
    so that `G_j(t) → 0` and the stationary state is unique).
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
        for name, x in (("g", self.g), ("gamma", self.gamma), ("temperatures", self.temperatures)):
            if eager_check(lambda x: jnp.any(x <= 0), x):
                raise ValueError(f"Junction: `{name}` must be > 0, got {x}.")
        if eager_check(lambda a, b: a <= b, self.bandwidth, self.gamma):
            raise ValueError(
                f"Junction: `bandwidth` (Ω = {self.bandwidth}) must exceed `gamma` "
                f"(Γ = {self.gamma})."
            )
        if eager_check(
            lambda *leaves: jnp.invert(_inside_band(_Parameters(*leaves))),
            self.h,
            self.delta,
            self.g,
            self.gamma,
            self.bandwidth,
        ):
            raise ValueError(
                "Junction: the levels must lie well inside the band, Eq. (34): "
                "sqrt(E_j^2 + gamma*bandwidth) < bandwidth with E_j = h ± sqrt(g^2 + delta^2)/2."
            )

    def checked(self) -> "Junction":
        """Self, with run-time checks attached to its leaves (for traced parameters)."""
        bad = (
            (self.g <= 0)
            | (self.gamma <= 0)
            | jnp.any(self.temperatures <= 0)
            | (self.bandwidth <= self.gamma)
            | jnp.invert(_inside_band(self))
        )
        h = eqx.error_if(
            self.h,
            bad,
            "Junction: need g, gamma, temperatures > 0, bandwidth > gamma and the levels "
            "inside the band, Eq. (34).",
        )
        return eqx.tree_at(lambda m: m.h, self, h)


def _against(pair: Array, omega: Array) -> Array:
    """`pair` `(2,)` reshaped to broadcast against `omega[..., None]` without rank promotion."""
    return pair.reshape((1,) * omega.ndim + (2,))


class _Parameters(eqx.Module):
    h: Array
    delta: Array
    g: Array
    gamma: Array
    bandwidth: Array


def _inside_band(model) -> Array:
    e = levels(model)
    return jnp.all(jnp.sqrt(e**2 + model.gamma * model.bandwidth) < model.bandwidth)


def splitting(model: Junction) -> Float[Array, ""]:
    """`Δ = √(g² + δ²)`, Eq. (16)."""
    return jnp.sqrt(model.g**2 + model.delta**2)


def levels(model: Junction) -> Float[Array, " 2"]:
    """Single-particle energies `(E_1, E_2) = h ± Δ/2` (paper after Eq. (17)); `E_1 > E_2`."""
    d = splitting(model)
    return jnp.stack([model.h + 0.5 * d, model.h - 0.5 * d])


def rotation(model: Junction) -> Float[Array, "2 2"]:
    """`R` of Eq. (16): eigenmodes `d = R c`, rows = modes `(1, 2)`, columns = sites `(L, R)`;
    `R h R^T = diag(E_1, E_2)` for the site matrix `h = [[h_L, −g/2], [−g/2, h_R]]`."""
    d = splitting(model)
    a = jnp.sqrt((d + model.delta) / (2 * d))
    b = jnp.sqrt((d - model.delta) / (2 * d))
    return jnp.array([[a, -b], [b, a]])


def site_hamiltonian(model: Junction) -> Float[Array, "2 2"]:
    """Single-particle site matrix of Eq. (10): `[[h_L, −g/2], [−g/2, h_R]]`."""
    hl = model.h + 0.5 * model.delta
    hr = model.h - 0.5 * model.delta
    return jnp.array([[hl, -0.5 * model.g], [-0.5 * model.g, hr]])


def to_site_basis(model: Junction, c: Complex[Array, "... 2 2"]) -> Complex[Array, "... 2 2"]:
    """Our correlation matrix from the energy basis to the site basis `(L, R)`:
    `⟨c_β† c_α⟩ = (Rᵀ C R)_{αβ}`."""
    r = rotation(model)
    return jnp.einsum("ja,...jk,kb->...ab", r, jnp.asarray(c), r)


def newns_spectral_density(
    omega: Float[ArrayLike, "..."], gamma: RealScalarLike, bandwidth: RealScalarLike
) -> Float[Array, "..."]:
    """`J_N(ω) = Γ/(2π) √(1 − ω²/Ω²) Θ(Ω − |ω|)`, Eq. (19)."""
    x = jnp.asarray(omega) / bandwidth
    y = 1 - x**2
    inside = y > 0  # a safe square root: zero with a zero gradient outside the band
    return gamma / (2 * jnp.pi) * jnp.where(inside, jnp.sqrt(jnp.where(inside, y, 1.0)), 0.0)


def spectral_density(model: Junction, omega: Float[ArrayLike, "..."]) -> Float[Array, "..."]:
    """The model's Newns spectral density, Eq. (19)."""
    return newns_spectral_density(omega, model.gamma, model.bandwidth)


def shifted_levels(model: Junction) -> tuple[Float[Array, " 2"], Float[Array, " 2"]]:
    """Eq. (36): shifted energies `E'_j = (1 − Γ/2Ω)/(1 − Γ/Ω) E_j` and decay rates
    `Γ_j = √(1 − Γ/Ω − E_j²/Ω²)/(1 − Γ/Ω) Γ` (the pole of the exact propagator)."""
    e = levels(model)
    r = model.gamma / model.bandwidth
    shifted = (1 - 0.5 * r) / (1 - r) * e
    width = jnp.sqrt(1 - r - (e / model.bandwidth) ** 2) / (1 - r) * model.gamma
    return shifted, width


def leading_levels(model: Junction) -> tuple[Float[Array, " 2"], Float[Array, " 2"]]:
    """Leading order in `Γ/Ω` of Eq. (36): `E_j` and `Γ_j = 2π J_N(E_j)` (used in (55))."""
    e = levels(model)
    return e, 2 * jnp.pi * spectral_density(model, e)


def energy_distribution(model: Junction, omega: Float[ArrayLike, "..."]) -> Float[Array, "... 2"]:
    """`ϕ_j(ω)`, Eq. (35): probability density of excitation energies of `d_j†|0⟩`
    (normalised, Eq. (26)); last axis `j = 1, 2`. Units 1/energy."""
    omega = jnp.asarray(omega)
    e, w = (_against(x, omega) for x in shifted_levels(model))
    omega = omega[..., None]
    r = model.gamma / model.bandwidth
    return spectral_density(model, omega) / ((1 - r) * ((omega - e) ** 2 + 0.25 * w**2))


def hilbert_distribution(model: Junction, omega: Float[ArrayLike, "..."]) -> Float[Array, "... 2"]:
    """`ϑ_j(ω) = P∫dω' ϕ_j(ω')/(ω − ω')`, Eq. (37) (closed form inside the band):
    `[(1 − Γ/2Ω) ω − E_j] ϕ_j(ω) / J_N(ω)`."""
    omega = jnp.asarray(omega)
    e = _against(levels(model), omega)
    es, w = (_against(x, omega) for x in shifted_levels(model))
    omega = omega[..., None]
    r = model.gamma / model.bandwidth
    return ((1 - 0.5 * r) * omega - e) / ((1 - r) * ((omega - es) ** 2 + 0.25 * w**2))


def transmission(model: Junction, omega: Float[ArrayLike, "..."]) -> Float[Array, "..."]:
    """Transmission function `T(ω) = (π g²/2) ϕ_1(ω) ϕ_2(ω)`, Eq. (45) (dimensionless)."""
    phi = energy_distribution(model, omega)
    return 0.5 * jnp.pi * model.g**2 * phi[..., 0] * phi[..., 1]


def occupations(model: Junction, omega: Float[ArrayLike, "..."]) -> Float[Array, "... 2"]:
    """Fermi functions `(f_L(ω), f_R(ω))` of the reservoirs."""
    omega = jnp.asarray(omega)
    mu = _against(model.chemical_potentials, omega)
    temperature = _against(model.temperatures, omega)
    return jax.nn.sigmoid(-(omega[..., None] - mu) / temperature)


def noise_matrix(model: Junction, omega: Float[ArrayLike, "..."]) -> Float[Array, "... 2 2"]:
    """`F(ω) = R diag(f_L, f_R) Rᵀ` (paper after Eq. (27)); real symmetric, so the same in
    both index conventions."""
    r = rotation(model)
    return jnp.einsum("ja,...a,ka->...jk", r, occupations(model, omega), r)


def quadrature(
    model: Junction, *, uniform: int = 0, grading: int = 14, order: int = 12
) -> tuple[Float[Array, " N"], Float[Array, " N"]]:
    """Band quadrature (see `jaxthermo._junction._quadrature`) graded at both shifted levels
    (scale `Γ_j`), both chemical potentials (scale `T_α`) and the band edges; `uniform`
    extra equal panels for oscillating integrands (time-dependent quantities)."""
    e, w = shifted_levels(model)
    centres = jnp.concatenate([e, levels(model), model.chemical_potentials])
    widths = jnp.concatenate([w, w, model.temperatures])
    return band_quadrature(
        model.bandwidth, centres, widths, levels=grading, order=order, uniform=uniform
    )
