"""Currents and non-equilibrium diagnostics of few-level systems (paper 003, Secs. II–VI).

Signs: `MicroCurrents` keep the paper's sign (Eq. 38: `J_{j,mn} > 0` when quanta of frequency
`ε_m - ε_n` flow *into field j*); `FieldCurrents` use the package-wide sign (positive from the
field *into the system*), `J^P_j = -Σ_{m>n} J_{j,mn}`.
"""

from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp

from .._custom_types import Array, ArrayLike, Complex, Float, Inexact
from ._fields import ConstantInverseTemperature
from ._master import (
    FewLevelModel,
    StationaryState,
    Transitions,
    _hamiltonian_superoperator,
    liouvillian,
    stationary_density,
    stationary_state,
    to_eigenbasis,
    transitions,
)


def _eigen_density(table: Transitions, state) -> Complex[Array, "d d"]:
    if isinstance(state, StationaryState):
        return state.eigenbasis_density_matrix.astype(table.amplitude.dtype)
    rho = jnp.asarray(state)
    d = table.energies.shape[0]
    if rho.shape != (d, d):
        raise ValueError(f"`state` must be a ({d}, {d}) density matrix, got shape {rho.shape}.")
    return to_eigenbasis(table, rho)


class MicroCurrents(eqx.Module):
    """Micro-currents of paper 003 Eq. (38), one per field and Bohr transition.

    **Attributes:** `particle` `(F, d, d)`: `[j, m, n] = J_{j,mn} = Γ↓ ρ_mm - Γ↑ ρ_nn`, the net
    number of quanta of frequency `ε_m - ε_n` emitted per unit time into field j, for
    `ε_m > ε_n` (levels ascending; zero for other pairs); `energy`: `(ε_m - ε_n) J_{j,mn}`.
    Populations are those in the eigenbasis of `H_S` (exact for the secular generator with
    non-degenerate levels, where stationary coherences vanish).
    """

    particle: Float[Array, "F d d"]
    energy: Float[Array, "F d d"]

    @property
    def level_currents(self) -> Float[Array, " d"]:
        """`J_m = Σ_j (Σ_{n<m} J_{j,mn} - Σ_{n>m} J_{j,nm}) = -dρ_mm/dt` (paper Eq. 41)."""
        total = jnp.sum(self.particle, axis=0)
        return jnp.sum(total, axis=1) - jnp.sum(total, axis=0)

    @property
    def pair_currents(self) -> Float[Array, "d d"]:
        """`Σ_j J_{j,mn}` (paper Eq. 47a): zero for every pair iff detailed balance holds."""
        return jnp.sum(self.particle, axis=0)


def micro_currents(model: FewLevelModel, state) -> MicroCurrents:
    """Micro-currents `J_{j,mn}` and `J^E_{j,mn}` (paper 003 Eq. 38, with `|D_nm|²` in the
    rates, cf. ERRATA on 38c) in a `StationaryState` or any density matrix `state` (basis of
    `H_S` as given; then they are the instantaneous currents of Eqs. 38a–b)."""
    table = transitions(model)
    p = jnp.real(jnp.diagonal(_eigen_density(table, state)))
    r = table.pauli_rates  # [j, n, m] rate m → n
    down = table.bohr.T > table.tolerance  # [m, n]: ε_m > ε_n
    emitted = jnp.swapaxes(r, 1, 2) * p[None, :, None]  # [j, m, n] = R_j[n, m] p_m
    absorbed = r * p[None, None, :]  # [j, m, n] = R_j[m, n] p_n
    particle = jnp.where(down[None], emitted - absorbed, 0.0)
    energy = particle * jnp.where(down, table.bohr.T, 0.0)[None]
    return MicroCurrents(particle, energy)


class FieldCurrents(eqx.Module):
    """Currents between each field and the system, **positive into the system**, in the order
    of `model.fields`: `particle` (`-Σ_{m>n} J_{j,mn}`, quanta), `energy` (`-Σ_{m>n} J^E_{j,mn}`),
    `heat` (`J^E - μ_j J^P`)."""

    particle: Float[Array, " F"]
    energy: Float[Array, " F"]
    heat: Float[Array, " F"]


