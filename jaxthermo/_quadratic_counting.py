"""Exact counting statistics of quadratic models (bosons and fermions, local and rate-matrix
baths) from covariances: no Fock space, no finite differences.

Derivation (docs, "current fluctuations"). Count the net quanta from bath α into the system:
its gain jumps `a_i† ρ a_j` (rate matrix `Λ⁺ = Λ⁺_α`) with `e^{s}`, its loss jumps
`a_j ρ a_i†` (`Λ⁻ = Λ⁻_α`) with `e^{−s}`. The tilted generator is still quadratic in the
superoperators, so it maps Gaussian operators to Gaussian operators; writing the tilted state
as `Z(t)·g(t)` with `g` a normalised Gaussian of correlation matrix `C_ij = Tr[g a_j† a_i]`,
Wick's theorem closes the equations (σ = +1 bosons, −1 fermions; `a = e^s − 1`,
`b = e^{−s} − 1`):

    dC/dt = W C + C W† + F + a (1 + σC) Λ⁺ (1 + σC) + σ b C Λ⁻ C,
    d ln Z/dt = a Tr[Λ⁺(1 + σC)] + b Tr[Λ⁻ C].

The scaled cumulant generating function is `λ(s) = a Tr[Λ⁺(1 + σC_s)] + b Tr[Λ⁻ C_s]` at the
stabilising stationary solution `C_s` of this continuous algebraic Riccati equation
(`C_0` is the steady state; its closed-loop drift `K = W + σaΛ⁺ + C_s(aΛ⁺ + σbΛ⁻)` is Hurwitz).

- Cumulants: the Taylor coefficients `C_s = Σ T_k sᵏ` solve `W T_k + T_k W† + S_k = 0` with
  sources `S_k` built from `T_0 … T_{k−1}`: every order is one Lyapunov solve **with the
  steady state's drift W** (one factorisation for all of them), and `c_k = k! [sᵏ]λ`.
- λ(s) at any s: the Riccati equation by the matrix-sign function of its 2n × 2n Hamiltonian
  matrix, differentiated implicitly (each tangent one Lyapunov solve with K).
- Noise spectrum: `S(ω) = Tr[Λ⁺(1 + σC)] + Tr[Λ⁻C] − Tr[(X_ω + X_{−ω}) B]` with
  `B = (1 + σC)Λ⁺(1 + σC) − σCΛ⁻C` and `W†X_ω + X_ω(W − iω) = −G_α` (one Sylvester solve per
  frequency, by the eigendecomposition of W).

Energy counting (local baths with a frequency): every quantum carries `ω_α`, so
`λ_E(s) = λ(ω_α s)`, `c^E_k = ω_αᵏ c_k`, `S_E = ω_α² S`.
"""

import math

import equinox as eqx
import jax
import jax.lax as lax
import jax.numpy as jnp

from ._baths import LocalRates, ProbeBath
from ._checks import raise_if_bad
from ._counting import AbstractCounting
from ._custom_types import Array, Float
from ._dynamics import quadratic_steady_state
from ._linalg import dagger, matmul, trace_of_product
from ._lyapunov import solve_lyapunov


def _dense(rates: LocalRates, size: int, dtype):
    """`(Λ⁻, Λ⁺)` of a bath as dense `(L, L)` matrices."""
    if isinstance(rates, LocalRates):
        e = jnp.zeros((size, size), dtype).at[rates.mode, rates.mode].set(1.0)
        return rates.loss * e, rates.gain * e
    return rates.loss.astype(dtype), rates.gain.astype(dtype)


# ---------------------------------------------------------------------------------------
# The continuous algebraic Riccati equation A X + X A† + Q + X R X = 0 (stabilising X)
# ---------------------------------------------------------------------------------------


