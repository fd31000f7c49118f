"""Exact solution of paper 004, Sec. III and App. B–D, and its exponential-propagator
approximation (EPA, Sec. IV B), by the band quadrature of `_quadrature.py`.

Conversions: the paper's `C^p_jk = Tr[ρ d_j† d_k]`; ours is `C = (C^p)ᵀ`, i.e.
`C_jk = ⟨d_k† d_j⟩`. The paper's Eq. (29) `C^p(t) = G†C^p(0)G + Z(t)` becomes
`C(t) = G C(0) G† + Zᵀ(t)` (`G` diagonal), with

    Z^p_jk(t) = ∫dω J(ω) F_jk(ω) A_j*(ω, t) A_k(ω, t),   A_k(ω, t) = ∫_0^t ds e^{iωs} G_k(s),

which is Eq. (30) after inserting Eq. (28) for the noise kernel (`A_k(ω, ∞) = πϕ_k + iϑ_k`,
Eq. (B12) with `e^{+iωt}`), and Eq. (32) at `t → ∞`.

The routines here take the EPA pole (`None` for the exact solution) and the quadrature
explicitly and do not check the model: the method objects (`_methods.py`) and the verbs do.
"""

import equinox as eqx
import jax
import jax.numpy as jnp

from .._contract import Currents
from .._custom_types import Array, Complex, Float
from ._model import (
    energy_distribution,
    hilbert_distribution,
    leading_levels,
    noise_matrix,
    occupations,
    rotation,
    shifted_levels,
    spectral_density,
    transmission,
)
from ._quadrature import Quadrature, band_nodes


POLES = ("leading", "shifted")


def pole_of(model, pole: str) -> tuple[Float[Array, " 2"], Float[Array, " 2"]]:
    """Energies and widths of the EPA propagator `G_j(t) ≈ e^{−iE_j t − Γ_j t/2}`:
    `"leading"`: `E_j, 2πJ_N(E_j)`, the leading order in `Γ/Ω`, as in Eq. (55) and Fig. 5;
    `"shifted"`: `E'_j, Γ_j` of Eq. (36), as in Eq. (53) and Fig. 4."""
    return leading_levels(model) if pole == "leading" else shifted_levels(model)


def _transpose(m):
    return jnp.swapaxes(m, -1, -2)


def weighted_noise(model, omega, weights):
    """Quadrature weights times `J(ω) F(ω)`, shape `(N, 2, 2)`: the measure of every noise
    integral (30), (32), (55)."""
    return (weights * spectral_density(model, omega))[:, None, None] * noise_matrix(model, omega)


def _noise_integral(model, omega, weights, a_left, a_right):
    """`Z^p_jk = Σ_ω w J F_jk conj(a_left_j) a_right_k` (paper convention)."""
    jf = weighted_noise(model, omega, weights)
    return jnp.einsum("njk,nj,nk->jk", jf, jnp.conj(a_left), a_right)


def stationary_correlation(
    model, pole: str | None, quadrature: Quadrature
) -> Complex[Array, "2 2"]:
    """Stationary correlation matrix in the energy basis, ours `C_jk = ⟨d_k† d_j⟩`.

    `pole=None` (exact): Eq. (32), `C^p_jk(∞) = ∫dω J F_jk (ϑ_j + iπϕ_j)(ϑ_k − iπϕ_k)`,
    transposed. Otherwise the same with `A_k(ω, ∞) = 1/(Γ_k/2 − i(ω − E_k))` of the EPA pole
    (the stationary state of the asymptotic EPA master equation). The stationary state is
    Gaussian with double occupancy `det C` (paper after Eq. (31)).
    """
    omega, weights = band_nodes(model, quadrature)
    if pole is None:
        a = jnp.pi * energy_distribution(model, omega) + 1j * hilbert_distribution(model, omega)
    else:
        e, w = pole_of(model, pole)
        a = 1.0 / (0.5 * w[None, :] - 1j * (omega[:, None] - e[None, :]))
    return _transpose(_noise_integral(model, omega, weights, a, a))


