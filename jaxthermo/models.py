"""Ready-made models from the papers: quadratic networks (`chain`, `two_oscillator`,
`ratchet`), few-level systems (`multilevel`, `three_level`), the junction (`junction`) and
closed systems (`spin_gorm`, `random_reservoir_oscillator`). Every number is an array leaf
(differentiable, vmappable)."""

import jax
import jax.numpy as jnp

from ._baths import BosonBath, FermionBath, ProbeBath
from ._closed._quadratic import ClosedSystem, FiniteReservoir
from ._closed._spin_gorm import SpinGORM
from ._custom_types import Array, RealScalarLike
from ._engines import (
    HarmonicOttoEngine as HarmonicOttoEngine,
    ModulatedNetwork as ModulatedNetwork,
    QubitOttoEngine as QubitOttoEngine,
    TwoModeOttoEngine as TwoModeOttoEngine,
)
from ._fewlevel._fields import BosonField, FlatSpectralDensity
from ._fewlevel._master import FewLevelModel
from ._junction._junction import Junction
from ._quadratic import QuadraticModel
from ._statistics import occupation_temperature


__all__ = [
    "chain",
    "chain_closed_form",
    "two_oscillator",
    "two_oscillator_bases",
    "ratchet",
    "ratchet_current",
    "ratchet_positions",
    "sawtooth_potential",
    "sine_temperatures",
    "wavenumber_occupations",
    "commutator_series",
    "multilevel",
    "three_level",
    "qubit_chain",
    "junction",
    "spin_gorm",
    "random_reservoir_oscillator",
    "HarmonicOttoEngine",
    "TwoModeOttoEngine",
    "QubitOttoEngine",
    "ModulatedNetwork",
]


def _bath_temperature(side, temperature, occupation, frequency, statistics):
    if (temperature is None) == (occupation is None):
        raise ValueError(
            f"chain: give exactly one of `temperature_{side}` and `occupation_{side}`."
        )
    if temperature is not None:
        return temperature
    return occupation_temperature(occupation, frequency, statistics)


def chain(
    sites: int,
    hopping: RealScalarLike,
    rate: RealScalarLike,
    *,
    frequency: RealScalarLike = 1.0,
    temperature_left: RealScalarLike | None = None,
    temperature_right: RealScalarLike | None = None,
    occupation_left: RealScalarLike | None = None,
    occupation_right: RealScalarLike | None = None,
    probe_rate: RealScalarLike | None = None,
    conserve: str = "particles",
    statistics: str = "boson",
) -> QuadraticModel:
    """The resonant chain of paper 002, Eq. (27), with baths at both ends:

        Ĥ = ω Σ_k a_k† a_k + iλ Σ_{k=1}^{L-1} (a_k† a_{k+1} - a_{k+1}† a_k),

    i.e. `H_kk = ω`, `H_{k,k+1} = iλ`, `H_{k+1,k} = -iλ`; a thermal bath of rate γ on the
    first site (`temperature_left` or `occupation_left` at frequency ω) and one on the last.

    **Arguments:**

    - `sites`: `L >= 2` (static).
    - `hopping`: `λ`; `rate`: `γ` (both baths); `frequency`: `ω` (default 1).
    - `temperature_left` / `occupation_left`: the first bath, by temperature or by its
      occupation `n_1` at frequency ω (paper 002 quotes occupations); likewise `_right`.
    - `probe_rate`: `Γ`; if given, a self-consistent `ProbeBath` of rate Γ on every site
      (Eq. (28): dephasing-like noise that carries no net particle current), which turns
      ballistic into diffusive transport. `conserve` is passed to the probes.
    - `statistics`: `"boson"` (the paper) or `"fermion"`.

    **Returns:** a `QuadraticModel` with `baths = (left, right, probe_0, ..., probe_{L-1})`
    (the probes only if `probe_rate` is given). Its steady state has the closed forms
    (29a)–(29b) of the paper, for any Γ >= 0.
    """
    if not isinstance(sites, int) or sites < 2:
        raise ValueError(f"chain: `sites` must be an int >= 2, got {sites!r}.")
    omega = jnp.asarray(frequency, dtype=jnp.result_type(float))
    lam = jnp.asarray(hopping, dtype=jnp.result_type(float))
    t_left = _bath_temperature("left", temperature_left, occupation_left, omega, statistics)
    t_right = _bath_temperature("right", temperature_right, occupation_right, omega, statistics)
    k = jnp.arange(sites - 1)
    h = jnp.diag(jnp.full(sites, omega)).astype(jnp.result_type(omega, 1j))
    h = h.at[k, k + 1].set(1j * lam).at[k + 1, k].set(-1j * lam)
    bath = {"boson": BosonBath, "fermion": FermionBath}[statistics]
    baths = (
        bath(0, rate, t_left, frequency=omega),
        bath(sites - 1, rate, t_right, frequency=omega),
    )
    if probe_rate is not None:
        baths = baths + tuple(ProbeBath(k, probe_rate, conserve) for k in range(sites))
    return QuadraticModel(h, baths, statistics)


