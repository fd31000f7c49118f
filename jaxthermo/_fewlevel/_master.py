"""Few-level systems between several fields (paper 003, Secs. II, VI): the model, its steady
states and trajectories, and its side of the verbs `steady_state`, `evolve`, `currents`,
`entropy_production`."""

from collections.abc import Sequence

import equinox as eqx
import jax
import jax.numpy as jnp

from .._baths import as_hamiltonian
from .._checks import apply_checks
from .._contract import AbstractSteadyState, AbstractTrajectory, Currents
from .._counting import AbstractCountingModel
from .._custom_types import Array, ArrayLike, Complex, Float, Inexact, Real
from .._linalg import after, logm_hermitian
from .._solution import RESULTS
from ._counting import fewlevel_counting
from ._fields import AbstractField
from ._methods import AbstractFewLevelMethod, default_method
from ._transitions import Transitions, transitions_and_checks


def _to_qutip(matrix, dims):
    try:
        import qutip
    except ImportError as err:  # pragma: no cover - exercised only without qutip
        raise ImportError("to_qutip needs QuTiP: pip install qutip") from err
    import numpy as np

    m = np.asarray(matrix)
    return qutip.Qobj(m, dims=[list(dims[0]), list(dims[1])] if dims is not None else None)


class FewLevelModel(AbstractCountingModel):
    """A d-level system `H_S` coupled to fields (paper 003 Eqs. 12–13, 94).

    **Arguments:**

    - `hamiltonian`: `(d, d)` Hermitian `H_S` in any basis (energies in units of ħ = 1); an
      array or a `qutip.Qobj` (its `dims` are kept for `.to_qutip()` of the states).
    - `fields`: `BosonField` / `FermionField` instances, each with its `coupling` `D_j` of
      shape `(d, d)` in the same basis.
    - `bohr_rtol`: Bohr frequencies closer than `bohr_rtol · max|ε|` are treated as equal
      (degenerate) by the secular generator. Static.

    Its numbers (`H_S`, couplings, field parameters) are array leaves: the model can be built
    inside `jax.vmap`/`jax.grad`. Checks: square Hermitian `H_S` and matching couplings
    (eagerly); Hermiticity of traced values, `J(ω) >= 0`, `β(ω) > 0` and Bose `ω > μ` where the
    verbs run. Methods: `fewlevel.Secular()` (default), `Redfield()`, `Pauli()`.
    """

    hamiltonian: Inexact[Array, "d d"]
    fields: tuple[AbstractField, ...]
    bohr_rtol: float = eqx.field(static=True)
    dims: tuple | None = eqx.field(static=True)

    def __init__(
        self,
        hamiltonian: Inexact[ArrayLike, "d d"],
        fields: Sequence[AbstractField],
        *,
        bohr_rtol: float = 1e-9,
    ):
        dims = getattr(hamiltonian, "dims", None) if type(hamiltonian).__name__ == "Qobj" else None
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
        self.dims = None if dims is None else tuple(tuple(x) for x in dims)

    @property
    def size(self) -> int:
        return self.hamiltonian.shape[0]

    def _steady_state(self, method, throw):
        method = default_method(method)
        table, checks = transitions_and_checks(self)
        rho_eig, residual, result = method.stationary(table)
        d = table.size
        real = table.energies.dtype
        eps = jnp.finfo(real).eps
        bad = jnp.invert(jnp.all(jnp.isfinite(rho_eig))) | jnp.invert(residual < 1e3 * d * eps)
        result = RESULTS.where(bad & (result == RESULTS.successful), RESULTS.singular, result)
        rho_eig, invalid = apply_checks(rho_eig, checks, throw)
        result = RESULTS.where(invalid != RESULTS.successful, invalid, result)
        if throw:
            rho_eig = result.error_if(rho_eig, result != RESULTS.successful)
        rho_eig = jnp.where(result == RESULTS.successful, rho_eig, jnp.nan)
        return SteadyState(
            table.from_eigenbasis(rho_eig),
            rho_eig,
            jnp.real(jnp.diagonal(rho_eig)),
            table.energies,
            residual.astype(real),
            result,
            method,
            self.dims,
        )

    def _evolve(self, state0, ts, method, throw):
        method = default_method(method)
        table, checks = transitions_and_checks(self)
        d = table.size
        rho0 = jnp.asarray(state0.full() if type(state0).__name__ == "Qobj" else state0)
        if rho0.shape != (d, d):
            raise ValueError(f"`state0` (a density matrix) must have shape {(d, d)}, got "
                             f"{rho0.shape}.")  # fmt: skip
        rho_eig = method.propagate(table, table.to_eigenbasis(rho0), ts - ts[0])
        rho = table.from_eigenbasis(rho_eig)
        rho, result = apply_checks(rho, checks, throw)
        return Trajectory(ts, rho, result, method, self.dims)

    def _currents(self, state, picture):
        return fewlevel_currents(self, state)

    def _entropy_production(self, state, picture):
        return fewlevel_entropy_production(self, state)

    def _counting(self, bath, quantity, method):
        return fewlevel_counting(self, bath, quantity, default_method(method))


