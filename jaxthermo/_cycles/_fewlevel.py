"""Cycles of few-level models: stroke protocols. On a stroke where `H_S` is constant the
state evolves with that stroke's secular (or Pauli) generator, exactly (`expm` of the
`(d², d²)` superoperator in the basis of `H_S` as given); on a stroke where `H_S` changes
every field must be off and the stroke is unitary (`U` integrated by diffrax). The periodic
state is the unit-trace kernel of `1 − 𝒫`: `ρ = (1 − 𝒫 + |e⟩⟨⟨1|)⁻¹ e` with `e = vec(1/d)`
and `⟨⟨1|` the trace, unique exactly when that matrix is invertible.
"""

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl

from .._custom_types import Array
from .._fewlevel._master import Trajectory, fewlevel_currents
from .._fewlevel._methods import Pauli, Redfield, default_method
from .._fewlevel._transitions import transitions_and_checks
from .._ode import solve_ode
from .._solution import RESULTS


def _hermitian(x):
    return 0.5 * (x + jnp.conj(jnp.swapaxes(x, -1, -2)))


class FewLevelMap(eqx.Module):
    """A superoperator `(d², d²)` on row-major `vec(ρ)` (basis of `H_S` as given)."""

    matrix: Array

    def apply(self, rho):
        d = rho.shape[-1]
        return _hermitian((self.matrix @ rho.reshape(d * d)).reshape(d, d))

    def then(self, later: "FewLevelMap") -> "FewLevelMap":
        return FewLevelMap(later.matrix @ self.matrix)


def _unitary_superoperator(u):
    return jnp.kron(u, jnp.conj(u))  # vec(U ρ U†) on row-major vec


def _stroke(model, method):
    """`(table, generator, to_lab)`: the stroke's generator in the eigenbasis — `(d², d²)`
    (secular) or the `(d, d)` Pauli rate matrix — and `T = V ⊗ V*` (eigenbasis → lab)."""
    table, _ = transitions_and_checks(model)
    v = table.basis.astype(table.amplitude.dtype)
    return table, method.generator(table), _unitary_superoperator(v)


def _pauli_embed(p, d):
    """The populations-only superoperator `(d², d²)` of a `(d, d)` population map."""
    idx = jnp.arange(d) * (d + 1)
    return jnp.zeros((d * d, d * d), p.dtype).at[idx[:, None], idx[None, :]].set(p)


def _integral_operator(g, dt):
    """`∫_0^dt e^{G s} ds` from one block exponential `expm([[G, 1], [0, 0]] dt)`."""
    n = g.shape[0]
    m = jnp.block(
        [[g, jnp.eye(n, dtype=g.dtype)], [jnp.zeros((n, n), g.dtype), jnp.zeros((n, n), g.dtype)]]
    )
    return jsl.expm(m * dt)[:n, n:]