def chain_closed_form(
    sites: int,
    hopping: RealScalarLike,
    rate: RealScalarLike,
    probe_rate: RealScalarLike,
    occupation_left: RealScalarLike,
    occupation_right: RealScalarLike,
):
    """The NESS of `chain(sites, hopping, rate, probe_rate=..., occupation_left=...,
    occupation_right=...)` in closed form, paper 002 Eqs. (29a)–(29b): with
    `D = 4λ² + γ² + γΓ(L − 1)`,

        ⟨a_k†a_k⟩ = (n₁ + n_L)/2 + (n₁ − n_L)/2 · [Γγ(L − 2k + 1) + γ²(δ_k1 − δ_kL)] / D,
        ⟨a_k†a_{k+1}⟩ = γλ(n_L − n₁)/D   (the only nonzero coherences; our `C[k+1, k]`).

    Cheap at any L (no Lyapunov solve): `jaxthermo reproduce 002` uses it for the asymptotic
    exponents of Fig. 3 at L up to 1600; the tests check the library's NESS against it.

    **Arguments:** as `chain` (the chain's hopping λ, end rate γ, probe rate Γ, end
    occupations n₁, n_L).

    **Returns:** `C`, `(L, L)`, complex.
    """
    lam, gamma, probe = (
        jnp.asarray(x, dtype=jnp.result_type(float)) for x in (hopping, rate, probe_rate)
    )
    n1, nl = jnp.asarray(occupation_left), jnp.asarray(occupation_right)
    den = 4 * lam**2 + gamma**2 + gamma * probe * (sites - 1)
    k = jnp.arange(1, sites + 1)
    ends = (k == 1).astype(den.dtype) - (k == sites).astype(den.dtype)
    occ = (n1 + nl) / 2 + (n1 - nl) / 2 * (
        probe * gamma * (sites - 2 * k + 1) + gamma**2 * ends
    ) / den
    coherence = gamma * lam * (nl - n1) / den
    i = jnp.arange(sites - 1)
    c = jnp.diag(occ).astype(jnp.result_type(occ, 1j))
    return c.at[i + 1, i].set(coherence).at[i, i + 1].set(coherence)


# ---------------------------------------------------------------------------------------
# Paper 000: the two-dimensional oscillator (Sec. III) and the thermal ratchet (Sec. IV)
# ---------------------------------------------------------------------------------------

_UV = jnp.array([[1.0, 1.0], [1.0, -1.0]]) / jnp.sqrt(2.0)  # Eq. (36): (a_u, a_v) = _UV (a_x, a_y)
_PM = jnp.array([[1.0, 1.0j], [1.0, -1.0j]]) / jnp.sqrt(
    2.0
)  # Eq. (37): (a_+, a_-) = _PM (a_x, a_y)