class SteadyState(AbstractSteadyState):
    """Stationary state of a few-level master equation.

    **Attributes:** `density_matrix` `(d, d)` in the basis of `H_S` as given;
    `eigenbasis_density_matrix` `(d, d)` in the eigenbasis; `populations` `(d,)` (its
    diagonal, levels ascending); `energies` `(d,)`; `residual` (`‖L ρ‖ / ‖L‖`, or `‖W p‖ /
    ‖W‖` for Pauli); `result` (a `RESULTS` item; `singular` when the stationary state is not
    unique); `method` (the method object that produced it).
    """

    density_matrix: Complex[Array, "d d"]
    eigenbasis_density_matrix: Complex[Array, "d d"]
    populations: Float[Array, " d"]
    energies: Float[Array, " d"]
    residual: Float[Array, ""]
    result: RESULTS
    method: AbstractFewLevelMethod
    dims: tuple | None = eqx.field(static=True, default=None)

    def to_qutip(self):
        """The density matrix as a `qutip.Qobj` (with the `dims` of a `Qobj` Hamiltonian)."""
        return _to_qutip(self.density_matrix, self.dims)


class Trajectory(AbstractTrajectory):
    """Density matrices of a few-level model along a trajectory.

    **Attributes:** `ts` (T,); `density_matrix` (T, d, d) in the basis of `H_S` as given
    (entry 0 is the initial state); `result`; `method`.
    """

    ts: Real[Array, " T"]
    density_matrix: Complex[Array, "T d d"]
    result: RESULTS
    method: AbstractFewLevelMethod
    dims: tuple | None = eqx.field(static=True, default=None)

    def to_qutip(self) -> list:
        """The density matrices as a list of `qutip.Qobj`, one per time."""
        return [_to_qutip(rho, self.dims) for rho in self.density_matrix]


def eigenbasis_state(
    table: Transitions, state
) -> tuple[Complex[Array, "... d d"], AbstractFewLevelMethod]:
    """`(ρ in the eigenbasis, method)` of a `SteadyState`, a `Trajectory` (leading time axis)
    or a density matrix (basis of `H_S` as given; method `Secular()`)."""
    if isinstance(state, SteadyState):
        return state.eigenbasis_density_matrix.astype(table.amplitude.dtype), state.method
    if isinstance(state, Trajectory):
        return table.to_eigenbasis(state.density_matrix), state.method
    rho = jnp.asarray(state.full() if type(state).__name__ == "Qobj" else state)
    d = table.size
    if rho.shape[-2:] != (d, d) or rho.ndim not in (2, 3):
        raise ValueError(
            f"`state` must be a ({d}, {d}) density matrix (or a stack of them), got shape "
            f"{rho.shape}."
        )
    return table.to_eigenbasis(rho), default_method(None)


def _over_times(fn, rho):
    return jax.vmap(fn)(rho) if rho.ndim == 3 else fn(rho)


