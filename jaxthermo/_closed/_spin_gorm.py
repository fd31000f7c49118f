"""Dense closed system of paper 001, Sec. 4: a spin coupled to an N-level random-matrix
reservoir (spin–GORM), exact unitary evolution, exact entropy production (10) and the
alternative definition (25), and the Redfield prediction (30)–(33).

    Ĥ = (Δ/2) σ_z ⊗ 1 + 1 ⊗ H_r + λ σ_x ⊗ R,   (Eq. (29))

`H_r = diag(ε_m)`, N levels equally spaced in [−½, ½]; `R = X/√(8N)` with `X` a GOE matrix
of density ∝ exp(−Tr X²/4) (off-diagonal variance 1, diagonal variance 2: our reading of the
garbled normalisation, stated here). Spin first in tensor products.
"""

import equinox as eqx
import jax
import jax.numpy as jnp

from .._checks import Check, apply_checks
from .._contract import AbstractModel, AbstractTrajectory, Currents, unsupported
from .._custom_types import Array, Complex, Float, Real
from .._linalg import von_neumann_entropy
from .._solution import RESULTS
from ._quadratic import Eigenbasis, _eigenbasis, eigenbasis_expectations, eigenbasis_weights


class SpinGORM(AbstractModel):
    """Spin–GORM model (Eq. (29)): `splitting` Δ, reservoir `energies` (N,), `coupling_matrix`
    R (N × N, real symmetric), `strength` λ, reservoir inverse temperature `beta`.

    Verbs: `evolve` (exact, from `ρ_s ⊗ ρ_r^eq` at `ts[0]`, `state0` the spin's 2 × 2 density
    matrix; method `closed.Eigenbasis()`) and `currents` (along a trajectory: the energy
    current from the reservoir; a spin has no particle number, so `particle` is NaN). No
    steady state (`TypeError`).

    **Arguments:** `splitting`, `energies`, `coupling_matrix`, `strength`, `beta` (as above;
    build it with `jaxthermo.models.spin_gorm`).
    """

    splitting: Float[Array, ""]
    energies: Float[Array, " N"]
    coupling_matrix: Float[Array, "N N"]
    strength: Float[Array, ""]
    beta: Float[Array, ""]

    def hamiltonian(self) -> Float[Array, "2N 2N"]:
        n = self.energies.shape[0]
        sz = jnp.diag(jnp.array([1.0, -1.0]))
        sx = jnp.array([[0.0, 1.0], [1.0, 0.0]])
        return (
            0.5 * self.splitting * jnp.kron(sz, jnp.eye(n))
            + jnp.kron(jnp.eye(2), jnp.diag(self.energies))
            + self.strength * jnp.kron(sx, self.coupling_matrix)
        )

    def reservoir_populations(self) -> Float[Array, " N"]:
        return jax.nn.softmax(-self.beta * self.energies)

    def _steady_state(self, method, throw):
        raise unsupported(self, "steady_state", "a closed system has no steady state; evolve it.")

    def _evolve(self, state0, ts, method, throw):
        return spin_gorm_evolve(self, state0, ts, _eigenbasis(method), throw)

    def _currents(self, state, picture):
        if isinstance(state, SpinTrajectory):
            return state.currents
        raise unsupported(self, "currents", "pass the trajectory from jaxthermo.evolve.")

    def _entropy_production(self, state, picture):
        raise unsupported(
            self,
            "entropy_production",
            "its trajectories carry the entropy production Δ_iS (`.entropy_production`).",
        )


class SpinTrajectory(AbstractTrajectory):
    """`ts`; `density_matrix` ρ_s(t) (T, 2, 2; entry 0 is the initial state); `sigma_z`
    ⟨σ_z⟩_t; `reservoir_energy` ⟨H_r⟩_t; `interaction_energy` ⟨V⟩_t; `currents` (energy and
    heat from the reservoir into the spin, `−d⟨H_r⟩/dt`; particle NaN); `entropy_production`
    Δ_iS (10) (≥ 0, from `ΔS + βΔ⟨H_r⟩`); `alternative_entropy_production` Δ'_iS (25) with
    `ρ_s^eq ∝ e^{−βH_s}`; `result`.

    **Attributes:** the fields above.
    """

    ts: Real[Array, " T"]
    density_matrix: Complex[Array, "T 2 2"]
    sigma_z: Float[Array, " T"]
    reservoir_energy: Float[Array, " T"]
    interaction_energy: Float[Array, " T"]
    currents: Currents
    entropy_production: Float[Array, " T"]
    alternative_entropy_production: Float[Array, " T"]
    result: RESULTS


