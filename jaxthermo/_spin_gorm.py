"""Dense closed system of paper 001, Sec. 4: a spin coupled to an N-level random-matrix
reservoir (spin–GORM), exact unitary evolution, exact entropy production (10) and the
alternative definition (25), and the Redfield prediction (30)–(33).

    Ĥ = (Δ/2) σ_z ⊗ 1 + 1 ⊗ H_r + λ σ_x ⊗ R,   (Eq. (29))

`H_r = diag(ε_m)`, N levels equally spaced in [−½, ½]; `R = X/√(8N)` with `X` a GOE matrix
of density ∝ exp(−Tr X²/4) (off-diagonal variance 1, diagonal variance 2: our reading of the
garbled normalisation; ERRATA asks to state it). Spin first in tensor products.
"""

import equinox as eqx
import jax
import jax.numpy as jnp

from ._closed import eigenbasis_expectations, eigenbasis_weights
from ._custom_types import Array, Complex, Float, RealScalarLike


class SpinGORM(eqx.Module):
    """Spin–GORM model (Eq. (29)): `splitting` Δ, reservoir `energies` (N,), `coupling_matrix`
    R (N × N, real symmetric), `strength` λ, reservoir inverse temperature `beta`."""

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


def spin_gorm(
    levels: int,
    splitting: RealScalarLike = 0.1,
    beta: RealScalarLike = 10.0,
    strength: RealScalarLike = 0.1,
    key: Array | None = None,
) -> SpinGORM:
    """Paper 001's model with `levels` = N reservoir levels and a GOE coupling drawn from
    `key` (a `jax.random` key; `jax.vmap` over keys for realisations)."""
    if isinstance(levels, bool) or not isinstance(levels, int) or levels < 2:
        raise ValueError(f"spin_gorm: `levels` must be an int >= 2, got {levels!r}.")
    key = jax.random.key(0) if key is None else key
    a = jax.random.normal(key, (levels, levels), dtype=jnp.result_type(float))
    x = (a + a.T) / jnp.sqrt(2.0)  # off-diagonal variance 1, diagonal variance 2
    energies = jnp.linspace(-0.5, 0.5, levels)
    f = jnp.result_type(float)
    return SpinGORM(
        jnp.asarray(splitting, f),
        energies,
        x / jnp.sqrt(8.0 * levels),
        jnp.asarray(strength, f),
        jnp.asarray(beta, f),
    )


class SpinTrajectory(eqx.Module):
    """`system_density` ρ_s(t) (T, 2, 2); `sigma_z` ⟨σ_z⟩_t; `reservoir_energy` ⟨H_r⟩_t;
    `interaction_energy` ⟨V⟩_t; `entropy_production` Δ_iS (10) (≥ 0, from
    `ΔS + βΔ⟨H_r⟩`); `alternative_entropy_production` Δ'_iS (25) with `ρ_s^eq ∝ e^{−βH_s}`."""

    times: Float[Array, " T"]
    system_density: Complex[Array, "T 2 2"]
    sigma_z: Float[Array, " T"]
    reservoir_energy: Float[Array, " T"]
    interaction_energy: Float[Array, " T"]
    entropy_production: Float[Array, " T"]
    alternative_entropy_production: Float[Array, " T"]


def _von_neumann(rho):
    p = jnp.clip(jnp.linalg.eigvalsh(rho), 0.0, 1.0)
    return -jnp.sum(jnp.where(p > 0, p * jnp.log(jnp.where(p > 0, p, 1.0)), 0.0))


def _relative_to_thermal(rho, beta, splitting):
    """D[ρ ‖ e^{−βH_s}/Z] for the spin, `H_s = (Δ/2)σ_z`."""
    log_z = jnp.logaddexp(-0.5 * beta * splitting, 0.5 * beta * splitting)
    energy = 0.5 * splitting * jnp.real(rho[0, 0] - rho[1, 1])
    return -_von_neumann(rho) + beta * energy + log_z


