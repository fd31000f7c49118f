"""Entropies and overlaps of Gaussian (number-conserving) states, from correlation matrices.

A Gaussian state is fixed by `C_ij = ⟨a_j† a_i⟩`: `ρ = exp(-Σ K_ij a_i† a_j) / Z` with the
single-particle modular Hamiltonian `K = ln((1 ± C)/C)` (upper sign bosons, lower fermions),
`ln Z = ±Tr ln(1 ± C)`. All functions act on the eigenvalues of `C` through matrix functions
whose derivatives use the Daleckii–Krein formula (divided differences of the eigenvalues),
so they are differentiable to second order also at degenerate spectra (thermal states) where
differentiating `eigh` would give NaN. Eigenvalues are clipped to `[ε, ∞)` (bosons) or
`[ε, 1-ε]` (fermions), `ε = eps²` of the dtype, so pure states give finite values and
gradients (the clipping changes entropies by ~1e-30).
"""

import functools as ft
from collections.abc import Sequence

import jax
import jax.numpy as jnp

from ._custom_types import Array, ArrayLike, Float, Inexact


def _dagger(x):
    return jnp.conj(jnp.swapaxes(x, -1, -2))


def _eps(dtype):
    return jnp.finfo(dtype).eps ** 2


def _clip(lam, statistics):
    eps = _eps(lam.dtype)
    if statistics == "boson":
        return jnp.maximum(lam, eps)
    return jnp.clip(lam, eps, 1 - jnp.finfo(lam.dtype).eps)


# Scalar functions of an eigenvalue λ, with their first two derivatives, per statistics.
# entropy density s(λ); modular energy s'(λ) = ln((1 ± λ)/λ); log-partition density ±ln(1 ± λ).
def _entropy_density(lam, statistics):
    if statistics == "boson":
        return (1 + lam) * jnp.log1p(lam) - lam * jnp.log(lam)
    return -lam * jnp.log(lam) - (1 - lam) * jnp.log1p(-lam)


def _modular(lam, statistics):
    if statistics == "boson":
        return jnp.log1p(lam) - jnp.log(lam)
    return jnp.log1p(-lam) - jnp.log(lam)


def _modular_prime(lam, statistics):
    if statistics == "boson":
        return 1 / (1 + lam) - 1 / lam
    return -1 / (1 - lam) - 1 / lam


def _modular_second(lam, statistics):
    if statistics == "boson":
        return 1 / lam**2 - 1 / (1 + lam) ** 2
    return 1 / lam**2 - 1 / (1 - lam) ** 2


def _log_partition_density(lam, statistics):
    return jnp.log1p(lam) if statistics == "boson" else -jnp.log1p(-lam)


def _log_partition_prime(lam, statistics):
    return 1 / (1 + lam) if statistics == "boson" else 1 / (1 - lam)


def _log_partition_second(lam, statistics):
    return -1 / (1 + lam) ** 2 if statistics == "boson" else 1 / (1 - lam) ** 2


_DERIVATIVE = {
    _entropy_density: _modular,
    _modular: _modular_prime,
    _modular_prime: _modular_second,
    _log_partition_density: _log_partition_prime,
    _log_partition_prime: _log_partition_second,
}


def _divided_differences(lam, f, fp):
    """`(f(λ_i) - f(λ_j)) / (λ_i - λ_j)`, and `f'((λ_i+λ_j)/2)` for (nearly) equal λ."""
    diff = lam[:, None] - lam[None, :]
    scale = 1 + jnp.abs(lam[:, None]) + jnp.abs(lam[None, :])
    close = jnp.abs(diff) <= 1e-6 * scale
    mid = 0.5 * (lam[:, None] + lam[None, :])
    quotient = (f[:, None] - f[None, :]) / jnp.where(close, 1.0, diff)
    return jnp.where(close, fp(mid), quotient)


@ft.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def matrix_function(c, fn, statistics):
    """`f(C) = V f(λ) V†` for Hermitian `C = V λ V†` (eigenvalues clipped, see module doc)."""
    lam, v = jnp.linalg.eigh(c)
    lam = _clip(lam, statistics)
    return (v * fn(lam, statistics).astype(v.dtype)[None, :]) @ _dagger(v)


