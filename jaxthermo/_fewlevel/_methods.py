"""Methods (generators) of few-level master equations: `Secular()` (Davies, the default),
`Redfield()` (Bloch–Redfield) and `Pauli()` (populations only). A method object answers
everything the verbs need — stationary state, propagation, each field's dissipator, the
quanta it exchanges — so the verbs never branch on a string."""

import abc

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import lineax as lx

from .._custom_types import Array, Complex, Float
from .._ode import ODE, solve_ode
from .._solution import RESULTS
from ._transitions import (
    Transitions,
    dissipator_redfield,
    dissipator_secular,
    hamiltonian_superoperator,
    pauli_rate_matrix,
    redfield_apply,
    redfield_channels,
    secular_apply,
    secular_ranges,
    secular_weights,
)


def _tiny(x):
    return jnp.finfo(jnp.real(x).dtype).tiny


def kernel_vector(matrix, normalisation):
    """Solve `M x = 0`, `normalisation · x = 1` by replacing the first equation (a direct LU
    solve: differentiable, no power iteration)."""
    a = matrix.at[0].set(normalisation.astype(matrix.dtype))
    b = jnp.zeros(matrix.shape[0], matrix.dtype).at[0].set(1.0)
    return jnp.linalg.solve(a, b)


def stationary_density(lv: Complex[Array, "d*d d*d"]) -> Complex[Array, "d d"]:
    """The Hermitian `ρ` with `L ρ = 0`, `Tr ρ = 1` for a generator on row-major `vec(ρ)`."""
    d = round(lv.shape[0] ** 0.5)
    rho = kernel_vector(lv, jnp.eye(d).reshape(d * d)).reshape(d, d)
    return 0.5 * (rho + jnp.conj(rho.T))


def _check_choice(method, field: str, allowed: tuple[str, ...]):
    """A `ValueError` naming `method`'s option `field` unless its value is in `allowed`."""
    value = getattr(method, field)
    if value not in allowed:
        names = ", ".join(repr(a) for a in allowed[:-1]) + f" or {allowed[-1]!r}"
        raise ValueError(
            f"fewlevel.{type(method).__name__}: `{field}` must be {names}, got {value!r}."
        )


def _iterative(choice: str, iterative: str, d: int, min_size: int) -> bool:
    """Whether an `"auto"` / dense / `iterative` option picks the iterative route at size d."""
    return d >= min_size if choice == "auto" else choice == iterative


def _ode_propagate(apply, rho0, dts):
    """`ρ(t)` at the elapsed times `dts` of `dρ/dt = apply(ρ)` on `(d, d)` arrays (diffrax
    Dopri8, rtol 1e-10, atol 1e-12), `(T, d, d)`."""
    method = ODE(solver=diffrax.Dopri8(), rtol=1e-10, atol=1e-12)
    return solve_ode(method, lambda t, y, args: apply(y), rho0, dts).ys


class AbstractFewLevelMethod(eqx.Module):
    """How a few-level model is evolved: the interface every few-level method implements
    (all in the eigenbasis of `H_S`)."""

    @abc.abstractmethod
    def generator(self, table: Transitions, fields=None, include_hamiltonian: bool = True):
        """The generator as a dense matrix: `(d², d²)` on row-major `vec(ρ)` (Pauli:
        the `(d, d)` rate matrix of the populations)."""

    @abc.abstractmethod
    def stationary(
        self, table: Transitions
    ) -> tuple[Complex[Array, "d d"], Float[Array, ""], RESULTS]:
        """`(ρ, residual, result)`: the stationary state, `||L ρ|| / ||L||` and a `RESULTS`
        item (`not_converged` when an iterative solve did not reach its tolerance; a
        residual too large for a unique state is judged by the caller)."""

    @abc.abstractmethod
    def propagate(self, table: Transitions, rho0, dts: Float[Array, " T"]):
        """`ρ(t)` at the elapsed times `dts` from `rho0` (both eigenbasis), `(T, d, d)`."""

    @abc.abstractmethod
    def dissipate(self, table: Transitions, rho) -> Complex[Array, "F d d"]:
        """`L_j(ρ)` for every field j: each field's dissipator applied to `ρ`."""

    @abc.abstractmethod
    def jump_rates(self, table: Transitions, rho, j: int, weights=None) -> tuple[Array, Array]:
        """`(emitted, absorbed)`: quanta per unit time that field j's jumps put into the field
        and take from it in the state `ρ` (the traces of the jump parts of `L_j`), each
        quantum of the transition `m → n` weighted by `weights[n, m]` (a function of the
        Bohr frequency, e.g. `|ε_m − ε_n|` for energy; default 1)."""

    @abc.abstractmethod
    def field_stationary(self, table: Transitions, j: int) -> Complex[Array, "d d"]:
        """The stationary state of field j alone (with `H_S`): the reference state of
        Spohn's entropy production."""

    @abc.abstractmethod
    def jump_superoperator(self, table: Transitions, j: int, emission: bool, weights):
        """The jump part of field j's dissipator restricted to emissions (`emission=True`) or
        absorptions, each jump `m → n` weighted by `weights[n, m]` (a function of the Bohr
        frequency): the dense matrix that the tilted generator multiplies by `e^{∓s}`
        (`(d², d²)`, or `(d, d)` on the populations for `Pauli`)."""