def evolve_spin_gorm(model: SpinGORM, times: Float[Array, " T"]) -> SpinTrajectory:
    """Exact evolution from `|↓⟩⟨↓| ⊗ ρ_r^eq` (the paper's initial state, `σ_z|0⟩ = −|0⟩`).

    One eigendecomposition `Ĥ = V diag(ε) V†` of the 2N × 2N Hamiltonian; then every needed
    expectation value (the four elements of ρ_s, ⟨H_r⟩, ⟨V⟩) is `φᵀ W φ*` with
    `φ = e^{−iεt}` (`O(N²)` per time, see `eigenbasis_weights`): ρ(t) is never formed."""
    ts = jnp.atleast_1d(jnp.asarray(times, dtype=jnp.result_type(float)))
    n = model.energies.shape[0]
    eps, v = jnp.linalg.eigh(model.hamiltonian())
    p = model.reservoir_populations()
    rho0 = jnp.zeros(2 * n).at[n:].set(p)  # |↓⟩⟨↓| ⊗ ρ_r^eq is diagonal
    state = (jnp.conj(v.T) * rho0[None, :]) @ v
    eye = jnp.eye(n)
    zero = jnp.zeros((n, n))

    def spin_element(a, b):  # |b⟩⟨a| ⊗ 1, whose expectation is ρ_s[a, b]
        blocks = [[zero, zero], [zero, zero]]
        blocks[b][a] = eye
        return jnp.block(blocks)

    sx = jnp.array([[0.0, 1.0], [1.0, 0.0]])
    observables = [spin_element(a, b) for a in range(2) for b in range(2)]
    observables.append(jnp.kron(jnp.eye(2), jnp.diag(model.energies)))
    observables.append(model.strength * jnp.kron(sx, model.coupling_matrix))
    weights = eigenbasis_weights(v, state, observables)

    def at(t):
        return eigenbasis_expectations(jnp.exp(-1j * eps * t), weights, real=False)

    values = jax.lax.map(at, ts)
    rho = values[:, :4].reshape(-1, 2, 2)
    e_r, e_v = jnp.real(values[:, 4]), jnp.real(values[:, 5])
    e_r0 = jnp.sum(p * model.energies)
    s = jax.vmap(_von_neumann)(rho)
    production = s + model.beta * (e_r - e_r0)  # S_s(0) = 0 (pure initial spin state)
    d = jax.vmap(lambda r: _relative_to_thermal(r, model.beta, model.splitting))(rho)
    d0 = _relative_to_thermal(
        jnp.diag(jnp.array([0.0, 1.0])).astype(rho.dtype), model.beta, model.splitting
    )
    return SpinTrajectory(
        ts, rho, jnp.real(rho[:, 0, 0] - rho[:, 1, 1]), e_r, e_v, production, d0 - d
    )


class Redfield(eqx.Module):
    """Redfield prediction (30)–(33): `rate` γ, `equilibrium` ⟨σ_z⟩_eq, and the reservoir
    correlation spectrum `spectrum(ω)` α̃(±Δ) used for them."""

    rate: Float[Array, ""]
    equilibrium: Float[Array, ""]
    emission: Float[Array, ""]
    absorption: Float[Array, ""]


def gorm_spectrum(omega, beta) -> Array:
    """`α̃(ω) = ∫dt e^{iωt} a(t)` of Eq. (32) for N → ∞ with our GOE normalisation:
    `α̃(ω) = (π/4) ∫ dε p(ε) Θ(ε + ω ∈ [−½, ½])` over the flat band, i.e.
    `(π/4)(1 − e^{−β(1−ω)})/(1 − e^{−β})` for `0 ≤ ω ≤ 1` and
    `(π/4)(e^{−β|ω|} − e^{−β})/(1 − e^{−β})` for `−1 ≤ ω < 0` (replaces the printed (33);
    obeys `α̃(−ω) = e^{−βω} α̃(ω)` exactly)."""
    omega = jnp.asarray(omega)
    denom = -jnp.expm1(-beta)
    pos = -jnp.expm1(-beta * (1 - omega)) / denom
    neg = (jnp.exp(-beta * jnp.abs(omega)) - jnp.exp(-beta)) / denom
    return jnp.pi / 4 * jnp.where(omega >= 0, pos, neg) * (jnp.abs(omega) <= 1)


def redfield(model: SpinGORM) -> Redfield:
    """Eqs. (30)–(31): `γ = λ²[α̃(Δ) + α̃(−Δ)]`, `⟨σ_z⟩_eq = [α̃(−Δ) − α̃(Δ)]/[α̃(Δ) + α̃(−Δ)]`
    (emission `λ²α̃(Δ)` = spin down-flips, absorption `λ²α̃(−Δ)`)."""
    em = model.strength**2 * gorm_spectrum(model.splitting, model.beta)
    ab = model.strength**2 * gorm_spectrum(-model.splitting, model.beta)
    return Redfield(em + ab, (ab - em) / (em + ab), em, ab)


def redfield_entropy_production(model: SpinGORM, times) -> Float[Array, " T"]:
    """Δ'_iS (25) along the Redfield solution (30) (ρ_s diagonal, from `|↓⟩`)."""
    rf = redfield(model)
    ts = jnp.asarray(times)
    sz = rf.equilibrium + (-1.0 - rf.equilibrium) * jnp.exp(-rf.rate * ts)
    rho = jax.vmap(lambda z: jnp.diag(jnp.stack([(1 + z) / 2, (1 - z) / 2])))(sz)
    d = jax.vmap(lambda r: _relative_to_thermal(r, model.beta, model.splitting))(rho)
    return d[0] - d