def two_oscillator(
    energy_x: RealScalarLike,
    energy_y: RealScalarLike,
    rate: RealScalarLike,
    temperature_u: RealScalarLike,
    temperature_v: RealScalarLike,
) -> QuadraticModel:
    """Paper 000's two-dimensional oscillator (Sec. III): `E = diag(E_x, E_y)` in the xy
    (energy) basis, reservoirs imposing a thermal asymmetry in the "spatial" uv basis
    (Eq. (36)). Built in the **uv basis** (modes 0 = u, 1 = v):

        H_uv = ½ [[E_x + E_y, E_x - E_y], [E_x - E_y, E_x + E_y]],

    with a `BosonBath` of rate `r` on u (temperature `T_u`) and on v (`T_v`), both at the
    frequency `(E_x + E_y)/2 = H_uu = H_vv`. Then `G = r·1` and `F = r n_R` with `n_R`
    diagonal in uv: paper 000's Eq. (6) `dn/dt = i[E, n] + r(n_R - n)` (our `C` is the
    complex conjugate of the paper's `n`, see the conventions page). `C` in the xy, uv and ± bases:
    `two_oscillator_bases`. The current `|n_+ - n_-|` is maximal at `r = |E_x - E_y|`.

    **Arguments:** `energy_x`, `energy_y` (`E_x`, `E_y`), `rate` (`r`), `temperature_u`,
    `temperature_v` (energies).

    **Returns:** a bosonic `QuadraticModel` of two modes (u, v).
    """
    ex = jnp.asarray(energy_x, dtype=jnp.result_type(float))
    ey = jnp.asarray(energy_y, dtype=ex.dtype)
    mean, half = 0.5 * (ex + ey), 0.5 * (ex - ey)
    h = jnp.stack([jnp.stack([mean, half]), jnp.stack([half, mean])])
    baths = (BosonBath(0, rate, temperature_u), BosonBath(1, rate, temperature_v))
    return QuadraticModel(h, baths)


def two_oscillator_bases(covariance_uv) -> dict:
    """The 2-D oscillator's correlation matrix (given in the uv basis, as `two_oscillator`
    builds it) in the xy, uv and ± bases of paper 000 (Eqs. (35)–(37)): a dict with keys
    `"xy"`, `"uv"`, `"pm"`, each the 2 x 2 matrix `⟨b_j† b_i⟩` in that basis, and the scalar
    occupations `n_x, n_y, n_u, n_v, n_plus, n_minus`.

    With `a_b = M a_x` (M from Eqs. (36)/(37)), `C_b = M C_xy M†`. Our `C` is the complex
    conjugate of the paper's `n`, so `n_+ - n_-` has the opposite sign to the paper's
    `2 n_2` (conventions page).

    **Arguments:** `covariance_uv`, `(2, 2)`.

    **Returns:** a dict of matrices and scalar occupations (see above).
    """
    c_uv = jnp.asarray(covariance_uv)
    c_xy = _UV.T @ c_uv @ _UV  # _UV is real, symmetric and its own inverse
    c_pm = _PM @ c_xy @ jnp.conj(_PM.T)
    occ = lambda c: jnp.real(jnp.diagonal(c))  # noqa: E731
    (nx, ny), (nu, nv), (npl, nmi) = occ(c_xy), occ(c_uv), occ(c_pm)
    return {
        "xy": c_xy,
        "uv": c_uv,
        "pm": c_pm,
        "n_x": nx,
        "n_y": ny,
        "n_u": nu,
        "n_v": nv,
        "n_plus": npl,
        "n_minus": nmi,
    }


def ratchet_positions(sites: int):
    """Site positions `x_i = -π + 2π(i + ½)/D`, i = 0 … D-1: D points uniformly spread over
    `[-π, π]` (paper 000, Sec. IV), symmetric about 0 and avoiding the sawtooth's jump at ±π.

    **Arguments:** `sites` (D). **Returns:** shape `(D,)`.
    """
    return -jnp.pi + 2 * jnp.pi * (jnp.arange(sites) + 0.5) / sites


def sawtooth_potential(sites: int, amplitude: RealScalarLike = 0.5):
    """Paper 000's Eq. (44) site energies `1 - V x_i / 2` at `ratchet_positions`.

    **Arguments:** `sites` (D), `amplitude` (V). **Returns:** site energies, shape `(D,)`.
    """
    return 1.0 - 0.5 * amplitude * ratchet_positions(sites)


def sine_temperatures(sites: int, mean: RealScalarLike = 1.0, amplitude: RealScalarLike = 0.5):
    """Paper 000's Eq. (45) temperature profile `T_i = T̄ + δT sin x_i`.

    **Arguments:** `sites` (D), `mean` (T̄), `amplitude` (δT). **Returns:** shape `(D,)`.
    """
    return mean + amplitude * jnp.sin(ratchet_positions(sites))