class _AbstractLiouvillianMethod(AbstractFewLevelMethod):
    """Methods whose generator is a GKSL/Redfield superoperator on the full `ρ`."""

    propagation: eqx.AbstractVar[str]  # "auto", "expm" or "ode" (see `propagate`)

    @abc.abstractmethod
    def dissipator(self, table: Transitions, j: int) -> Complex[Array, "d*d d*d"]:
        """Field j's dissipator as a `(d², d²)` matrix."""

    def generator(self, table, fields=None, include_hamiltonian=True):
        d = table.size
        dtype = table.amplitude.dtype
        out = (
            hamiltonian_superoperator(table.energies, dtype)
            if include_hamiltonian
            else jnp.zeros((d * d, d * d), dtype)
        )
        for j in range(table.amplitude.shape[0]) if fields is None else fields:
            out = out + self.dissipator(table, j)
        return out

    def _iterative_stationary(self, table, fields):
        """`(ρ, residual, result)` of a matrix-free solve, or None where this method uses the
        dense `d² × d²` LU at this size (the default)."""
        return None

    def stationary(self, table):
        iterative = self._iterative_stationary(table, None)
        if iterative is not None:
            return iterative
        d = table.size
        lv = self.generator(table)
        rho = stationary_density(lv)
        residual = jnp.linalg.norm(lv @ rho.reshape(d * d)) / jnp.maximum(
            jnp.linalg.norm(lv), _tiny(lv)
        )
        return rho, residual, RESULTS.successful

    def _propagates_by_ode(self, d: int) -> bool:
        """Whether `propagate` integrates an ODE (`propagation="ode"`, or `"auto"` from
        `ODE_MIN_SIZE`) instead of exponentiating the `d² × d²` generator."""
        return _iterative(self.propagation, "ode", d, ODE_MIN_SIZE)

    @abc.abstractmethod
    def _propagate_ode(self, table: Transitions, rho0, dts):
        """`propagate` without a `d² × d²` matrix (`rho0` already in the table's dtype)."""

    def propagate(self, table, rho0, dts):
        d = table.size
        if self._propagates_by_ode(d):
            return self._propagate_ode(table, rho0.astype(table.amplitude.dtype), dts)
        lv = self.generator(table)
        x0 = rho0.astype(lv.dtype).reshape(d * d)
        return jax.vmap(lambda t: (jax.scipy.linalg.expm(lv * t) @ x0).reshape(d, d))(dts)

    def dissipate(self, table, rho):
        d = table.size
        x = rho.astype(table.amplitude.dtype).reshape(d * d)
        fields = range(table.amplitude.shape[0])
        return jnp.stack([(self.dissipator(table, j) @ x).reshape(d, d) for j in fields])

    def field_stationary(self, table, j):
        iterative = self._iterative_stationary(table, (j,))
        if iterative is not None:
            return iterative[0]
        return stationary_density(self.generator(table, fields=(j,)))


# From this size on Redfield and the secular generator are propagated by an ODE with the
# generator applied matrix-free instead of by the exponential of the d² × d² generator.
ODE_MIN_SIZE = 32

# From this size on the secular stationary state is solved in its zero-frequency sector
# (matrix-free, O(d³) per product) instead of by one dense LU of the d² × d² generator.
SECTOR_MIN_SIZE = 9

# From this size on the Redfield stationary state is solved by matrix-free GMRES on the full
# (d, d) matrix (measured crossover with the dense LU: between d = 16 and 32).
KRYLOV_MIN_SIZE = 24


