"""Exact solution of paper 004, Sec. III and App. B–D, and its exponential-propagator
approximation (EPA, Sec. IV B), by the band quadrature of `_quadrature.py`.

Conversions: the paper's `C^p_jk = Tr[ρ d_j† d_k]`; ours is `C = (C^p)ᵀ`, i.e.
`C_jk = ⟨d_k† d_j⟩`. The paper's Eq. (29) `C^p(t) = G†C^p(0)G + Z(t)` becomes
`C(t) = G C(0) G† + Zᵀ(t)` (`G` diagonal), with

    Z^p_jk(t) = ∫dω J(ω) F_jk(ω) A_j*(ω, t) A_k(ω, t),   A_k(ω, t) = ∫_0^t ds e^{iωs} G_k(s),

which is Eq. (30) after inserting Eq. (28) for the noise kernel (`A_k(ω, ∞) = πϕ_k + iϑ_k`,
Eq. (B12) with `e^{+iωt}`, see ERRATA), and Eq. (32) at `t → ∞`.
"""

import equinox as eqx
import jax
import jax.numpy as jnp

from .._custom_types import Array, ArrayLike, Complex, Float
from ._model import (
    Junction,
    energy_distribution,
    hilbert_distribution,
    leading_levels,
    noise_matrix,
    occupations,
    quadrature,
    rotation,
    shifted_levels,
    spectral_density,
    transmission,
)


_APPROXIMATIONS = ("exact", "epa")
_POLES = ("shifted", "leading")


def _check_choice(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"`{name}` must be one of {allowed}, got {value!r}.")


def epa_pole(
    model: Junction, pole: str = "shifted"
) -> tuple[Float[Array, " 2"], Float[Array, " 2"]]:
    """Energies and widths of the EPA propagator `G_j(t) ≈ e^{−iE_j t − Γ_j t/2}`:
    `pole="shifted"`: `E'_j, Γ_j` of Eq. (36), as in Eq. (53) and Fig. 4;
    `pole="leading"`: `E_j, 2πJ_N(E_j)`, the leading order in `Γ/Ω`, as in Eq. (55) and
    Fig. 5. The two differ at `O(Γ/Ω)`."""
    _check_choice("pole", pole, _POLES)
    return shifted_levels(model) if pole == "shifted" else leading_levels(model)


def _transpose(m):
    return jnp.swapaxes(m, -1, -2)


# --------------------------------------------------------------------------------------------
# Stationary state and currents
# --------------------------------------------------------------------------------------------


def stationary_correlation(
    model: Junction, approximation: str = "exact", pole: str = "shifted"
) -> Complex[Array, "2 2"]:
    """Stationary correlation matrix in the energy basis, ours `C_jk = ⟨d_k† d_j⟩`.

    `"exact"`: Eq. (32), `C^p_jk(∞) = ∫dω J F_jk (ϑ_j + iπϕ_j)(ϑ_k − iπϕ_k)`, transposed.
    `"epa"`: the same with `A_k(ω, ∞) = 1/(Γ_k/2 − i(ω − E_k))` of the EPA pole `pole`
    (the stationary state of the asymptotic EPA master equation, see `asymptotic_rates`).
    The stationary state is Gaussian with double occupancy `det C` (paper after Eq. (31)).
    """
    _check_choice("approximation", approximation, _APPROXIMATIONS)
    model = model.checked()
    omega, weights = quadrature(model)
    if approximation == "exact":
        phi = energy_distribution(model, omega)
        theta = hilbert_distribution(model, omega)
        a = jnp.pi * phi + 1j * theta  # A_k(ω, ∞), (N, 2)
    else:
        e, w = epa_pole(model, pole)
        a = 1.0 / (0.5 * w[None, :] - 1j * (omega[:, None] - e[None, :]))
    return _transpose(_noise_integral(model, omega, weights, a, a))


def weighted_noise(model, omega, weights):
    """Quadrature weights times `J(ω) F(ω)`, shape `(N, 2, 2)`: the measure of every noise
    integral (30), (32), (55)."""
    return (weights * spectral_density(model, omega))[:, None, None] * noise_matrix(model, omega)