def _relative_to_thermal(rho, beta, splitting):
    """D[ρ ‖ e^{−βH_s}/Z] for the spin, `H_s = (Δ/2)σ_z`."""
    log_z = jnp.logaddexp(-0.5 * beta * splitting, 0.5 * beta * splitting)
    energy = 0.5 * splitting * jnp.real(rho[0, 0] - rho[1, 1])
    return -von_neumann_entropy(rho) + beta * energy + log_z


def _spin_checks(model: SpinGORM) -> list[Check]:
    return [Check(jnp.invert(model.beta > 0), "SpinGORM: `beta` must be > 0.")]


def spin_gorm_evolve(model: SpinGORM, rho_s0, ts, method: Eigenbasis, throw: bool):
    """Exact evolution from `ρ_s(t₀) ⊗ ρ_r^eq` (the paper's initial state is `|↓⟩⟨↓|`,
    `σ_z|↓⟩ = −|↓⟩`, i.e. `ρ_s = diag(0, 1)` in the basis `(|↑⟩, |↓⟩)`).

    One eigendecomposition `Ĥ = V diag(ε) V†` of the 2N × 2N Hamiltonian; then every needed
    expectation value (the four elements of ρ_s, ⟨H_r⟩, ⟨V⟩, `d⟨H_r⟩/dt`) is `φᵀ W φ*` with
    `φ = e^{−iε(t − t₀)}` (`O(N²)` per time, see `eigenbasis_weights`): ρ(t) is never formed."""
    rho_s0 = jnp.asarray(rho_s0)
    if rho_s0.shape != (2, 2):
        raise ValueError(f"`state0` (the spin's density matrix) must have shape (2, 2), got "
                         f"{rho_s0.shape}.")  # fmt: skip
    n = model.energies.shape[0]
    h = model.hamiltonian()
    eps, v = jnp.linalg.eigh(h)
    p = model.reservoir_populations()
    rho0 = jnp.kron(rho_s0, jnp.diag(p))
    state = jnp.conj(v.T) @ rho0.astype(jnp.result_type(v, rho0)) @ v
    eye = jnp.eye(n)
    zero = jnp.zeros((n, n))

    def spin_element(a, b):  # |b⟩⟨a| ⊗ 1, whose expectation is ρ_s[a, b]
        blocks = [[zero, zero], [zero, zero]]
        blocks[b][a] = eye
        return jnp.block(blocks)

    sx = jnp.array([[0.0, 1.0], [1.0, 0.0]])
    h_r = jnp.diag(model.energies)
    observables = [spin_element(a, b) for a in range(2) for b in range(2)]
    observables.append(jnp.kron(jnp.eye(2), h_r))
    observables.append(model.strength * jnp.kron(sx, model.coupling_matrix))
    # d⟨H_r⟩/dt = ⟨i[H, 1 ⊗ H_r]⟩ = ⟨iλ σ_x ⊗ [R, H_r]⟩
    commutator = model.coupling_matrix @ h_r - h_r @ model.coupling_matrix
    observables.append(1j * model.strength * jnp.kron(sx, commutator))
    weights = eigenbasis_weights(v, state, observables)

    def at(t):
        return eigenbasis_expectations(jnp.exp(-1j * eps * t), weights, real=False)

    values = jax.lax.map(at, ts - ts[0])
    rho = values[:, :4].reshape(-1, 2, 2)
    e_r, e_v = jnp.real(values[:, 4]), jnp.real(values[:, 5])
    energy = -jnp.real(values[:, 6:7])  # from the reservoir into the spin
    e_r0 = jnp.sum(p * model.energies)
    s = jax.vmap(von_neumann_entropy)(rho)
    production = (s - von_neumann_entropy(rho_s0)) + model.beta * (e_r - e_r0)
    d = jax.vmap(lambda r: _relative_to_thermal(r, model.beta, model.splitting))(rho)
    d0 = _relative_to_thermal(rho_s0.astype(rho.dtype), model.beta, model.splitting)
    flows = Currents(jnp.full_like(energy, jnp.nan), energy, energy)
    trajectory = SpinTrajectory(
        ts,
        rho,
        jnp.real(rho[:, 0, 0] - rho[:, 1, 1]),
        e_r,
        e_v,
        flows,
        production,
        d0 - d,
        RESULTS.successful,
    )
    trajectory, result = apply_checks(trajectory, _spin_checks(model), throw)
    return eqx.tree_at(lambda t: t.result, trajectory, result)