def ratchet(
    potential,
    hopping: RealScalarLike = 0.1,
    rate: RealScalarLike = 0.02,
    temperatures=None,
) -> QuadraticModel:
    """Paper 000's spatially extended thermal ratchet (Sec. IV, Eq. (44)) on a ring of D sites:

        Ĥ = Σ_i ε_i a_i† a_i - (h/2) Σ_i (a_{i+1}† a_i + a_i† a_{i+1}),   i + D ≡ i,

    with on-site energies `ε_i = potential[i]` (an array, so it can be optimised; the paper's
    sawtooth is `sawtooth_potential(D, V)`), and a site-diagonal Bose reservoir of rate `r` on
    every site at temperature `T_i` and frequency `ε_i` (Eq. (45): `sine_temperatures`). This
    is paper 000's `dn/dt = i[E, n] + r(n_R - n)` with `n_R = diag(n_i)`, conjugated.

    **Arguments:** `potential` (shape `(D,)`, D >= 3, all `ε_i > 0`), `hopping` `h`,
    `rate` `r`, `temperatures` (shape `(D,)`; default `sine_temperatures(D)`, T̄ = 1, δT = 0.5).

    The net ring current is `ratchet_current(model, C)`; occupations of the travelling waves
    are `wavenumber_occupations(C)`.

    **Returns:** a bosonic `QuadraticModel` with one `BosonBath` per site.
    """
    eps = jnp.asarray(potential)
    if eps.ndim != 1 or eps.shape[0] < 3:
        raise ValueError(f"ratchet: `potential` must have shape (D,), D >= 3, got {eps.shape}.")
    if not jnp.issubdtype(eps.dtype, jnp.floating):
        eps = eps.astype(jnp.result_type(float))
    d = eps.shape[0]
    temps = sine_temperatures(d) if temperatures is None else jnp.asarray(temperatures)
    if temps.shape != (d,):
        raise ValueError(f"ratchet: `temperatures` must have shape ({d},), got {temps.shape}.")
    h_hop = 0.5 * jnp.asarray(hopping, dtype=eps.dtype)
    i = jnp.arange(d)
    h = jnp.diag(eps).at[(i + 1) % d, i].add(-h_hop).at[i, (i + 1) % d].add(-h_hop)
    baths = tuple(BosonBath(k, rate, temps[k], frequency=eps[k]) for k in range(d))
    return QuadraticModel(h, baths)


def ratchet_current(model: QuadraticModel, covariance):
    """Net particle current around the ring, averaged over bonds:
    `J = (1/D) Σ_i j_{i→i+1}`, positive towards increasing x (increasing site index).

    **Arguments:** `model` (from `ratchet`), `covariance` (its state).

    **Returns:** `J`, quanta per unit time.
    """
    c = jnp.asarray(covariance)
    h = model.hamiltonian
    d = h.shape[0]
    i = jnp.arange(d)
    k = (i + 1) % d
    bond = 2 * jnp.imag(h[k, i] * c[i, k])  # j_{i→i+1} = 2 Im(H_{i+1,i} C_{i,i+1})
    return jnp.mean(bond)


def wavenumber_occupations(covariance):
    """Occupations of the travelling waves `b_q = D^{-1/2} Σ_j e^{-2πi q j / D} a_j`,
    `q = 0 … D-1` (paper 000, Fig. 7: the diagonal of n̄ in a wavenumber basis). Because our
    `C` is the complex conjugate of the paper's `n̄`, the profile is mirrored `q -> -q`
    relative to the paper's (conventions page).

    **Arguments:** `covariance`, `(D, D)`. **Returns:** shape `(D,)`.
    """
    c = jnp.asarray(covariance)
    d = c.shape[0]
    j = jnp.arange(d)
    u = jnp.exp(-2j * jnp.pi * jnp.outer(j, j) / d) / jnp.sqrt(d)
    return jnp.real(jnp.diagonal(u @ c @ jnp.conj(u.T)))