def fewlevel_currents(model: FewLevelModel, state) -> Currents:
    """Currents between each field and the system, **positive into the system**, in the order
    of `model.fields` (paper 003 Eqs. 38, 43, in the package's sign):

    - `particle`: quanta absorbed from field j minus quanta emitted into it per unit time,
      the traces of the jump terms of `L_j` (`−Σ_{m>n} J_{j,mn}` of the micro-currents for
      the secular and Pauli methods);
    - `energy`: `Tr[H_S L_j(ρ)]` (exact for the method's generator, any state);
    - `heat`: `J^E_j − μ_j J^P_j`.
    """
    table, _ = transitions_and_checks(model)
    rho, method = eigenbasis_state(table, state)
    mu = jnp.stack([f.chemical_potential for f in model.fields]).astype(table.energies.dtype)

    def one(rho):
        particle = []
        for j in range(len(model.fields)):
            emitted, absorbed = method.jump_rates(table, rho, j)
            particle.append(absorbed - emitted)
        particle = jnp.stack(particle)
        lrho = method.dissipate(table, rho)  # (F, d, d)
        energy = jnp.real(jnp.diagonal(lrho, axis1=1, axis2=2) @ table.energies)
        return Currents(particle, energy, energy - mu * particle)

    return _over_times(one, rho)


def spohn_entropy_production(model: FewLevelModel, state) -> Float[Array, "... F"]:
    """Spohn's entropy production per field, `σ_j = −Tr[L_j(ρ)(ln ρ − ln ρ_j)] >= 0`, with
    `L_j` field j's dissipator and `ρ_j` its own stationary state (Gibbs for a thermal field
    with `μ = 0`; the local-KMS state for a `β(ω)` field). At a stationary state with thermal
    fields at `μ = 0`, `Σ_j σ_j = −Σ_j β_j J^E_j` (Clausius). Logarithms are taken with
    Daleckii–Krein derivatives (finite gradients at degenerate or pure states).

    **Arguments:** `model`; `state` (a `SteadyState`, a `Trajectory` or a density matrix).

    **Returns:** `(F,)` (or `(T, F)`), nats per unit time (k_B = 1).
    """
    table, _ = transitions_and_checks(model)
    rho, method = eigenbasis_state(table, state)
    references = []  # one LAPACK call after the other (see `after`)
    for j in range(len(model.fields)):
        ref = method.field_stationary(table, j)
        references.append(logm_hermitian(ref if not references else after(ref, references[-1])))

    def one(rho):
        log_rho = logm_hermitian(after(rho, references[-1]))
        lrho = method.dissipate(table, rho)  # (F, d, d)
        out = [
            -jnp.real(jnp.trace(lj @ (log_rho - log_ref)))
            for lj, log_ref in zip(lrho, references, strict=True)
        ]
        return jnp.stack(out)

    return _over_times(one, rho)


def fewlevel_entropy_production(model: FewLevelModel, state) -> Float[Array, "..."]:
    """`σ = dS/dt + Σ_j Σ_ω β_j(ω)(ω − μ_j) (Ṅ^emit_{j,ω} − Ṅ^abs_{j,ω})`: the system's entropy
    change plus the entropy carried into the fields, each quantum of frequency ω into field j
    carrying `β_j(ω)(ω − μ_j) = ln(γ↓/γ↑)` (every Bohr frequency of a local-KMS field acts as
    a reservoir at `β_j(ω)`, paper 003 Sec. VI). For thermal fields this is
    `dS/dt − Σ_j β_j J^Q_j` (Clausius); at a steady state `dS/dt = 0`. It is `>= 0` for the
    secular and Pauli methods (Spohn's inequality applied to each field and Bohr frequency);
    the Bloch–Redfield generator is not completely positive and has no such guarantee.

    **Returns:** σ (nats per unit time), a scalar or `(T,)` along a trajectory.
    """
    table, _ = transitions_and_checks(model)
    rho, method = eigenbasis_state(table, state)
    stationary = isinstance(state, SteadyState)
    n_fields = len(model.fields)

    def one(rho):
        flux = 0.0
        for j in range(n_fields):
            emitted, absorbed = method.jump_rates(table, rho, j, table.exponent[j])
            flux = flux + emitted - absorbed
        if stationary:
            return flux
        lrho = jnp.sum(method.dissipate(table, rho), axis=0)
        return -jnp.real(jnp.trace(lrho @ logm_hermitian(rho))) + flux

    return _over_times(one, rho)
