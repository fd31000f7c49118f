"""Currents, entropy production and entropies of quadratic models (the `QuadraticModel` side
of the verbs `currents` and `entropy_production`, and the observables only quadratic models
have: mode currents, Wigner entropy production).

Sign conventions (CONVENTIONS.md): a bath current `J_α` is positive when it flows from bath α
into the system; `J^Q_α = J^E_α − μ_α J^P_α`; at a steady state the entropy production is
`σ = −Σ_α β_α J^Q_α >= 0`.
"""

import jax
import jax.numpy as jnp
import numpy as np

from ._baths import MatrixRates, ProbeBath
from ._contract import AbstractTrajectory, Currents
from ._custom_types import Array, ArrayLike, Float, Inexact
from ._dynamics import SteadyState
from ._gaussian import _hermitian, gaussian_function
from ._linalg import matrix_function


def _require_quadratic(model, name: str):
    from ._quadratic import QuadraticModel

    if not isinstance(model, QuadraticModel):
        raise TypeError(f"`{name}`: `model` must be a jaxthermo.QuadraticModel, got "
                        f"{type(model).__name__}.")  # fmt: skip
    return model


def covariance_of(state) -> Array:
    """The covariance of a `SteadyState`, of a trajectory (all times), or a bare matrix."""
    if isinstance(state, (SteadyState, AbstractTrajectory)):
        return state.covariance
    c = jnp.asarray(state)
    if c.ndim == 3:
        return 0.5 * (c + jnp.conj(jnp.swapaxes(c, -1, -2)))
    return _hermitian("state", c)


def _map_times(fn, c):
    """`fn(c)` for one covariance, or vmapped over a leading time axis."""
    return jax.vmap(fn)(c) if c.ndim == 3 else fn(c)


def _local_occupations(model, c, table):
    """`n_α = Λ⁺/(Λ⁻ ∓ Λ⁺)` of the local baths, with the probes' self-consistent `ñ(C)`."""
    gamma = table.loss - model.sign * table.gain
    occ = table.gain / jnp.where(gamma == 0, 1.0, gamma)
    probe = [k for k, i in enumerate(table.index) if isinstance(model.baths[i], ProbeBath)]
    if probe:
        occ = occ.at[np.asarray(probe)].set(
            jnp.real(model.probe_feedback().functional(c)).astype(occ.dtype)
        )
    return gamma, occ


def bath_occupations(model, state) -> Float[Array, " B"]:
    """Occupation of every bath at its frequency, in the order of `model.baths`: for a local
    bath `n_α = Λ⁺_kk / G_kk` (the thermal `n(ω, T, μ)` of `BosonBath`/`FermionBath`), the
    self-consistent `ñ(C)` for `ProbeBath` (`⟨a_k† a_k⟩` for particle probes), NaN for
    non-local baths (`RateMatrixBath`).

    **Arguments:** `model` (a `QuadraticModel`), `state` (a `SteadyState` or a covariance).

    **Returns:** shape `(B,)`, dimensionless.
    """
    model = _require_quadratic(model, "bath_occupations")
    c = covariance_of(state)
    table = model.local_table()
    _, occ = _local_occupations(model, c, table)
    out = jnp.full(len(model.baths), jnp.nan, occ.dtype)
    return out.at[np.asarray(table.index, dtype=int)].set(occ) if table.index else out


def _flows(model, c, picture):
    """Per-bath (J^P, J^E) for one covariance `c`, vectorised over the local baths."""
    h = model.hamiltonian
    rates = model.bath_rates()
    params = model.bath_parameters()
    table = model.local_table(rates)
    real = jnp.real(c).dtype
    jp = jnp.zeros(len(rates), real)
    je = jnp.zeros(len(rates), real)
    if table.index:
        idx = np.asarray(table.index)
        modes = jnp.asarray(table.modes)
        gamma, occ = _local_occupations(model, c, table)
        gain = gamma * occ
        jp_local = gain - gamma * jnp.real(c[modes, modes])
        hc = jnp.real(jnp.sum(h[modes, :] * jnp.transpose(c[:, modes]), axis=1))
        je_local = gain * jnp.real(h[modes, modes]) - gamma * hc  # Tr[H D_α(C)]
        if picture == "local":
            has = np.asarray([params[i].frequency is not None for i in table.index])
            if has.any():
                freq = jnp.stack(
                    [
                        jnp.asarray(params[i].frequency if f else 0.0, real)
                        for i, f in zip(table.index, has, strict=True)
                    ]
                )
                je_local = jnp.where(has, freq * jp_local, je_local)
        jp = jp.at[idx].set(jp_local.astype(real))
        je = je.at[idx].set(je_local.astype(real))
    for i, r in enumerate(rates):
        if isinstance(r, MatrixRates):
            gm = r.loss - model.sign * r.gain
            jp = jp.at[i].set(jnp.real(jnp.trace(r.gain) - jnp.sum(jnp.transpose(gm) * c)))
            je = je.at[i].set(jnp.real(jnp.sum(jnp.transpose(h) * r.gain) - jnp.trace(h @ gm @ c)))
    return jp, je


