"""Currents, entropy production and linear response of quadratic models.

Sign conventions (CONVENTIONS.md): a bath current `J_α` is positive when it flows from bath α
into the system; `J^Q_α = J^E_α - μ_α J^P_α`; at a steady state the entropy production is
`σ = -Σ_α β_α J^Q_α >= 0`.
"""

from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ._baths import RateMatrixBath
from ._custom_types import Array, ArrayLike, Float, Inexact
from ._dynamics import SteadyState, steady_state
from ._gaussian import _hermitian, _modular, matrix_function
from ._quadratic import QuadraticModel


def _covariance(state) -> Array:
    if isinstance(state, SteadyState):
        return state.covariance
    return _hermitian("state", state)


def _check(model):
    if not isinstance(model, QuadraticModel):
        raise TypeError(f"`model` must be a jaxthermo.QuadraticModel, got {type(model).__name__}.")
    return model


def _probe_occupations(model: QuadraticModel, c: Array, table) -> Array:
    """Occupations of all baths with the probes' self-consistent `ñ(C)` filled in."""
    occ = table.occupation
    feedback = model.probe_feedback()
    if feedback is not None:
        idx = np.flatnonzero(table.mask("probe"))
        occ = occ.at[idx].set(jnp.real(feedback.functional(c)).astype(occ.dtype))
    return occ


def bath_occupations(model: QuadraticModel, state) -> Float[Array, " B"]:
    """Occupation of every bath at its frequency, in the order of `model.baths`: the thermal
    `n(ω, T, μ)` for `BosonBath`/`FermionBath`, the self-consistent `ñ(C)` for `ProbeBath`
    (`⟨a_k† a_k⟩` for particle probes), NaN for `RateMatrixBath`."""
    model = _check(model)
    c = _covariance(state)
    return _probe_occupations(model, c, model.bath_table())


class Currents(eqx.Module):
    """Particle, energy and heat currents of a quadratic model in a state.

    **Attributes** (bath arrays in the order of `model.baths`, positive into the system):

    - `particle`: `J^P_α = Tr[F_α - ½{G_α, C}]` (local bath on k: `γ(n_α - C_kk)`).
    - `energy`: `J^E_α`; local picture `ω_α J^P_α` (default for local baths), global picture
      `Tr[H (F_α - ½{G_α, C})]` (always for `RateMatrixBath`).
    - `heat`: `J^Q_α = J^E_α - μ_α J^P_α`.
    - `mode_particle`: `(L, L)`, `[k, l] = j_{l→k} = -i(H_kl C_lk - C_kl H_lk) = 2 Im(H_kl C_lk)`,
      the particle current from mode l into mode k through `H` (antisymmetric;
      `dC_kk/dt = Σ_l j_{l→k} + Σ_{α on k} J^P_α`). Paper 002's `j_{k,ℓ}` (25b) is our
      `j_{ℓ→k}`.
    - `mode_energy`: `(L, L)`, `½(H_kk + H_ll) j_{l→k}` (symmetrised bond energy current; exact
      for resonant modes).
    """

    particle: Float[Array, " B"]
    energy: Float[Array, " B"]
    heat: Float[Array, " B"]
    mode_particle: Float[Array, "L L"]
    mode_energy: Float[Array, "L L"]


def _bath_flows(model, c, picture):
    """Per-bath (J^P, J^E, μ) for the state c, vectorised over the local baths."""
    h = model.hamiltonian
    table = model.bath_table()
    real = jnp.real(c).dtype
    occ = _probe_occupations(model, c, table)
    probe = table.mask("probe")
    local = table.mask("thermal") | probe
    modes = jnp.asarray([max(m, 0) for m in table.modes])
    g = table.loss - model.sign * table.gain
    gain = jnp.where(probe, table.rate * occ, table.gain)
    jp = gain - g * jnp.real(c[modes, modes])
    if picture == "local":
        je = table.frequency * jp
    else:
        hc = jnp.real(jnp.sum(h[modes, :] * jnp.transpose(c[:, modes]), axis=1))
        je = gain * jnp.real(h[modes, modes]) - g * hc
    jp = jnp.where(local, jp, 0.0).astype(real)
    je = jnp.where(local, je, 0.0).astype(real)
    for i, bath in enumerate(model.baths):
        if isinstance(bath, RateMatrixBath):
            gm = bath.loss - model.sign * bath.gain
            jp = jp.at[i].set(jnp.real(jnp.trace(bath.gain) - jnp.sum(jnp.transpose(gm) * c)))
            je = je.at[i].set(
                jnp.real(jnp.sum(jnp.transpose(h) * bath.gain) - jnp.trace(h @ gm @ c))
            )
    return jp, je, table.chemical_potential.astype(real)


def mode_currents(model: QuadraticModel, state) -> tuple[Float[Array, "L L"], Float[Array, "L L"]]:
    """`(j_{l→k}, j^E_{l→k})` as `(L, L)` arrays indexed `[k, l]` (see `Currents`)."""
    model = _check(model)
    c = _covariance(state)
    h = model.hamiltonian
    j = 2 * jnp.imag(h * jnp.transpose(c))
    onsite = jnp.real(jnp.diagonal(h))
    return j, 0.5 * (onsite[:, None] + onsite[None, :]) * j


