"""The transition table of a few-level system between fields (paper 003, Secs. II, VI), and
the generators built from it.

Everything is assembled in the eigenbasis of `H_S` (levels `ε_0 <= ε_1 <= …`) from one table
of transitions: for every ordered pair `m → n` of levels and field j, the jump amplitude
`K_j[n, m]` (`⟨n|D_j|m⟩` for emission, `ε_m > ε_n`; `⟨m|D_j|n⟩*` for absorption) and the rate
`γ_j[n, m]` (`2πJ_j(ω)(N_j(ω)+1)` or `2πJ_j(ω)N_j(ω)`, `ω = |ε_m − ε_n|`; zero for `ω = 0`:
no pure dephasing, paper Eq. 22c). Then

- the Pauli rate matrix `W[n, m] = Σ_j γ_j[n,m]|K_j[n,m]|²` (rate `m → n`), `W[m, m] = −Σ_n
  W[n, m]` (paper Eq. 24: `A = −W`);
- the secular (Davies) GKSL generator of Eq. (22): jump operators `A_j(ω)` group all pairs
  with the same Bohr frequency, so degenerate Bohr frequencies (equally spaced or degenerate
  levels) are handled exactly: Kossakowski weights `sqrt(γγ')` between pairs whose frequencies
  agree within `bohr_rtol`;
- the Bloch–Redfield generator (non-secular): all pairs of jumps, weights `(γ + γ')/2`.

The Lamb shift `Δ` (Eq. 22b, principal-value integrals) is not included: in the secular
generator it commutes with `H_S`, so it changes neither the stationary populations nor the
currents (only the precession frequencies of coherences). Superoperators act on row-major
`vec(ρ)` (`vec(ρ)[a d + b] = ρ_ab`), so `vec(AρB) = (A ⊗ Bᵀ) vec(ρ)`.
"""

import equinox as eqx
import jax.numpy as jnp

from .._baths import hermiticity_error
from .._checks import Check, raise_if_bad
from .._custom_types import Array, Complex, Float, Inexact, Int
from .._linalg import matmul
from .._statistics import occupation_factors


class Transitions(eqx.Module):
    """The transition table of a `FewLevelModel` (see the module docstring).

    **Attributes:** `energies` `(d,)` ascending; `basis` `(d, d)` eigenvectors as columns;
    `bohr` `(d, d)`, `[n, m] = ε_m − ε_n`; `amplitude` `(F, d, d)`, `K_j[n, m]`; `rate`
    `(F, d, d)`, `γ_j[n, m]` (rate per unit `|K|²` of the jump `m → n`); `coupling`
    `(F, d, d)`, `⟨n|D_j|m⟩` in the eigenbasis; `exponent` `(F, d, d)`,
    `β_j(ω)(ω − μ_j) = ln(γ↓/γ↑)` at `ω = |ε_m − ε_n|` for active transitions (0 elsewhere):
    the entropy a quantum of frequency ω carries into field j; `tolerance`, the absolute
    Bohr-frequency tolerance.
    """

    energies: Float[Array, " d"]
    basis: Inexact[Array, "d d"]
    bohr: Float[Array, "d d"]
    amplitude: Complex[Array, "F d d"]
    rate: Float[Array, "F d d"]
    coupling: Complex[Array, "F d d"]
    exponent: Float[Array, "F d d"]
    tolerance: Float[Array, ""]

    @property
    def pauli_rates(self) -> Float[Array, "F d d"]:
        """`R_j[n, m] = γ_j[n, m] |K_j[n, m]|²`: rate of `m → n` through field j."""
        return self.rate * jnp.abs(self.amplitude) ** 2

    @property
    def size(self) -> int:
        return self.energies.shape[0]

    @property
    def emission(self) -> Array:
        """`[n, m]`: True where `m → n` emits a quantum (`ε_m − ε_n > tol`)."""
        return self.bohr > self.tolerance

    @property
    def absorption(self) -> Array:
        """`[n, m]`: True where `m → n` absorbs a quantum."""
        return self.bohr < -self.tolerance

    def to_eigenbasis(self, rho: Inexact[Array, "... d d"]) -> Complex[Array, "... d d"]:
        """`V† ρ V`: a density matrix (in the basis of `H_S` as given) in the eigenbasis."""
        v = self.basis.astype(self.amplitude.dtype)
        return jnp.conj(v.T) @ jnp.asarray(rho).astype(v.dtype) @ v

    def from_eigenbasis(self, rho: Complex[Array, "... d d"]) -> Complex[Array, "... d d"]:
        """`V ρ V†`: back to the basis in which `H_S` was given."""
        v = self.basis.astype(self.amplitude.dtype)
        return v @ rho @ jnp.conj(v.T)


