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

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp

from ._baths import bose_einstein, eager_check, fermi_dirac
from ._custom_types import Array, ArrayLike, Complex, Float, Inexact, RealScalarLike
from ._gaussian import _statistics, entropy, relative_entropy


def _after(x: Array, earlier: Array) -> Array:
    """`x`, made to depend on `earlier` (`x + 0·earlier₀`, which XLA does not fold for
    floats). Used to run eigendecompositions one after another: under `vmap` each becomes a
    batched LAPACK call that fans out into XLA:CPU's intra-op thread pool and blocks a pool
    thread until its chunks finish (jaxlib's `ParallelBatchMap`); two or more independent
    ones in flight on a pool of as many threads (2 cores) deadlock. Seen with jax 0.10.2 in
    `vmap(evolve_closed)` (README, "Known issue")."""
    return x + jnp.zeros((), x.dtype) * jnp.ravel(earlier)[0].astype(x.dtype)


def thermal_covariance(
    hamiltonian: Inexact[Array, "M M"],
    temperature: Float[Array, ""],
    chemical_potential: Float[Array, ""],
    statistics: str,
) -> Inexact[Array, "M M"]:
    """`f(h)` with Fermi or Bose occupations at `(T, μ)`: the covariance of
    `exp(−β(Ĥ − μN̂))/Z`."""
    e, v = jnp.linalg.eigh(hamiltonian)
    occ = bose_einstein if statistics == "boson" else fermi_dirac
    n = occ(e, temperature, chemical_potential)
    n = eqx.error_if(
        n,
        jnp.any(~jnp.isfinite(n) | (n < 0)),
        "ClosedSystem: a bosonic reservoir needs μ below its lowest level.",
    )
    return (v * n[None, :]) @ jnp.conj(v.T)


class FiniteReservoir(eqx.Module):
    """A finite quadratic reservoir: `hamiltonian` `h_r` (M × M, Hermitian), `coupling`
    `b_r` (S × M) to the system modes, initial `temperature` `T_r` (> 0) and
    `chemical_potential` `μ_r` (bosons: below the lowest level of `h_r`)."""

    hamiltonian: Inexact[Array, "M M"]
    coupling: Inexact[Array, "S M"]
    temperature: Float[Array, ""]
    chemical_potential: Float[Array, ""]

    def __init__(self, hamiltonian, coupling, temperature, chemical_potential=0.0):
        h = jnp.asarray(hamiltonian)
        b = jnp.asarray(coupling)
        if h.ndim != 2 or h.shape[0] != h.shape[1]:
            raise ValueError(f"FiniteReservoir: `hamiltonian` must be square, got {h.shape}.")
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


