"""Currents and non-equilibrium diagnostics of few-level systems (paper 003, Secs. II–VI).

Signs: `MicroCurrents` keep the paper's sign (Eq. 38: `J_{j,mn} > 0` when quanta of frequency
`ε_m − ε_n` flow *into field j*); `jaxthermo.currents` uses the package-wide sign (positive
from the field *into the system*), `J^P_j = −Σ_{m>n} J_{j,mn}`.
"""

from collections.abc import Callable

import equinox as eqx
import jax.numpy as jnp

from .._custom_types import Array, ArrayLike, Complex, Float, Inexact
from .._response import flux_response, reciprocity_error
from ._fields import ConstantInverseTemperature
from ._master import FewLevelModel, SteadyState, eigenbasis_state, fewlevel_currents
from ._methods import AbstractFewLevelMethod, default_method
from ._transitions import Transitions, transitions


def liouvillian(
    model_or_table: FewLevelModel | Transitions,
    method: AbstractFewLevelMethod | None = None,
    *,
    fields=None,
    include_hamiltonian: bool = True,
) -> Complex[Array, "d*d d*d"]:
    """The generator of `dρ/dt = L ρ` in the eigenbasis of `H_S`, as a dense matrix: `(d², d²)`
    on row-major `vec(ρ)` for `Secular()` (paper 003 Eq. 22, the default) and `Redfield()`,
    the `(d, d)` rate matrix of the populations for `Pauli()` (Eq. 24).

    **Arguments:** `model_or_table` (a `FewLevelModel` or its `transitions`); `method`;
    `fields` (indices of a subset of fields, e.g. one field's `L_j`); `include_hamiltonian`
    (False drops `−i[H_S, ·]`).

    **Returns:** the matrix (rates per unit time).
    """
    table = (
        model_or_table if isinstance(model_or_table, Transitions) else transitions(model_or_table)
    )
    return default_method(method).generator(table, fields, include_hamiltonian)


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
    """Micro-currents `J_{j,mn}` and `J^E_{j,mn}` of paper 003, Eq. (38) (with `|D_nm|²` in
    the rates, cf. its (38c)).

    **Arguments:** `model`; `state`: a `SteadyState`, a `Trajectory` or a density matrix
    (basis of `H_S` as given; then they are the instantaneous currents of Eqs. 38a–b).

    **Returns:** a `MicroCurrents` (`particle`, `energy`: `(F, d, d)`, paper's sign).
    """
    table = transitions(model)
    rho, _ = eigenbasis_state(table, state)
    p = jnp.real(jnp.diagonal(rho, axis1=-2, axis2=-1))[..., None, None, :]  # (..., 1, 1, d)
    r = table.pauli_rates  # [j, n, m] rate m → n
    down = table.bohr.T > table.tolerance  # [m, n]: ε_m > ε_n
    emitted = jnp.swapaxes(r, 1, 2) * jnp.swapaxes(p, -1, -2)  # [j, m, n] = R_j[n, m] p_m
    absorbed = r * p  # [j, m, n] = R_j[m, n] p_n
    particle = jnp.where(down[None], emitted - absorbed, 0.0)
    energy = particle * jnp.where(down, table.bohr.T, 0.0)[None]
    return MicroCurrents(particle, energy)


def kolmogorov_violation(model: FewLevelModel) -> Float[Array, ""]:
    """The detailed-balance test of paper 003 Eq. (26) on the total Pauli rates `Γ`: the
    largest `|ln(Γ_ab Γ_bc Γ_ca / (Γ_ba Γ_cb Γ_ac))|` over all triangles of levels whose six
    rates are positive (Kolmogorov's cycle criterion; 0 when the rates satisfy detailed
    balance, or when there is no triangle).

    **Arguments:** `model`.

    **Returns:** the largest log-ratio (dimensionless).
    """
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
    model: FewLevelModel, state, method: AbstractFewLevelMethod | None = None
) -> Float[Array, "d d"]:
    """`M_ab = tr(ρ P_a L(P_b)) − tr(ρ L_B(P_a) P_b)` (paper 003 Eqs. 68b, 70) with `L` the
    Heisenberg-picture generator and `L_B = L` (no Lamb shift, so `L − L_B = 2i[Δ, ·] = 0`).
    Eq. (70): `M_ab = Σ_j J_{j,ab}` for `ε_a > ε_b` and `−Σ_j J_{j,ba}` for `ε_a < ε_b`;
    `M = 0` iff ρ is an equilibrium (detailed-balance) state.

    **Arguments:** `model`; `state`; `method` (`Secular()` default, or `Redfield()`).

    **Returns:** `M`, `(d, d)`, per unit time.
    """
    table = transitions(model)
    rho, _ = eigenbasis_state(table, state)
    d = table.size
    heis = jnp.conj(default_method(method).generator(table).T)  # Hilbert–Schmidt adjoint
    if heis.shape != (d * d, d * d):
        raise TypeError("detailed_balance_matrix needs a Secular() or Redfield() generator.")
    proj = jnp.eye(d * d, dtype=heis.dtype)[:: d + 1]  # vec(P_b), shape (d, d²)
    lp = (heis @ proj.T).T.reshape(d, d, d)  # L(P_b)
    # tr(ρ P_a L(P_b)) = (L(P_b) ρ)_aa
    first = jnp.einsum("bac,ca->ab", lp, rho)
    second = jnp.einsum("acb,bc->ab", lp, rho)  # tr(ρ L(P_a) P_b) = (ρ L(P_a))_bb
    return jnp.real(first - second)