def transitions_and_checks(model) -> tuple[Transitions, list[Check]]:
    """Diagonalise `H_S` and tabulate every field's jump amplitudes and rates at the Bohr
    frequencies (paper 003 Eqs. 20, 22c, 36b, 100), with the checks of the model's values:
    Hermitian `H_S`, `J(ω) >= 0`, `β(ω) > 0` and Bose `ω > μ` at every Bohr frequency a field
    drives."""
    h = model.hamiltonian
    checks = [Check(hermiticity_error(h), "FewLevelModel: `hamiltonian` must be Hermitian.")]
    energies, basis = jnp.linalg.eigh(0.5 * (h + jnp.conj(h.T)))
    real = energies.dtype
    scale = jnp.maximum(jnp.max(jnp.abs(energies)), jnp.max(energies) - jnp.min(energies))
    tol = model.bohr_rtol * jnp.maximum(scale, jnp.finfo(real).tiny)
    bohr = energies[None, :] - energies[:, None]  # [n, m] = ε_m − ε_n
    down = bohr > tol  # m → n emits
    up = bohr < -tol  # m → n absorbs
    freq = jnp.where(down | up, jnp.abs(bohr), 1.0)
    cplx = jnp.result_type(h.dtype, jnp.complex64)
    amplitudes, rates, couplings, exponents = [], [], [], []
    for i, field in enumerate(model.fields):
        d = jnp.conj(basis.T) @ field.coupling.astype(cplx) @ basis  # ⟨n|D|m⟩
        k = jnp.where(down, d, jnp.where(up, jnp.conj(d.T), 0.0))
        active = (down | up) & (jnp.abs(k) > 0)
        spectral = field.spectral_density(freq)
        beta = field.inverse_temperature(freq)
        where = f"`fields[{i}]` ({type(field).__name__}): "
        checks.append(
            Check(
                active & jnp.invert(spectral >= 0),
                where + "the spectral density J(ω) must be >= 0 at every Bohr frequency.",
            )
        )
        checks.append(
            Check(
                active & jnp.invert(beta > 0),
                where + "the inverse temperature β(ω) must be > 0 at every Bohr frequency.",
            )
        )
        if field.statistics == "boson":
            checks.append(
                Check(
                    active & jnp.invert(freq > field.chemical_potential),
                    where + "a bosonic field needs `chemical_potential` < every Bohr frequency "
                    "it drives.",
                )
            )
        x = jnp.where(active, beta * (freq - field.chemical_potential), 1.0)
        occ, emit = occupation_factors(x, field.statistics)
        weight = jnp.where(down, emit, jnp.where(up, occ, 0.0))
        rate = jnp.where(active, 2 * jnp.pi * spectral * weight, 0.0)
        amplitudes.append(k)
        rates.append(rate.astype(real))
        couplings.append(d)
        exponents.append(jnp.where(active, x, 0.0).astype(real))
    table = Transitions(
        energies,
        basis,
        bohr,
        jnp.stack(amplitudes),
        jnp.stack(rates),
        jnp.stack(couplings),
        jnp.stack(exponents),
        jnp.asarray(tol, real),
    )
    return table, checks


def transitions(model) -> Transitions:
    """The transition table of `model` (see `Transitions`); raises (also inside `jit`) on a
    non-Hermitian `H_S`, `J(ω) < 0`, `β(ω) <= 0` or a Bose field with `ω <= μ` at a Bohr
    frequency it drives.

    **Arguments:** `model`, a `FewLevelModel`.

    **Returns:** a `Transitions` module.
    """
    table, checks = transitions_and_checks(model)
    return raise_if_bad(table, checks)


# ---------------------------------------------------------------------------------------
# Dense generators (d² × d²) and the Pauli rate matrix (d × d)
# ---------------------------------------------------------------------------------------


def pauli_rate_matrix(table: Transitions, fields=None) -> Float[Array, "d d"]:
    """The classical rate matrix of the populations (paper 003 Eq. 24, `W = −A`):
    `dp/dt = W p`, `W[n, m]` the total rate `m → n`, columns summing to zero.

    **Arguments:** `table` (from `transitions`); `fields` (indices; default all).

    **Returns:** `W`, `(d, d)`, rates per unit time.
    """
    idx = list(range(table.amplitude.shape[0])) if fields is None else list(fields)
    r = jnp.sum(table.pauli_rates[jnp.asarray(idx)], axis=0)
    r = r - jnp.diag(jnp.diagonal(r))
    return r - jnp.diag(jnp.sum(r, axis=0))