class ClosedSystem(eqx.Module):
    """A quadratic system (`hamiltonian` `h_s`, S × S) plus finite reservoirs; `statistics`
    `"boson"` or `"fermion"`. See the module docstring for the total Hamiltonian."""

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
            if r.coupling.shape[0] != h.shape[0]:
                raise ValueError(
                    f"ClosedSystem: `reservoirs[{i}].coupling` has {r.coupling.shape[0]} rows, "
                    f"the system has {h.shape[0]} modes."
                )
        self.hamiltonian = h
        self.reservoirs = reservoirs
        self.statistics = _statistics(statistics)

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.hamiltonian.shape[0], *(r.hamiltonian.shape[0] for r in self.reservoirs))

    def slices(self) -> list[slice]:
        """Index ranges of the system (first) and of each reservoir in the total matrices."""
        edges = [0]
        for n in self.sizes:
            edges.append(edges[-1] + n)
        return [slice(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]

    def total_hamiltonian(self) -> Complex[Array, "n n"]:
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

    def thermal_covariance(self, r: FiniteReservoir) -> Inexact[Array, "M M"]:
        """`f(h_r)` at `(T_r, μ_r)`: the covariance of `ρ_r^eq`."""
        return thermal_covariance(
            r.hamiltonian, r.temperature, r.chemical_potential, self.statistics
        )

    def product_covariance(
        self, system_covariance: Inexact[ArrayLike, "S S"], reservoir_covariances=None
    ) -> Array:
        """Block-diagonal `C_s ⊕ f(h_1) ⊕ f(h_2) …`: the covariance of `ρ_s ⊗ Π ρ_r^eq`, i.e.
        `C(0)` (Eq. (2)) or the reference state of Eq. (10). `reservoir_covariances` reuses
        already computed `f(h_r)`."""
        cs = jnp.asarray(system_covariance)
        if cs.shape != self.hamiltonian.shape:
            raise ValueError(
                f"`system_covariance` must have shape {self.hamiltonian.shape}, got {cs.shape}."
            )
        if reservoir_covariances is None:
            reservoir_covariances = [self.thermal_covariance(r) for r in self.reservoirs]
        blocks = self.slices()
        n = blocks[-1].stop
        c = jnp.zeros((n, n), jnp.result_type(cs, self._dtype())).at[blocks[0], blocks[0]].set(cs)
        for block, cr in zip(blocks[1:], reservoir_covariances, strict=True):
            c = c.at[block, block].set(cr)
        return c

    def initial_covariance(self, system_covariance: Inexact[ArrayLike, "S S"]) -> Array:
        """`C(0) = C_s(0) ⊕ f(h_1) ⊕ f(h_2) …` (Eq. (2))."""
        return self.product_covariance(system_covariance)


def eigenbasis_weights(v, state_eig, observables) -> Array:
    """`W_o = (V† K_o V)ᵀ ∘ ρ̃` for each observable `K_o`, with `ρ̃ = V† ρ(0) V` the initial
    state (covariance or density matrix) in the eigenbasis `V` of the generator, so that
    `Tr[K_o ρ(t)] = φᵀ W_o φ*` with `φ = e^{−iεt}` (`O(n²)` per time)."""
    return jnp.stack([jnp.transpose(jnp.conj(v.T) @ k @ v) * state_eig for k in observables])


def eigenbasis_expectations(phase, weights, real: bool = True) -> Array:
    """`φᵀ W_o φ*` for every observable (see `eigenbasis_weights`); real part by default."""
    values = jnp.einsum("a,oab,b->o", phase, weights, jnp.conj(phase))
    return jnp.real(values) if real else values


class ClosedTrajectory(eqx.Module):
    """Paper 001's quantities at each time (leading axis `T`), nats and energy units:

    - `system_covariance` `C_s(t)`; `system_entropy` `S(t)` (4);
    - `reservoir_energy[:, r]` `⟨H_r⟩_t`, `reservoir_number[:, r]` `⟨N_r⟩_t`,
      `system_energy` `⟨H_s⟩_t`, `interaction_energy` `⟨V⟩_t`;
    - `heat[:, r]` `Q_r = (⟨H_r⟩_0 − ⟨H_r⟩_t) − μ_r(⟨N_r⟩_0 − ⟨N_r⟩_t)` (9), heat **from**
      reservoir r (grand-canonical form);
    - `entropy_flow` `Δ_eS = Σ_r β_r Q_r` (8); `entropy_production`
      `Δ_iS = ΔS − Δ_eS = D[ρ(t) ‖ ρ_s(t) ⊗ Π ρ_r^eq]` (7), (10), ≥ 0;
    - `reservoir_entropy[:, r]` `S_r(t)` (13) and `correlation_entropy` `S_c` (14) when asked
      for (`O(M n²)` per time), else NaN-free zeros with `has_reservoir_entropies=False`.
    """

    times: Float[Array, " T"]
    system_covariance: Complex[Array, "T S S"]
    system_entropy: Float[Array, " T"]
    reservoir_energy: Float[Array, "T R"]
    reservoir_number: Float[Array, "T R"]
    system_energy: Float[Array, " T"]
    interaction_energy: Float[Array, " T"]
    heat: Float[Array, "T R"]
    entropy_flow: Float[Array, " T"]
    entropy_production: Float[Array, " T"]
    reservoir_entropy: Float[Array, "T R"]
    correlation_entropy: Float[Array, " T"]
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


def evolve_closed(
    system: ClosedSystem,
    system_covariance: Inexact[ArrayLike, "S S"],
    times: Float[ArrayLike, " T"],
    *,
    reservoir_entropies: bool = False,
    chunk_size: int = 64,
) -> ClosedTrajectory:
    """Exact evolution and paper 001 thermodynamics (Eqs. (4)–(18)) from covariances.

    One eigendecomposition `h = V diag(ε) V†` of the total single-particle Hamiltonian and
    `ρ̃ = V† C(0) V`; then, for `chunk_size` times at once (`lax.map` over chunks), the
    system rows of `C(t) = V Φ ρ̃ Φ† V†` (`Φ = e^{−iεt}`), `O(S n²)` per time as matrix
    products. They give `C_s(t)`, `⟨H_s⟩` and `⟨V⟩`; the last reservoir's energy and number
    follow from the conserved totals `Tr[h C]`, `Tr C`, and any other reservoir's from
    `φᵀ W φ*` weights (`eigenbasis_weights`, `O(n²)` per time). Δ_iS is computed from the
    identity `Δ_iS = ΔS + Σ_r β_r[Δ⟨H_r⟩ − μ_r Δ⟨N_r⟩]`, which follows from (10) with the
    conserved total entropy (5); the tests check it against the relative entropy (10) of
    the full covariances and against dense density matrices. `reservoir_entropies=True`
    adds `S_r(t)` and `S_c(t)` at `O(M n²)` per time."""
    ts = jnp.atleast_1d(jnp.asarray(times, dtype=jnp.result_type(float)))
    if ts.ndim != 1:
        raise ValueError(f"`times` must be a scalar or 1-D, got shape {ts.shape}.")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"`chunk_size` must be an int >= 1, got {chunk_size!r}.")
    h = system.total_hamiltonian()
    # one eigh per reservoir, then the total one: in sequence (see `_after`)
    thermal = []
    for r in system.reservoirs:
        h_r = r.hamiltonian if not thermal else _after(r.hamiltonian, thermal[-1])
        thermal.append(
            thermal_covariance(h_r, r.temperature, r.chemical_potential, system.statistics)
        )
    c0 = system.product_covariance(system_covariance, thermal)
    eps, v = jnp.linalg.eigh(_after(h, thermal[-1]))
    c0_eig = jnp.conj(v.T) @ c0 @ v
    blocks = system.slices()
    s_block = blocks[0]
    v_s = v[s_block, :]
    v_dag = jnp.conj(v.T)
    nres = len(system.reservoirs)
    stat = system.statistics
    # reservoirs but the last: ⟨H_r⟩, ⟨N_r⟩ from eigenbasis weights of their blocks
    weights = [
        eigenbasis_weights(v[b, :], c0_eig, [r.hamiltonian, jnp.eye(r.hamiltonian.shape[0])])
        for b, r in zip(blocks[1:-1], system.reservoirs[:-1], strict=True)
    ]
    weights = jnp.concatenate(weights) if weights else None

    def chunk(tc):
        phase = jnp.exp(-1j * tc[:, None] * eps[None, :])  # K × n
        k, ns = tc.shape[0], v_s.shape[0]
        left = (v_s[None, :, :] * phase[:, None, :]).reshape(k * ns, -1)
        rows = (left @ c0_eig).reshape(k, ns, -1) * jnp.conj(phase)[:, None, :]
        rows = (rows.reshape(k * ns, -1) @ v_dag).reshape(k, ns, -1)  # system rows of C(t)
        cs = rows[:, :, s_block]
        cs = 0.5 * (cs + jnp.conj(jnp.swapaxes(cs, 1, 2)))
        h_sys = jnp.real(jnp.einsum("ij,kji->k", system.hamiltonian, cs))
        interaction = sum(  # ⟨V⟩ = 2 Re Σ b_sm C_ms, C_ms = conj(C_sm)
            2.0 * jnp.real(jnp.einsum("sm,ksm->k", r.coupling, jnp.conj(rows[:, :, b])))
            for b, r in zip(blocks[1:], system.reservoirs, strict=True)
        )
        if weights is None:
            values = jnp.zeros((k, 0), h_sys.dtype)
        else:
            values = jnp.real(
                jnp.einsum("ka,oak->ko", phase, weights @ jnp.conj(phase).T)
            )  # φᵀ W_o φ* for every time of the chunk
        s_sys = jax.vmap(lambda c: entropy(c, stat))(cs)
        return cs, s_sys, h_sys, interaction, values

    size = min(chunk_size, ts.shape[0])
    count = -(-ts.shape[0] // size)
    padded = jnp.concatenate([ts, jnp.full(count * size - ts.shape[0], ts[-1])])
    out = jax.lax.map(chunk, padded.reshape(count, size))
    cs, s_sys, h_sys, interaction, values = (
        x.reshape(count * size, *x.shape[2:])[: ts.shape[0]] for x in out
    )
    e_total = jnp.real(jnp.trace(h @ c0))
    n_total = jnp.real(jnp.trace(c0))
    n_sys = jnp.real(jnp.trace(cs, axis1=1, axis2=2))
    energy_rest, number_rest = values[:, 0::2], values[:, 1::2]
    last_e = e_total - h_sys - interaction - jnp.sum(energy_rest, axis=1)
    last_n = n_total - n_sys - jnp.sum(number_rest, axis=1)
    energy = jnp.concatenate([energy_rest, last_e[:, None]], axis=1)
    number = jnp.concatenate([number_rest, last_n[:, None]], axis=1)
    s0 = entropy(jnp.asarray(system_covariance), stat)
    e0 = jnp.stack(
        [
            jnp.real(jnp.trace(r.hamiltonian @ cr))
            for r, cr in zip(system.reservoirs, thermal, strict=True)
        ]
    )
    n0 = jnp.stack([jnp.real(jnp.trace(cr)) for cr in thermal])
    heat, flow, production = _heat_flow_production(system, energy, number, e0, n0, s_sys, s0)
    if reservoir_entropies:

        def reservoir_entropy_at(t):
            phase = jnp.exp(-1j * eps * t)
            s_r = []
            for block in blocks[1:]:
                lr = v[block, :] * phase[None, :]
                cr = lr @ c0_eig @ jnp.conj(lr.T)
                s_r.append(entropy(0.5 * (cr + jnp.conj(cr.T)), stat))
            return jnp.stack(s_r)

        s_res = jax.lax.map(reservoir_entropy_at, ts)
        s_r0 = jnp.stack([entropy(cr, stat) for cr in thermal])
        correlation = -(s_sys - s0) - jnp.sum(s_res - s_r0[None, :], axis=1)
    else:
        s_res = jnp.zeros((ts.shape[0], nres))
        correlation = jnp.zeros_like(production)
    return ClosedTrajectory(
        ts,
        cs,
        s_sys,
        energy,
        number,
        h_sys,
        interaction,
        heat,
        flow,
        production,
        s_res,
        correlation,
        reservoir_entropies,
    )


class DrivenTrajectory(eqx.Module):
    """Paper 001 thermodynamics of a driven closed system (Sec. 3.3), at each time (leading
    axis `T`), nats and energy units. As `ClosedTrajectory`, plus

    - `work` `W(t) = ∫_{t_0}^t ds Tr[(∂_s Ĥ_s + ∂_s V̂) ρ(s)]` (19), integrated with the state
      (the tests check it equals `⟨Ĥ(t)⟩_t − ⟨Ĥ(t_0)⟩_0`), work done **on** the system;
    - `internal_energy_change` `ΔU = Δ⟨Ĥ_s(t) + V̂(t)⟩` (21), so that `ΔU = W + Σ_r Q_r`
      (22) for reservoirs without particle exchange (μ_r Δ⟨N_r⟩ = 0 otherwise is part of
      `heat`);
    - `final_covariance`: the full single-particle covariance at the last time (n × n).

    `system_energy` is `⟨Ĥ_s(t)⟩_t` and `interaction_energy` `⟨V̂(t)⟩_t`, with the Hamiltonians
    at that time. `entropy_production` is `Δ_iS = ΔS − Σ_r β_r Q_r` (7), which equals the
    relative entropy (10) because the driven evolution is still unitary."""

    times: Float[Array, " T"]
    system_covariance: Complex[Array, "T S S"]
    system_entropy: Float[Array, " T"]
    reservoir_energy: Float[Array, "T R"]
    reservoir_number: Float[Array, "T R"]
    system_energy: Float[Array, " T"]
    interaction_energy: Float[Array, " T"]
    heat: Float[Array, "T R"]
    work: Float[Array, " T"]
    internal_energy_change: Float[Array, " T"]
    entropy_flow: Float[Array, " T"]
    entropy_production: Float[Array, " T"]
    final_covariance: Complex[Array, "n n"]


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


def _check_drive(system: ClosedSystem, drive, t0) -> None:
    if not callable(drive):
        raise TypeError(f"`drive` must be a callable t -> h_s(t), got {type(drive).__name__}.")
    try:
        h_s, couplings = jax.eval_shape(lambda t: _driven_blocks(system, drive, t), t0)
    except Exception as err:  # noqa: BLE001 - re-raised with the argument named
        raise ValueError(f"`drive(t)` failed on a scalar time: {err}") from err
    if h_s.shape != system.hamiltonian.shape:
        raise ValueError(
            f"`drive(t)` must return the system Hamiltonian of shape {system.hamiltonian.shape} "
            f"(or a pair (h_s, couplings)), got shape {h_s.shape}."
        )
    if len(couplings) != len(system.reservoirs) or any(
        b.shape != r.coupling.shape for b, r in zip(couplings, system.reservoirs, strict=False)
    ):
        raise ValueError(
            "`drive(t)`'s couplings must be one array per reservoir with the shapes of "
            f"{[r.coupling.shape for r in system.reservoirs]}."
        )


def evolve_driven(
    system: ClosedSystem,
    system_covariance: Inexact[ArrayLike, "S S"],
    times: Float[ArrayLike, " T"],
    drive,
    *,
    rtol: float = 1e-10,
    atol: float = 1e-12,
    max_steps: int = 1_000_000,
) -> DrivenTrajectory:
    """Exact evolution of a **driven** closed system and the work/free-energy form of its
    entropy production (paper 001, Sec. 3.3, Eqs. (19)–(24)).

    `drive(t)` gives the time-dependent system Hamiltonian `h_s(t)` (S × S), or a pair
    `(h_s(t), couplings(t))` to drive the system–reservoir couplings `V(t)` too (one `S × M_r`
    array per reservoir); reservoir Hamiltonians and initial states come from `system`
    (its own `hamiltonian`/couplings are not used). The state at `times[0]` is
    `ρ_s ⊗ Π_r ρ_r^eq` (covariance `system_covariance ⊕ f(h_r)`). With no single
    eigenbasis, the full covariance obeys `dC/dt = −i[h(t), C]` (`C_ij = ⟨a_j† a_i⟩`), solved
    with diffrax (Tsit5, PID `rtol`/`atol`), `O(n³)` per step; the work (19) is integrated
    with it from `∂_t h` (forward-mode autodiff of `drive`). For one reservoir at temperature
    T, `T·Δ_iS = W − ΔF` (24) with `ΔF = ΔU − TΔS` from `free_energy_change`.
    `times` must increase; jit/vmap as usual."""
    ts = jnp.atleast_1d(jnp.asarray(times, dtype=jnp.result_type(float)))
    if ts.ndim != 1:
        raise ValueError(f"`times` must be a scalar or 1-D, got shape {ts.shape}.")
    if ts.shape[0] > 1 and eager_check(lambda t: jnp.any(jnp.diff(t) <= 0), ts):
        raise ValueError("`times` must be strictly increasing (times[0] is the initial time).")
    _check_drive(system, drive, ts[0])
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
        c = y[0][0] + 1j * y[0][1]
        h, dh = jax.jvp(total_hamiltonian, (t,), (jnp.ones_like(t),))
        dc = -1j * (h @ c - c @ h)
        power = jnp.real(jnp.sum(dh * c.T))  # Tr[ḣ C]
        return jnp.stack([jnp.real(dc), jnp.imag(dc)]), power

    def observables(t, y, args):
        c = y[0][0] + 1j * y[0][1]
        h = total_hamiltonian(t)
        cs = c[s_block, s_block]
        cs = 0.5 * (cs + jnp.conj(cs.T))
        energy = lambda k, block: jnp.real(jnp.sum(k * c[block, block].T))  # noqa: E731
        res_e = jnp.stack([energy(h[b, b], b) for b in blocks[1:]])
        res_n = jnp.stack([jnp.real(jnp.trace(c[b, b])) for b in blocks[1:]])
        h_sys = energy(h[s_block, s_block], s_block)
        interaction = jnp.real(jnp.sum(h * c.T)) - h_sys - jnp.sum(res_e)
        return cs, entropy(cs, system.statistics), res_e, res_n, h_sys, interaction, y[1]

    c0 = system.initial_covariance(system_covariance).astype(dtype)
    y0 = (jnp.stack([jnp.real(c0), jnp.imag(c0)]), jnp.zeros((), ts.dtype))
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(vector_field),
        diffrax.Tsit5(),
        t0=ts[0],
        t1=ts[-1],
        dt0=None,
        y0=y0,
        saveat=diffrax.SaveAt(
            subs=[diffrax.SubSaveAt(ts=ts, fn=observables), diffrax.SubSaveAt(t1=True)]
        ),
        stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
        max_steps=max_steps,
    )
    (cs, s_sys, energy, number, h_sys, interaction, work), final = sol.ys
    final_c = final[0][-1, 0] + 1j * final[0][-1, 1]
    heat, flow, production = _heat_flow_production(
        system, energy, number, energy[0], number[0], s_sys, s_sys[0]
    )
    return DrivenTrajectory(
        ts,
        cs,
        s_sys,
        energy,
        number,
        h_sys,
        interaction,
        heat,
        work,
        (h_sys + interaction) - (h_sys[0] + interaction[0]),
        flow,
        production,
        final_c,
    )


