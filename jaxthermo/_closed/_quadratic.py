"""Exact closed-system evolution of a quadratic system coupled to **finite** quadratic
reservoirs, and the exact thermodynamics of paper 001 (Esposito, Lindenberg, Van den Broeck,
"Entropy production as correlation between system and reservoir") computed from
single-particle covariances (never from density matrices).

Setup (paper 001, Eqs. (1)–(3); grand-canonical reservoirs as its Sec. 2 allows): total
single-particle Hamiltonian

    h = [[h_s, b_1, b_2, …], [b_1†, h_1, 0, …], [b_2†, 0, h_2, …], …],

i.e. `Ĥ = Σ h_ij a_i† a_j` with system modes first, reservoir `r` with Hamiltonian `h_r`
(M_r × M_r) and coupling `b_r` (S × M_r, `Ĥ_V = Σ (b_r)_{sm} a_s† b_{r,m} + h.c.`), initial state
`ρ_s(0) ⊗ Π_r ρ_r^eq` with `ρ_r^eq ∝ exp(−β_r(Ĥ_r − μ_r N̂_r))` (covariance `f(h_r)`).
Our convention `C_ij = ⟨a_j† a_i⟩`, so `C(t) = e^{−iht} C(0) e^{iht}`.

Exact evolution: one eigendecomposition `h = V diag(ε) V†`; every expectation value
`Tr[K C(t)] = Σ_ab (V†KV)_ba (V†C(0)V)_ab e^{−i(ε_a − ε_b)t}` costs `O(n²)` per time, the
system rows of `C(t)` `O(S n²)`; totals `Tr[h C]`, `Tr C` are conserved. Driven systems
(`evolve_driven`) integrate `dC/dt = −i[h(t), C]` instead.
"""

from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp

from .._baths import eager_check, hermiticity_error
from .._checks import Check, apply_checks
from .._contract import AbstractModel, AbstractTrajectory, Currents, unsupported
from .._custom_types import Array, ArrayLike, Complex, Float, Inexact, Real
from .._gaussian import entropy, gaussian_function, relative_entropy
from .._linalg import after, matmul
from .._ode import ODE, solve_ode
from .._solution import RESULTS
from .._statistics import bose_einstein, check_statistics, fermi_dirac
from ._arrowhead import arrowhead_eigh


def _occupation(statistics: str):
    """Bose–Einstein or Fermi–Dirac occupation `f(ε, T, μ)`."""
    return bose_einstein if statistics == "boson" else fermi_dirac


def thermal_covariance(
    hamiltonian: Inexact[Array, "M M"],
    temperature: Float[Array, ""],
    chemical_potential: Float[Array, ""],
    statistics: str,
    diagonal: bool = False,
) -> Inexact[Array, "M M"]:
    """`f(h)` with Fermi or Bose occupations at `(T, μ)`: the covariance of
    `exp(−β(Ĥ − μN̂))/Z` (bosons need `μ` below the lowest level of `h`: checked by the
    model's `checks`). `diagonal`: `h` is diagonal (no eigh)."""
    occ = _occupation(statistics)
    if diagonal:
        n = occ(jnp.diagonal(hamiltonian), temperature, chemical_potential)
        return jnp.diag(n).astype(hamiltonian.dtype)
    e, v = jnp.linalg.eigh(hamiltonian)
    n = occ(e, temperature, chemical_potential)
    return (v * n[None, :]) @ jnp.conj(v.T)


class FiniteReservoir(eqx.Module):
    """A finite quadratic reservoir.

    **Arguments:** `hamiltonian` `h_r` (M × M, Hermitian, energy units) — or its `M` mode
    energies as a 1-D array (a reservoir given in its eigenbasis: `h_r = diag(energies)`,
    whose thermal state needs no diagonalisation; `diagonal` is then True) —, `coupling`
    `b_r` (S × M) to the system modes, initial `temperature` `T_r` (> 0) and
    `chemical_potential` `μ_r` (bosons: below the lowest level of `h_r`).
    """

    hamiltonian: Inexact[Array, "M M"]
    coupling: Inexact[Array, "S M"]
    temperature: Float[Array, ""]
    chemical_potential: Float[Array, ""]
    diagonal: bool = eqx.field(static=True)

    def __init__(self, hamiltonian, coupling, temperature, chemical_potential=0.0):
        h = jnp.asarray(hamiltonian)
        b = jnp.asarray(coupling)
        self.diagonal = h.ndim == 1
        if self.diagonal:
            h = jnp.diag(h)
        if h.ndim != 2 or h.shape[0] != h.shape[1]:
            raise ValueError(
                "FiniteReservoir: `hamiltonian` must be square (or 1-D mode energies), got "
                f"{h.shape}."
            )
        if b.ndim != 2 or b.shape[1] != h.shape[0]:
            raise ValueError(
                f"FiniteReservoir: `coupling` must have shape (S, {h.shape[0]}), got {b.shape}."
            )
        t = jnp.asarray(temperature, dtype=jnp.result_type(float))
        if t.ndim != 0:
            raise ValueError("FiniteReservoir: `temperature` must be a scalar (vmap to sweep).")
        if eager_check(lambda t: t <= 0, t):
            raise ValueError(f"FiniteReservoir: `temperature` must be > 0, got {float(t)}.")
        self.hamiltonian = h
        self.coupling = b
        self.temperature = t
        self.chemical_potential = jnp.asarray(chemical_potential, dtype=jnp.result_type(float))


class ReservoirModes(NamedTuple):
    """A finite reservoir in its eigenbasis `h_r = Q diag(ε) Q†` (from
    `ClosedSystem.reservoir_modes`).

    **Attributes:** `energies` `ε` (M,), energy units; `coupling` `b_r Q` (S × M) to the
    system modes; `occupations` `f(ε)` (M,), the thermal occupations at `(T_r, μ_r)`.
    """

    energies: Float[Array, " M"]
    coupling: Inexact[Array, "S M"]
    occupations: Float[Array, " M"]