def hamiltonian_superoperator(energies, dtype):
    """`−i[H_S, ·]` in the eigenbasis, as a diagonal `(d², d²)` matrix."""
    d = energies.shape[0]
    diff = energies[:, None] - energies[None, :]
    return jnp.diag(-1j * diff.reshape(d * d)).astype(dtype)


def secular_weights(table: Transitions, j: int) -> Complex[Array, "d d"]:
    """`c[n, m] = K_j[n, m] sqrt(γ_j[n, m])`: the Davies jump amplitudes with their rates."""
    k, g = table.amplitude[j], table.rate[j]
    positive = g > 0
    return k * jnp.where(positive, jnp.sqrt(jnp.where(positive, g, 1.0)), 0.0)


def dissipator_secular(table: Transitions, j: int) -> Complex[Array, "d*d d*d"]:
    """Davies dissipator of field j in the eigenbasis, as a `(d², d²)` matrix."""
    d = table.size
    c = secular_weights(table, j)
    bohr, tol = table.bohr, table.tolerance
    # S[(n, n'), (m, m')] = c[n,m] c*[n',m'] [ω_{nm} = ω_{n'm'}]
    same = jnp.abs(bohr[:, :, None, None] - bohr[None, None, :, :]) <= tol  # [n,m,n',m']
    s = jnp.einsum("nm,kl,nmkl->nkml", c, jnp.conj(c), same.astype(c.dtype))
    s = s.reshape(d * d, d * d)
    x = (jnp.conj(c).T @ c) * (jnp.abs(bohr) <= tol)  # Σ_n c*[n,m] c[n,m'] [ε_m = ε_m']
    eye = jnp.eye(d, dtype=c.dtype)
    return s - 0.5 * (jnp.kron(x, eye) + jnp.kron(eye, x.T))


def redfield_channels(table: Transitions, j: int):
    """The two Bloch–Redfield channels of field j, `(X, X̃)` each: emission (`X = D`,
    `X̃ = Σ_{ω>0} γ↓(ω) D(ω)`) and absorption (`X = D†`, `X̃ = Σ_{ω<0} γ↑(|ω|) D†(ω)`). The
    field couples through `D ⊗ B† + D† ⊗ B`; each channel's dissipator is
    `½(X̃ ρ X† + X ρ X̃†) − ½(X† X̃ ρ + ρ X̃† X)`. The bare `X` keeps all its spectral
    components (also `ω = 0`), as in the textbook Redfield equation."""
    weighted = table.amplitude[j] * table.rate[j].astype(table.amplitude.dtype)
    coupling = table.coupling[j]
    return (
        (coupling, jnp.where(table.emission, weighted, 0.0)),
        (jnp.conj(coupling.T), jnp.where(table.absorption, weighted, 0.0)),
    )


def redfield_apply(table: Transitions, fields=None, include_hamiltonian: bool = True):
    """The Bloch–Redfield generator applied matrix-free: `ρ ↦ −i[E, ρ] + Σ_j Σ_channels
    [½(X̃ ρ X† + X ρ X̃†) − ½(X†X̃ ρ + ρ X̃†X)]` on `(d, d)` arrays `ρ` in the eigenbasis (the
    channels `(X, X̃)` of `redfield_channels`): six `d × d` products per channel, `O(d³)`, no
    `d² × d²` matrix. Equals `dissipator_redfield` (plus the Hamiltonian part) on `vec(ρ)`.

    **Arguments:** `table`; `fields` (indices; default all); `include_hamiltonian`.

    **Returns:** the function `ρ ↦ L(ρ)`.
    """
    idx = range(table.amplitude.shape[0]) if fields is None else fields
    channels = [ch for j in idx for ch in redfield_channels(table, j)]
    lefts = [jnp.conj(x).T @ xt for x, xt in channels]
    dtype = table.amplitude.dtype
    diff = (table.energies[:, None] - table.energies[None, :]).astype(dtype)

    def apply(rho):
        out = -1j * diff * rho if include_hamiltonian else jnp.zeros_like(rho)
        for (x, xt), left in zip(channels, lefts, strict=True):
            jump = matmul(matmul(xt, rho), jnp.conj(x).T) + matmul(matmul(x, rho), jnp.conj(xt).T)
            out = out + 0.5 * jump - 0.5 * (matmul(left, rho) + matmul(rho, jnp.conj(left).T))
        return out

    return apply