class Redfield(eqx.Module):
    """Redfield prediction (30)–(33).

    **Attributes:** `rate` γ, `equilibrium` ⟨σ_z⟩_eq, `emission` `λ²α̃(Δ)` and `absorption`
    `λ²α̃(−Δ)` (the reservoir correlation spectrum at ±Δ, rates per unit time).
    """

    rate: Float[Array, ""]
    equilibrium: Float[Array, ""]
    emission: Float[Array, ""]
    absorption: Float[Array, ""]


def gorm_spectrum(omega, beta) -> Array:
    """`α̃(ω) = ∫dt e^{iωt} a(t)` of Eq. (32) for N → ∞ with our GOE normalisation:
    `α̃(ω) = (π/4) ∫ dε p(ε) Θ(ε + ω ∈ [−½, ½])` over the flat band, i.e.
    `(π/4)(1 − e^{−β(1−ω)})/(1 − e^{−β})` for `0 ≤ ω ≤ 1` and
    `(π/4)(e^{−β|ω|} − e^{−β})/(1 − e^{−β})` for `−1 ≤ ω < 0` (replaces the printed (33);
    obeys `α̃(−ω) = e^{−βω} α̃(ω)` exactly).

    **Arguments:** `omega` (any shape); `beta`.

    **Returns:** `α̃(ω)`, the shape of `omega`.
    """
    omega = jnp.asarray(omega)
    denom = -jnp.expm1(-beta)
    pos = -jnp.expm1(-beta * (1 - omega)) / denom
    neg = (jnp.exp(-beta * jnp.abs(omega)) - jnp.exp(-beta)) / denom
    return jnp.pi / 4 * jnp.where(omega >= 0, pos, neg) * (jnp.abs(omega) <= 1)


def redfield(model: SpinGORM) -> Redfield:
    """Eqs. (30)–(31): `γ = λ²[α̃(Δ) + α̃(−Δ)]`, `⟨σ_z⟩_eq = [α̃(−Δ) − α̃(Δ)]/[α̃(Δ) + α̃(−Δ)]`
    (emission `λ²α̃(Δ)` = spin down-flips, absorption `λ²α̃(−Δ)`).

    **Arguments:** `model` (a `SpinGORM`).

    **Returns:** a `Redfield`.
    """
    em = model.strength**2 * gorm_spectrum(model.splitting, model.beta)
    ab = model.strength**2 * gorm_spectrum(-model.splitting, model.beta)
    return Redfield(em + ab, (ab - em) / (em + ab), em, ab)


def redfield_entropy_production(model: SpinGORM, times) -> Float[Array, " T"]:
    """Δ'_iS (25) along the Redfield solution (30) (ρ_s diagonal, from `|↓⟩`).

    **Arguments:** `model`; `times` `(T,)`.

    **Returns:** shape `(T,)` (nats).
    """
    rf = redfield(model)
    ts = jnp.asarray(times)
    sz = rf.equilibrium + (-1.0 - rf.equilibrium) * jnp.exp(-rf.rate * ts)
    rho = jax.vmap(lambda z: jnp.diag(jnp.stack([(1 + z) / 2, (1 - z) / 2])))(sz)
    d = jax.vmap(lambda r: _relative_to_thermal(r, model.beta, model.splitting))(rho)
    return d[0] - d
