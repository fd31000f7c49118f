"""Asymptotic master equation of paper 004 (Sec. V): rate matrices `Λ±` (55), the
decompositions `L = L_L + L_R + L_int` (56)–(67) and `L = L̄_L + L̄_R + L̄_LR` (69)–(75),
canonical rates (52), asymptotic non-Markovianity `ν∞` (82), the Spohn second-law check
(63)–(64), and the bridge to the Gaussian engine (`QuadraticModel`).

All Sec. V quantities use the EPA; `jaxthermo.junction.EPA()` defaults to the leading-order
pole `(E_j, Γ_j = 2πJ_N(E_j))` as printed in Eq. (55) (`EPA(pole="shifted")` for Eq. (36)'s
pole). Every rate matrix is returned in **our** index order (the paper's transposed), i.e. as
`RateMatrixBath`'s `loss` `Λ⁻` and `gain` `Λ⁺`. The routines here take the pole and the
quadrature explicitly and do not check the model (the public wrappers do).
"""

import equinox as eqx
import jax.numpy as jnp

from .._baths import RateMatrixBath
from .._contract import Currents
from .._custom_types import Array, Complex, Float
from .._gaussian import gaussian_function
from .._linalg import matrix_function
from .._quadratic import QuadraticModel
from ._model import occupations, rotation, spectral_density, splitting
from ._quadrature import Quadrature, band_nodes
from ._solution import pole_of, stationary_correlation, weighted_noise


class RateMatrices(eqx.Module):
    """Loss `Λ⁻` and gain `Λ⁺` rate matrices (ours: the paper's transposed), energy basis.

    **Attributes:** `loss`, `gain`: `(..., 2, 2)` (rates per unit time; eigenvalues `(..., 2)`
    when returned by `canonical_rates`).
    """

    loss: Complex[Array, "2 2"]
    gain: Complex[Array, "2 2"]


def _epa_distribution(model, omega, pole):
    """`ϕ^EPA_j(ω) = J_N(ω) / ((ω − E_j)² + Γ_j²/4)` of the EPA pole (the paper's ϕ_j to
    leading order in Γ/Ω); with it the decomposition (56) is an identity."""
    e, w = pole_of(model, pole)
    return spectral_density(model, omega)[:, None] / (
        (omega[:, None] - e[None, :]) ** 2 + 0.25 * w[None, :] ** 2
    )


def asymptotic_rate_matrices(model, pole: str, quadrature: Quadrature) -> RateMatrices:
    """Eq. (55): `Λ⁺_jk = i∫dω J_N F_jk [1/(E_j − ω + iΓ_j/2) − 1/(E_k − ω − iΓ_k/2)]`,
    `Λ⁻ = diag(Γ_j) − Λ⁺` (paper convention), returned transposed (ours). Hermitian but not
    necessarily positive: negative eigenvalues are asymptotic non-Markovianity (82)."""
    omega, weights = band_nodes(model, quadrature)
    e, w = pole_of(model, pole)
    jf = weighted_noise(model, omega, weights)
    left = 1.0 / (e[None, :] - omega[:, None] + 0.5j * w[None, :])  # (N, j)
    right = 1.0 / (e[None, :] - omega[:, None] - 0.5j * w[None, :])  # (N, k)
    gain_p = 1j * jnp.sum(jf * (left[:, :, None] - right[:, None, :]), axis=0)
    gain_p = 0.5 * (gain_p + jnp.conj(gain_p.T))  # exact up to rounding
    loss_p = jnp.diag(w).astype(gain_p.dtype) - gain_p
    return RateMatrices(loss_p.T, gain_p.T)


class BathRates(eqx.Module):
    """Eq. (58): the rates of the thermalising generators `L_α` (57), with
    `Γ_{α,j} = Γ_j R_{jα}²`.

    **Attributes:** `gain[α, j] = γ⁺_{α,j}`, `loss[α, j] = γ⁻_{α,j}` (α = L, R; j = 1, 2),
    `(2, 2)` each, rates per unit time.
    """

    loss: Float[Array, "2 2"]
    gain: Float[Array, "2 2"]


