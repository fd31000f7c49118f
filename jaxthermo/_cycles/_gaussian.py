"""Cycles of quadratic models: the covariance equation `dC/dt = W(t) C + C W(t)† + F(t)`
over one stroke is the affine map `C ↦ Φ C Φ† + Q`.

Constant strokes are exact (Van Loan's block exponentials): with `h = Δ/2^k`,

    expm([[W, F, 0], [0, −W†, 1], [0, 0, −W†]] h) = [[Φ_h, G, H], …],
    Q_h = G Φ_h†,   R_h = H Φ_h† = ∫_0^h Q(s) ds,

and the `2^k` sub-steps are recombined by doubling (`Φ_{2h} = Φ_h²`, `Q_{2h} = Φ_h Q_h Φ_h† +
Q_h`), which keeps every exponential well scaled however long the stroke (a single block
exponential loses digits once `γΔ ≳ 100`). The time integral of the covariance along the
stroke, which gives the heat exchanged exactly (the currents are affine in C), is
`∫_0^Δ C = P_h(Σ_j C(jh)) + 2^k R_h` with `P_h(Y) = ∫_0^h e^{Ws} Y e^{W†s} ds` (one more block
exponential). Strokes in which the model changes are integrated with diffrax.
"""

import equinox as eqx
import jax
import jax.lax as lax
import jax.numpy as jnp
import jax.scipy.linalg as jsl

from .._custom_types import Array
from .._dynamics import Trajectory
from .._linalg import dagger
from .._lyapunov import AbstractLyapunovSolver, discrete_lyapunov_solve
from .._observables import bath_inverse_temperatures, quadratic_currents
from .._ode import solve_ode
from .._quadratic import QuadraticModel
from .._solution import RESULTS


HALVINGS = 4


def _hermitian(x):
    return 0.5 * (x + dagger(x))


class GaussianMap(eqx.Module):
    """The affine map `C ↦ Φ C Φ† + Q` of one stroke (or of a whole period)."""

    phi: Array
    q: Array

    def apply(self, c):
        return _hermitian(self.phi @ c @ dagger(self.phi) + self.q)

    def then(self, later: "GaussianMap") -> "GaussianMap":
        return GaussianMap(later.phi @ self.phi, later.apply(self.q))


def _blocks(w, f, h):
    """`(Φ_h, Q_h, R_h)` from one 3n × 3n block exponential (module docstring)."""
    n = w.shape[0]
    z = jnp.zeros_like(w)
    eye = jnp.eye(n, dtype=w.dtype)
    wd = -dagger(w)
    m = jnp.block([[w, f, z], [z, wd, eye], [z, z, wd]]) * h
    e = jsl.expm(m)
    phi = e[:n, :n]
    return phi, e[:n, n : 2 * n] @ dagger(phi), e[:n, 2 * n :] @ dagger(phi)


def _gramian(w, y, h, phi_h):
    """`P_h(Y) = ∫_0^h e^{Ws} Y e^{W†s} ds` (2n × 2n block exponential)."""
    n = w.shape[0]
    m = jnp.block([[w, y], [jnp.zeros_like(w), -dagger(w)]]) * h
    return jsl.expm(m)[:n, n:] @ dagger(phi_h)


def _equation(model):
    w, f = model.covariance_equation()
    dtype = jnp.promote_types(w.dtype, jnp.complex64)
    return w.astype(dtype), f.astype(dtype)


def _double(phi, q):
    for _ in range(HALVINGS):
        q = phi @ q @ dagger(phi) + q
        phi = phi @ phi
    return phi, q


