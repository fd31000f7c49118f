"""Asymptotic master equation of paper 004 (Sec. V): rate matrices `Λ±` (55), the
decompositions `L = L_L + L_R + L_int` (56)–(67) and `L = L̄_L + L̄_R + L̄_LR` (69)–(75),
canonical rates (52), asymptotic non-Markovianity `ν∞` (82), the Spohn second-law check
(63)–(64), and the bridge to the Gaussian engine (`QuadraticModel`).

All Sec. V quantities use the EPA with the leading-order pole `(E_j, Γ_j = 2πJ_N(E_j))`
as printed in Eq. (55) (pass `pole="shifted"` for Eq. (36)'s pole). Every rate matrix is
returned in **our** index order (the paper's transposed), i.e. as `RateMatrixBath`'s
`loss` `Λ⁻` and `gain` `Λ⁺`.
"""

import equinox as eqx
import jax.numpy as jnp

from .._baths import RateMatrixBath
from .._custom_types import Array, Complex, Float
from .._quadratic import QuadraticModel
from ._model import (
    Junction,
    occupations,
    quadrature,
    rotation,
    spectral_density,
    splitting,
)
from ._solution import epa_pole, stationary_correlation, weighted_noise


class RateMatrices(eqx.Module):
    """Loss `Λ⁻` and gain `Λ⁺` rate matrices (ours: the paper's transposed), energy basis."""

    loss: Complex[Array, "2 2"]
    gain: Complex[Array, "2 2"]


def _epa_distribution(model, omega, pole):
    """`ϕ^EPA_j(ω) = J_N(ω) / ((ω − E_j)² + Γ_j²/4)` of the EPA pole (the paper's ϕ_j to
    leading order in Γ/Ω); with it the decomposition (56) is an identity."""
    e, w = epa_pole(model, pole)
    return spectral_density(model, omega)[:, None] / (
        (omega[:, None] - e[None, :]) ** 2 + 0.25 * w[None, :] ** 2
    )


def asymptotic_rates(model: Junction, pole: str = "leading") -> RateMatrices:
    """Eq. (55): `Λ⁺_jk = i∫dω J_N F_jk [1/(E_j − ω + iΓ_j/2) − 1/(E_k − ω − iΓ_k/2)]`,
    `Λ⁻ = diag(Γ_j) − Λ⁺` (paper convention), returned transposed (ours). Hermitian but not
    necessarily positive: negative eigenvalues are asymptotic non-Markovianity (82)."""
    model = model.checked()
    omega, weights = quadrature(model)
    e, w = epa_pole(model, pole)
    jf = weighted_noise(model, omega, weights)
    left = 1.0 / (e[None, :] - omega[:, None] + 0.5j * w[None, :])  # (N, j)
    right = 1.0 / (e[None, :] - omega[:, None] - 0.5j * w[None, :])  # (N, k)
    gain_p = 1j * jnp.sum(jf * (left[:, :, None] - right[:, None, :]), axis=0)
    gain_p = 0.5 * (gain_p + jnp.conj(gain_p.T))  # exact up to rounding
    loss_p = jnp.diag(w).astype(gain_p.dtype) - gain_p
    return RateMatrices(loss_p.T, gain_p.T)


class BathRates(eqx.Module):
    """Eq. (58): `gain[α, j] = γ⁺_{α,j}`, `loss[α, j] = γ⁻_{α,j}` (α = L, R; j = 1, 2), the
    rates of the thermalising generators `L_α` (57), with `Γ_{α,j} = Γ_j R_{jα}²`."""

    loss: Float[Array, "2 2"]
    gain: Float[Array, "2 2"]


class Decomposition(eqx.Module):
    """`L = L_L + L_R + L_int` (56): `baths` (58) and the interference coefficient
    `interference = Λ⁺_12 = ξ + iη` (paper convention, Eqs. (65)–(67)); local-basis split
    (69)–(75): `local_loss[α] = γ̄⁻_α`, `local_gain[α] = γ̄⁺_α` (70) and the cross rates
    `cross_gain = Λ̄⁺_LR`, `cross_loss = Λ̄⁻_LR` (paper convention, (72)–(75))."""

    baths: BathRates
    interference: Complex[Array, ""]
    local_loss: Float[Array, " 2"]
    local_gain: Float[Array, " 2"]
    cross_gain: Complex[Array, ""]
    cross_loss: Complex[Array, ""]