def secular_zero_sector(table: Transitions, fields=None):
    """The secular generator restricted to its zero-Bohr-frequency sector: pairs `(n, n')`
    with `|ε_n − ε_n'| <= tol` (populations and coherences between degenerate levels). The
    secular generator maps this sector to itself (a jump of frequency ω from `m` to `n` and one
    from `m'` to `n'` are grouped only if `ε_m − ε_n = ε_m' − ε_n'`, so `ε_n = ε_n'` forces
    `ε_m = ε_m'`), and the stationary state lives in it: every other sector only decays.
    In it, `L₀(X) = M ⊙ (Σ_j c_j (M ⊙ X) c_j† − ½{Y, X} − i[E, X])` with `M` the sector mask,
    `c_j` the Davies amplitudes, `Y = Σ_j (c_j† c_j) ⊙ M`: three `d × d` products per field.

    **Arguments:** `table`; `fields` (indices; default all).

    **Returns:** `(apply, mask, y)`: `X ↦ L₀(X)` on `(d, d)` arrays, the mask `(d, d)` and
    `Y` `(d, d)`.
    """
    idx = range(table.amplitude.shape[0]) if fields is None else fields
    cs = [secular_weights(table, j) for j in idx]
    mask = (jnp.abs(table.bohr) <= table.tolerance).astype(cs[0].dtype)
    y = sum((jnp.conj(c).T @ c) for c in cs) * mask
    diff = (table.energies[:, None] - table.energies[None, :]).astype(cs[0].dtype)

    def apply(x):
        xm = x * mask
        jumps = sum(c @ xm @ jnp.conj(c).T for c in cs)
        return mask * (jumps - 0.5 * (y @ xm + xm @ y) - 1j * diff * xm)

    return apply, mask, y


def krylov_stationary(apply, mask, w, energies, restart: int = 10, max_steps: int = 500):
    """The stationary state of a generator applied matrix-free, by lineax GMRES on `(d, d)`
    arrays restricted to the entries where `mask` is 1 (a subspace the generator maps to
    itself and in which the stationary state lives), preconditioned by the exact inverse of
    the population block (the Pauli rate matrix `W` plus the trace row) and the diagonal of
    the coherence block (`−½(Γ_n + Γ_m) − i(ε_n − ε_m)`, `Γ_n = −W[n, n]`). Uniqueness is
    fixed as for the dense route, `K(X) = L(X) + σ Tr X = σ` with `σ = 1/d`, whose solution
    has unit trace and `L(X) = 0`. Derivatives are implicit (lineax); the preconditioner and
    the initial guess are under `stop_gradient` (they change convergence, not the solution).

    **Arguments:** `apply` (`X ↦ L(X)` on `(d, d)`), `mask` `(d, d)` (0/1), `w` `(d, d)`,
    `energies` `(d,)`; GMRES `restart` (Krylov dimension) and `max_steps` (restart
    cycles).

    **Returns:** `(ρ, residual, result)` with `residual = ||L ρ||_F / ||W||_F` and `result`
    `RESULTS.not_converged` where GMRES did not reach its tolerance.
    """
    d = w.shape[0]
    dtype = mask.dtype
    # any σ in the subspace with Tr σ = 1 fixes the trace; outside it K is the identity and
    # the solution there is discarded, so the right-hand side is 1/d everywhere (lineax
    # scales the residual entrywise by atol + rtol |b|: no zero entries)
    sigma = jnp.full((d, d), 1.0 / d, dtype)
    eye = jnp.eye(d, dtype=dtype)
    outside = 1 - mask

    def k(x):  # the identity outside the subspace keeps the operator invertible on (d, d)
        return mask * apply(mask * x) + mask * sigma * jnp.trace(x) + outside * x

    sw, se = jax.lax.stop_gradient((w.astype(dtype), energies))
    pop = sw + jnp.full((d, d), 1.0 / d, dtype)  # the population block of K
    lu = jax.scipy.linalg.lu_factor(pop)
    gamma = -jnp.diagonal(sw)
    decay = -0.5 * (gamma[:, None] + gamma[None, :]) - 1j * (se[:, None] - se[None, :])
    off = mask * (1 - eye)
    decay = jnp.where(jnp.abs(decay) > 0, decay, 1.0)

    def precondition(r):
        p = jax.scipy.linalg.lu_solve(lu, jnp.diagonal(r))
        return jnp.diag(p) + off * r / decay + outside * r

    structure = jax.ShapeDtypeStruct((d, d), dtype)
    operator = lx.FunctionLinearOperator(k, structure)
    pre = lx.FunctionLinearOperator(precondition, structure)
    eps = float(jnp.finfo(jnp.real(sigma).dtype).eps)
    # atol > 0: the tangent systems of the implicit derivative have zero entries in b
    solver = lx.GMRES(rtol=1e3 * eps, atol=eps, restart=restart, stagnation_iters=20,
                      max_steps=max_steps)  # fmt: skip
    # start from the preconditioned right-hand side: exact when the spectrum is non-degenerate
    y0 = precondition(sigma)
    sol = lx.linear_solve(operator, sigma, solver, options={"preconditioner": pre, "y0": y0},
                          throw=False)  # fmt: skip
    rho = sol.value * mask
    rho = 0.5 * (rho + jnp.conj(rho.T))
    residual = jnp.linalg.norm(apply(rho)) / jnp.maximum(jnp.linalg.norm(w), _tiny(w))
    # GMRES judges convergence entrywise at atol + rtol|b| (~2e-15 per entry here), which
    # rounding alone can keep it from reaching: it then stagnates and reports failure with an
    # excellent state (7-qubit Redfield chain: residual 1e-17, flagged on some runs and not on
    # others). A unit-trace state whose own residual is at that level is the stationary state.
    trace_error = jnp.abs(jnp.trace(rho) - 1)
    accurate = (residual <= 1e3 * eps) & (trace_error <= 1e3 * eps)
    converged = (sol.result == lx.RESULTS.successful) | accurate
    result = RESULTS.where(converged, RESULTS.successful, RESULTS.not_converged)
    return rho, residual, result