class GaussianFamily:
    """The quadratic side of `limit_cycle` / `cycle_thermodynamics` (see `_core.py`)."""

    name = "QuadraticModel"
    state_name = "covariance"

    @staticmethod
    def signature(model: QuadraticModel):
        if model.probes:
            raise ValueError(
                "limit_cycle: models with a ProbeBath are not supported (the probe's occupation "
                "follows the state, so a stroke is not an affine map of the covariance)."
            )
        return (
            "QuadraticModel",
            model.size,
            model.statistics,
            tuple(type(b).__name__ for b in model.baths),
        )

    @staticmethod
    def resolve_method(method):
        if method is not None and not isinstance(method, AbstractLyapunovSolver):
            raise TypeError(
                "limit_cycle of a QuadraticModel protocol: `method` must be None, a Lyapunov "
                "solver (for the discrete Lyapunov equation), jaxthermo.ExactPropagator() or "
                f"jaxthermo.ODE(), got {type(method).__name__}."
            )
        return method

    @staticmethod
    def checks(model):
        return model.checks()

    @staticmethod
    def driven_allowed(model) -> Array:
        return jnp.asarray(True)

    # --- maps ---------------------------------------------------------------------------

    @staticmethod
    def constant_map(model, dt, method) -> GaussianMap:
        w, f = _equation(model)
        phi, q, _ = _blocks(w, f, dt / 2**HALVINGS)
        return GaussianMap(*_double(phi, q))

    @staticmethod
    def driven_map(model_at, t0, t1, ode, method) -> tuple[GaussianMap, RESULTS]:
        w0, _ = _equation(model_at(t0))
        n = w0.shape[0]

        def field(t, y, args):
            phi, q = y
            w, f = _equation(model_at(t))
            return w @ phi, w @ q + q @ dagger(w) + f

        y0 = (jnp.eye(n, dtype=w0.dtype), jnp.zeros((n, n), w0.dtype))
        sol = solve_ode(ode, field, y0, jnp.stack([t0, t1]), throw=False)
        phi, q = sol.final
        return GaussianMap(phi, _hermitian(q)), sol.result

    @staticmethod
    def fixed_point(total: GaussianMap, method) -> tuple[Array, RESULTS, dict]:
        x, result, stats = discrete_lyapunov_solve(total.phi, total.q, method)
        result = RESULTS.where(result == RESULTS.not_schur_stable, RESULTS.no_unique_cycle, result)
        result = RESULTS.where(result == RESULTS.not_hurwitz, RESULTS.no_unique_cycle, result)
        result = RESULTS.where(result == RESULTS.sign_not_hurwitz, RESULTS.no_unique_cycle, result)
        return _hermitian(x), result, stats

    # --- states along a stroke ------------------------------------------------------------

    @staticmethod
    def constant_states(model, start, elapsed, method) -> Array:
        w, f = _equation(model)

        def at(dt):
            phi, q, _ = _blocks(w, f, dt / 2**HALVINGS)
            return GaussianMap(*_double(phi, q)).apply(start)

        return jax.vmap(at)(elapsed)

    @staticmethod
    def driven_states(model_at, t0, t1, start, times, ode) -> tuple[Array, RESULTS]:
        def field(t, c, args):
            return GaussianFamily.vector_field(model_at(t), c, None)

        ts = jnp.concatenate([t0[None], times, t1[None]])
        sol = solve_ode(ode, field, start, ts, throw=False)
        return _hermitian(sol.ys[1:-1]), sol.result

    # --- thermodynamics -----------------------------------------------------------------

    @staticmethod
    def vector_field(model, c, method) -> Array:
        w, f = _equation(model)
        return w @ c + c @ dagger(w) + f

    @staticmethod
    def energy(model, c) -> Array:
        return jnp.real(jnp.trace(model.hamiltonian @ c))

    @staticmethod
    def rates(model, c, picture, method):
        """`(Currents, entropy flux into the baths −Σ_α β_α J^Q_α)` at the state `c`."""
        cur = quadratic_currents(model, _hermitian(c), picture)
        beta = bath_inverse_temperatures(model)
        flux = -jnp.sum(jnp.where(jnp.isnan(beta), 0.0, beta) * cur.heat)
        return cur, flux

    @classmethod
    def constant_integrals(cls, model, start, dt, picture, method):
        """`(end state, ∫Currents dt, ∫entropy flux dt)` over a constant stroke: the currents
        are affine in C, so their integral is `Δ × J(∫C/Δ)` with the exact `∫C`."""
        w, f = _equation(model)
        m = 2**HALVINGS
        h = dt / m
        phi, q, r = _blocks(w, f, h)

        def step(c, _):
            return phi @ c @ dagger(phi) + q, c

        end, cs = lax.scan(step, start.astype(w.dtype), None, length=m)
        integral = _gramian(w, jnp.sum(cs, axis=0), h, phi) + m * r
        safe = jnp.where(dt > 0, dt, 1.0)
        cur, flux = cls.rates(model, integral / safe, picture, method)
        scale = jnp.where(dt > 0, dt, 0.0)
        cur = jax.tree_util.tree_map(lambda x: scale * x, cur)
        return _hermitian(end), cur, scale * flux

    @staticmethod
    def trajectory(ts, states, result, stats, method, model):
        return Trajectory(ts, states, result, stats)