@matrix_function.defjvp
def _matrix_function_jvp(fn, statistics, primals, tangents):
    (c,), (dc,) = primals, tangents
    lam, v = jnp.linalg.eigh(c)
    lam = _clip(lam, statistics)
    f = fn(lam, statistics)
    fp = _DERIVATIVE[fn]
    dd = _divided_differences(lam, f, lambda x: fp(x, statistics))
    out = (v * f.astype(v.dtype)[None, :]) @ _dagger(v)
    dout = v @ (dd.astype(v.dtype) * (_dagger(v) @ dc @ v)) @ _dagger(v)
    return out, dout


@ft.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def trace_function(c, fn, statistics):
    """`Tr f(C)`, with derivative `Tr[f'(C) dC]` (itself a differentiable matrix function)."""
    lam = _clip(jnp.linalg.eigvalsh(c), statistics)
    return jnp.sum(fn(lam, statistics))


@trace_function.defjvp
def _trace_function_jvp(fn, statistics, primals, tangents):
    (c,), (dc,) = primals, tangents
    out = trace_function(c, fn, statistics)
    grad = matrix_function(c, _DERIVATIVE[fn], statistics)
    return out, jnp.real(jnp.sum(jnp.transpose(grad) * dc))


def _hermitian(name: str, c: ArrayLike) -> Array:
    c = jnp.asarray(c)
    if c.ndim != 2 or c.shape[0] != c.shape[1]:
        raise ValueError(f"`{name}` must be a square matrix, got shape {c.shape}.")
    if not jnp.issubdtype(c.dtype, jnp.inexact):
        c = c.astype(jnp.result_type(float))
    return 0.5 * (c + _dagger(c))


def _statistics(statistics: str) -> str:
    if statistics not in ("boson", "fermion"):
        raise ValueError(f"`statistics` must be 'boson' or 'fermion', got {statistics!r}.")
    return statistics


def entropy(covariance: Inexact[ArrayLike, "L L"], statistics: str = "boson") -> Float[Array, ""]:
    """Von Neumann entropy (nats) of the Gaussian state with correlation matrix `C`:

        bosons:   S = Tr[(1 + C) ln(1 + C) - C ln C]         (paper 000, Eq. (19))
        fermions: S = -Tr[C ln C + (1 - C) ln(1 - C)].

    Invariant under `C -> U C U†` (any single-particle basis). Differentiable to second order
    (`dS = Tr[ln((1 ± C)/C) dC]`), also at degenerate or pure states.
    """
    return trace_function(
        _hermitian("covariance", covariance), _entropy_density, _statistics(statistics)
    )


def log_partition_function(
    covariance: Inexact[ArrayLike, "L L"], statistics: str = "boson"
) -> Float[Array, ""]:
    """`ln Z = Tr ln(1 + C)` (bosons; paper 000, Eq. (21)) or `-Tr ln(1 - C)` (fermions), the
    normalisation of `ρ = exp(-Σ K_ij a_i† a_j)/Z` with `K = ln((1 ± C)/C)`; it satisfies
    `ln Z = S - Tr[C K]` (the Legendre relation of Eq. (21))."""
    return trace_function(
        _hermitian("covariance", covariance), _log_partition_density, _statistics(statistics)
    )


def modular_hamiltonian(
    covariance: Inexact[ArrayLike, "L L"], statistics: str = "boson"
) -> Inexact[Array, "L L"]:
    """`K = ln((1 ± C)/C) = δS/δC` (paper 000, Eq. (24) `Λ = log(1 + n^{-1})` for bosons): the
    single-particle matrix with `ρ ∝ exp(-Σ K_ij a_i† a_j)`."""
    return matrix_function(_hermitian("covariance", covariance), _modular, _statistics(statistics))