def decomposition(model: Junction, pole: str = "leading") -> Decomposition:
    """Eqs. (57)–(58), (66)–(67) (with `g/(4Δ)` in (66), see ERRATA) and (70)–(75), all with
    `ϕ_j → ϕ^EPA_j` and bare normalisation integrals `∫ϕ_j` set to 1 (Eq. (26)), so that
    `L_L + L_R + L_int` and `L̄_L + L̄_R + L̄_LR` reproduce `asymptotic_rates` exactly (the
    paper's exact `ϕ_j` in (58) differs at `O(Γ/Ω)`); each `L_α`'s fixed point is then
    Eq. (59), `c_j = ∫ϕ_j f_α`."""
    model = model.checked()
    omega, weights = quadrature(model)
    e, w = epa_pole(model, pole)
    phi = _epa_distribution(model, omega, pole)  # Γ_j ∫ϕ^EPA F_jj = Λ⁺_jj of (55)
    f = occupations(model, omega)  # (N, α)
    r = rotation(model)
    share = w[None, :] * (r**2).T  # Γ_{α,j} = Γ_j R_{jα}², (α, j)
    integral_f = jnp.einsum("n,nj,na->aj", weights, phi, f)
    gain = share * integral_f
    loss = share * (1 - integral_f)  # ∫ϕ(1 − f) with the normalisation (26) ∫ϕ = 1
    d = splitting(model)
    df = f[:, 0] - f[:, 1]
    xi = model.g / (4 * d) * jnp.sum(weights * (phi @ w) * df)
    eta = (
        model.g
        / (2 * d)
        * jnp.sum(weights * ((e[0] - omega) * phi[:, 0] - (e[1] - omega) * phi[:, 1]) * df)
    )
    diff = w[1] * phi[:, 1] - w[0] * phi[:, 0]
    re_plus = model.g / (4 * d) * jnp.sum(weights * diff * (f[:, 0] + f[:, 1]))
    re_minus = (
        model.g / (4 * d) * (2 * (w[1] - w[0]) - jnp.sum(weights * diff * (f[:, 0] + f[:, 1])))
    )
    return Decomposition(
        BathRates(loss, gain),
        xi + 1j * eta,
        jnp.sum(loss, axis=1),
        jnp.sum(gain, axis=1),
        re_plus + 1j * eta,
        re_minus - 1j * eta,
    )


def _hermitian_eigenvalues_2x2(m: Complex[Array, "... 2 2"]) -> Float[Array, "... 2"]:
    """Eigenvalues (ascending) of a Hermitian 2×2 matrix in closed form, with a finite
    gradient at degeneracy (where `eigvalsh`'s is not)."""
    a = jnp.real(m[..., 0, 0])
    d = jnp.real(m[..., 1, 1])
    disc = (a - d) ** 2 + 4 * jnp.abs(m[..., 0, 1]) ** 2
    positive = disc > 0
    root = jnp.where(positive, jnp.sqrt(jnp.where(positive, disc, 1.0)), 0.0)
    mean = 0.5 * (a + d)
    return jnp.stack([mean - 0.5 * root, mean + 0.5 * root], axis=-1)


def canonical_rates(rates: RateMatrices) -> RateMatrices:
    """Eq. (52): eigenvalues `λ⁻_j` (`loss`) and `λ⁺_j` (`gain`) of the rate matrices, shape
    `(..., 2)` each, ascending. Works on time-dependent rates (leading axes) too."""
    return RateMatrices(
        _hermitian_eigenvalues_2x2(rates.loss), _hermitian_eigenvalues_2x2(rates.gain)
    )


def non_markovianity(rates: RateMatrices) -> Float[Array, "..."]:
    """Eq. (82): `ν = Σ_{s=±} Σ_j max(0, −λ^s_j)` from loss/gain rate matrices (asymptotic
    ones from `asymptotic_rates`, or time-dependent ones from `evolve(...).generator`)."""
    lam = canonical_rates(rates)
    return jnp.sum(jnp.maximum(0.0, -lam.loss), -1) + jnp.sum(jnp.maximum(0.0, -lam.gain), -1)