def secular_stationary_sectors(table: Transitions, fields=None):
    """The secular stationary state by GMRES in the zero-frequency sector
    (`secular_zero_sector`, `krylov_stationary`): for a non-degenerate spectrum the sector
    is the populations alone and one iteration is exact; degenerate levels add their
    coherences.

    **Arguments:** `table`; `fields` (default all).

    **Returns:** `(ρ, residual, result)`, `residual = ||L₀ ρ||_F / ||W||_F` (W the Pauli
    matrix).
    """
    apply, mask, _ = secular_zero_sector(table, fields)
    return krylov_stationary(apply, mask, pauli_rate_matrix(table, fields), table.energies)


def redfield_stationary_krylov(table: Transitions, fields=None):
    """The Bloch–Redfield stationary state matrix-free: GMRES on the full `(d, d)` matrix with
    the generator applied as `O(d³)` products (`redfield_apply`) and the secular part's
    preconditioner (`krylov_stationary`: its population block is exactly Redfield's, the
    coherences are driven through the non-secular terms). Iterations grow with the ratio of
    the rates to the smallest Bohr-frequency gaps (the non-secular coupling).

    **Arguments:** `table`; `fields` (default all).

    **Returns:** `(ρ, residual, result)`, `residual = ||L ρ||_F / ||W||_F`.
    """
    mask = jnp.ones((table.size, table.size), table.amplitude.dtype)
    w = pauli_rate_matrix(table, fields)
    return krylov_stationary(redfield_apply(table, fields), mask, w, table.energies,
                             restart=30, max_steps=100)  # fmt: skip