def field_currents(model: FewLevelModel, state) -> FieldCurrents:
    """Macroscopic currents (Spohn–Lebowitz; sums of the micro-currents, paper Eq. 43) of
    every field, positive into the system."""
    micro = micro_currents(model, state)
    particle = -jnp.sum(micro.particle, axis=(1, 2))
    energy = -jnp.sum(micro.energy, axis=(1, 2))
    mu = jnp.stack([f.chemical_potential for f in model.fields]).astype(energy.dtype)
    return FieldCurrents(particle, energy, energy - mu * particle)


def generator_energy_currents(
    model: FewLevelModel, state, generator: str = "secular"
) -> Float[Array, " F"]:
    """`J^E_j = Tr[H_S L_j(ρ)]` from each field's own dissipator (into the system; valid for
    any state and for the Bloch–Redfield generator too)."""
    table = transitions(model)
    rho = _eigen_density(table, state)
    d = table.energies.shape[0]
    vec = rho.reshape(d * d)
    out = []
    for j in range(len(model.fields)):
        lj = liouvillian(table, generator, fields=(j,), include_hamiltonian=False)
        out.append(jnp.real(jnp.sum(table.energies * jnp.diagonal((lj @ vec).reshape(d, d)))))
    return jnp.stack(out)


def kolmogorov_violation(model: FewLevelModel) -> Float[Array, ""]:
    """The detailed-balance test of paper 003 Eq. (26) on the total Pauli rates `Γ`: the
    largest `|ln(Γ_ab Γ_bc Γ_ca / (Γ_ba Γ_cb Γ_ac))|` over all triangles of levels whose six
    rates are positive (Kolmogorov's cycle criterion; 0 when the rates satisfy detailed
    balance, or when there is no triangle)."""
    table = transitions(model)
    r = jnp.sum(table.pauli_rates, axis=0)  # [n, m]: m → n
    d = r.shape[0]
    pos = r > 0
    logr = jnp.log(jnp.where(pos, r, 1.0))
    # cycle a → b → c → a: r[b,a] r[c,b] r[a,c]
    fwd = logr.T[:, :, None] + logr.T[None, :, :] + logr[:, None, :]
    bwd = logr[:, :, None] + logr[None, :, :] + logr.T[:, None, :]
    valid = (pos & pos.T)[:, :, None] & (pos & pos.T)[None, :, :] & (pos & pos.T).T[:, None, :]
    idx = jnp.arange(d)
    distinct = (
        (idx[:, None, None] != idx[None, :, None])
        & (idx[None, :, None] != idx[None, None, :])
        & (idx[:, None, None] != idx[None, None, :])
    )
    return jnp.max(jnp.where(valid & distinct, jnp.abs(fwd - bwd), 0.0), initial=0.0)


def detailed_balance_matrix(
    model: FewLevelModel, state, generator: str = "secular"
) -> Float[Array, "d d"]:
    """`M_ab = tr(ρ P_a L(P_b)) - tr(ρ L_B(P_a) P_b)` (paper 003 Eqs. 68b, 70) with `L` the
    Heisenberg-picture generator and `L_B = L` (no Lamb shift, so `L - L_B = 2i[Δ, ·] = 0`).
    Eq. (70): `M_ab = Σ_j J_{j,ab}` for `ε_a > ε_b` and `-Σ_j J_{j,ba}` for `ε_a < ε_b`;
    `M = 0` iff ρ is an equilibrium (detailed-balance) state."""
    table = transitions(model)
    rho = _eigen_density(table, state)
    d = table.energies.shape[0]
    heis = jnp.conj(liouvillian(table, generator).T)  # Hilbert–Schmidt adjoint
    proj = jnp.eye(d * d, dtype=heis.dtype)[:: d + 1]  # vec(P_b), shape (d, d²)
    lp = (heis @ proj.T).T.reshape(d, d, d)  # L(P_b)
    # tr(ρ P_a L(P_b)) = (L(P_b) ρ)_aa
    first = jnp.einsum("bac,ca->ab", lp, rho)
    second = jnp.einsum("acb,bc->ab", lp, rho)  # tr(ρ L(P_a) P_b) = (ρ L(P_a))_bb
    return jnp.real(first - second)