def _chemical_potentials(model, dtype) -> Array:
    params = model.bath_parameters()
    if not params:
        return jnp.zeros(0, dtype)
    return jnp.stack(
        [jnp.asarray(0.0 if p.chemical_potential is None else p.chemical_potential, dtype)
         for p in params]
    )  # fmt: skip


def quadratic_currents(model, state, picture: str) -> Currents:
    """Per-bath currents of a quadratic model (see `jaxthermo.currents`):

    - `particle`: `J^P_α = Tr[F_α − ½{G_α, C}]` (local bath on k: `γ(n_α − C_kk)`);
    - `energy`: local picture `ω_α J^P_α` for baths with a frequency, else (and in the
      global picture) `Tr[H (F_α − ½{G_α, C})]`;
    - `heat`: `J^E_α − μ_α J^P_α`.
    """
    c = covariance_of(state)

    def one(c):
        jp, je = _flows(model, c, picture)
        mu = _chemical_potentials(model, jp.dtype)
        return Currents(jp, je, je - mu * jp)

    return _map_times(one, c)


def mode_currents(model, state) -> tuple[Float[Array, "L L"], Float[Array, "L L"]]:
    """Particle and energy currents between the modes of a quadratic model, through `H`.

    **Arguments:** `model` (a `QuadraticModel`), `state` (a `SteadyState` or a covariance).

    **Returns:** `(j, j^E)`, each `(L, L)` indexed `[k, l]`: `j_{l→k} = −i(H_kl C_lk −
    C_kl H_lk) = 2 Im(H_kl C_lk)`, the particle current from mode l into mode k (antisymmetric;
    `dC_kk/dt = Σ_l j_{l→k} + Σ_{α on k} J^P_α`; paper 002's `j_{k,ℓ}` (25b) is our
    `j_{ℓ→k}`), and `½(H_kk + H_ll) j_{l→k}` (symmetrised bond energy current; exact for
    resonant modes).
    """
    model = _require_quadratic(model, "mode_currents")
    c = covariance_of(state)
    h = model.hamiltonian
    j = 2 * jnp.imag(h * jnp.transpose(c))
    onsite = jnp.real(jnp.diagonal(h))
    return j, 0.5 * (onsite[:, None] + onsite[None, :]) * j


def entropy_rate(model, covariance: Inexact[ArrayLike, "L L"]) -> Float[Array, ""]:
    """`dS/dt = Tr[K(C) dC/dt]` along the covariance equation, `K = ln((1 ± C)/C)` (paper 000,
    Eq. (22) `dS/dt = −r Tr[(n − n_R) δS/δn]` for `G = r·1`, `F = r n_R`; the unitary part
    drops out since `Tr[K [H, C]] = 0`).

    **Arguments:** `model` (a `QuadraticModel`), `covariance` `C` (L × L).

    **Returns:** `dS/dt` in nats per unit time.
    """
    model = _require_quadratic(model, "entropy_rate")
    c = _hermitian("covariance", covariance)
    w, f = model.covariance_equation()
    dc = w @ c + c @ jnp.conj(w.T) + f
    feedback = model.probe_feedback()
    if feedback is not None:
        dc = dc + feedback.inject(feedback.functional(c))
    k = matrix_function(c, gaussian_function(model.statistics, "modular"))
    return jnp.real(jnp.sum(jnp.transpose(k) * dc))


def bath_inverse_temperatures(model) -> Float[Array, " B"]:
    """`β_α = 1/T_α` of every bath that has a temperature, NaN for the others, in the order
    of `model.baths` (shape `(B,)`, inverse energy).

    **Arguments:** `model` (a `QuadraticModel`).

    **Returns:** shape `(B,)`.
    """
    model = _require_quadratic(model, "bath_inverse_temperatures")
    real = jnp.real(jnp.zeros((), jnp.result_type(model.hamiltonian, float))).dtype
    params = model.bath_parameters()
    return jnp.stack(
        [jnp.asarray(jnp.nan if p.inverse_temperature is None else p.inverse_temperature, real)
         for p in params]
    ) if params else jnp.zeros(0, real)  # fmt: skip