def commutator_series(model: QuadraticModel, terms: int):
    """Partial sums of paper 000's Eq. (46) for the steady state of a model with uniform
    damping `G = r·1` and `F = r n_R` (e.g. `ratchet`, `two_oscillator`):

        C̄ = Σ_{m=0}^{M} (ad_{-iH/r})^m n_R,   ad_A(X) = [A, X],

    (the paper's series with `+iE/r`, conjugated to our convention). Converges to the steady
    state for `r` larger than the spread of the eigenvalues of `H`. Returns the `(M+1, L, L)`
    stack of partial sums.

    **Arguments:** `model`; `terms` (M).

    **Returns:** shape `(M + 1, L, L)`.
    """
    g, f = model.dissipation()
    r = jnp.real(jnp.mean(jnp.diagonal(g)))
    n_r = f / r
    a = -1j * model.hamiltonian / r

    def step(term, _):
        new = a @ term - term @ a
        return new, new

    _, terms_ = jax.lax.scan(step, n_r.astype(a.dtype), None, length=terms)
    return jnp.cumsum(jnp.concatenate([n_r[None].astype(a.dtype), terms_]), axis=0)


# ---------------------------------------------------------------------------------------
# Few-level systems (paper 003)
# ---------------------------------------------------------------------------------------


def multilevel(
    energies,
    coupling,
    temperatures,
    chemical_potentials=(0.0, 0.0),
    spectral_density=None,
):
    """Paper 003 Secs. II–IV: an N-level system `H_S = diag(energies)` between two bosonic
    fields with the same coupling operator `D` (`coupling`, `(N, N)`, in the level basis) and
    the same spectral density (`g_1 = g_2`; default flat `J = 0.01`), at
    `temperatures = (T_1, T_2)` and `chemical_potentials = (μ_1, μ_2)`. Returns a
    `jaxthermo.fewlevel.FewLevelModel`.

    **Arguments:** `energies` `(N,)`; `coupling` `(N, N)`; `temperatures`, `chemical_potentials`
    `(2,)`; `spectral_density` (an `AbstractSpectralDensity`).

    **Returns:** a `FewLevelModel` with two fields.
    """
    e = jnp.asarray(energies)
    if e.ndim != 1:
        raise ValueError(f"multilevel: `energies` must be 1-D, got shape {e.shape}.")
    density = FlatSpectralDensity(0.01) if spectral_density is None else spectral_density
    temps = jnp.asarray(temperatures)
    mus = jnp.asarray(chemical_potentials)
    if temps.shape != (2,) or mus.shape != (2,):
        raise ValueError("multilevel: `temperatures` and `chemical_potentials` need shape (2,).")
    fields = [BosonField(coupling, density, temps[i], mus[i]) for i in range(2)]
    return FewLevelModel(jnp.diag(e), fields)


def three_level(
    energies,
    inverse_temperature,
    dipoles=(1.0, 1.0, 1.0),
    spectral_density=None,
):
    """Paper 003 Sec. VI: levels `ε₁ < ε₂ < ε₃` (`energies`) coupled to one bosonic field in
    a local-KMS state with frequency-dependent `inverse_temperature` β(ω) (an
    `AbstractInverseTemperature`). `dipoles = (D₁₂, D₁₃, D₂₃)` are the matrix elements of the
    Hermitian coupling `D` (set `D₁₂ = 0` for Eq. 107). Default flat `J = 0.01`.

    **Arguments:** `energies` `(3,)`; `inverse_temperature` (a β(ω) profile); `dipoles`;
    `spectral_density`.

    **Returns:** a `FewLevelModel` with one field.
    """
    e = jnp.asarray(energies)
    if e.shape != (3,):
        raise ValueError(f"three_level: `energies` must have shape (3,), got {e.shape}.")
    d12, d13, d23 = (jnp.asarray(x) for x in dipoles)
    upper = (
        jnp.zeros((3, 3), jnp.result_type(d12, d13, d23, float))
        .at[0, 1]
        .set(d12)
        .at[0, 2]
        .set(d13)
        .at[1, 2]
        .set(d23)
    )
    d = upper + jnp.conj(upper.T)
    density = FlatSpectralDensity(0.01) if spectral_density is None else spectral_density
    return FewLevelModel(
        jnp.diag(e), [BosonField(d, density, inverse_temperature=inverse_temperature)]
    )