def _noise_integral(model, omega, weights, a_left, a_right):
    """`Z^p_jk = Σ_ω w J F_jk conj(a_left_j) a_right_k` (paper convention)."""
    jf = weighted_noise(model, omega, weights)
    return jnp.einsum("njk,nj,nk->jk", jf, jnp.conj(a_left), a_right)


class JunctionCurrents(eqx.Module):
    """Stationary currents from each reservoir `(L, R)` into the system (ours and the
    paper's sign): `particle` `J^P_α`, `energy` `J^E_α`, `heat` `J^Q_α = J^E_α − μ_α J^P_α`."""

    particle: Float[Array, " 2"]
    energy: Float[Array, " 2"]
    heat: Float[Array, " 2"]


def _currents(model, jp, je):
    particle = jnp.stack([jp, -jp])
    energy = jnp.stack([je, -je])
    return JunctionCurrents(particle, energy, energy - model.chemical_potentials * particle)


def landauer_currents(model: Junction) -> JunctionCurrents:
    """Landauer formulae (43)–(44): `J^P_L = ∫dω T(ω)[f_L − f_R]`, `J^E_L = ∫dω ω T(ω)[f_L − f_R]`
    with the transmission (45); `J_R = −J_L` (stationary homogeneity)."""
    model = model.checked()
    omega, weights = quadrature(model)
    f = occupations(model, omega)
    integrand = weights * transmission(model, omega) * (f[:, 0] - f[:, 1])
    return _currents(model, jnp.sum(integrand), jnp.sum(omega * integrand))


def boundary_currents(model: Junction) -> JunctionCurrents:
    """Stationary boundary currents from the reservoir-side formulae (D4)–(D5) (general
    spectral density form, evaluated for the Newns density), for `L`; `R` by relabelling
    the sites. Independent of (43)–(45): used to check them."""
    model = model.checked()
    omega, weights = quadrature(model)
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
    return JunctionCurrents(
        jnp.sum(per_omega, axis=0),
        jnp.sum(omega[:, None] * per_omega, axis=0),
        jnp.sum((omega[:, None] - model.chemical_potentials[None, :]) * per_omega, axis=0),
    )


# --------------------------------------------------------------------------------------------
# Time dependence
# --------------------------------------------------------------------------------------------


def _times(t) -> Array:
    t = jnp.asarray(t, dtype=jnp.result_type(float))
    if t.ndim > 1:
        raise ValueError(f"`t` must be a scalar or a 1-D array of times, got shape {t.shape}.")
    return t


def _sinc_kernel(x, t):
    """`∫_0^t ds e^{ixs} = (e^{ixt} − 1)/(ix) = t e^{ixt/2} sinc(xt/2)` (smooth at x = 0)."""
    return t * jnp.exp(0.5j * x * t) * jnp.sinc(x * t / (2 * jnp.pi))


def propagator(
    model: Junction,
    t: Float[ArrayLike, " T"],
    approximation: str = "exact",
    *,
    pole: str = "shifted",
    panels: int = 64,
) -> Complex[Array, " T 2"]:
    """`G_j(t) = ⟨0|d_j(t) d_j†|0⟩`: `"exact"`, Eq. (24) `∫dω e^{−iωt} ϕ_j(ω)` by quadrature
    (`panels` equal panels resolve the oscillation: keep `Ω t_max / panels ≲ 3`), or
    `"epa"`, Eq. (53) `e^{−iE_j t − Γ_j t/2}` with the pole `pole` (see `epa_pole`).
    `t ≥ 0` in units of 1/energy; shape `(T, 2)` (or `(2,)` for scalar `t`)."""
    _check_choice("approximation", approximation, _APPROXIMATIONS)
    ts = _times(t)
    model = model.checked()
    if approximation == "epa":
        e, w = epa_pole(model, pole)
        rate = (-1j * e - 0.5 * w).reshape((1,) * ts.ndim + (2,))
        return jnp.exp(rate * ts[..., None])
    omega, weights = quadrature(model, uniform=panels)
    wphi = weights[:, None] * energy_distribution(model, omega)
    return jnp.exp(-1j * ts[..., None] * omega.reshape((1,) * ts.ndim + omega.shape)) @ wphi


