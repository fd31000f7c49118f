"""Counting statistics of the quanta a few-level system exchanges with one field (paper 003's
models; the docs' "current fluctuations" page).

The tilted generator counts the quanta absorbed from field j (into the system) with `e^{s}`
and the emitted ones with `e^{−s}` (energy: `e^{±sω}`, ω the Bohr frequency of the jump):

    L(s) = L + J_abs(e^{sw} − 1) + J_em(e^{−sw} − 1),

with `J_abs(f)`, `J_em(f)` the jump parts of field j's dissipator, each jump weighted by f at
its Bohr frequency (`w = 1` for quanta, `|ω|` for energy). λ(s) is its leading eigenvalue;
the cumulants follow by Rayleigh–Schrödinger perturbation theory around the stationary state
(`L(s) = Σ_m L_m sᵐ`, `L_m = [J_abs(wᵐ) + (−1)ᵐ J_em(wᵐ)]/m!`), every order one solve with
the same bordered LU factorisation (`[[L, ρ], [1ᵀ, 0]]`, the pseudo-inverse on traceless
operators). Secular (Davies) and Pauli generators; the Bloch–Redfield generator has no jump
unravelling (`ValueError`). Dense: `O(d⁶)` for the secular generator, `O(d³)` for Pauli.
"""

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl

from .._checks import raise_if_bad
from .._counting import AbstractCounting
from ._methods import AbstractFewLevelMethod
from ._transitions import transitions_and_checks


def _bordered(matrix, right, left):
    """`[[M, r], [lᵀ, 0]]` (the generator bordered by its stationary state and the trace)."""
    n = matrix.shape[0]
    top = jnp.concatenate([matrix, right[:, None]], axis=1)
    bottom = jnp.concatenate([left, jnp.zeros(1, matrix.dtype)])[None, :]
    return jnp.concatenate([top, bottom], axis=0).reshape(n + 1, n + 1)


def _kernel(matrix, left):
    """The right null vector `r` of `M` with `lᵀ r = 1` (one direct solve: differentiable)."""
    a = matrix.at[0].set(left.astype(matrix.dtype))
    b = jnp.zeros(matrix.shape[0], matrix.dtype).at[0].set(1.0)
    return jnp.linalg.solve(a, b)


@jax.custom_jvp
def leading_eigenvalue(matrix):
    """The eigenvalue of largest real part of a (non-Hermitian) matrix, differentiable: its
    tangent `lᵀ dM r / lᵀ r` uses eigenvectors from differentiable linear solves, so higher
    derivatives work too."""
    values = jnp.linalg.eigvals(matrix)
    return values[jnp.argmax(jnp.real(values))]


@leading_eigenvalue.defjvp
def _leading_eigenvalue_jvp(primals, tangents):
    (m,), (dm,) = primals, tangents
    lam = leading_eigenvalue(m)
    n = m.shape[0]
    shifted = m - lam * jnp.eye(n, dtype=m.dtype)
    ones = jnp.ones(n, m.dtype)
    r = _kernel(shifted, ones)
    l = _kernel(shifted.T, ones)
    return lam, (l @ dm @ r) / (l @ r)


class FewLevelCounting(AbstractCounting):
    """Counting statistics of field `field` of a `FewLevelModel` (see the module docstring)."""

    model: eqx.Module
    field: int = eqx.field(static=True)
    energy: bool = eqx.field(static=True)
    method: AbstractFewLevelMethod

    def _parts(self):
        table, checks = transitions_and_checks(self.model)
        table = raise_if_bad(table, checks)
        generator = self.method.generator(table).astype(table.amplitude.dtype)
        weights = jnp.abs(table.bohr) if self.energy else jnp.ones_like(table.bohr)
        d = table.size
        trace = jnp.eye(d).reshape(-1) if generator.shape[0] == d * d else jnp.ones(d)
        return table, generator, weights, trace.astype(generator.dtype)

    def _jump(self, table, emission, weights):
        return self.method.jump_superoperator(table, self.field, emission, weights).astype(
            table.amplitude.dtype
        )

    def _tilted(self, table, generator, weights, k):
        """`L_k`: the s^k Taylor coefficient of the tilted generator (k >= 1)."""
        w = weights**k
        return (self._jump(table, False, w) + (-1.0) ** k * self._jump(table, True, w)) / (
            math.factorial(k)
        )

    def _stationary(self, generator, trace):
        rho = _kernel(generator, trace)
        return rho, jsl.lu_factor(_bordered(generator, rho, trace))

    def cgf(self, s):
        table, generator, weights, _ = self._parts()
        absorb = self._jump(table, False, jnp.expm1(s * weights))
        emit = self._jump(table, True, jnp.expm1(-s * weights))
        return jnp.real(leading_eigenvalue(generator + absorb + emit))

    def cumulants(self, order):
        table, generator, weights, trace = self._parts()
        rho0, lu = self._stationary(generator, trace)
        n = generator.shape[0]

        def pseudo_inverse(y):  # x with L x = y, 1ᵀx = 0, for traceless y
            return jsl.lu_solve(lu, jnp.concatenate([y, jnp.zeros(1, y.dtype)]))[:n]

        tilted = [self._tilted(table, generator, weights, m) for m in range(1, order + 1)]
        rhos, lam = [rho0], []
        for k in range(1, order + 1):
            lam.append(sum(trace @ tilted[m - 1] @ rhos[k - m] for m in range(1, k + 1)))
            if k == order:
                break
            y = sum(lam[j - 1] * rhos[k - j] for j in range(1, k + 1)) - sum(
                tilted[m - 1] @ rhos[k - m] for m in range(1, k + 1)
            )
            rhos.append(pseudo_inverse(y))
        return jnp.real(jnp.stack([math.factorial(k + 1) * v for k, v in enumerate(lam)]))

    def noise(self, omegas):
        table, generator, weights, trace = self._parts()
        rho, _ = self._stationary(generator, trace)
        first = self._jump(table, False, weights) - self._jump(table, True, weights)
        second = self._jump(table, False, weights**2) + self._jump(table, True, weights**2)
        shot = jnp.real(trace @ second @ rho)
        y = first @ rho
        y = y - (trace @ y) * rho  # traceless: L'ρ − Jρ
        n = generator.shape[0]
        eye = jnp.eye(n, dtype=generator.dtype)

        def resolvent(omega):  # (L − iω)⁻¹ on traceless operators (bordered: also at ω = 0)
            b = _bordered(generator - 1j * omega * eye, rho, trace)
            return jnp.linalg.solve(b, jnp.concatenate([y, jnp.zeros(1, y.dtype)]))[:n]

        def at(omega):
            both = resolvent(omega) + resolvent(-omega)
            return shot - jnp.real(trace @ first @ both)

        return jax.vmap(at)(omegas)


def fewlevel_counting(model, field: int, quantity: str, method) -> FewLevelCounting:
    """The `AbstractCounting` of field `field` of a `FewLevelModel` with `method`."""
    return FewLevelCounting(model, field, quantity == "energy", method)