def free_energy_change(system: ClosedSystem, trajectory: DrivenTrajectory) -> Float[Array, " T"]:
    """Paper 001 Eq. (23): the non-equilibrium free-energy change `ΔF(t) = ΔU(t) − TΔS(t)` of
    a system driven in contact with **one** reservoir at temperature `T` (energy units);
    then `T·Δ_iS = W − ΔF ≥ 0` (24)."""
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
    necessarily ≥ 0; differs from (10) by `−β(⟨V⟩_t − ⟨V⟩_0)` (Eq. (27) with ERRATA's sign)."""
    temps = {float(r.temperature) for r in system.reservoirs}
    mus = {float(r.chemical_potential) for r in system.reservoirs}
    if len(temps) != 1 or len(mus) != 1:
        raise ValueError("Eq. (25) needs one reservoir temperature and chemical potential.")
    r = system.reservoirs[0]
    c_eq = thermal_covariance(
        system.hamiltonian, r.temperature, r.chemical_potential, system.statistics
    )
    d = jax.vmap(lambda c: relative_entropy(c, c_eq, system.statistics))(
        trajectory.system_covariance
    )
    return d[0] - d


def direct_entropy_production(
    system: ClosedSystem, full_covariance: Inexact[ArrayLike, "n n"]
) -> Float[Array, ""]:
    """Eq. (10) by definition: `D[ρ(t) ‖ ρ_s(t) ⊗ Π ρ_r^eq]` between Gaussian states from the
    full covariance `C(t)` (`O(n³)`; for checks and small systems)."""
    c = jnp.asarray(full_covariance)
    s = system.slices()[0]
    return relative_entropy(c, system.product_covariance(c[s, s]), system.statistics)


def full_covariance(system: ClosedSystem, system_covariance, t: RealScalarLike) -> Array:
    """`C(t) = e^{−iht} C(0) e^{iht}` of the whole closed system (n × n)."""
    eps, v = jnp.linalg.eigh(system.total_hamiltonian())
    u = (v * jnp.exp(-1j * eps * t)[None, :]) @ jnp.conj(v.T)
    return u @ system.initial_covariance(system_covariance) @ jnp.conj(u.T)


def effective_system_matrix(
    full_covariance: Inexact[ArrayLike, "n n"], system_size: int
) -> Inexact[Array, "S S"]:
    """Paper 000, Eq. (43): `K_eff = K − b C⁻¹ b†` from the blocks `[[K, b], [b†, C]]` of the
    inverse covariance of the whole closed system (paper 000's coherent-state weight; our
    `C_ij = ⟨a_j† a_i⟩` is its `n`). Completing the square over the reservoir variables gives
    the system's weight, so `K_eff⁻¹` is the reduced covariance `C_s` (checked in the tests)."""
    c = jnp.asarray(full_covariance)
    inv = jnp.linalg.inv(c)
    s = system_size
    k, b, cc = inv[:s, :s], inv[:s, s:], inv[s:, s:]
    return k - b @ jnp.linalg.solve(cc, jnp.conj(b.T))


def random_reservoir_oscillator(
    key: Array,
    sites: int = 36,
    temperatures: tuple[RealScalarLike, RealScalarLike] = (1100.0, 900.0),
    splitting: RealScalarLike = 0.025,
    mean_energy: RealScalarLike = 1.0,
    internal: RealScalarLike = 0.005,
    exchange: RealScalarLike = 0.005,
) -> ClosedSystem:
    """Paper 000, Sec. III B, Fig. 4: the two-dimensional oscillator `E = diag(E_x, E_y)`
    (`E_x − E_y = splitting`, mean `mean_energy`), modes `u, v = (x ± y)/√2` (Eq. (36))
    coupled to all `sites` sites of two bosonic reservoir blocks initially thermal at
    `temperatures` (μ = 0). Reservoir blocks: on-site energy `mean_energy` plus all-to-all
    couplings, and system–reservoir exchange couplings, with magnitudes uniform in
    `[0, internal]`, `[0, exchange]` and uniform phases. Returns a `ClosedSystem` in the
    `x, y` basis; vmap over keys for realisations.

    The paper does not give its coupling ranges, only that they "impedance match" the system
    to the reservoirs. The defaults (0.005, 0.005) do: the reservoir band (semicircle of
    full width ≈ 13.9·`internal` ≈ 0.07) is comparable to the system's hybridisation with it
    (`√Σ|g|²` ≈ 3.5·`exchange`) and to `E_x − E_y`, so that a reservoir difference drives a
    u → v current with `n₊ − n₋` a fixed fraction of it (paper 000 Fig. 5; `jaxthermo
    reproduce 000`). With a much wider band (e.g. 0.05, 0.02) only the few reservoir modes
    resonant with the system exchange particles: the difference barely decays and the
    realisation-averaged `n₊ − n₋` vanishes."""
    if isinstance(sites, bool) or not isinstance(sites, int) or sites < 1:
        raise ValueError(
            f"random_reservoir_oscillator: `sites` must be an int >= 1, got {sites!r}."
        )
    f = jnp.result_type(float)
    keys = jax.random.split(key, 8)

    def uniform_complex(k1, k2, shape, scale):
        mag = jax.random.uniform(k1, shape, f, 0.0, 1.0) * scale
        phase = jax.random.uniform(k2, shape, f, 0.0, 2 * jnp.pi)
        return mag * jnp.exp(1j * phase)

    reservoirs = []
    sign = jnp.array([[1.0], [1.0]]), jnp.array([[1.0], [-1.0]])
    for r in range(2):
        a = uniform_complex(keys[4 * r], keys[4 * r + 1], (sites, sites), internal)
        upper = jnp.triu(a, 1)
        h_r = mean_energy * jnp.eye(sites) + upper + jnp.conj(upper.T)
        g = uniform_complex(keys[4 * r + 2], keys[4 * r + 3], (1, sites), exchange)
        reservoirs.append(FiniteReservoir(h_r, sign[r] * g / jnp.sqrt(2.0), temperatures[r], 0.0))
    e = jnp.asarray(mean_energy, f) + 0.5 * jnp.asarray(splitting, f) * jnp.array([1.0, -1.0])
    return ClosedSystem(jnp.diag(e).astype(complex), reservoirs, "boson")