class ClosedSystem(AbstractModel):
    """A quadratic system (`hamiltonian` `h_s`, S × S) plus finite reservoirs; `statistics`
    `"boson"` or `"fermion"` (paper 001, Eqs. (1)–(3); see the module docstring for the total
    Hamiltonian).

    Verbs: `evolve` (exact, from `ρ_s ⊗ Π_r ρ_r^eq` at `ts[0]`; method
    `closed.Eigenbasis()`), `currents` (along a trajectory, or in a full covariance). A closed
    system has no steady state (`steady_state` and `entropy_production` raise `TypeError`;
    its trajectories carry the entropy production `Δ_iS` of Eq. (10)).

    **Arguments:** `hamiltonian` `h_s` (S × S); `reservoirs` (`FiniteReservoir`s);
    `statistics`.
    """

    hamiltonian: Inexact[Array, "S S"]
    reservoirs: tuple[FiniteReservoir, ...]
    statistics: str = eqx.field(static=True)

    def __init__(self, hamiltonian, reservoirs, statistics: str = "fermion"):
        h = jnp.asarray(hamiltonian)
        if h.ndim != 2 or h.shape[0] != h.shape[1]:
            raise ValueError(f"ClosedSystem: `hamiltonian` must be square, got {h.shape}.")
        reservoirs = (reservoirs,) if isinstance(reservoirs, FiniteReservoir) else tuple(reservoirs)
        if not reservoirs:
            raise ValueError("ClosedSystem: give at least one `FiniteReservoir`.")
        for i, r in enumerate(reservoirs):
            if not isinstance(r, FiniteReservoir):
                raise TypeError(f"ClosedSystem: `reservoirs[{i}]` is not a FiniteReservoir.")
            if r.coupling.shape[0] != h.shape[0]:
                raise ValueError(
                    f"ClosedSystem: `reservoirs[{i}].coupling` has {r.coupling.shape[0]} rows, "
                    f"the system has {h.shape[0]} modes."
                )
        self.hamiltonian = h
        self.reservoirs = reservoirs
        self.statistics = check_statistics(statistics, "ClosedSystem")

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.hamiltonian.shape[0], *(r.hamiltonian.shape[0] for r in self.reservoirs))

    def slices(self) -> list[slice]:
        """Index ranges of the system (first) and of each reservoir in the total matrices."""
        edges = [0]
        for n in self.sizes:
            edges.append(edges[-1] + n)
        return [slice(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]

    def total_hamiltonian(self) -> Inexact[Array, "n n"]:
        """The single-particle Hamiltonian of the whole (real if every block is real)."""
        blocks = self.slices()
        n = blocks[-1].stop
        dtype = self._dtype()
        h = jnp.zeros((n, n), dtype).at[blocks[0], blocks[0]].set(self.hamiltonian)
        for block, r in zip(blocks[1:], self.reservoirs, strict=True):
            h = h.at[block, block].set(r.hamiltonian)
            h = h.at[blocks[0], block].set(r.coupling)
            h = h.at[block, blocks[0]].set(jnp.conj(r.coupling.T))
        return h

    def _dtype(self):
        return jnp.result_type(
            self.hamiltonian,
            *(r.hamiltonian for r in self.reservoirs),
            *(r.coupling for r in self.reservoirs),
            float,
        )

    def checks(self, occupations=None) -> list[Check]:
        """Run-time checks: Hermitian `h_s` and `h_r`, `T_r > 0`, and (bosons) finite,
        non-negative reservoir occupations (μ_r below the lowest level of `h_r`);
        `occupations` reuses already computed mode occupations `f(ε_r)` (one array per
        reservoir)."""
        out = [Check(hermiticity_error(self.hamiltonian), "ClosedSystem: `hamiltonian` must be "
                     "Hermitian.")]  # fmt: skip
        for i, r in enumerate(self.reservoirs):
            where = f"ClosedSystem: `reservoirs[{i}]`: "
            out.append(Check(hermiticity_error(r.hamiltonian), where + "`hamiltonian` must be "
                             "Hermitian."))  # fmt: skip
            out.append(Check(jnp.invert(r.temperature > 0), where + "`temperature` must be > 0."))
            if occupations is not None and self.statistics == "boson":
                n = occupations[i]
                out.append(
                    Check(
                        jnp.any(jnp.invert(jnp.isfinite(n)) | (n < 0)),
                        where + "a bosonic reservoir needs `chemical_potential` below its "
                        "lowest level.",
                    )
                )
        return out

    def thermal_covariance(self, r: FiniteReservoir) -> Inexact[Array, "M M"]:
        """`f(h_r)` at `(T_r, μ_r)`: the covariance of `ρ_r^eq`."""
        return thermal_covariance(
            r.hamiltonian, r.temperature, r.chemical_potential, self.statistics
        )

    def thermal_covariances(self) -> list[Array]:
        """`f(h_r)` of every reservoir, computed one after the other (see `after`)."""
        out = []
        for r in self.reservoirs:
            h_r = r.hamiltonian if not out else after(r.hamiltonian, out[-1])
            out.append(thermal_covariance(h_r, r.temperature, r.chemical_potential,
                                          self.statistics, r.diagonal))  # fmt: skip
        return out

    def reservoir_modes(self) -> list["ReservoirModes"]:
        """Every reservoir in its eigenbasis `h_r = Q diag(ε) Q†`: its mode energies `ε`, its
        coupling `b_r Q` to the system and its thermal occupations `f(ε)` at `(T_r, μ_r)`.
        One `eigh` per reservoir given as a matrix (none for one given by its energies),
        computed one after the other (see `after`). In this basis the initial state is
        `C_s ⊕ diag(f)` and the whole Hamiltonian `[[h_s, b Q], [(b Q)†, diag(ε)]]`; every
        quantity of a `ClosedTrajectory` is a trace over a reservoir, hence the same."""
        occ = _occupation(self.statistics)
        out, last = [], None
        for r in self.reservoirs:
            if r.diagonal:
                energies, coupling = jnp.real(jnp.diagonal(r.hamiltonian)), r.coupling
            else:
                h_r = r.hamiltonian if last is None else after(r.hamiltonian, last)
                energies, q = jnp.linalg.eigh(h_r)
                coupling = r.coupling @ q
                last = energies
            occupations = occ(energies, r.temperature, r.chemical_potential)
            out.append(ReservoirModes(energies, coupling, occupations))
        return out

    def as_system_covariance(self, system_covariance: Inexact[ArrayLike, "S S"]) -> Array:
        """`C_s` as an array, with a `ValueError` unless its shape is the system's (S × S)."""
        cs = jnp.asarray(system_covariance)
        if cs.shape != self.hamiltonian.shape:
            raise ValueError(
                f"the system covariance must have shape {self.hamiltonian.shape}, got {cs.shape}."
            )
        return cs

    def product_covariance(
        self, system_covariance: Inexact[ArrayLike, "S S"], reservoir_covariances=None
    ) -> Array:
        """Block-diagonal `C_s ⊕ f(h_1) ⊕ f(h_2) …`: the covariance of `ρ_s ⊗ Π ρ_r^eq`, i.e.
        the initial state (Eq. (2)) or the reference state of Eq. (10). `reservoir_covariances`
        reuses already computed `f(h_r)`."""
        cs = self.as_system_covariance(system_covariance)
        if reservoir_covariances is None:
            reservoir_covariances = self.thermal_covariances()
        blocks = self.slices()
        n = blocks[-1].stop
        c = jnp.zeros((n, n), jnp.result_type(cs, self._dtype())).at[blocks[0], blocks[0]].set(cs)
        for block, cr in zip(blocks[1:], reservoir_covariances, strict=True):
            c = c.at[block, block].set(cr)
        return c

    def _steady_state(self, method, throw):
        raise unsupported(self, "steady_state", "a closed system has no steady state; evolve it.")

    def _evolve(self, state0, ts, method, throw):
        return closed_evolve(self, state0, ts, _eigenbasis(method), throw)

    def _currents(self, state, picture):
        if isinstance(state, (ClosedTrajectory, DrivenTrajectory)):
            return state.currents
        c = jnp.asarray(state)
        n = self.slices()[-1].stop
        if c.shape != (n, n):
            raise ValueError(
                f"`state` must be a trajectory or the full covariance ({n}, {n}) of the closed "
                f"system, got shape {c.shape}."
            )
        return reservoir_currents(self, c[self.slices()[0], :])

    def _entropy_production(self, state, picture):
        raise unsupported(
            self,
            "entropy_production",
            "a closed system has no steady-state entropy production rate; its trajectories "
            "carry the entropy production Δ_iS of paper 001 Eq. (10) (`.entropy_production`).",
        )


class Eigenbasis(eqx.Module):
    """Exact evolution of a closed system in the eigenbasis of its total Hamiltonian (one
    eigendecomposition, then `O(S n²)` per time for the system rows of `C(t)`; for the
    spin–GORM every expectation value in `O(N²)` per time).

    **Arguments:** `chunk_size` (times evaluated together as matrix products, default 64);
    `reservoir_entropies` (`ClosedSystem` only: also the reservoirs' entropies `S_r(t)` (13)
    and the correlation entropy `S_c` (14), `O(M n²)` per time; default False).
    """

    chunk_size: int = eqx.field(static=True, default=64)
    reservoir_entropies: bool = eqx.field(static=True, default=False)

    def __check_init__(self):
        c = self.chunk_size
        if isinstance(c, bool) or not isinstance(c, int) or c < 1:
            raise ValueError(f"Eigenbasis: `chunk_size` must be an int >= 1, got {c!r}.")


def _eigenbasis(method) -> Eigenbasis:
    method = Eigenbasis() if method is None else method
    if not isinstance(method, Eigenbasis):
        raise TypeError(
            f"closed systems: `method` must be jaxthermo.closed.Eigenbasis(...), got "
            f"{type(method).__name__}."
        )
    return method


def eigenbasis_weights(v, state_eig, observables) -> Array:
    """`W_o = (V† K_o V)ᵀ ∘ ρ̃` for each observable `K_o`, with `ρ̃ = V† ρ(0) V` the initial
    state (covariance or density matrix) in the eigenbasis `V` of the generator, so that
    `Tr[K_o ρ(t)] = φᵀ W_o φ*` with `φ = e^{−iεt}` (`O(n²)` per time)."""
    return jnp.stack([jnp.transpose(jnp.conj(v.T) @ k @ v) * state_eig for k in observables])


def eigenbasis_expectations(phase, weights, real: bool = True) -> Array:
    """`φᵀ W_o φ*` for every observable (see `eigenbasis_weights`); real part by default."""
    values = jnp.einsum("a,oab,b->o", phase, weights, jnp.conj(phase))
    return jnp.real(values) if real else values


def reservoir_currents(
    system: ClosedSystem, rows: Inexact[Array, "... S n"], couplings=None
) -> Currents:
    """Instantaneous currents from each reservoir into the system, from the system rows
    `C[s, :]` of the full covariance (leading axes allowed):

        J^P_r = −d⟨N_r⟩/dt = −2 Im Σ_{s,m} conj(b_r)_{sm} C_{sm},
        J^E_r = −d⟨H_r⟩/dt = −2 Im Σ_{s,m} (conj(b_r) h_rᵀ)_{sm} C_{sm},

    (from `dC/dt = −i[h, C]`; the reservoir-internal terms cancel), `J^Q_r = J^E_r − μ_r J^P_r`.
    `couplings` overrides the `b_r` (driven couplings)."""
    blocks = system.slices()[1:]
    couplings = [r.coupling for r in system.reservoirs] if couplings is None else couplings
    particle, energy = [], []
    for block, r, b in zip(blocks, system.reservoirs, couplings, strict=True):
        c_sr = rows[..., block]
        bc = jnp.conj(b)
        particle.append(-2 * jnp.imag(jnp.einsum("sm,...sm->...", bc, c_sr)))
        energy.append(-2 * jnp.imag(jnp.einsum("sm,...sm->...", bc @ r.hamiltonian.T, c_sr)))
    particle, energy = jnp.stack(particle, axis=-1), jnp.stack(energy, axis=-1)
    mu = jnp.stack([r.chemical_potential for r in system.reservoirs]).astype(particle.dtype)
    return Currents(particle, energy, energy - jnp.broadcast_to(mu, particle.shape) * particle)


class ClosedTrajectory(AbstractTrajectory):
    """Paper 001's quantities at each time (leading axis `T`), nats and energy units:

    - `ts`; `covariance` `C_s(t)` (the system covariance; entry 0 is the initial state);
      `system_entropy` `S(t)` (4);
    - `reservoir_energy[:, r]` `⟨H_r⟩_t`, `reservoir_number[:, r]` `⟨N_r⟩_t`,
      `system_energy` `⟨H_s⟩_t`, `interaction_energy` `⟨V⟩_t`;
    - `heat[:, r]` `Q_r = (⟨H_r⟩_0 − ⟨H_r⟩_t) − μ_r(⟨N_r⟩_0 − ⟨N_r⟩_t)` (9), heat **from**
      reservoir r (grand-canonical form); `currents`: the instantaneous `Currents` from each
      reservoir into the system (`d Q_r/dt = J^Q_r`);
    - `entropy_flow` `Δ_eS = Σ_r β_r Q_r` (8); `entropy_production`
      `Δ_iS = ΔS − Δ_eS = D[ρ(t) ‖ ρ_s(t) ⊗ Π ρ_r^eq]` (7), (10), ≥ 0;
    - `reservoir_entropy[:, r]` `S_r(t)` (13) and `correlation_entropy` `S_c` (14) when asked
      for (`Eigenbasis(reservoir_entropies=True)`), else zeros with
      `has_reservoir_entropies=False`;
    - `result`.

    (In the diffrax form: **Attributes:** the fields above.)
    """

    ts: Real[Array, " T"]
    covariance: Complex[Array, "T S S"]
    system_entropy: Float[Array, " T"]
    reservoir_energy: Float[Array, "T R"]
    reservoir_number: Float[Array, "T R"]
    system_energy: Float[Array, " T"]
    interaction_energy: Float[Array, " T"]
    heat: Float[Array, "T R"]
    currents: Currents
    entropy_flow: Float[Array, " T"]
    entropy_production: Float[Array, " T"]
    reservoir_entropy: Float[Array, "T R"]
    correlation_entropy: Float[Array, " T"]
    result: RESULTS
    has_reservoir_entropies: bool = eqx.field(static=True)


def _heat_flow_production(system: ClosedSystem, energy, number, e0, n0, s_sys, s0):
    """Heat from each reservoir `Q_r = −Δ⟨H_r⟩ + μ_r Δ⟨N_r⟩` (9), entropy flow
    `Σ_r β_r Q_r` (8) and `Δ_iS = ΔS − Δ_eS` (7), from reservoir energies/numbers (T × R),
    their initial values (R) and the system entropy (T) with its initial value."""
    beta = jnp.stack([1.0 / r.temperature for r in system.reservoirs])
    mu = jnp.stack([r.chemical_potential for r in system.reservoirs])
    heat = (e0[None, :] - energy) - mu[None, :] * (n0[None, :] - number)
    flow = jnp.sum(beta[None, :] * heat, axis=1)
    return heat, flow, (s_sys - s0) - flow


def mode_basis_eigh(
    system: ClosedSystem, modes: list[ReservoirModes]
) -> tuple[Float[Array, " n"], Inexact[Array, "n n"]]:
    """`h = V diag(λ) V†` for the whole Hamiltonian in the reservoirs' eigenbases,
    `[[h_s, B], [B†, diag(ε)]]` (`B` the couplings `b_r Q` side by side). One system mode
    (`S = 1`) makes it an arrowhead, decomposed in `O(n²)` (`arrowhead_eigh`); otherwise one
    dense `eigh` (after the reservoirs' ones, see `after`)."""
    h_s = system.hamiltonian
    energies = jnp.concatenate([m.energies for m in modes])
    b = jnp.concatenate([m.coupling for m in modes], axis=1)
    if h_s.shape[0] == 1:
        return arrowhead_eigh(jnp.real(h_s[0, 0]), energies, jnp.conj(b[0]))
    s, n = h_s.shape[0], h_s.shape[0] + energies.shape[0]
    dtype = jnp.result_type(h_s, b, float)
    h = jnp.zeros((n, n), dtype).at[:s, :s].set(h_s).at[:s, s:].set(b)
    h = h.at[s:, :s].set(jnp.conj(b.T)).at[jnp.arange(s, n), jnp.arange(s, n)].set(energies)
    return jnp.linalg.eigh(after(h, energies))


def closed_evolve(
    system: ClosedSystem, system_covariance, ts, method: Eigenbasis, throw: bool
) -> ClosedTrajectory:
    """Exact evolution and paper 001 thermodynamics (Eqs. (4)–(18)) from covariances.

    Every reservoir is taken to its eigenbasis first (`ClosedSystem.reservoir_modes`), where
    the initial state is `C_s ⊕ diag(f(ε))`. Then one eigendecomposition `h = V diag(λ) V†`
    of the whole (`mode_basis_eigh`: `O(n²)` for one system mode, a dense `eigh` otherwise)
    and `ρ̃ = V† C(t₀) V` (one `n × M × n` product); then, for `chunk_size` times at once
    (`lax.map` over chunks), the system rows of `C(t) = V Φ ρ̃ Φ† V†` (`Φ = e^{−iλ(t − t₀)}`)
    in the eigenbasis, `O(S n²)` per time as one matrix product, projected onto the few
    directions the observables need (`C_s`, and per reservoir `b_r` and `b_r h_r` for ⟨V⟩
    and the currents: `O(S² n)`). The last reservoir's energy and number follow from the
    conserved totals `Tr[h C]`, `Tr C`, any other reservoir's from `φᵀ W φ*` weights
    (`eigenbasis_weights`, `O(n²)` per time). Δ_iS is computed from the identity
    `Δ_iS = ΔS + Σ_r β_r[Δ⟨H_r⟩ − μ_r Δ⟨N_r⟩]`, which follows from (10) with the conserved
    total entropy (5); the tests check it against the relative entropy (10) of the full
    covariances and against dense density matrices."""
    cs0 = system.as_system_covariance(system_covariance)
    modes = system.reservoir_modes()
    eps, v = mode_basis_eigh(system, modes)
    ns = system.hamiltonian.shape[0]
    v_s, v_r = v[:ns, :], v[ns:, :]
    occupations = jnp.concatenate([m.occupations for m in modes])
    dtype = jnp.result_type(v, cs0)
    blocks = system.slices()
    stat = system.statistics
    nres = len(system.reservoirs)

    def times_c0(x):  # x (C_s ⊕ diag f), for rows x in the mode basis
        x = x.astype(jnp.result_type(x, dtype))
        return jnp.concatenate(
            [x[:, :ns] @ cs0.astype(x.dtype), x[:, ns:] * occupations[None, :]], axis=1
        )

    # ρ̃ = V† (C_s ⊕ diag f) V costs one n × M × n product; without it each time costs two
    # row products (U_s(t) = V_s Φ V†, then U_s C(0) V) instead of one: form ρ̃ only when it
    # is needed (weights of a second reservoir, reservoir entropies) or cheaper (S·T > n).
    need_rho = nres > 1 or method.reservoir_entropies or ns * ts.shape[0] > v.shape[0]
    if need_rho:
        c0_eig = jnp.conj(v_s.T).astype(dtype) @ (cs0.astype(dtype) @ v_s) + jnp.conj(v_r.T) @ (
            occupations.astype(v.dtype)[:, None] * v_r
        )
        apply_c0 = lambda left: matmul(left, c0_eig)  # noqa: E731
    else:
        v_dag = jnp.conj(v.T)
        apply_c0 = lambda left: matmul(times_c0(matmul(left, v_dag)), v)  # noqa: E731
    # the directions the observables need, in the eigenbasis: C_s = rows @ conj(V_s)ᵀ and,
    # per reservoir, Σ_m conj(b_sm) C_s'm = (rows @ conj(V_rᵀ bᵀ))_{s's}, likewise b ε
    res_rows = [v[b, :] for b in blocks[1:]]
    directions = [jnp.conj(v_s.T)]
    for vb, m in zip(res_rows, modes, strict=True):
        directions += [
            jnp.conj(vb.T @ m.coupling.T),
            jnp.conj(vb.T @ (m.coupling * m.energies[None, :]).T),
        ]
    directions = jnp.concatenate(directions, axis=1)
    # reservoirs but the last: ⟨H_r⟩, ⟨N_r⟩ from eigenbasis weights of their blocks
    weights = [
        eigenbasis_weights(vb, c0_eig, [jnp.diag(m.energies), jnp.eye(m.energies.shape[0])])
        for vb, m in zip(res_rows[:-1], modes[:-1], strict=True)
    ]
    weights = jnp.concatenate(weights) if weights else None
    h_s = system.hamiltonian
    mu = jnp.stack([r.chemical_potential for r in system.reservoirs])

    def chunk(tc):
        phase = jnp.exp(-1j * tc[:, None] * eps[None, :])  # K × n
        k = tc.shape[0]
        left = (v_s[None, :, :] * phase[:, None, :]).reshape(k * ns, -1)
        rows = apply_c0(left).reshape(k, ns, -1) * jnp.conj(phase)[:, None, :]
        proj = jnp.einsum("ksa,ap->ksp", rows, directions.astype(rows.dtype))
        cs = proj[:, :, :ns]
        cs = 0.5 * (cs + jnp.conj(jnp.swapaxes(cs, 1, 2)))
        h_sys = jnp.real(jnp.einsum("ij,kji->k", h_s, cs))
        traces = jnp.trace(proj[:, :, ns:].reshape(k, ns, 2 * nres, ns), axis1=1, axis2=3)
        particle, energy = -2 * jnp.imag(traces[:, 0::2]), -2 * jnp.imag(traces[:, 1::2])
        interaction = 2.0 * jnp.sum(jnp.real(traces[:, 0::2]), axis=1)  # ⟨V⟩ = 2 Re Σ b C
        if weights is None:
            values = jnp.zeros((k, 0), h_sys.dtype)
        else:
            values = jnp.real(
                jnp.einsum("ka,oak->ko", phase, weights @ jnp.conj(phase).T)
            )  # φᵀ W_o φ* for every time of the chunk
        s_sys = jax.vmap(lambda c: entropy(c, stat))(cs)
        flows = Currents(particle, energy, energy - mu[None, :].astype(particle.dtype) * particle)
        return cs, s_sys, h_sys, interaction, values, flows

    elapsed = ts - ts[0]
    size = min(method.chunk_size, ts.shape[0])
    count = -(-ts.shape[0] // size)
    padded = jnp.concatenate([elapsed, jnp.full(count * size - ts.shape[0], elapsed[-1])])
    out = jax.lax.map(chunk, padded.reshape(count, size))
    cs, s_sys, h_sys, interaction, values, flows = jax.tree_util.tree_map(
        lambda x: x.reshape(count * size, *x.shape[2:])[: ts.shape[0]], out
    )
    # Tr[h C(0)] and Tr C(0) of the product state, and each reservoir's ⟨H_r⟩_0, ⟨N_r⟩_0
    e0 = jnp.stack([jnp.sum(m.energies * m.occupations) for m in modes])
    n0 = jnp.stack([jnp.sum(m.occupations) for m in modes])
    e_total = jnp.real(jnp.sum(h_s * cs0.T)) + jnp.sum(e0)
    n_total = jnp.real(jnp.trace(cs0)) + jnp.sum(n0)
    n_sys = jnp.real(jnp.trace(cs, axis1=1, axis2=2))
    energy_rest, number_rest = values[:, 0::2], values[:, 1::2]
    last_e = e_total - h_sys - interaction - jnp.sum(energy_rest, axis=1)
    last_n = n_total - n_sys - jnp.sum(number_rest, axis=1)
    energy = jnp.concatenate([energy_rest, last_e[:, None]], axis=1)
    number = jnp.concatenate([number_rest, last_n[:, None]], axis=1)
    s0 = entropy(cs0, stat)
    heat, flow, production = _heat_flow_production(system, energy, number, e0, n0, s_sys, s0)
    if method.reservoir_entropies:

        def reservoir_entropy_at(t):
            phase = jnp.exp(-1j * eps * t)
            s_r = []
            for vb in res_rows:
                lr = vb * phase[None, :]
                cr = lr @ c0_eig @ jnp.conj(lr.T)
                s_r.append(entropy(0.5 * (cr + jnp.conj(cr.T)), stat))
            return jnp.stack(s_r)

        s_res = jax.lax.map(reservoir_entropy_at, elapsed)
        density = gaussian_function(stat, "entropy")  # S of diag(f): Σ s(f_m)
        s_r0 = jnp.stack([jnp.sum(density.value(density.clip(m.occupations))) for m in modes])
        correlation = -(s_sys - s0) - jnp.sum(s_res - s_r0[None, :], axis=1)
    else:
        s_res = jnp.zeros((ts.shape[0], nres))
        correlation = jnp.zeros_like(production)
    trajectory = ClosedTrajectory(
        ts,
        cs,
        s_sys,
        energy,
        number,
        h_sys,
        interaction,
        heat,
        flows,
        flow,
        production,
        s_res,
        correlation,
        RESULTS.successful,
        method.reservoir_entropies,
    )
    occupations_per_reservoir = [m.occupations for m in modes]
    trajectory, result = apply_checks(trajectory, system.checks(occupations_per_reservoir), throw)
    return eqx.tree_at(lambda t: t.result, trajectory, result)


# ---------------------------------------------------------------------------------------
# Driven closed systems (paper 001, Sec. 3.3)
# ---------------------------------------------------------------------------------------


class DrivenTrajectory(AbstractTrajectory):
    """Paper 001 thermodynamics of a driven closed system (Sec. 3.3), at each time (leading
    axis `T`), nats and energy units. As `ClosedTrajectory`, plus

    - `work` `W(t) = ∫_{t_0}^t ds Tr[(∂_s Ĥ_s + ∂_s V̂) ρ(s)]` (19), integrated with the state
      (the tests check it equals `⟨Ĥ(t)⟩_t − ⟨Ĥ(t_0)⟩_0`), work done **on** the system;
    - `internal_energy_change` `ΔU = Δ⟨Ĥ_s(t) + V̂(t)⟩` (21), so that `ΔU = W + Σ_r Q_r`
      (22) for reservoirs without particle exchange (μ_r Δ⟨N_r⟩ = 0 otherwise is part of
      `heat`);
    - `final_covariance`: the full single-particle covariance at the last time (n × n).

    `system_energy` is `⟨Ĥ_s(t)⟩_t` and `interaction_energy` `⟨V̂(t)⟩_t`, with the Hamiltonians
    at that time; `currents` use the couplings at that time. `entropy_production` is
    `Δ_iS = ΔS − Σ_r β_r Q_r` (7), which equals the relative entropy (10) because the driven
    evolution is still unitary.

    **Attributes:** the fields above, plus `ts`, `covariance` (`C_s(t)`), `result`.
    """

    ts: Real[Array, " T"]
    covariance: Complex[Array, "T S S"]
    system_entropy: Float[Array, " T"]
    reservoir_energy: Float[Array, "T R"]
    reservoir_number: Float[Array, "T R"]
    system_energy: Float[Array, " T"]
    interaction_energy: Float[Array, " T"]
    heat: Float[Array, "T R"]
    currents: Currents
    work: Float[Array, " T"]
    internal_energy_change: Float[Array, " T"]
    entropy_flow: Float[Array, " T"]
    entropy_production: Float[Array, " T"]
    final_covariance: Complex[Array, "n n"]
    result: RESULTS


def _driven_blocks(system: ClosedSystem, drive, t):
    """`(h_s(t), couplings(t))` from the user's `drive(t)` (an S × S array, or a pair of it
    and one coupling per reservoir)."""
    out = drive(t)
    if isinstance(out, tuple) and len(out) == 2:
        h_s, couplings = out
        couplings = tuple(jnp.asarray(b) for b in couplings)
    else:
        h_s, couplings = out, tuple(r.coupling for r in system.reservoirs)
    return jnp.asarray(h_s), couplings


class DrivenSystem(AbstractModel):
    """A closed system whose system Hamiltonian (and optionally its couplings) is driven
    (paper 001, Sec. 3.3): `drive(t)` gives `h_s(t)` (S × S), or a pair `(h_s(t),
    couplings(t))` with one `S × M_r` array per reservoir; reservoir Hamiltonians and initial
    states come from `system` (its own `hamiltonian`/couplings are not used).

    `jaxthermo.evolve(DrivenSystem(system, drive), c_s0, ts, method)` integrates the full
    covariance `dC/dt = −i[h(t), C]` (`C_ij = ⟨a_j† a_i⟩`) with `method` (a `jaxthermo.ODE`;
    default `ODE(rtol=1e-10, atol=1e-12, max_steps=1_000_000)`), `O(n³)` per step, and the
    work (19) from `∂_t h` (forward-mode autodiff of `drive`). For one reservoir at
    temperature T, `T·Δ_iS = W − ΔF` (24) with `ΔF = ΔU − TΔS` from `free_energy_change`.

    **Arguments:** `system` (a `ClosedSystem`), `drive` (a jit-able callable).
    """

    system: ClosedSystem
    drive: object = eqx.field(static=True)

    def __init__(self, system: ClosedSystem, drive):
        if not isinstance(system, ClosedSystem):
            raise TypeError(
                f"DrivenSystem: `system` must be a ClosedSystem, got {type(system).__name__}."
            )
        if not callable(drive):
            raise TypeError(f"DrivenSystem: `drive` must be a callable t -> h_s(t), got "
                            f"{type(drive).__name__}.")  # fmt: skip
        try:
            h_s, couplings = jax.eval_shape(
                lambda t: _driven_blocks(system, drive, t), jnp.zeros((), jnp.result_type(float))
            )
        except Exception as err:  # noqa: BLE001 - re-raised with the argument named
            raise ValueError(f"DrivenSystem: `drive(t)` failed on a scalar time: {err}") from err
        if h_s.shape != system.hamiltonian.shape:
            raise ValueError(
                f"DrivenSystem: `drive(t)` must return the system Hamiltonian of shape "
                f"{system.hamiltonian.shape} (or a pair (h_s, couplings)), got shape {h_s.shape}."
            )
        if len(couplings) != len(system.reservoirs) or any(
            b.shape != r.coupling.shape for b, r in zip(couplings, system.reservoirs, strict=False)
        ):
            raise ValueError(
                "DrivenSystem: `drive(t)`'s couplings must be one array per reservoir with the "
                f"shapes of {[r.coupling.shape for r in system.reservoirs]}."
            )
        self.system = system
        self.drive = drive

    def _steady_state(self, method, throw):
        raise unsupported(self, "steady_state", "a driven closed system has no steady state.")

    def _evolve(self, state0, ts, method, throw):
        method = ODE(rtol=1e-10, atol=1e-12, max_steps=1_000_000) if method is None else method
        return driven_evolve(self, state0, ts, method, throw)

    def _currents(self, state, picture):
        if isinstance(state, DrivenTrajectory):
            return state.currents
        raise unsupported(
            self, "currents", "the couplings depend on time: pass the trajectory from evolve."
        )

    def _entropy_production(self, state, picture):
        raise unsupported(
            self,
            "entropy_production",
            "its trajectories carry the entropy production Δ_iS (`.entropy_production`).",
        )


def driven_evolve(model: DrivenSystem, system_covariance, ts, method, throw) -> DrivenTrajectory:
    """The evolution behind `jaxthermo.evolve` for a `DrivenSystem` (see its docstring)."""
    system, drive = model.system, model.drive
    if ts.shape[0] > 1 and eager_check(lambda t: jnp.any(jnp.diff(t) <= 0), ts):
        raise ValueError("`ts` must be strictly increasing (ts[0] is the initial time).")
    blocks = system.slices()
    s_block = blocks[0]
    base = system.total_hamiltonian()
    dtype = jnp.result_type(base, jnp.complex64)
    base = base.astype(dtype)

    def total_hamiltonian(t):
        h_s, couplings = _driven_blocks(system, drive, t)
        h = base.at[s_block, s_block].set(h_s)
        for block, b in zip(blocks[1:], couplings, strict=True):
            h = h.at[s_block, block].set(b).at[block, s_block].set(jnp.conj(b.T))
        return h

    def vector_field(t, y, args):
        c, _ = y
        h, dh = jax.jvp(total_hamiltonian, (t,), (jnp.ones_like(t),))
        power = jnp.real(jnp.sum(dh * c.T))  # Tr[ḣ C]
        return -1j * (h @ c - c @ h), power

    def observables(t, y, args):
        c, work = y
        h = total_hamiltonian(t)
        _, couplings = _driven_blocks(system, drive, t)
        cs = c[s_block, s_block]
        cs = 0.5 * (cs + jnp.conj(cs.T))
        energy = lambda k, block: jnp.real(jnp.sum(k * c[block, block].T))  # noqa: E731
        res_e = jnp.stack([energy(h[b, b], b) for b in blocks[1:]])
        res_n = jnp.stack([jnp.real(jnp.trace(c[b, b])) for b in blocks[1:]])
        h_sys = energy(h[s_block, s_block], s_block)
        interaction = jnp.real(jnp.sum(h * c.T)) - h_sys - jnp.sum(res_e)
        flows = reservoir_currents(system, c[s_block, :], couplings)
        return cs, entropy(cs, system.statistics), res_e, res_n, h_sys, interaction, work, flows

    c0 = system.product_covariance(system_covariance).astype(dtype)
    y0 = (c0, jnp.zeros((), ts.dtype))
    sol = solve_ode(method, vector_field, y0, ts, fn=observables, throw=throw)
    cs, s_sys, energy, number, h_sys, interaction, work, flows = sol.ys
    heat, flow, production = _heat_flow_production(
        system, energy, number, energy[0], number[0], s_sys, s_sys[0]
    )
    trajectory = DrivenTrajectory(
        ts,
        cs,
        s_sys,
        energy,
        number,
        h_sys,
        interaction,
        heat,
        flows,
        work,
        (h_sys + interaction) - (h_sys[0] + interaction[0]),
        flow,
        production,
        sol.final[0],
        sol.result,
    )
    trajectory, invalid = apply_checks(trajectory, system.checks(), throw)
    result = RESULTS.where(invalid != RESULTS.successful, invalid, sol.result)
    return eqx.tree_at(lambda t: t.result, trajectory, result)


def free_energy_change(system: ClosedSystem, trajectory: DrivenTrajectory) -> Float[Array, " T"]:
    """Paper 001 Eq. (23): the non-equilibrium free-energy change `ΔF(t) = ΔU(t) − TΔS(t)` of
    a system driven in contact with **one** reservoir at temperature `T` (energy units);
    then `T·Δ_iS = W − ΔF ≥ 0` (24).

    **Arguments:** `system` (one reservoir); `trajectory` (a `DrivenTrajectory`).

    **Returns:** `ΔF(t)`, shape `(T,)` (energy).
    """
    if len(system.reservoirs) != 1:
        raise ValueError(
            "free_energy_change: Eq. (23) needs exactly one reservoir (one temperature), "
            f"`system` has {len(system.reservoirs)}."
        )
    t = system.reservoirs[0].temperature
    ds = trajectory.system_entropy - trajectory.system_entropy[0]
    return trajectory.internal_energy_change - t * ds


def system_relative_entropy_production(
    system: ClosedSystem,
    trajectory: ClosedTrajectory,
) -> Float[Array, " T"]:
    """The alternative definition (25): `Δ'_iS = D[ρ_s(0) ‖ ρ_s^eq] − D[ρ_s(t) ‖ ρ_s^eq]`,
    `ρ_s^eq ∝ exp(−β(Ĥ_s − μN̂_s))` at the (single, or common) reservoir `(β, μ)`. Not
    necessarily ≥ 0; differs from (10) by `−β(⟨V⟩_t − ⟨V⟩_0)` (Eq. (27) with its sign corrected, see
    the conventions page).

    **Arguments:** `system`; `trajectory` (a `ClosedTrajectory`).

    **Returns:** `Δ'_iS(t)`, shape `(T,)` (nats).
    """
    temps = {float(r.temperature) for r in system.reservoirs}
    mus = {float(r.chemical_potential) for r in system.reservoirs}
    if len(temps) != 1 or len(mus) != 1:
        raise ValueError("Eq. (25) needs one reservoir temperature and chemical potential.")
    r = system.reservoirs[0]
    c_eq = thermal_covariance(
        system.hamiltonian, r.temperature, r.chemical_potential, system.statistics
    )
    d = jax.vmap(lambda c: relative_entropy(c, c_eq, system.statistics))(trajectory.covariance)
    return d[0] - d


def direct_entropy_production(
    system: ClosedSystem, full_covariance: Inexact[ArrayLike, "n n"]
) -> Float[Array, ""]:
    """Eq. (10) by definition: `D[ρ(t) ‖ ρ_s(t) ⊗ Π ρ_r^eq]` between Gaussian states from the
    full covariance `C(t)` (`O(n³)`; for checks and small systems).

    **Arguments:** `system`; `full_covariance` (n × n).

    **Returns:** `Δ_iS` (nats).
    """
    c = jnp.asarray(full_covariance)
    s = system.slices()[0]
    return relative_entropy(c, system.product_covariance(c[s, s]), system.statistics)


def full_covariance(system: ClosedSystem, system_covariance, t) -> Array:
    """`C(t) = e^{−iht} C(0) e^{iht}` of the whole closed system (n × n), from the product
    state with system covariance `system_covariance` at time 0 (for checks and small
    systems: one dense `n × n` product per call).

    **Arguments:** `system`; `system_covariance` (S × S); `t`.

    **Returns:** `C(t)`, n × n.
    """
    thermal = system.thermal_covariances()
    eps, v = jnp.linalg.eigh(after(system.total_hamiltonian(), thermal[-1]))
    u = (v * jnp.exp(-1j * eps * t)[None, :]) @ jnp.conj(v.T)
    return u @ system.product_covariance(system_covariance, thermal) @ jnp.conj(u.T)


def effective_system_matrix(
    full_covariance: Inexact[ArrayLike, "n n"], system_size: int
) -> Inexact[Array, "S S"]:
    """Paper 000, Eq. (43): `K_eff = K − b C⁻¹ b†` from the blocks `[[K, b], [b†, C]]` of the
    inverse covariance of the whole closed system (paper 000's coherent-state weight; our
    `C_ij = ⟨a_j† a_i⟩` is its `n`). Completing the square over the reservoir variables gives
    the system's weight, so `K_eff⁻¹` is the reduced covariance `C_s` (checked in the tests).

    **Arguments:** `full_covariance` (n × n); `system_size` (S).

    **Returns:** `K_eff`, S × S.
    """
    c = jnp.asarray(full_covariance)
    inv = jnp.linalg.inv(c)
    s = system_size
    k, b, cc = inv[:s, :s], inv[:s, s:], inv[s:, s:]
    return k - b @ jnp.linalg.solve(cc, jnp.conj(b.T))