def relative_entropy(
    covariance1: Inexact[ArrayLike, "L L"],
    covariance2: Inexact[ArrayLike, "L L"],
    statistics: str = "boson",
) -> Float[Array, ""]:
    """Relative entropy `D(ρ1 ‖ ρ2) = Tr[ρ1 (ln ρ1 - ln ρ2)]` (nats) of Gaussian states:

        D = Tr[C1 K2] + ln Z2 - S(C1),   K2 = ln((1 ± C2)/C2),

    which for bosons is paper 000's (A13)/(23) with the logarithms taken separately
    (`-S(C1) + Tr[(1 + C1) ln(1 + C2) - C1 ln C2]`; the single-log form (23) is only right
    when the matrices commute, see ERRATA.md) and for fermions
    `-S(C1) - Tr[C1 ln C2 + (1 - C1) ln(1 - C2)]` (derived from `ln ρ2 = -a†K2 a - ln Z2`;
    checked against dense density matrices in the tests). `D >= 0`, zero iff `C1 = C2`.
    """
    statistics = _statistics(statistics)
    c1 = _hermitian("covariance1", covariance1)
    c2 = _hermitian("covariance2", covariance2)
    if c1.shape != c2.shape:
        raise ValueError(f"covariance shapes differ: {c1.shape} and {c2.shape}.")
    k2 = matrix_function(c2, _modular, statistics)
    cross = jnp.real(jnp.sum(jnp.transpose(k2) * c1))
    return (
        cross
        + trace_function(c2, _log_partition_density, statistics)
        - trace_function(c1, _entropy_density, statistics)
    )


def wigner_entropy(covariance: Inexact[ArrayLike, "L L"]) -> Float[Array, ""]:
    """Wigner entropy `S_W = -∫ dα W ln W` (paper 002, Eq. (12)) of a bosonic Gaussian state
    without squeezing or displacement:

        S_W = ln det(C + 1/2) + L (1 + ln π),

    from the Gaussian Wigner function (A5) with `Θ = (C + 1/2) ⊕ (C^T + 1/2)` and the measure
    `d²α` per mode (a thermal mode has `W = e^{-|α|²/(n+1/2)} / (π(n+1/2))`, so
    `S_W = ln(π(n + 1/2)) + 1`)."""
    c = _hermitian("covariance", covariance)
    L = c.shape[0]
    _, logdet = jnp.linalg.slogdet(c + 0.5 * jnp.eye(L, dtype=c.dtype))
    return jnp.real(logdet) + L * (1 + jnp.log(jnp.pi))


def trace_product(
    covariances: Sequence[Inexact[ArrayLike, "L L"]], statistics: str = "boson"
) -> Inexact[Array, ""]:
    """`Tr[ρ1 ρ2 … ρm]` of Gaussian states (paper 000, Eq. (A9)):

        bosons:   Π_i det K_i / det[(K_m + 1) … (K_1 + 1) - 1],   K_i = C_i^{-1},

    evaluated without inverting `C_i` as `1 / (Π_i det(1 + C_i) · det(1 - Π_i C_i (1 + C_i)^{-1}))`
    (the same expression: `e^{-K} = C(1 + C)^{-1}` multiplies in order); fermions
    `Π_i det(1 - C_i) · det(1 + Π_i C_i (1 - C_i)^{-1})`. Real for m <= 2; complex in general.
    """
    statistics = _statistics(statistics)
    cs = [_hermitian(f"covariances[{i}]", c) for i, c in enumerate(covariances)]
    if not cs:
        raise ValueError("`covariances` must not be empty.")
    L = cs[0].shape[0]
    eye = jnp.eye(L, dtype=cs[0].dtype)
    sign = 1 if statistics == "boson" else -1
    product = eye
    prefactor = jnp.ones((), cs[0].dtype)
    for c in cs:
        product = product @ jnp.linalg.solve((eye + sign * c).T, c.T).T  # C (1 ± C)^{-1}
        prefactor = prefactor * jnp.linalg.det(eye + sign * c) ** (-sign)
    if statistics == "boson":
        return prefactor / jnp.linalg.det(eye - product)
    return prefactor * jnp.linalg.det(eye + product)