def asymptotic_non_markovianity(model: Junction, pole: str = "leading") -> Float[Array, ""]:
    """`ν∞` of Eq. (82) from the EPA rate matrices (55), as in Fig. 5 (units of energy; the
    figure's colour scale is `ν∞` for `Γ = 0.01`)."""
    return non_markovianity(asymptotic_rates(model, pole))


def quadratic_model(
    model: Junction, additive: bool = False, pole: str = "leading"
) -> QuadraticModel:
    """The asymptotic EPA master equation as a `QuadraticModel` in the energy basis:
    `H = diag(E_j)` of the pole, `baths = (RateMatrixBath(Λ⁻, Λ⁺),)` from Eq. (55)
    (`additive=False`), or the additive model `L_L + L_R` of Eq. (57) with `L_int = 0`
    as two diagonal `RateMatrixBath`s, one per reservoir (`additive=True`) so that
    `jt.currents` gives per-reservoir currents `⟨L_α†N̂_S⟩`, `⟨L_α†Ĥ_S⟩` (Eqs. (61)–(62)).
    The full model's `steady_state` is `stationary_correlation(model, "epa", pole)`."""
    e, _ = epa_pole(model, pole)
    h = jnp.diag(e)
    if not additive:
        rates = asymptotic_rates(model, pole)
        bath = RateMatrixBath(rates.loss, rates.gain, positive=False)
        return QuadraticModel(h, (bath,), statistics="fermion")
    split = decomposition(model, pole).baths
    baths = tuple(
        RateMatrixBath(jnp.diag(split.loss[a]), jnp.diag(split.gain[a])) for a in range(2)
    )
    return QuadraticModel(h, baths, statistics="fermion")


class SecondLaw(eqx.Module):
    """Eqs. (63)–(64) at the stationary state of the full asymptotic generator:
    `spohn[α] = Tr{[ln r_α − ln ρ] L_α ρ} ≥ 0` (63) for the thermalising generators (57);
    `heat[α] = ⟨L_α†(Ĥ_S − μ_α N̂_S)⟩` and `entropy_production = −Σ_α β_α heat[α]`, whose
    ratio to `Γ` is ≥ 0 as `Γ → 0` (64)."""

    spohn: Float[Array, " 2"]
    heat: Float[Array, " 2"]
    entropy_production: Float[Array, ""]


def second_law(model: Junction, pole: str = "leading") -> SecondLaw:
    """Spohn rates (63) and the entropy production (64) of the asymptotic generator, for
    Gaussian states from correlation matrices (ours): with `Ċ_α = −½{G_α, C} + F_α` the flow
    of `L_α` (`G_α = diag(γ⁻ + γ⁺)`, `F_α = diag(γ⁺)`), `d S/dt|_α = Tr[ln((1 − C)C⁻¹) Ċ_α]`
    and `Tr[ρ ln r_α]` changes by `−Σ_j ln((1 − c_j)/c_j) Ċ_α,jj`, `c_j = γ⁺_{α,j}/(γ⁺+γ⁻)`."""
    c = stationary_correlation(model, "epa", pole)
    split = decomposition(model, pole).baths
    e, _ = epa_pole(model, pole)
    evals, evecs = jnp.linalg.eigh(c)
    log_ratio = (evecs * jnp.log((1 - evals) / evals)[None, :]) @ jnp.conj(evecs.T)

    def per_bath(loss, gain):
        g = loss + gain
        dc = -0.5 * (g[:, None] + g[None, :]) * c + jnp.diag(gain)
        fixed = gain / g
        ds = jnp.real(jnp.trace(log_ratio @ dc))
        dref = -jnp.sum(jnp.log((1 - fixed) / fixed) * jnp.real(jnp.diag(dc)))
        return ds + dref, jnp.real(jnp.diag(dc))

    spohn, dn = zip(*(per_bath(split.loss[a], split.gain[a]) for a in range(2)), strict=True)
    dn = jnp.stack(dn)  # (α, j)
    heat = jnp.sum((e[None, :] - model.chemical_potentials[:, None]) * dn, axis=1)
    return SecondLaw(jnp.stack(spohn), heat, -jnp.sum(heat / model.temperatures))