def currents(model: QuadraticModel, state, *, picture: str = "local") -> Currents:
    """Particle, energy and heat currents (see `Currents`) for a state: a `SteadyState` or a
    correlation matrix `C` (steady or not).

    **Arguments:** `model`; `state`; `picture`: `"local"` (default: bath energy current
    `ω_α J^P_α`, the thermodynamically consistent choice for local master equations — the
    Spohn inequality then guarantees `σ >= 0`) or `"global"` (`Tr[H D_α]`, which sums to
    `d⟨H⟩/dt` but can violate the second law for local master equations).
    """
    model = _check(model)
    if picture not in ("local", "global"):
        raise ValueError(f"`picture` must be 'local' or 'global', got {picture!r}.")
    c = _covariance(state)
    jp, je, mu = _bath_flows(model, c, picture)
    mode_p, mode_e = mode_currents(model, c)
    return Currents(jp, je, je - mu * jp, mode_p, mode_e)


def entropy_rate(model: QuadraticModel, covariance: Inexact[ArrayLike, "L L"]) -> Float[Array, ""]:
    """`dS/dt = Tr[K(C) dC/dt]` along the covariance equation, `K = ln((1 ± C)/C)` (paper 000,
    Eq. (22) `dS/dt = -r Tr[(n - n_R) δS/δn]` for `G = r·1`, `F = r n_R`; the unitary part
    drops out since `Tr[K [H, C]] = 0`)."""
    model = _check(model)
    c = _hermitian("covariance", covariance)
    w, f = model.covariance_equation()
    dc = w @ c + c @ jnp.conj(w.T) + f
    feedback = model.probe_feedback()
    if feedback is not None:
        dc = dc + feedback.inject(feedback.functional(c))
    k = matrix_function(c, _modular, model.statistics)
    return jnp.real(jnp.sum(jnp.transpose(k) * dc))


def bath_inverse_temperatures(model: QuadraticModel) -> Float[Array, " B"]:
    """`β_α = 1/T_α` of the thermal baths, in the order of `model.baths`; NaN otherwise."""
    return _check(model).bath_table().inverse_temperature


def entropy_production(model: QuadraticModel, state, *, picture: str = "local") -> Float[Array, ""]:
    """Clausius/Spohn entropy production rate (nats per unit time)

        σ = dS/dt - Σ_α β_α J^Q_α,

    over the thermal baths. For a `SteadyState`, `dS/dt = 0` exactly and `σ = -Σ_α β_α J^Q_α`;
    for a correlation matrix, `dS/dt` is `entropy_rate(model, C)`. Particle probes exchange no
    heat in the local picture (`J^E = ω J^P = 0`), so they do not contribute. In the local
    picture `σ >= 0` (Spohn's inequality, each local dissipator relaxing to its own Gibbs state).
    Raises for `RateMatrixBath`, which has no temperature.
    """
    model = _check(model)
    if any(isinstance(b, RateMatrixBath) for b in model.baths):
        raise ValueError(
            "entropy_production: a RateMatrixBath has no temperature; use thermal baths "
            "(BosonBath/FermionBath), or entropy_rate and the currents directly."
        )
    flows = currents(model, state, picture=picture)
    table = model.bath_table()
    thermal = table.mask("thermal")
    flux = -jnp.sum(jnp.where(thermal, table.inverse_temperature * flows.heat, 0.0))
    if isinstance(state, SteadyState):
        return flux
    return entropy_rate(model, state) + flux


def _wigner_terms(model, state):
    model = _check(model)
    if model.statistics != "boson":
        raise ValueError("Wigner entropy production is defined for bosonic models.")
    if any(isinstance(b, RateMatrixBath) for b in model.baths):
        raise ValueError(
            "Wigner entropy production (paper 002) needs local baths; got a RateMatrixBath."
        )
    c = _covariance(state)
    table = model.bath_table()
    occupations = _probe_occupations(model, c, table)
    modes = jnp.asarray(table.modes)
    gamma = table.rate
    occ = jnp.real(c[modes, modes])
    flux = gamma * (occ - occupations) / (occupations + 0.5)
    return c, modes, gamma, occupations, flux


def wigner_entropy_flux(model: QuadraticModel, state) -> Float[Array, " B"]:
    """Wigner entropy flux from the system into each bath (paper 002, Eq. (20)):

        Φ_α = γ_α (⟨a_k† a_k⟩ - n_α) / (n_α + ½),

    in the order of `model.baths` (bosonic local baths; probes use their self-consistent
    `ñ = ⟨a_k† a_k⟩`, so `Φ = 0` for them). Sign as in the paper: `dS_W/dt = Σ Π_α - Σ Φ_α`,
    `Φ_α > 0` when entropy flows out of the system into bath α."""
    return _wigner_terms(model, state)[4]