def quadratic_entropy_production(model, state, picture: str) -> Float[Array, "..."]:
    """`σ = dS/dt − Σ_α β_α J^Q_α` over the baths that have a temperature (see
    `jaxthermo.entropy_production`). For a `SteadyState`, `dS/dt = 0` exactly; for a
    covariance (or along a trajectory) it is `entropy_rate`. Probes are left out (particle
    probes exchange no heat in the local picture); any other bath without a temperature
    (e.g. `RateMatrixBath`) makes σ undefined: `TypeError`."""
    params = model.bath_parameters()
    for i, (bath, p) in enumerate(zip(model.baths, params, strict=True)):
        if p.inverse_temperature is None and not isinstance(bath, ProbeBath):
            raise TypeError(
                f"entropy_production: `baths[{i}]` ({type(bath).__name__}) has no temperature, "
                "so the entropy production is undefined; use thermal baths, or entropy_rate "
                "and the currents directly."
            )
    thermal = np.asarray([p.inverse_temperature is not None for p in params], dtype=bool)
    beta = jnp.nan_to_num(bath_inverse_temperatures(model))
    flows = quadratic_currents(model, state, picture)
    weights = jnp.broadcast_to(jnp.where(thermal, beta, 0.0), flows.heat.shape)
    flux = -jnp.sum(weights * flows.heat, axis=-1)
    if isinstance(state, SteadyState):
        return flux
    c = covariance_of(state)
    return _map_times(lambda c: entropy_rate(model, c), c) + flux


def _wigner_terms(model, state):
    model = _require_quadratic(model, "wigner_entropy_production")
    if model.statistics != "boson":
        raise ValueError("Wigner entropy production is defined for bosonic models.")
    table = model.local_table()
    if len(table.index) != len(model.baths):
        raise ValueError(
            "Wigner entropy production (paper 002) needs local baths; the model has a "
            "non-local one (e.g. a RateMatrixBath)."
        )
    c = covariance_of(state)
    modes = jnp.asarray(table.modes)
    gamma, occupations = _local_occupations(model, c, table)
    occ = jnp.real(c[modes, modes])
    flux = gamma * (occ - occupations) / (occupations + 0.5)
    return c, modes, gamma, occupations, flux


def wigner_entropy_flux(model, state) -> Float[Array, " B"]:
    """Wigner entropy flux from the system into each bath (paper 002, Eq. (20)):

        Φ_α = γ_α (⟨a_k† a_k⟩ − n_α) / (n_α + ½),

    in the order of `model.baths` (bosonic local baths; probes use their self-consistent
    `ñ = ⟨a_k† a_k⟩`, so `Φ = 0` for them). Sign as in the paper: `dS_W/dt = Σ Π_α − Σ Φ_α`,
    `Φ_α > 0` when entropy flows out of the system into bath α.

    **Arguments:** `model`, `state` (a `SteadyState` or a covariance).

    **Returns:** shape `(B,)`, nats per unit time.
    """
    return _wigner_terms(model, state)[4]


def wigner_entropy_production(model, state) -> Float[Array, " B"]:
    """Wigner entropy production of each bath's quasi-probability current (paper 002,
    Eqs. (17), (C2), with `[Θ^{-1}]_{2k,2k} = [(C + ½)^{-1}]_kk` when there is no squeezing):

        Π_α = Φ_α − γ_α + γ_α (n_α + ½) [(C + ½)^{-1}]_kk  >= 0,

    in the order of `model.baths`. At a steady state `Σ_α Π_α = Σ_α Φ_α` (Eq. (23)); for the
    chain with probes, the physical baths give `Π_r` and the probes `Π_sc` (Eqs. (32)–(33),
    (E1)–(E2)).

    **Arguments:** `model`, `state` (a `SteadyState` or a covariance).

    **Returns:** shape `(B,)`, nats per unit time.
    """
    c, modes, gamma, occupations, flux = _wigner_terms(model, state)
    L = c.shape[0]
    inv_diag = jnp.real(jnp.diagonal(jnp.linalg.inv(c + 0.5 * jnp.eye(L, dtype=c.dtype))))
    return flux - gamma + gamma * (occupations + 0.5) * inv_diag[modes]