class Secular(_AbstractLiouvillianMethod):
    """The secular (Davies) GKSL generator of paper 003, Eq. (22): jump operators `A_j(ω)`
    per Bohr frequency (degenerate Bohr frequencies grouped exactly), rates
    `2πJ(ω)(N(ω) + 1)` (emission) and `2πJ(ω)N(ω)` (absorption), no Lamb shift. The default
    few-level method; completely positive, thermodynamically consistent.

    **Arguments:**

    - `stationary_solver`: `"auto"` (default: `"dense"` for d <= 8, else `"sectors"`),
      `"dense"` (one LU of the `d² × d²` generator: the reference) or `"sectors"` (GMRES in
      the zero-frequency sector, `O(d³)` per iteration; `secular_stationary_sectors`).
    - `propagation`: `"auto"` (default: `"expm"` for d < 32, else `"ode"`), `"expm"` (the
      exponential of the `d² × d²` generator: exact) or `"ode"`: the dissipator commutes
      with `−i[H_S, ·]` (it maps each Bohr-frequency sector to itself), so
      `ρ(t) = e^{−iH_S t} (e^{L_D t} ρ₀) e^{iH_S t}` and only the dissipative part is
      integrated (diffrax Dopri8 on the `(d, d)` matrix, rtol 1e-10, atol 1e-12, the
      dissipator applied matrix-free by `secular_apply`, `O(d³)` per step): the steps
      follow the rates, not the Bohr frequencies.

    From d = 32 each field's dissipator is applied matrix-free (currents, entropy) too.
    """

    stationary_solver: str = eqx.field(default="auto", static=True)
    propagation: str = eqx.field(default="auto", static=True)

    def __check_init__(self):
        _check_choice(self, "stationary_solver", ("auto", "dense", "sectors"))
        _check_choice(self, "propagation", ("auto", "expm", "ode"))

    def _sectors(self, d: int) -> bool:
        return _iterative(self.stationary_solver, "sectors", d, SECTOR_MIN_SIZE)

    def _iterative_stationary(self, table, fields):
        if self._sectors(table.size):
            return secular_stationary_sectors(table, fields)
        return None

    def dissipator(self, table, j):
        return dissipator_secular(table, j)

    def dissipate(self, table, rho):
        if table.size < ODE_MIN_SIZE:  # the d² × d² matrix is small: cheaper to compile
            return super().dissipate(table, rho)
        ranges = secular_ranges(table)  # once for all fields
        x = rho.astype(table.amplitude.dtype)
        fields = range(table.amplitude.shape[0])
        return jnp.stack([secular_apply(table, (j,), False, ranges)(x) for j in fields])

    def _propagate_ode(self, table, rho0, dts):
        rho = _ode_propagate(secular_apply(table, include_hamiltonian=False), rho0, dts)
        e = table.energies
        phase = jnp.exp(-1j * (e[:, None] - e[None, :])[None] * dts[:, None, None])
        return rho * phase.astype(rho.dtype)

    def jump_rates(self, table, rho, j, weights=None):
        c = secular_weights(table, j)
        cw = c if weights is None else c * weights.astype(c.dtype)
        degenerate = jnp.abs(table.bohr) <= table.tolerance

        def trace(mask):
            cm, cwm = jnp.where(mask, c, 0.0), jnp.where(mask, cw, 0.0)
            # Σ_ω w(ω) A(ω)†A(ω) over the masked jumps (w is constant on each Bohr group)
            x = (jnp.conj(cm).T @ cwm) * degenerate
            return jnp.real(jnp.sum(x * jnp.transpose(rho)))

        return trace(table.emission), trace(table.absorption)

    def jump_superoperator(self, table, j, emission, weights):
        d = table.size
        mask = table.emission if emission else table.absorption
        c = jnp.where(mask, secular_weights(table, j), 0.0)
        cw = c * jnp.asarray(weights).astype(c.dtype)
        same = (
            jnp.abs(table.bohr[:, :, None, None] - table.bohr[None, None, :, :]) <= table.tolerance
        )
        s = jnp.einsum("nm,kl,nmkl->nkml", cw, jnp.conj(c), same.astype(c.dtype))
        return s.reshape(d * d, d * d)


