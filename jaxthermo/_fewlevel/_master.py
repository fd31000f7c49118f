"""Master equations of few-level systems between several fields (paper 003, Secs. II, VI).

Everything is assembled in the eigenbasis of `H_S` (levels `ε_0 <= ε_1 <= …`) from one table
of transitions: for every ordered pair `m → n` of levels and field j, the jump amplitude
`K_j[n, m]` (`⟨n|D_j|m⟩` for emission, `ε_m > ε_n`; `⟨m|D_j|n⟩*` for absorption) and the rate
`γ_j[n, m]` (`2πJ_j(ω)(N_j(ω)+1)` or `2πJ_j(ω)N_j(ω)`, `ω = |ε_m - ε_n|`; zero for `ω = 0`:
no pure dephasing, paper Eq. 22c). Then

- the Pauli rate matrix `W[n, m] = Σ_j γ_j[n,m]|K_j[n,m]|²` (rate `m → n`), `W[m, m] = -Σ_n
  W[n, m]` (paper Eq. 24: `A = -W`);
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

from collections.abc import Sequence

import equinox as eqx
import jax
import jax.numpy as jnp

from .._baths import as_hamiltonian, hermiticity_error
from .._custom_types import Array, ArrayLike, Complex, Float, Inexact
from .._solution import RESULTS
from ._fields import AbstractField


GENERATORS = ("secular", "redfield", "pauli")


class FewLevelModel(eqx.Module):
    """A d-level system `H_S` coupled to fields (paper 003 Eqs. 12–13, 94).

    **Arguments:**

    - `hamiltonian`: `(d, d)` Hermitian `H_S` in any basis (energies in units of ħ = 1).
    - `fields`: `BosonField` / `FermionField` instances, each with its `coupling` `D_j` of
      shape `(d, d)` in the same basis.
    - `bohr_rtol`: Bohr frequencies closer than `bohr_rtol · max|ε|` are treated as equal
      (degenerate) by the secular generator. Static.

    Its numbers (`H_S`, couplings, field parameters) are array leaves: the model can be built
    inside `jax.vmap`/`jax.grad`. Checks: square Hermitian `H_S` and matching couplings
    (eagerly, or with `equinox.error_if` inside `jit`); positive spectral densities, positive
    `β(ω)` and Bose `ω > μ` where the rates are built.
    """

    hamiltonian: Inexact[Array, "d d"]
    fields: tuple[AbstractField, ...]
    bohr_rtol: float = eqx.field(static=True)

    def __init__(
        self,
        hamiltonian: Inexact[ArrayLike, "d d"],
        fields: Sequence[AbstractField],
        *,
        bohr_rtol: float = 1e-9,
    ):
        h = as_hamiltonian(hamiltonian, "FewLevelModel")
        if isinstance(fields, AbstractField):
            fields = (fields,)
        fields = tuple(fields)
        if not fields:
            raise ValueError("`fields` must contain at least one field.")
        for i, f in enumerate(fields):
            if not isinstance(f, AbstractField):
                raise TypeError(f"`fields[{i}]` is not a field: {type(f).__name__}.")
            if f.coupling.shape != h.shape:
                raise ValueError(
                    f"`fields[{i}].coupling` has shape {f.coupling.shape}, but `hamiltonian` "
                    f"has shape {h.shape}."
                )
        self.hamiltonian = h
        self.fields = fields
        self.bohr_rtol = float(bohr_rtol)

    @property
    def size(self) -> int:
        return self.hamiltonian.shape[0]


class Transitions(eqx.Module):
    """The transition table of a `FewLevelModel` (see the module docstring).

    **Attributes:** `energies` `(d,)` ascending; `basis` `(d, d)` eigenvectors as columns;
    `bohr` `(d, d)`, `[n, m] = ε_m - ε_n`; `amplitude` `(F, d, d)`, `K_j[n, m]`; `rate`
    `(F, d, d)`, `γ_j[n, m]` (rate per unit `|K|²` of the jump `m → n`); `coupling`
    `(F, d, d)`, `⟨n|D_j|m⟩` in the eigenbasis; `tolerance`, the absolute Bohr-frequency
    tolerance.
    """

    energies: Float[Array, " d"]
    basis: Inexact[Array, "d d"]
    bohr: Float[Array, "d d"]
    amplitude: Complex[Array, "F d d"]
    rate: Float[Array, "F d d"]
    coupling: Complex[Array, "F d d"]
    tolerance: Float[Array, ""]

    @property
    def pauli_rates(self) -> Float[Array, "F d d"]:
        """`R_j[n, m] = γ_j[n, m] |K_j[n, m]|²`: rate of `m → n` through field j."""
        return self.rate * jnp.abs(self.amplitude) ** 2


def _check_model(model) -> FewLevelModel:
    if not isinstance(model, FewLevelModel):
        raise TypeError(f"`model` must be a jaxthermo.fewlevel.FewLevelModel, got {type(model)}.")
    return model


def transitions(model: FewLevelModel) -> Transitions:
    """Diagonalise `H_S` and tabulate every field's jump amplitudes and rates at the Bohr
    frequencies (paper 003 Eqs. 20, 22c, 36b, 100). Raises (also inside `jit`) on a
    non-Hermitian `H_S`, `J(ω) < 0`, `β(ω) <= 0` or a Bose field with `ω <= μ` at a Bohr
    frequency it drives."""
    model = _check_model(model)
    h = eqx.error_if(
        model.hamiltonian,
        hermiticity_error(model.hamiltonian),
        "FewLevelModel: `hamiltonian` must be Hermitian (H_S == H_S^†).",
    )
    energies, basis = jnp.linalg.eigh(h)
    real = energies.dtype
    scale = jnp.maximum(jnp.max(jnp.abs(energies)), jnp.max(energies) - jnp.min(energies))
    tol = model.bohr_rtol * jnp.maximum(scale, jnp.finfo(real).tiny)
    bohr = energies[None, :] - energies[:, None]  # [n, m] = ε_m - ε_n
    down = bohr > tol  # m → n emits
    up = bohr < -tol  # m → n absorbs
    freq = jnp.where(down | up, jnp.abs(bohr), 1.0)
    cplx = jnp.result_type(h.dtype, jnp.complex64)
    amplitudes, rates, couplings = [], [], []
    for i, field in enumerate(model.fields):
        d = jnp.conj(basis.T) @ field.coupling.astype(cplx) @ basis  # ⟨n|D|m⟩
        k = jnp.where(down, d, jnp.where(up, jnp.conj(d.T), 0.0))
        active = (down | up) & (jnp.abs(k) > 0)
        spectral = field.spectral_density(freq)
        beta = field.inverse_temperature(freq)
        where = f"`fields[{i}]`"
        spectral = eqx.error_if(
            spectral,
            jnp.any(active & jnp.invert(spectral >= 0)),
            f"{where}: the spectral density J(ω) must be >= 0 at every Bohr frequency.",
        )
        beta = eqx.error_if(
            beta,
            jnp.any(active & jnp.invert(beta > 0)),
            f"{where}: the inverse temperature β(ω) must be > 0 at every Bohr frequency.",
        )
        if field.statistics == "boson":
            beta = eqx.error_if(
                beta,
                jnp.any(active & jnp.invert(freq > field.chemical_potential)),
                f"{where}: a bosonic field needs `chemical_potential` < every Bohr frequency "
                "it drives.",
            )
        x = jnp.where(active, beta * (freq - field.chemical_potential), 1.0)
        occ, emit = field.factors(x)
        weight = jnp.where(down, emit, jnp.where(up, occ, 0.0))
        rate = jnp.where(active, 2 * jnp.pi * spectral * weight, 0.0)
        amplitudes.append(k)
        rates.append(rate.astype(real))
        couplings.append(d)
    return Transitions(
        energies,
        basis,
        bohr,
        jnp.stack(amplitudes),
        jnp.stack(rates),
        jnp.stack(couplings),
        jnp.asarray(tol, real),
    )


# ---------------------------------------------------------------------------------------
# Generators
# ---------------------------------------------------------------------------------------


def pauli_rate_matrix(table: Transitions) -> Float[Array, "d d"]:
    """The classical rate matrix of the populations (paper 003 Eq. 24, `W = -A`):
    `dp/dt = W p`, `W[n, m]` the total rate `m → n`, columns summing to zero."""
    r = jnp.sum(table.pauli_rates, axis=0)
    r = r - jnp.diag(jnp.diagonal(r))
    return r - jnp.diag(jnp.sum(r, axis=0))


def _hamiltonian_superoperator(energies, dtype):
    d = energies.shape[0]
    diff = energies[:, None] - energies[None, :]
    return jnp.diag(-1j * diff.reshape(d * d)).astype(dtype)


def _dissipator_secular(k, g, bohr, tol):
    """Davies dissipator of one field in the eigenbasis, as a `(d², d²)` matrix."""
    d = k.shape[0]
    positive = jnp.real(g) > 0
    c = k * jnp.where(positive, jnp.sqrt(jnp.where(positive, g, 1.0)), 0.0)  # c[n, m]
    # S[(n, n'), (m, m')] = c[n,m] c*[n',m'] [ω_{nm} = ω_{n'm'}]
    same = jnp.abs(bohr[:, :, None, None] - bohr[None, None, :, :]) <= tol  # [n,m,n',m']
    s = jnp.einsum("nm,kl,nmkl->nkml", c, jnp.conj(c), same.astype(c.dtype))
    s = s.reshape(d * d, d * d)
    # X[m, m'] = Σ_n c*[n,m] c[n,m'] [ε_m = ε_m']
    degenerate = jnp.abs(bohr) <= tol  # [m, m'] (|ε_m' - ε_m| <= tol)
    x = (jnp.conj(c).T @ c) * degenerate
    eye = jnp.eye(d, dtype=c.dtype)
    return s - 0.5 * (jnp.kron(x, eye) + jnp.kron(eye, x.T))


def _dissipator_redfield(k, g, coupling, bohr, tol):
    """Bloch–Redfield dissipator (dissipative part) of one field in the eigenbasis. The field
    couples through `D ⊗ B† + D† ⊗ B`: an emission channel (`X = D`, weighted lowering part
    `X̃ = Σ_{ω>0} γ↓(ω) D(ω)`) and an absorption channel (`X = D†`, `X̃ = Σ_{ω<0} γ↑(|ω|) D†(ω)`),
    each `½(X̃ ρ X† + X ρ X̃†) - ½(X† X̃ ρ + ρ X̃† X)`. The bare `X` keeps all its spectral
    components (also `ω = 0`), as in the textbook Redfield equation."""
    d = k.shape[0]
    eye = jnp.eye(d, dtype=k.dtype)
    weighted = k * g
    out = jnp.zeros((d * d, d * d), k.dtype)
    channels = (
        (coupling, jnp.where(bohr > tol, weighted, 0.0)),
        (jnp.conj(coupling.T), jnp.where(bohr < -tol, weighted, 0.0)),
    )
    for x, xt in channels:
        jump = 0.5 * (jnp.kron(xt, jnp.conj(x)) + jnp.kron(x, jnp.conj(xt)))
        left = jnp.conj(x).T @ xt
        out = out + jump - 0.5 * (jnp.kron(left, eye) + jnp.kron(eye, jnp.conj(left)))
    return out


def liouvillian(
    model_or_table: FewLevelModel | Transitions,
    generator: str = "secular",
    *,
    fields: Sequence[int] | None = None,
    include_hamiltonian: bool = True,
) -> Complex[Array, "d*d d*d"]:
    """The generator `L` of `dρ/dt = L ρ` in the eigenbasis of `H_S`, as a `(d², d²)` matrix
    on row-major `vec(ρ)` (paper 003 Eq. 22 for `generator="secular"`; `"redfield"` for the
    Bloch–Redfield form). `fields` selects a subset of fields (e.g. one field's `L_j` for
    its current or its own stationary state); `include_hamiltonian=False` drops `-i[H_S, ·]`.
    """
    table = (
        model_or_table if isinstance(model_or_table, Transitions) else transitions(model_or_table)
    )
    if generator not in ("secular", "redfield"):
        raise ValueError(f"`generator` must be 'secular' or 'redfield', got {generator!r}.")
    idx = range(table.amplitude.shape[0]) if fields is None else fields
    d = table.energies.shape[0]
    dtype = table.amplitude.dtype
    out = (
        _hamiltonian_superoperator(table.energies, dtype)
        if include_hamiltonian
        else jnp.zeros((d * d, d * d), dtype)
    )
    for j in idx:
        k, g = table.amplitude[j], table.rate[j].astype(dtype)
        if generator == "secular":
            out = out + _dissipator_secular(k, g, table.bohr, table.tolerance)
        else:
            out = out + _dissipator_redfield(k, g, table.coupling[j], table.bohr, table.tolerance)
    return out


# ---------------------------------------------------------------------------------------
# Stationary states and evolution
# ---------------------------------------------------------------------------------------


class StationaryState(eqx.Module):
    """Stationary state of a few-level master equation.

    **Attributes:** `density_matrix` `(d, d)` in the basis of `H_S` as given;
    `eigenbasis_density_matrix` `(d, d)` in the eigenbasis; `populations` `(d,)` (its
    diagonal, levels ascending); `energies` `(d,)`; `residual` (`‖L ρ‖ / ‖L‖`, or `‖W p‖ /
    ‖W‖` for Pauli); `result` (a `RESULTS` item; `singular` when the stationary state is not
    unique); `generator`.
    """

    density_matrix: Complex[Array, "d d"]
    eigenbasis_density_matrix: Complex[Array, "d d"]
    populations: Float[Array, " d"]
    energies: Float[Array, " d"]
    residual: Float[Array, ""]
    result: RESULTS
    generator: str = eqx.field(static=True)


def _kernel_vector(matrix, normalisation):
    """Solve `M x = 0`, `normalisation · x = 1` by replacing the first equation (a direct LU
    solve: differentiable, no power iteration)."""
    a = matrix.at[0].set(normalisation.astype(matrix.dtype))
    b = jnp.zeros(matrix.shape[0], matrix.dtype).at[0].set(1.0)
    return jnp.linalg.solve(a, b)


def stationary_density(lv: Complex[Array, "d*d d*d"]) -> Complex[Array, "d d"]:
    """The Hermitian `ρ` with `L ρ = 0`, `Tr ρ = 1` for a generator on row-major `vec(ρ)`."""
    d = round(lv.shape[0] ** 0.5)
    rho = _kernel_vector(lv, jnp.eye(d).reshape(d * d)).reshape(d, d)
    return 0.5 * (rho + jnp.conj(rho.T))


def stationary_state(
    model: FewLevelModel, generator: str = "secular", *, throw: bool = True
) -> StationaryState:
    """The stationary state `L ρ = 0`, `Tr ρ = 1`, by one direct linear solve of the
    `(d², d²)` generator (`"secular"`, `"redfield"`) or of the `(d, d)` Pauli rate matrix
    (`"pauli"`: populations only, exact for the secular generator when no two levels are
    degenerate). Cost `O(d⁶)` (`O(d³)` for Pauli); d = 64 takes seconds on a CPU.

    Differentiable in every number of the model (LU solve). If the stationary state is not
    unique (a level, or a group of levels, that no field connects to the rest), the result
    is `RESULTS.singular` and, with `throw=True`, an error.
    """
    if generator not in GENERATORS:
        raise ValueError(f"`generator` must be one of {GENERATORS}, got {generator!r}.")
    table = transitions(model)
    d = table.energies.shape[0]
    cplx = table.amplitude.dtype
    if generator == "pauli":
        w = pauli_rate_matrix(table)
        p = _kernel_vector(w, jnp.ones(d))
        residual = jnp.linalg.norm(w @ p) / jnp.maximum(jnp.linalg.norm(w), _tiny(w))
        rho_eig = jnp.diag(p).astype(cplx)
    else:
        lv = liouvillian(table, generator)
        rho_eig = stationary_density(lv)
        residual = jnp.linalg.norm(lv @ rho_eig.reshape(d * d)) / jnp.maximum(
            jnp.linalg.norm(lv), _tiny(lv)
        )
    real = table.energies.dtype
    eps = jnp.finfo(real).eps
    bad = jnp.invert(jnp.all(jnp.isfinite(rho_eig))) | jnp.invert(residual < 1e3 * d * eps)
    result = RESULTS.where(bad, RESULTS.singular, RESULTS.successful)
    if throw:
        rho_eig = result.error_if(rho_eig, result != RESULTS.successful)
    rho = table.basis @ rho_eig @ jnp.conj(table.basis.T)
    pops = jnp.real(jnp.diagonal(rho_eig))
    return StationaryState(
        rho, rho_eig, pops, table.energies, residual.astype(real), result, generator
    )


def _tiny(x):
    return jnp.finfo(jnp.real(x).dtype).tiny


def evolve(
    model: FewLevelModel,
    density_matrix: Inexact[ArrayLike, "d d"],
    ts: Float[ArrayLike, " T"],
    generator: str = "secular",
) -> Complex[Array, "T d d"]:
    """`ρ(t) = exp(L t) ρ(0)` at the times `ts` (matrix exponential of the `(d², d²)`
    generator, exact; vectorised over `ts`). `density_matrix` and the result are in the
    basis of `H_S` as given."""
    if generator not in ("secular", "redfield"):
        raise ValueError(f"`generator` must be 'secular' or 'redfield', got {generator!r}.")
    table = transitions(model)
    d = table.energies.shape[0]
    rho0 = jnp.asarray(density_matrix)
    if rho0.shape != (d, d):
        raise ValueError(f"`density_matrix` must have shape {(d, d)}, got {rho0.shape}.")
    ts = jnp.asarray(ts)
    if ts.ndim != 1:
        raise ValueError(f"`ts` must be a 1-D array of times, got shape {ts.shape}.")
    v = table.basis
    lv = liouvillian(table, generator)
    x0 = (jnp.conj(v.T) @ rho0.astype(lv.dtype) @ v).reshape(d * d)

    def at(t):
        xt = jax.scipy.linalg.expm(lv * t) @ x0
        return v @ xt.reshape(d, d) @ jnp.conj(v.T)

    return jax.vmap(at)(ts)


def to_eigenbasis(table: Transitions, rho: Inexact[Array, "d d"]) -> Complex[Array, "d d"]:
    """`V† ρ V`: a density matrix in the eigenbasis of `H_S`."""
    v = table.basis
    return jnp.conj(v.T) @ jnp.asarray(rho).astype(table.amplitude.dtype) @ v