def state_inverse_temperature(state: SteadyState) -> Float[Array, " d"]:
    """The generalized temperature function `β_S(ε_m) = -ln ρ_mm / ε_m` of paper 003 Eq. (27)
    (with its implicit normalisation `Z = 1`, so that `ρ = e^{-β_S(H)H}`, Eq. 28). It depends
    on the origin of energies; requires `ε_m ≠ 0` and `ρ_mm > 0` (raises otherwise).

    **Arguments:** `state` (a few-level `SteadyState`).

    **Returns:** `β_S(ε_m)`, shape `(d,)`.
    """
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
    (Eq. 75). Zero for all `x, y, t` iff `ρ = e^{-β(H)H}/Z` (Theorem 1).

    **Arguments:** `hamiltonian` `(d, d)`; `density_matrix`; `level_inverse_temperatures` `(d,)`;
    observables `x`, `y` `(d, d)`; time `t`.

    **Returns:** the residual (complex scalar).
    """
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


def clausius_entropy_production(model: FewLevelModel, state) -> Float[Array, " F"]:
    """`−β_j J^Q_j` per field (thermal fields with a constant β only); their sum is the
    entropy production rate at a stationary state (paper 003 Eq. 59 is its linearisation).

    **Arguments:** `model`; `state` (as for `jaxthermo.currents`).

    **Returns:** `(F,)`, nats per unit time.
    """
    for i, f in enumerate(model.fields):
        if not isinstance(f.inverse_temperature, ConstantInverseTemperature):
            raise TypeError(
                f"`fields[{i}]` has a frequency-dependent β(ω): use spohn_entropy_production."
            )
    flows = fewlevel_currents(model, state)
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
    method: AbstractFewLevelMethod | None = None,
) -> MicroOnsager:
    """Onsager matrix of every micro-current pair (paper 003 Eq. 57a), by the generic
    `flux_response` (forward-mode autodiff through the steady state) with the paper's
    affinities `x = (δμ, δβ/β₀)`, i.e. the directions `∂(β_j, β_j μ_j)/∂x` of
    `β_{1,2} = β₀ ± δβ/2`, `μ_{1,2} = μ₀ ∓ δμ/2`.

    **Arguments:** `make_model(temperatures, chemical_potentials)` builds the model from
    arrays of shape `(2,)` (fields 1 and 2 first in `model.fields`); `temperature`,
    `chemical_potential`: the reference point; `method` (default `Secular()`).

    **Returns:** `MicroOnsager`. The closed form (57b–c, with the signs corrected) is
    `[[Γ, (ω−μ₀)Γ], [(ω−μ₀)Γ, (ω−μ₀)²Γ]]`, `Γ = γβ₀ eˣ/(eˣ−1)² (ρ̃_mm − ρ̃_nn)`,
    `x = β₀(ω − μ₀)`, `γ = π J(ω)|D_nm|²` for two fields with equal couplings.
    """
    t0 = jnp.asarray(temperature, dtype=jnp.result_type(float))
    mu0 = jnp.asarray(chemical_potential, dtype=t0.dtype)
    beta0 = 1.0 / t0
    half = 0.5 * beta0
    # directions[k, field, (β, βμ)]: x_0 = δμ, x_1 = δβ/β₀
    directions = jnp.stack(
        [
            jnp.stack([jnp.stack([0.0 * half, -half]), jnp.stack([0.0 * half, half])]),
            jnp.stack([jnp.stack([half, mu0 * half]), jnp.stack([-half, -mu0 * half])]),
        ]
    )

    _, jac, _ = flux_response(
        make_model,
        jnp.stack([t0, t0]),
        jnp.stack([mu0, mu0]),
        directions,
        _MicroFluxes(mu0),
        method=method,
    )
    return MicroOnsager(jac, reciprocity_error(jac))


class _MicroFluxes(eqx.Module):
    """Half the difference of fields 1 and 2's micro particle and heat currents, `(d, d, 2)`
    (a module, so that `flux_response` reuses its compiled program for equal arguments)."""

    chemical_potential: Float[Array, ""]

    def __call__(self, model, state):
        micro = micro_currents(model, state)
        j = 0.5 * (micro.particle[1] - micro.particle[0])
        e = 0.5 * (micro.energy[1] - micro.energy[0])
        return jnp.stack([j, e - self.chemical_potential * j], axis=-1)