class TimeLocalGenerator(eqx.Module):
    """Coefficients of the exact time-local master equation (47)–(51) in **our convention**
    (energy basis, `dC/dt = −i[H, C] − ½{Γ, C} + gain`, the transpose of Eq. (48)):
    `hamiltonian` `H(t)` (diagonal; `iH + Γ/2 = −G⁻¹∂_tG`, so `H ≈ diag(E_j)`), `decay`
    `Γ(t)` (diagonal), `gain` `Λ⁺(t)ᵀ` and `loss` `Λ⁻(t)ᵀ = Γ − Λ⁺ᵀ`: the loss and gain
    rate matrices of `RateMatrixBath` (the paper's `Λ±`, transposed). Leading axis: times."""

    hamiltonian: Float[Array, "T 2 2"]
    decay: Float[Array, "T 2 2"]
    gain: Complex[Array, "T 2 2"]
    loss: Complex[Array, "T 2 2"]


class Trajectory(eqx.Module):
    """`correlation(t)` (ours, energy basis, `(T, 2, 2)`), `double_occupancy(t)` (Eq. (31),
    `(T,)`) and the time-local generator at the same times."""

    correlation: Complex[Array, "T 2 2"]
    double_occupancy: Float[Array, " T"]
    generator: TimeLocalGenerator


def evolve(
    model: Junction,
    t: Float[ArrayLike, " T"],
    correlation0: Complex[ArrayLike, "2 2"] | None = None,
    double_occupancy0: Float[ArrayLike, ""] | None = None,
    approximation: str = "exact",
    *,
    pole: str = "shifted",
    panels: int = 64,
) -> Trajectory:
    """System state at times `t` from a product initial state (reservoirs thermal, Eq. (20)).

    - `correlation0`: `C(0)`, ours, energy basis (default vacuum); `double_occupancy0`:
      `D(0)` (default `det C(0)`, i.e. a Gaussian initial state).
    - `"exact"`: Eqs. (29)–(31) with `G_j` from Eq. (24) and `A_k(ω, t) = ∫_0^t e^{iωs} G_k`
      as a double band integral `∫dω' ϕ_k(ω') (e^{i(ω−ω')t} − 1)/(i(ω − ω'))` (cost
      `O(N²)` per time, `N` quadrature nodes); the generator by Eq. (47) with `∂_t Z` in
      closed form. `"epa"`: the same with `G_j` of Eq. (53) (`A_k` in closed form) and
      `Λ⁺(t)` of Eq. (54).
    `panels` equal panels resolve the `e^{iωt}` oscillation (`Ω t_max / panels ≲ 3`).
    """
    _check_choice("approximation", approximation, _APPROXIMATIONS)
    ts = _times(t)
    scalar = ts.ndim == 0
    ts = jnp.atleast_1d(ts)
    model = model.checked()
    c0 = jnp.zeros((2, 2), complex) if correlation0 is None else jnp.asarray(correlation0)
    if c0.shape != (2, 2):
        raise ValueError(f"`correlation0` must have shape (2, 2), got {c0.shape}.")
    c0p = _transpose(c0).astype(complex)
    d0 = (
        jnp.real(jnp.linalg.det(c0p))
        if double_occupancy0 is None
        else jnp.asarray(double_occupancy0)
    )
    omega, weights = quadrature(model, uniform=panels)
    phi = energy_distribution(model, omega)
    jf = weighted_noise(model, omega, weights)
    if approximation == "epa":
        e, w = epa_pole(model, pole)
        rate = -1j * e - 0.5 * w

    def at(t):
        if approximation == "exact":
            phase = jnp.exp(-1j * omega * t)
            g = phase @ (weights[:, None] * phi)
            dg = (-1j * omega * phase) @ (weights[:, None] * phi)
            kernel = _sinc_kernel(omega[:, None] - omega[None, :], t)  # (ω, ω')
            a = kernel @ (weights[:, None] * phi)  # A_k(ω, t), (N, 2)
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

    c, d, gen = jax.lax.map(at, ts)
    if scalar:
        c, d, gen = c[0], d[0], jax.tree_util.tree_map(lambda x: x[0], gen)
    return Trajectory(c, d, gen)