class Redfield(_AbstractLiouvillianMethod):
    """The Bloch–Redfield generator (non-secular; keeps the coherences between different
    Bohr frequencies, not completely positive in general). Its quanta currents count the
    jump terms of its two channels per field (emission through `D`, absorption through
    `D†`, see `jaxthermo._fewlevel._transitions.redfield_channels`): the traces
    `Re Tr[X† X̃ ρ]`, which agree with the secular ones for diagonal `ρ`.

    **Arguments:**

    - `stationary_solver`: `"auto"` (default: `"dense"` for d < 24, else `"krylov"`),
      `"dense"` (one LU of the `d² × d²` generator: the reference) or `"krylov"` (GMRES with
      the generator applied as `O(d³)` products and a secular preconditioner;
      `redfield_stationary_krylov`).
    - `propagation`: `"auto"` (default: `"expm"` for d < 32, else `"ode"`), `"expm"` (the
      exponential of the `d² × d²` generator: exact) or `"ode"` (diffrax Dopri8 on the
      `(d, d)` matrix with the generator applied matrix-free, rtol 1e-10, atol 1e-12).

    Each field's dissipator is applied matrix-free in every case (currents, entropy).
    """

    stationary_solver: str = eqx.field(default="auto", static=True)
    propagation: str = eqx.field(default="auto", static=True)

    def __check_init__(self):
        _check_choice(self, "stationary_solver", ("auto", "dense", "krylov"))
        _check_choice(self, "propagation", ("auto", "expm", "ode"))

    def _krylov(self, d: int) -> bool:
        return _iterative(self.stationary_solver, "krylov", d, KRYLOV_MIN_SIZE)

    def _iterative_stationary(self, table, fields):
        if self._krylov(table.size):
            return redfield_stationary_krylov(table, fields)
        return None

    def dissipator(self, table, j):
        return dissipator_redfield(table, j)

    def dissipate(self, table, rho):
        x = rho.astype(table.amplitude.dtype)
        fields = range(table.amplitude.shape[0])
        return jnp.stack(
            [redfield_apply(table, (j,), include_hamiltonian=False)(x) for j in fields]
        )

    def _propagate_ode(self, table, rho0, dts):
        return _ode_propagate(redfield_apply(table), rho0, dts)

    def jump_rates(self, table, rho, j, weights=None):
        (x_e, xt_e), (x_a, xt_a) = redfield_channels(table, j)

        def trace(x, xt):
            xt = xt if weights is None else xt * weights.astype(xt.dtype)
            return jnp.real(jnp.sum((jnp.conj(x).T @ xt) * jnp.transpose(rho)))

        return trace(x_e, xt_e), trace(x_a, xt_a)

    def jump_superoperator(self, table, j, emission, weights):
        raise ValueError(
            "counting statistics: the Bloch–Redfield generator is not completely positive and "
            "has no jump unravelling, so its quanta have no counting statistics; use "
            "fewlevel.Secular() or fewlevel.Pauli()."
        )


class Pauli(AbstractFewLevelMethod):
    """The classical (Pauli) master equation of the populations in the eigenbasis of `H_S`,
    `dp/dt = W p` (paper 003 Eq. 24). Exact for the secular generator when no two levels are
    degenerate; it evolves populations only (the coherences of an initial state are
    dropped). Cheapest: `O(d³)` for a stationary state."""

    def generator(self, table, fields=None, include_hamiltonian=True):
        return pauli_rate_matrix(table, fields)

    def _populations(self, w):
        p = kernel_vector(w, jnp.ones(w.shape[0]))
        return jnp.real(p)

    def stationary(self, table):
        w = self.generator(table)
        p = self._populations(w)
        residual = jnp.linalg.norm(w @ p) / jnp.maximum(jnp.linalg.norm(w), _tiny(w))
        return jnp.diag(p).astype(table.amplitude.dtype), residual, RESULTS.successful

    def propagate(self, table, rho0, dts):
        w = self.generator(table)
        p0 = jnp.real(jnp.diagonal(rho0)).astype(w.dtype)
        p = jax.vmap(lambda t: jax.scipy.linalg.expm(w * t) @ p0)(dts)
        return jax.vmap(jnp.diag)(p).astype(table.amplitude.dtype)

    def dissipate(self, table, rho):
        p = jnp.real(jnp.diagonal(rho)).astype(table.pauli_rates.dtype)
        fields = range(table.amplitude.shape[0])
        flows = [self.generator(table, fields=(j,)) @ p for j in fields]
        return jax.vmap(jnp.diag)(jnp.stack(flows)).astype(table.amplitude.dtype)

    def jump_rates(self, table, rho, j, weights=None):
        r = table.pauli_rates[j]  # [n, m]: rate m → n
        p = jnp.real(jnp.diagonal(rho))
        flow = r * p[None, :] * (1.0 if weights is None else weights)
        return jnp.sum(jnp.where(table.emission, flow, 0.0)), jnp.sum(
            jnp.where(table.absorption, flow, 0.0)
        )

    def field_stationary(self, table, j):
        p = self._populations(self.generator(table, fields=(j,)))
        return jnp.diag(p).astype(table.amplitude.dtype)

    def jump_superoperator(self, table, j, emission, weights):
        mask = table.emission if emission else table.absorption
        rates = jnp.where(mask, table.pauli_rates[j], 0.0)  # [n, m]: rate m → n
        return rates * jnp.asarray(weights)


def default_method(method) -> AbstractFewLevelMethod:
    """`method`, or `Secular()` for None; a `TypeError` naming it otherwise."""
    if method is None:
        return Secular()
    if not isinstance(method, AbstractFewLevelMethod):
        raise TypeError(
            "few-level models: `method` must be jaxthermo.fewlevel.Secular(), Redfield() or "
            f"Pauli(), got {type(method).__name__}."
        )
    return method