def _matrix_sign(m, max_steps: int = 100):
    """Newton iteration for `sign(M)` with determinant scaling; `(S, converged)`."""
    n = m.shape[0]
    eye = jnp.eye(n, dtype=m.dtype)
    rtol = jnp.sqrt(jnp.finfo(m.dtype).eps)

    def cond(carry):
        _, step, err = carry
        return (step < max_steps) & (err > rtol)

    def body(carry):
        a, step, err = carry
        lu, piv = jax.scipy.linalg.lu_factor(a)
        inv = jax.scipy.linalg.lu_solve((lu, piv), eye)
        c = jnp.where(err > 1e-2, jnp.exp(-jnp.sum(jnp.log(jnp.abs(jnp.diagonal(lu)))) / n), 1.0)
        new = 0.5 * (c * a + inv / c)
        new_err = jnp.linalg.norm(new - a, ord=1) / jnp.linalg.norm(new, ord=1)
        return new, step + 1, new_err.astype(err.dtype)

    s, _, err = lax.while_loop(cond, body, (m, jnp.array(0), jnp.array(jnp.inf)))
    # one more step squares the error (the stopping rule is on successive iterates)
    s = 0.5 * (s + jnp.linalg.inv(s))
    return s, err <= rtol


@jax.custom_jvp
def care(a, q, r):
    """The stabilising solution `X` of `A X + X A† + Q + X R X = 0` (`A + X R` Hurwitz), from
    the invariant subspace of `M = [[−A†, −R], [Q, A]]` for its eigenvalues with positive
    real part (matrix-sign function); NaN if the sign iteration fails (no such solution)."""
    n = a.shape[0]
    m = jnp.block([[-dagger(a), -r], [q, a]])
    s, ok = _matrix_sign(m)
    eye = jnp.eye(n, dtype=m.dtype)
    lhs = jnp.concatenate([s[:n, n:], s[n:, n:] - eye])
    rhs = -jnp.concatenate([s[:n, :n] - eye, s[n:, :n]])
    x = jnp.linalg.lstsq(lhs, rhs)[0]
    x = 0.5 * (x + dagger(x))
    return jnp.where(ok, x, jnp.nan)


@care.defjvp
def _care_jvp(primals, tangents):
    a, q, r = primals
    da, dq, dr = tangents
    x = care(a, q, r)
    k = a + x @ r  # the closed-loop drift (Hurwitz for the stabilising solution)
    source = da @ x + x @ dagger(da) + dq + x @ dr @ x
    dx = solve_lyapunov(k, source, throw=False)
    return x, 0.5 * (dx + dagger(dx))


# ---------------------------------------------------------------------------------------
# The counting statistics of one bath
# ---------------------------------------------------------------------------------------