class FewLevelFamily:
    """The few-level side of `limit_cycle` / `cycle_thermodynamics` (see `_core.py`)."""

    name = "FewLevelModel"
    state_name = "density_matrix"

    @staticmethod
    def signature(model):
        return ("FewLevelModel", model.size, tuple(type(f).__name__ for f in model.fields))

    @staticmethod
    def resolve_method(method):
        method = default_method(method)
        if isinstance(method, Redfield):
            raise ValueError(
                "limit_cycle of a few-level protocol: the strokes' generator must be "
                "fewlevel.Secular() or fewlevel.Pauli() (Bloch–Redfield is not completely "
                "positive)."
            )
        return method

    @staticmethod
    def checks(model):
        return transitions_and_checks(model)[1]

    @staticmethod
    def driven_allowed(model) -> Array:
        table, _ = transitions_and_checks(model)
        return jnp.all(table.rate == 0)

    # --- maps ---------------------------------------------------------------------------

    @staticmethod
    def _propagator(model, dt, method):
        table, g, t = _stroke(model, method)
        d = table.size
        if isinstance(method, Pauli):
            eig = _pauli_embed(jsl.expm(g * dt).astype(t.dtype), d)
        else:
            eig = jsl.expm(g * dt)
        return t @ eig @ jnp.conj(t.T)

    @classmethod
    def constant_map(cls, model, dt, method) -> FewLevelMap:
        return FewLevelMap(cls._propagator(model, dt, method))

    @staticmethod
    def _unitary(model_at, t0, t1, ode):
        h0 = model_at(t0).hamiltonian
        dtype = jnp.promote_types(h0.dtype, jnp.complex64)

        def field(t, u, args):
            return -1j * model_at(t).hamiltonian.astype(dtype) @ u

        return solve_ode(
            ode, field, jnp.eye(h0.shape[0], dtype=dtype), jnp.stack([t0, t1]), throw=False
        )

    @classmethod
    def driven_map(cls, model_at, t0, t1, ode, method) -> tuple[FewLevelMap, RESULTS]:
        sol = cls._unitary(model_at, t0, t1, ode)
        return FewLevelMap(_unitary_superoperator(sol.final)), sol.result

    @staticmethod
    def fixed_point(total: FewLevelMap, method):
        p = total.matrix
        n = p.shape[0]
        d = int(round(n**0.5))
        one = jnp.eye(d, dtype=p.dtype).reshape(n)
        e = one / d
        m = jnp.eye(n, dtype=p.dtype) - p + jnp.outer(e, one)
        s = jnp.linalg.svd(m, compute_uv=False)
        eps = jnp.finfo(jnp.real(p).dtype).eps
        unique = s[-1] > 1e3 * n * eps * s[0]
        rho = _hermitian(jnp.linalg.solve(m, e).reshape(d, d))
        result = RESULTS.where(unique, RESULTS.successful, RESULTS.no_unique_cycle)
        return rho, result, {"smallest_singular_value": s[-1]}

    # --- states along a stroke ------------------------------------------------------------

    @classmethod
    def constant_states(cls, model, start, elapsed, method):
        return jax.vmap(lambda dt: cls.constant_map(model, dt, method).apply(start))(elapsed)

    @staticmethod
    def driven_states(model_at, t0, t1, start, times, ode):
        def field(t, rho, args):
            h = model_at(t).hamiltonian.astype(rho.dtype)
            return -1j * (h @ rho - rho @ h)

        ts = jnp.concatenate([t0[None], times, t1[None]])
        sol = solve_ode(ode, field, start, ts, throw=False)
        return _hermitian(sol.ys[1:-1]), sol.result

    # --- thermodynamics -----------------------------------------------------------------

    @staticmethod
    def vector_field(model, rho, method):
        h = model.hamiltonian.astype(rho.dtype)
        return -1j * (h @ rho - rho @ h)

    @staticmethod
    def energy(model, rho):
        return jnp.real(jnp.trace(model.hamiltonian @ rho))

    @staticmethod
    def rates(model, rho, picture, method):
        """`(Currents, entropy flux into the fields)`: the flux is
        `Σ_j Σ_ω β_j(ω)(ω − μ_j)(Ṅ^emit − Ṅ^abs)` (`−Σ_j β_j J^Q_j` for thermal fields)."""
        table, _ = transitions_and_checks(model)
        rho = _hermitian(rho)
        traj = Trajectory(jnp.zeros(1), rho[None], RESULTS.successful, method)
        cur = jax.tree_util.tree_map(lambda x: x[0], fewlevel_currents(model, traj))
        rho_eig = table.to_eigenbasis(rho)
        flux = 0.0
        for j in range(len(model.fields)):
            emitted, absorbed = method.jump_rates(table, rho_eig, j, table.exponent[j])
            flux = flux + emitted - absorbed
        return cur, jnp.asarray(flux, table.energies.dtype)

    @classmethod
    def constant_integrals(cls, model, start, dt, picture, method):
        """`(end, ∫Currents dt, ∫flux dt)` over a constant stroke: the currents are linear in
        ρ, so their integral is `Δ × J(∫ρ/Δ)` with `∫ρ` from one block exponential."""
        table, g, t = _stroke(model, method)
        d = table.size
        x0 = jnp.conj(t.T) @ start.astype(t.dtype).reshape(d * d)  # eigenbasis vec
        if isinstance(method, Pauli):
            pop = jnp.real(x0.reshape(d, d).diagonal()).astype(g.dtype)
            integral_eig = jnp.diag(_integral_operator(g, dt) @ pop).astype(t.dtype).reshape(-1)
        else:
            integral_eig = _integral_operator(g, dt) @ x0
        integral = (t @ integral_eig).reshape(d, d)
        safe = jnp.where(dt > 0, dt, 1.0)
        cur, flux = cls.rates(model, integral / safe, picture, method)
        scale = jnp.where(dt > 0, dt, 0.0)
        end = cls.constant_map(model, dt, method).apply(start)
        return end, jax.tree_util.tree_map(lambda x: scale * x, cur), scale * flux

    @staticmethod
    def trajectory(ts, states, result, stats, method, model):
        return Trajectory(ts, states, result, method, model.dims)