def state_inverse_temperature(state: StationaryState) -> Float[Array, " d"]:
    """The generalized temperature function `β_S(ε_m) = -ln ρ_mm / ε_m` of paper 003 Eq. (27)
    (with its implicit normalisation `Z = 1`, so that `ρ = e^{-β_S(H)H}`, Eq. 28). It depends
    on the origin of energies; requires `ε_m ≠ 0` and `ρ_mm > 0` (raises otherwise)."""
    e, p = state.energies, state.populations
    e = eqx.error_if(
        e,
        jnp.any(e == 0) | jnp.any(jnp.invert(p > 0)),
        "state_inverse_temperature: Eq. (27) needs every level energy ≠ 0 and every "
        "population > 0 (shift H_S by a constant to move the energy origin).",
    )
    return -jnp.log(p) / e


def local_kms_residual(
    hamiltonian: Inexact[ArrayLike, "d d"],
    density_matrix: Inexact[ArrayLike, "d d"],
    level_inverse_temperatures: Float[ArrayLike, " d"],
    x: Inexact[ArrayLike, "d d"],
    y: Inexact[ArrayLike, "d d"],
    t: Float[ArrayLike, ""] = 0.0,
) -> Complex[Array, ""]:
    """`⟨⟨x y(t + iβ(H_S))⟩⟩ - ⟨⟨y(t) x⟩⟩`: the local KMS condition of paper 003 Eq. (74b)
    for the state `density_matrix`, with `β(H_S)` given by its values on the levels of `H_S`
    (ascending), `y(t) = e^{itH} y e^{-itH}` and `y(t + iβ(H)) = e^{-β(H)H} y(t) e^{β(H)H}`
    (Eq. 75). Zero for all `x, y, t` iff `ρ = e^{-β(H)H}/Z` (Theorem 1)."""
    h = jnp.asarray(hamiltonian)
    energies, v = jnp.linalg.eigh(h)
    cplx = jnp.result_type(h.dtype, jnp.complex64)

    def eig(a):
        return jnp.conj(v.T) @ jnp.asarray(a).astype(cplx) @ v

    rho, xe, ye = eig(density_matrix), eig(x), eig(y)
    b = jnp.asarray(level_inverse_temperatures) * energies
    phase = jnp.exp(1j * t * (energies[:, None] - energies[None, :]))
    yt = ye * phase
    y_shift = jnp.exp(-b)[:, None] * yt * jnp.exp(b)[None, :]
    return jnp.trace(rho @ xe @ y_shift) - jnp.trace(rho @ yt @ xe)


def _logm_density(rho):
    w, u = jnp.linalg.eigh(rho)
    w = jnp.maximum(w, jnp.finfo(w.dtype).tiny)
    return (u * jnp.log(w)[None, :]) @ jnp.conj(u.T)


def spohn_entropy_production(
    model: FewLevelModel, state, generator: str = "secular"
) -> Float[Array, " F"]:
    """Spohn's entropy production per field, `σ_j = -Tr[L_j(ρ)(ln ρ - ln ρ_j)] >= 0`, with
    `L_j` field j's dissipator and `ρ_j` its own stationary state (Gibbs for a thermal field
    with `μ = 0`; the local-KMS state for a `β(ω)` field). At a stationary state with thermal
    fields at `μ = 0`, `Σ_j σ_j = -Σ_j β_j J^E_j` (Clausius). Units: 1/time (k_B = 1)."""
    table = transitions(model)
    rho = _eigen_density(table, state)
    d = table.energies.shape[0]
    log_rho = _logm_density(rho)
    unitary = _hamiltonian_superoperator(table.energies, rho.dtype)
    out = []
    for j in range(len(model.fields)):
        lj = liouvillian(table, generator, fields=(j,), include_hamiltonian=False)
        lj_rho = (lj @ rho.reshape(d * d)).reshape(d, d)
        rho_j = stationary_density(lj + unitary)
        out.append(-jnp.real(jnp.trace(lj_rho @ (log_rho - _logm_density(rho_j)))))
    return jnp.stack(out)