def wigner_entropy_production(model: QuadraticModel, state) -> Float[Array, " B"]:
    """Wigner entropy production of each bath's quasi-probability current (paper 002,
    Eqs. (17), (C2), with `[Θ^{-1}]_{2k,2k} = [(C + ½)^{-1}]_kk` when there is no squeezing):

        Π_α = Φ_α - γ_α + γ_α (n_α + ½) [(C + ½)^{-1}]_kk  >= 0,

    in the order of `model.baths`. At a steady state `Σ_α Π_α = Σ_α Φ_α` (Eq. (23)); for the
    chain with probes, the physical baths give `Π_r` and the probes `Π_sc` (Eqs. (32)–(33),
    (E1)–(E2))."""
    c, modes, gamma, occupations, flux = _wigner_terms(model, state)
    L = c.shape[0]
    inv_diag = jnp.real(jnp.diagonal(jnp.linalg.inv(c + 0.5 * jnp.eye(L, dtype=c.dtype))))
    return flux - gamma + gamma * (occupations + 0.5) * inv_diag[modes]


class OnsagerCoefficients(eqx.Module):
    """Linear and second-order response of bath currents to affinities, at equilibrium.

    Currents `J = (J^E_1, …, J^E_{N-1}, J^P_1, …, J^P_{N-1})` of all baths but the last
    (the reference); affinities `X = (X^E_α, X^P_α)` with `X^E_α = β_0 - β_α`,
    `X^P_α = β_α μ_α - β_0 μ_0`, so that `σ = Σ_i J_i X_i` (using Σ J = 0 at a steady state).

    **Attributes:** `linear` (`L_ij = ∂J_i/∂X_j`, shape `(2(N-1), 2(N-1))`), `second_order`
    (`∂²J_i/∂X_j∂X_k`), `currents` (J at the reference point, ~0), `reciprocity_error`
    (`max|L - L^T|` relative to `max|L|`).
    """

    linear: Float[Array, "n n"]
    second_order: Float[Array, "n n n"]
    currents: Float[Array, " n"]
    reciprocity_error: Float[Array, ""]


def onsager_coefficients(
    make_model: Callable[[Array, Array], QuadraticModel],
    temperatures: Float[ArrayLike, " N"],
    chemical_potentials: Float[ArrayLike, " N"] | None = None,
    *,
    solver=None,
    picture: str = "local",
) -> OnsagerCoefficients:
    """Onsager matrix `L_ij = ∂J_i/∂X_j` and second-order coefficients `∂²J_i/∂X_j∂X_k` of the
    steady-state bath currents, by forward-mode autodiff (`jax.jacfwd`) through the NESS
    (implicit differentiation of the Lyapunov equation), at an equilibrium point.

    **Arguments:**

    - `make_model(temperatures, chemical_potentials)`: builds the model from per-bath arrays
      of shape `(N,)` (thermal baths, in the order of `model.baths`).
    - `temperatures`, `chemical_potentials`: the equilibrium point, shape `(N,)`, all entries
      equal (`T_0`, `μ_0`; default μ = 0).
    - `solver`, `picture`: passed to `steady_state` / `currents`.

    Reciprocity `L = L^T` (no magnetic field) is reported in `.reciprocity_error`.
    """
    temps = jnp.asarray(temperatures, dtype=jnp.result_type(float))
    if temps.ndim != 1 or temps.shape[0] < 2:
        raise ValueError(f"`temperatures` must have shape (N,), N >= 2, got {temps.shape}.")
    mus = (
        jnp.zeros_like(temps)
        if chemical_potentials is None
        else jnp.asarray(chemical_potentials, dtype=temps.dtype)
    )
    if mus.shape != temps.shape:
        raise ValueError("`chemical_potentials` must have the shape of `temperatures`.")
    temps = eqx.error_if(
        temps,
        jnp.any(temps != temps[0]) | jnp.any(mus != mus[0]),
        "onsager_coefficients: expand around an equilibrium point (all baths at the same "
        "temperature and chemical potential).",
    )
    n_baths = temps.shape[0]
    m = n_baths - 1
    beta0, mu0 = 1.0 / temps[0], mus[0]

    def response(x):
        beta = jnp.concatenate([beta0 - x[:m], beta0[None]])
        betamu = jnp.concatenate([beta0 * mu0 + x[m:], (beta0 * mu0)[None]])
        model = make_model(1.0 / beta, betamu / beta)
        flows = currents(model, steady_state(model, solver), picture=picture)
        return jnp.concatenate([flows.energy[:m], flows.particle[:m]])

    x0 = jnp.zeros(2 * m, temps.dtype)
    linear = jax.jacfwd(response)(x0)
    second = jax.jacfwd(jax.jacfwd(response))(x0)
    scale = jnp.maximum(jnp.max(jnp.abs(linear)), jnp.finfo(temps.dtype).tiny)
    error = jnp.max(jnp.abs(linear - linear.T)) / scale
    return OnsagerCoefficients(linear, second, response(x0), error)