def qubit_chain(
    frequencies,
    exchange: RealScalarLike = 0.05,
    temperatures=(2.0, 0.5),
    spectral_density=None,
):
    """A chain of `n = len(frequencies)` qubits, `H_S = Σ_k (ω_k/2) σ^z_k + g Σ_k σ^x_k σ^x_{k+1}`
    (`g = exchange`), between a hot bosonic field coupled through `σ^x` of the first qubit and
    a cold one through `σ^x` of the last (`temperatures = (T_hot, T_cold)`, μ = 0; default
    flat `J = 0.01`): the smallest quantum heat-transport machine of n qubits (d = 2ⁿ levels;
    with nearly equal frequencies many near-degenerate Bohr frequencies, where the secular
    and Bloch–Redfield generators differ). Qubit 0 is the most significant factor of the
    tensor product.

    **Arguments:** `frequencies` `(n,)` (energy units); `exchange`; `temperatures` `(2,)`;
    `spectral_density` (an `AbstractSpectralDensity`, both fields).

    **Returns:** a `FewLevelModel` with two fields (hot first).
    """
    w = jnp.asarray(frequencies)
    if w.ndim != 1 or w.shape[0] < 2:
        raise ValueError(
            f"qubit_chain: `frequencies` must be 1-D with at least 2 qubits, got shape {w.shape}."
        )
    temps = jnp.asarray(temperatures)
    if temps.shape != (2,):
        raise ValueError(f"qubit_chain: `temperatures` must have shape (2,), got {temps.shape}.")
    n = w.shape[0]
    sx = jnp.array([[0.0, 1.0], [1.0, 0.0]])
    sz = jnp.diag(jnp.array([1.0, -1.0]))

    def site(op, k):
        out = jnp.ones((1, 1))
        for i in range(n):
            out = jnp.kron(out, op if i == k else jnp.eye(2))
        return out

    h = sum(0.5 * w[k] * site(sz, k) for k in range(n))
    h = h + exchange * sum(site(sx, k) @ site(sx, k + 1) for k in range(n - 1))
    density = FlatSpectralDensity(0.01) if spectral_density is None else spectral_density
    return FewLevelModel(h, [BosonField(site(sx, 0), density, temps[0]),
                             BosonField(site(sx, n - 1), density, temps[1])])  # fmt: skip


def junction(
    h: RealScalarLike = 1.0,
    delta: RealScalarLike = 0.0,
    g: RealScalarLike = 0.5,
    gamma: RealScalarLike = 0.01,
    bandwidth: RealScalarLike = 10.0,
    temperatures=0.1,
    chemical_potentials=0.0,
) -> Junction:
    """Paper 004's two-site junction (Eqs. (10)–(19)); defaults are Fig. 5's
    `h = 1, δ = 0, g = 0.5, Γ = 0.01, Ω = 10`. Analyse it with `jt.junction`
    (`stationary_correlation`, `landauer_currents`, `evolve`, `asymptotic_rates`, ...);
    `jt.junction.quadratic_model` turns its asymptotic master equation into a
    `QuadraticModel`. See `jt.junction.Junction` for the arguments and checks.

    **Arguments:** as `jt.junction.Junction`.

    **Returns:** a `jt.junction.Junction`.
    """
    return Junction(h, delta, g, gamma, bandwidth, temperatures, chemical_potentials)


# ---------------------------------------------------------------------------------------
# Closed systems (papers 000 Sec. III B, 001 Sec. 4)
# ---------------------------------------------------------------------------------------


def spin_gorm(
    levels: int,
    splitting: RealScalarLike = 0.1,
    beta: RealScalarLike = 10.0,
    strength: RealScalarLike = 0.1,
    key: Array | None = None,
) -> SpinGORM:
    """Paper 001's model with `levels` = N reservoir levels and a GOE coupling drawn from
    `key` (a `jax.random` key; `jax.vmap` over keys for realisations).

    **Arguments:** `levels` (N >= 2), `splitting` (Δ), `beta` (reservoir β), `strength` (λ),
    `key` (default `jax.random.key(0)`).

    **Returns:** a `closed.SpinGORM`.
    """
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
    realisation-averaged `n₊ − n₋` vanishes.

    **Arguments:** `key`; `sites` (per reservoir); `temperatures`; `splitting`; `mean_energy`;
    `internal`, `exchange` (coupling magnitudes).

    **Returns:** a bosonic `closed.ClosedSystem` with two reservoirs.
    """
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