class Decomposition(eqx.Module):
    """`L = L_L + L_R + L_int` (56) and the local-basis split (69)–(75).

    **Attributes:** `baths` (58, a `BathRates`); `interference = Λ⁺_12 = ξ + iη` (paper
    convention, Eqs. (65)–(67)); `local_loss[α] = γ̄⁻_α`, `local_gain[α] = γ̄⁺_α` (70); the
    cross rates `cross_gain = Λ̄⁺_LR`, `cross_loss = Λ̄⁻_LR` (paper convention, (72)–(75)).
    """

    baths: BathRates
    interference: Complex[Array, ""]
    local_loss: Float[Array, " 2"]
    local_gain: Float[Array, " 2"]
    cross_gain: Complex[Array, ""]
    cross_loss: Complex[Array, ""]


def bath_decomposition(model, pole: str, quadrature: Quadrature) -> Decomposition:
    """Eqs. (57)–(58), (66)–(67) (with `g/(4Δ)` in (66), see the conventions page) and
    (70)–(75), all with `ϕ_j → ϕ^EPA_j` and bare normalisation integrals `∫ϕ_j` set to 1
    (Eq. (26)), so that `L_L + L_R + L_int` and `L̄_L + L̄_R + L̄_LR` reproduce
    `asymptotic_rates` exactly (the paper's exact `ϕ_j` in (58) differs at `O(Γ/Ω)`); each
    `L_α`'s fixed point is then Eq. (59), `c_j = ∫ϕ_j f_α`."""
    omega, weights = band_nodes(model, quadrature)
    e, w = pole_of(model, pole)
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
    `(..., 2)` each, ascending. Works on time-dependent rates (leading axes) too.

    **Arguments:** `rates` (a `RateMatrices`, any leading axes).

    **Returns:** a `RateMatrices` of eigenvalues.
    """
    return RateMatrices(
        _hermitian_eigenvalues_2x2(rates.loss), _hermitian_eigenvalues_2x2(rates.gain)
    )


def non_markovianity(rates: RateMatrices) -> Float[Array, "..."]:
    """Eq. (82): `ν = Σ_{s=±} Σ_j max(0, −λ^s_j)` from loss/gain rate matrices (asymptotic
    ones from `asymptotic_rates`, or time-dependent ones from `evolve(...).generator`).

    **Arguments:** `rates` (a `RateMatrices`).

    **Returns:** `ν`, shape of the leading axes (rates per unit time).
    """
    lam = canonical_rates(rates)
    return jnp.sum(jnp.maximum(0.0, -lam.loss), -1) + jnp.sum(jnp.maximum(0.0, -lam.gain), -1)


def epa_quadratic_model(model, additive: bool, pole: str, quadrature: Quadrature) -> QuadraticModel:
    """The asymptotic EPA master equation as a `QuadraticModel` in the energy basis:
    `H = diag(E_j)` of the pole, `baths = (RateMatrixBath(Λ⁻, Λ⁺),)` from Eq. (55)
    (`additive=False`), or the additive model `L_L + L_R` of Eq. (57) with `L_int = 0` as two
    diagonal `RateMatrixBath`s, one per reservoir (`additive=True`)."""
    e, _ = pole_of(model, pole)
    h = jnp.diag(e)
    if not additive:
        rates = asymptotic_rate_matrices(model, pole, quadrature)
        bath = RateMatrixBath(rates.loss, rates.gain, positive=False)
        return QuadraticModel(h, (bath,), statistics="fermion")
    split = bath_decomposition(model, pole, quadrature).baths
    baths = tuple(
        RateMatrixBath(jnp.diag(split.loss[a]), jnp.diag(split.gain[a])) for a in range(2)
    )
    return QuadraticModel(h, baths, statistics="fermion")


def _thermalising_flows(c, split):
    """`Ċ_α = −½{G_α, C} + F_α` for each thermalising generator `L_α` (57):
    `G_α = diag(γ⁻ + γ⁺)`, `F_α = diag(γ⁺)`; shape `(2, 2, 2)` (α, j, k)."""

    def one(loss, gain):
        g = loss + gain
        return -0.5 * (g[:, None] + g[None, :]) * c + jnp.diag(gain)

    return jnp.stack([one(split.loss[a], split.gain[a]) for a in range(2)])


def epa_currents(model, c, pole: str, quadrature: Quadrature) -> Currents:
    """Per-lead currents of the asymptotic EPA generator in the state `c` (paper 004
    Eqs. (61)–(62)): `J^P_α = ⟨L_α†N̂_S⟩`, `J^E_α = ⟨L_α†Ĥ_S⟩` with the thermalising generators
    `L_α` of Eq. (57) and `Ĥ_S = Σ_j E_j d_j†d_j` (the pole's energies); `J^Q_α = J^E_α −
    μ_α J^P_α` (Eq. (64)). At the stationary state of the full generator they sum to zero."""
    split = bath_decomposition(model, pole, quadrature).baths
    e, _ = pole_of(model, pole)
    dn = jnp.real(jnp.diagonal(_thermalising_flows(c, split), axis1=1, axis2=2))  # (α, j)
    particle = jnp.sum(dn, axis=1)
    energy = jnp.sum(e[None, :] * dn, axis=1)
    return Currents(particle, energy, energy - model.chemical_potentials * particle)


class SecondLaw(eqx.Module):
    """Eqs. (63)–(64) at the stationary state of the full asymptotic generator.

    **Attributes:** `spohn[α] = Tr{[ln r_α − ln ρ] L_α ρ} ≥ 0` (63) for the thermalising
    generators (57); `heat[α] = ⟨L_α†(Ĥ_S − μ_α N̂_S)⟩`; `entropy_production =
    −Σ_α β_α heat[α]`, whose ratio to `Γ` is ≥ 0 as `Γ → 0` (64).
    """

    spohn: Float[Array, " 2"]
    heat: Float[Array, " 2"]
    entropy_production: Float[Array, ""]


def epa_second_law(model, pole: str, quadrature: Quadrature) -> SecondLaw:
    """Spohn rates (63) and the entropy production (64) of the asymptotic generator, for
    Gaussian states from correlation matrices (ours): with `Ċ_α = −½{G_α, C} + F_α` the flow
    of `L_α` (`G_α = diag(γ⁻ + γ⁺)`, `F_α = diag(γ⁺)`), `d S/dt|_α = Tr[ln((1 − C)C⁻¹) Ċ_α]`
    and `Tr[ρ ln r_α]` changes by `−Σ_j ln((1 − c_j)/c_j) Ċ_α,jj`, `c_j = γ⁺_{α,j}/(γ⁺+γ⁻)`."""
    c = stationary_correlation(model, pole, quadrature)
    split = bath_decomposition(model, pole, quadrature).baths
    log_ratio = matrix_function(0.5 * (c + jnp.conj(c.T)), gaussian_function("fermion", "modular"))
    flows = _thermalising_flows(c, split)
    spohn = []
    for a in range(2):
        fixed = split.gain[a] / (split.loss[a] + split.gain[a])
        ds = jnp.real(jnp.trace(log_ratio @ flows[a]))
        dref = -jnp.sum(jnp.log((1 - fixed) / fixed) * jnp.real(jnp.diag(flows[a])))
        spohn.append(ds + dref)
    heat = epa_currents(model, c, pole, quadrature).heat
    return SecondLaw(jnp.stack(spohn), heat, -jnp.sum(heat / model.temperatures))