def clausius_entropy_production(model: FewLevelModel, state) -> Float[Array, " F"]:
    """`-β_j J^Q_j` per field (thermal fields with a constant β only); their sum is the
    entropy production rate at a stationary state (paper 003 Eq. 59 is its linearisation)."""
    for i, f in enumerate(model.fields):
        if not isinstance(f.inverse_temperature, ConstantInverseTemperature):
            raise TypeError(
                f"`fields[{i}]` has a frequency-dependent β(ω): use spohn_entropy_production."
            )
    flows = field_currents(model, state)
    beta = jnp.stack([f.inverse_temperature.value for f in model.fields])
    return -beta * flows.heat


class MicroOnsager(eqx.Module):
    """Linear response of the micro-currents of two fields (paper 003 Eqs. 48, 54–58).

    Affinities `x = (δμ, δβ/β₀)` with `β_{1,2} = β₀ ± δβ/2`, `μ_{1,2} = μ₀ ∓ δμ/2`; currents
    per Bohr pair `(m, n)`: `J_{1→2,mn} = ½(J_{2,mn} - J_{1,mn})` and
    `J^Q_{1→2,mn} = J^E_{1→2,mn} - μ₀ J_{1→2,mn}`.

    **Attributes:** `matrix` `(d, d, 2, 2)`: `[m, n] = ∂(J, J^Q)/∂(δμ, δβ/β₀)` at `x = 0`
    (zero for pairs that are not transitions); `reciprocity_error`, `max|L_12 - L_21|`
    relative to `max|L|`.
    """

    matrix: Float[Array, "d d 2 2"]
    reciprocity_error: Float[Array, ""]


def micro_onsager_coefficients(
    make_model: Callable[[Array, Array], FewLevelModel],
    temperature: Float[ArrayLike, ""],
    chemical_potential: Float[ArrayLike, ""] = 0.0,
    generator: str = "secular",
) -> MicroOnsager:
    """Onsager matrix of every micro-current pair by forward-mode autodiff through the
    stationary state (paper 003 Eq. 57a). `make_model(temperatures, chemical_potentials)`
    builds the model from arrays of shape `(2,)` (fields 1 and 2 first in `model.fields`).
    The closed form (57b–c, with the ERRATA signs) is
    `[[Γ, (ω-μ₀)Γ], [(ω-μ₀)Γ, (ω-μ₀)²Γ]]`, `Γ = γβ₀ eˣ/(eˣ-1)² (ρ̃_mm - ρ̃_nn)`,
    `x = β₀(ω - μ₀)`, `γ = π J(ω)|D_nm|²` for two fields with equal couplings."""
    t0 = jnp.asarray(temperature, dtype=jnp.result_type(float))
    mu0 = jnp.asarray(chemical_potential, dtype=t0.dtype)
    beta0 = 1.0 / t0

    def response(x):
        dmu, dbeta = x[0], x[1] * beta0
        betas = jnp.stack([beta0 + dbeta / 2, beta0 - dbeta / 2])
        mus = jnp.stack([mu0 - dmu / 2, mu0 + dmu / 2])
        model = make_model(1.0 / betas, mus)
        micro = micro_currents(model, stationary_state(model, generator))
        j = 0.5 * (micro.particle[1] - micro.particle[0])
        e = 0.5 * (micro.energy[1] - micro.energy[0])
        return jnp.stack([j, e - mu0 * j], axis=-1)

    jac = jax.jacfwd(response)(jnp.zeros(2, t0.dtype))  # (d, d, 2, 2)
    scale = jnp.maximum(jnp.max(jnp.abs(jac)), jnp.finfo(t0.dtype).tiny)
    error = jnp.max(jnp.abs(jac[..., 0, 1] - jac[..., 1, 0])) / scale
    return MicroOnsager(jac, error)