def dissipator_redfield(table: Transitions, j: int) -> Complex[Array, "d*d d*d"]:
    """Bloch–Redfield dissipator of field j in the eigenbasis, `(d², d²)`."""
    d = table.size
    dtype = table.amplitude.dtype
    eye = jnp.eye(d, dtype=dtype)
    out = jnp.zeros((d * d, d * d), dtype)
    for x, xt in redfield_channels(table, j):
        jump = 0.5 * (jnp.kron(xt, jnp.conj(x)) + jnp.kron(x, jnp.conj(xt)))
        left = jnp.conj(x).T @ xt
        out = out + jump - 0.5 * (jnp.kron(left, eye) + jnp.kron(eye, jnp.conj(left)))
    return out


def secular_ranges(table: Transitions) -> tuple[Int[Array, "d d d"], Int[Array, "d d d"]]:
    """`(lo, hi)`: for each `(m, n', n)` the range `[lo, hi)` of the sorted levels `m'` with
    `|ε_m' − (ε_m − ε_n + ε_n')| <= tol` (the pairs of equal Bohr frequency that the secular
    jump term couples; see `secular_apply`), `(d, d, d)` each. Shared by all fields."""
    e, tol = table.energies, table.tolerance
    # target[m, n', n] = ε_m − ε_n + ε_n': the energy level m' must have
    target = e[:, None, None] + e[None, :, None] - e[None, None, :]
    lo = jnp.searchsorted(e, target - tol, side="left")
    hi = jnp.searchsorted(e, target + tol, side="right")
    return lo, hi


def secular_apply(table: Transitions, fields=None, include_hamiltonian: bool = True, ranges=None):
    """The secular (Davies) generator applied without a `d² × d²` matrix: `X ↦ −i[E, X] +
    Σ_j [Σ_ω A_j(ω) X A_j(ω)† − ½{Y, X}]` on `(d, d)` arrays in the eigenbasis, equal to
    `dissipator_secular` (plus the Hamiltonian part) on `vec(X)`.

    The jump term is `out[n, n'] = Σ_{m, m'} c[n, m] c*[n', m'] X[m, m']` over the pairs whose
    Bohr frequencies agree, `|(ε_m − ε_n) − (ε_m' − ε_n')| <= tol`, i.e. over the levels `m'`
    with `|ε_m' − (ε_m − ε_n + ε_n')| <= tol`. The levels are sorted, so those `m'` are one
    contiguous range `[lo, hi)` (`searchsorted`, computed once per table) and the inner sum
    is a difference of cumulative sums along `m'`: `O(d³)` work and memory per application,
    exact for any degeneracy (equally spaced ladders, identical qubits). The decay term uses
    `Y = Σ_j (c_j† c_j) ⊙ [ε_m = ε_m']`.

    **Arguments:** `table`; `fields` (indices; default all); `include_hamiltonian`;
    `ranges`: `secular_ranges(table)` where several fields are applied one by one (computed
    here if not given).

    **Returns:** the function `X ↦ L(X)`.
    """
    idx = range(table.amplitude.shape[0]) if fields is None else fields
    cs = [secular_weights(table, j) for j in idx]
    e, tol = table.energies, table.tolerance
    lo, hi = secular_ranges(table) if ranges is None else ranges
    degenerate = jnp.abs(table.bohr) <= tol
    y = sum((jnp.conj(c).T @ c) for c in cs) * degenerate
    dtype = cs[0].dtype
    diff = (e[:, None] - e[None, :]).astype(dtype)

    def jumps(c, x):
        # partial[m, n', k] = Σ_{m' < k} X[m, m'] c*[n', m'] (k = 0 … d)
        terms = x[:, None, :] * jnp.conj(c)[None, :, :]
        partial = jnp.concatenate(
            [jnp.zeros(terms.shape[:2] + (1,), dtype), jnp.cumsum(terms, axis=2)], axis=2
        )
        inner = jnp.take_along_axis(partial, hi, axis=2) - jnp.take_along_axis(partial, lo, axis=2)
        return jnp.einsum("nm,mpn->np", c, inner)  # inner[m, n', n]

    def apply(x):
        out = -1j * diff * x if include_hamiltonian else jnp.zeros_like(x)
        out = out + sum(jumps(c, x) for c in cs)
        return out - 0.5 * (matmul(y, x) + matmul(x, y))

    return apply