def lead_currents(model, jp, je) -> Currents:
    """`Currents` of the two leads from the left lead's `J^P`, `J^E` (`J_R = −J_L`)."""
    particle = jnp.stack([jp, -jp])
    energy = jnp.stack([je, -je])
    return Currents(particle, energy, energy - model.chemical_potentials * particle)


def landauer(model, quadrature: Quadrature) -> Currents:
    """Landauer formulae (43)–(44): `J^P_L = ∫dω T(ω)[f_L − f_R]`, `J^E_L = ∫dω ω T(ω)[f_L − f_R]`
    with the transmission (45); `J_R = −J_L` (stationary homogeneity)."""
    omega, weights = band_nodes(model, quadrature)
    f = occupations(model, omega)
    integrand = weights * transmission(model, omega) * (f[:, 0] - f[:, 1])
    return lead_currents(model, jnp.sum(integrand), jnp.sum(omega * integrand))


def boundary(model, quadrature: Quadrature) -> Currents:
    """Stationary boundary currents from the reservoir-side formulae (D4)–(D5) (general
    spectral density form, evaluated for the Newns density), for `L`; `R` by relabelling
    the sites. Independent of (43)–(45): used to check them."""
    omega, weights = band_nodes(model, quadrature)
    phi = energy_distribution(model, omega)
    theta = hilbert_distribution(model, omega)
    jw = weights * spectral_density(model, omega)
    f = noise_matrix(model, omega)
    r = rotation(model)
    j = spectral_density(model, omega)[:, None, None]
    bracket = phi[:, :, None] - j * (
        theta[:, :, None] * theta[:, None, :] + jnp.pi**2 * phi[:, :, None] * phi[:, None, :]
    )
    terms = jw[:, None, None] * f * bracket  # (N, 2, 2) over k, l

    def site(col):
        weight = r[:, col][:, None] * r[:, col][None, :]
        return 2 * jnp.pi * jnp.sum(weight[None] * terms, axis=(1, 2))

    per_omega = jnp.stack([site(0), site(1)], axis=-1)  # (N, 2) for α = L, R
    particle = jnp.sum(per_omega, axis=0)
    energy = jnp.sum(omega[:, None] * per_omega, axis=0)
    return Currents(particle, energy, energy - model.chemical_potentials * particle)


# --------------------------------------------------------------------------------------------
# Time dependence
# --------------------------------------------------------------------------------------------


def _sinc_kernel(x, t):
    """`∫_0^t ds e^{ixs} = (e^{ixt} − 1)/(ix) = t e^{ixt/2} sinc(xt/2)` (smooth at x = 0)."""
    return t * jnp.exp(0.5j * x * t) * jnp.sinc(x * t / (2 * jnp.pi))


def normalised_distribution(model, omega, weights) -> Float[Array, "N 2"]:
    """Quadrature weights times `ϕ_j(ω)`, normalised so that `Σ w ϕ_j = 1` exactly (the sum
    rule (26); the quadrature alone gives it to ~1e-10). Then `G_j(0) = 1` and an evolution's
    entry at its initial time is exactly its initial state."""
    wphi = weights[:, None] * energy_distribution(model, omega)
    return wphi / jnp.sum(wphi, axis=0, keepdims=True)


def propagator(model, ts, pole: str | None, quadrature: Quadrature) -> Complex[Array, "T 2"]:
    """`G_j(t) = ⟨0|d_j(t) d_j†|0⟩`: exact (`pole=None`), Eq. (24) `∫dω e^{−iωt} ϕ_j(ω)` by
    quadrature, or EPA, Eq. (53) `e^{−iE_j t − Γ_j t/2}` with the given pole."""
    if pole is not None:
        e, w = pole_of(model, pole)
        rate = (-1j * e - 0.5 * w).reshape((1,) * ts.ndim + (2,))
        return jnp.exp(rate * ts[..., None])
    omega, weights = band_nodes(model, quadrature, time_dependent=True)
    wphi = normalised_distribution(model, omega, weights)
    return jnp.exp(-1j * ts[..., None] * omega.reshape((1,) * ts.ndim + omega.shape)) @ wphi