class QuadraticCounting(AbstractCounting):
    """Counting statistics of bath `bath` of a `QuadraticModel` (see the module docstring)."""

    model: eqx.Module
    bath: int = eqx.field(static=True)
    quantum: Float[Array, ""] | None  # ω_α for energy counting, None for particles
    solver: eqx.Module | None  # the Lyapunov solver (None: Auto)

    def _setup(self):
        model = self.model
        model = raise_if_bad(model, model.checks())
        drift, diffusion = model.covariance_equation()
        dtype = drift.dtype
        loss, gain = _dense(model.bath_rates()[self.bath], model.size, dtype)
        return model, drift, diffusion.astype(dtype), loss, gain

    def _steady(self):
        """The validated steady state (raises if there is none) and the factorised Lyapunov
        operator of its drift, shared by every order."""
        state, operator = quadratic_steady_state(self.model, self.solver, True, with_operator=True)
        return state.covariance.astype(operator.drift.dtype), operator

    def _scale(self, values, powers):
        if self.quantum is None:
            return values
        return values * self.quantum ** jnp.asarray(powers, values.dtype)

    def cumulants(self, order):
        model, w, f, loss, gain = self._setup()
        sigma = model.sign
        c0, solve = self._steady()
        eye = jnp.eye(model.size, dtype=w.dtype)
        terms = [c0]  # Taylor coefficients T_k of C_s

        def plus(j):  # [s^j] (1 + σC) Λ⁺ (1 + σC)
            out = 0
            for p in range(j + 1):
                left = (eye if p == 0 else 0) + sigma * terms[p]
                right = (eye if j - p == 0 else 0) + sigma * terms[j - p]
                out = out + matmul(matmul(left, gain), right)
            return out

        def minus(j):  # [s^j] C Λ⁻ C
            return sum(matmul(matmul(terms[p], loss), terms[j - p]) for p in range(j + 1))

        def coefficient_a(m):
            return 1.0 / math.factorial(m)

        def coefficient_b(m):
            return (-1.0) ** m / math.factorial(m)

        for k in range(1, order):
            source = sum(
                coefficient_a(m) * plus(k - m) + sigma * coefficient_b(m) * minus(k - m)
                for m in range(1, k + 1)
            )
            t, _, _ = solve(-source)
            terms.append(0.5 * (t + dagger(t)))
        lam = []
        for k in range(1, order + 1):
            value = 0.0
            for m in range(1, k + 1):
                j = k - m
                occupied = trace_of_product(gain, (eye if j == 0 else 0) + sigma * terms[j])
                value = value + coefficient_a(m) * occupied
                value = value + coefficient_b(m) * trace_of_product(loss, terms[j])
            lam.append(math.factorial(k) * jnp.real(value))
        return self._scale(jnp.stack(lam), jnp.arange(1, order + 1))

    def cgf(self, s):
        model, w, f, loss, gain = self._setup()
        self._steady()  # raises if the model has no steady state
        sigma = model.sign
        x = s if self.quantum is None else s * self.quantum
        a, b = jnp.expm1(x), jnp.expm1(-x)
        a_c, b_c = a.astype(w.dtype), b.astype(w.dtype)
        c = care(w + sigma * a_c * gain, f + a_c * gain, a_c * gain + sigma * b_c * loss)
        eye = jnp.eye(model.size, dtype=w.dtype)
        value = a * jnp.real(trace_of_product(gain, eye + sigma * c)) + b * jnp.real(
            trace_of_product(loss, c)
        )
        return value

    def noise(self, omegas):
        model, w, f, loss, gain = self._setup()
        sigma = model.sign
        c, _ = self._steady()
        eye = jnp.eye(model.size, dtype=w.dtype)
        shot = jnp.real(trace_of_product(gain, eye + sigma * c) + trace_of_product(loss, c))
        big_b = matmul(matmul(eye + sigma * c, gain), eye + sigma * c) - sigma * matmul(
            matmul(c, loss), c
        )
        g_alpha = loss - sigma * gain
        lam, v = jnp.linalg.eig(w)
        v_inv = jnp.linalg.inv(v)
        g_t = matmul(matmul(dagger(v), g_alpha), v)
        b_t = matmul(matmul(v_inv, big_b), dagger(v_inv))
        pair = g_t * jnp.transpose(b_t)  # G̃_ij B̃_ji
        denom = jnp.conj(lam)[:, None] + lam[None, :]

        def at(omega):
            both = 1.0 / (denom - 1j * omega) + 1.0 / (denom + 1j * omega)
            return shot + jnp.real(jnp.sum(pair * both))

        out = jax.vmap(at)(omegas)
        return out if self.quantum is None else out * self.quantum**2


def quadratic_counting(model, bath: int, quantity: str, solver=None) -> QuadraticCounting:
    """The `AbstractCounting` of bath `bath` of a `QuadraticModel`."""
    for i, b in enumerate(model.baths):
        if isinstance(b, ProbeBath):
            raise ValueError(
                f"counting statistics: `baths[{i}]` is a ProbeBath, whose occupation is fixed by "
                "the mean current (a nonlinear, mean-field master equation): the model has no "
                "tilted generator, so the statistics of its currents are not defined."
            )
    quantum = None
    if quantity == "energy":
        frequency = model.bath_parameters()[bath].frequency
        if frequency is None:
            raise ValueError(
                f"counting statistics: `baths[{bath}]` ({type(model.baths[bath]).__name__}) has "
                "no frequency, so the energy its jumps carry is undefined; count particles."
            )
        quantum = jnp.asarray(frequency)
    return QuadraticCounting(model, bath, quantum, solver)