class TimeLocalGenerator(eqx.Module):
    """Coefficients of the exact time-local master equation (47)–(51) in **our convention**
    (energy basis, `dC/dt = −i[H, C] − ½{Γ, C} + gain`, the transpose of Eq. (48)):
    `hamiltonian` `H(t)` (diagonal; `iH + Γ/2 = −G⁻¹∂_tG`, so `H ≈ diag(E_j)`), `decay`
    `Γ(t)` (diagonal), `gain` `Λ⁺(t)ᵀ` and `loss` `Λ⁻(t)ᵀ = Γ − Λ⁺ᵀ`: the loss and gain
    rate matrices of `RateMatrixBath` (the paper's `Λ±`, transposed).

    **Attributes:** `hamiltonian`, `decay`, `gain`, `loss`: `(T, 2, 2)` (leading axis: times).
    """

    hamiltonian: Float[Array, "T 2 2"]
    decay: Float[Array, "T 2 2"]
    gain: Complex[Array, "T 2 2"]
    loss: Complex[Array, "T 2 2"]


def evolution(model, c0, dts, pole: str | None, quadrature: Quadrature):
    """`(C(t), D(t), generator)` at the elapsed times `dts` from a product initial state with
    system covariance `c0` (ours, energy basis, Gaussian: `D(0) = det C(0)`) and thermal
    reservoirs (Eq. (20)).

    Exact (`pole=None`): Eqs. (29)–(31) with `G_j` from Eq. (24) and `A_k(ω, t) = ∫_0^t
    e^{iωs} G_k` as a double band integral `∫dω' ϕ_k(ω') (e^{i(ω−ω')t} − 1)/(i(ω − ω'))` (cost
    `O(N²)` per time, `N` quadrature nodes); the generator by Eq. (47) with `∂_t Z` in closed
    form. EPA: the same with `G_j` of Eq. (53) (`A_k` in closed form) and `Λ⁺(t)` of Eq. (54).
    """
    c0p = _transpose(c0).astype(complex)
    d0 = jnp.real(jnp.linalg.det(c0p))
    omega, weights = band_nodes(model, quadrature, time_dependent=True)
    wphi = normalised_distribution(model, omega, weights)
    jf = weighted_noise(model, omega, weights)
    if pole is not None:
        e, w = pole_of(model, pole)
        rate = -1j * e - 0.5 * w

    def at(t):
        if pole is None:
            phase = jnp.exp(-1j * omega * t)
            g = phase @ wphi
            dg = (-1j * omega * phase) @ wphi
            kernel = _sinc_kernel(omega[:, None] - omega[None, :], t)  # (ω, ω')
            a = kernel @ wphi  # A_k(ω, t), (N, 2)
        else:
            g = jnp.exp(rate * t)
            dg = rate * g
            x = 1j * omega[:, None] + rate[None, :]
            a = (jnp.exp(x * t) - 1) / x
        da = jnp.exp(1j * omega * t)[:, None] * g[None, :]
        z = jnp.einsum("njk,nj,nk->jk", jf, jnp.conj(a), a)
        dz = jnp.einsum("njk,nj,nk->jk", jf, jnp.conj(da), a)
        dz = dz + jnp.conj(dz.T)
        kappa = -dg / g  # iH + Γ/2
        ham, decay = jnp.imag(kappa), 2 * jnp.real(kappa)
        gain = (
            dz
            - 1j * (ham[:, None] - ham[None, :]) * z
            + 0.5 * (decay[:, None] + decay[None, :]) * z
        )
        cp = jnp.conj(g)[:, None] * c0p * g[None, :] + z
        d = (
            jnp.abs(g[0] * g[1]) ** 2 * d0
            + jnp.real(jnp.linalg.det(z))
            + jnp.real(
                jnp.sum(jnp.abs(g)[:, None] ** 2 * jnp.diag(z)[None, :] * jnp.diag(c0p)[:, None])
                - jnp.sum(jnp.conj(g)[:, None] * g[None, :] * z.T * c0p)
            )
        )
        gen = TimeLocalGenerator(jnp.diag(ham), jnp.diag(decay), gain.T, jnp.diag(decay) - gain.T)
        return _transpose(cp), d, gen

    return jax.lax.map(at, dts)
