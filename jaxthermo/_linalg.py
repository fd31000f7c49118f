"""Linear-algebra helpers shared by every model family: functions of Hermitian matrices with
safe derivatives, and the sequencing of LAPACK calls under `vmap`.

`matrix_function(X, f)` is `V f(λ) V†` for `X = V diag(λ) V†`; its JVP uses the
Daleckii–Krein formula (divided differences `(f(λ_i) − f(λ_j))/(λ_i − λ_j)`, `f'` at
coinciding eigenvalues), so it is differentiable also at degenerate spectra (thermal states,
pure states) where differentiating `eigh` gives NaN. `trace_function(X, f) = Σ f(λ_i)` has the
JVP `Tr[f'(X) dX]`, itself a `matrix_function`, so traces (entropies, log-partition
functions) are differentiable to second order. Eigenvalues are clipped into the domain of `f`
first (`SpectralFunction.clip`).
"""

import functools as ft
from collections.abc import Callable

import jax
import jax.numpy as jnp

from ._custom_types import Array, Float, Inexact


def dagger(x: Inexact[Array, "... n m"]) -> Inexact[Array, "... m n"]:
    """Conjugate transpose of the last two axes."""
    return jnp.conj(jnp.swapaxes(x, -1, -2))


def hermitian_part(x: Inexact[Array, "... n n"]) -> Inexact[Array, "... n n"]:
    """`(X + X†)/2`."""
    return 0.5 * (x + dagger(x))


# A complex product whose three dimensions multiply to at least this many runs as three real
# products (see `matmul`).
GAUSS_MIN_WORK = 2**19


def matmul(a: Inexact[Array, "... m k"], b: Inexact[Array, "... k n"]) -> Inexact[Array, "... m n"]:
    """`a @ b`, faster on XLA:CPU for large complex matrices: XLA's complex `dot` runs at about
    a third of the rate of its real one (measured, 2 CPU cores, n = 512: 20.6 ms against
    7.0 ms for three real products), so a complex product with `m k n >= GAUSS_MIN_WORK`
    (80³) is formed by Gauss's three real products
    `(A_r + iA_i)(B_r + iB_i) = [A_rB_r − A_iB_i] + i[(A_r + A_i)(B_r + B_i) − A_rB_r − A_iB_i]`
    (normwise as accurate as the direct product, Higham, SIAM J. Matrix Anal. Appl. 13, 681
    (1992)); and a complex matrix times a real one as two real products. Smaller complex
    products (and batches of them under `vmap`, where XLA's batched complex `dot` is the
    faster one) use `@`."""
    complex_a, complex_b = jnp.iscomplexobj(a), jnp.iscomplexobj(b)
    if complex_a and not complex_b:
        return jax.lax.complex(jnp.real(a) @ b, jnp.imag(a) @ b)
    if complex_b and not complex_a:
        return jax.lax.complex(a @ jnp.real(b), a @ jnp.imag(b))
    if not complex_a or a.shape[-2] * a.shape[-1] * b.shape[-1] < GAUSS_MIN_WORK:
        return a @ b
    ar, ai, br, bi = jnp.real(a), jnp.imag(a), jnp.real(b), jnp.imag(b)
    t1, t2 = ar @ br, ai @ bi
    return jax.lax.complex(t1 - t2, (ar + ai) @ (br + bi) - t1 - t2)


def trace_of_product(a: Inexact[Array, "n m"], b: Inexact[Array, "m n"]) -> Inexact[Array, ""]:
    """`Tr[a b] = Σ_ij a_ij b_ji` in `O(nm)` (no product formed)."""
    return jnp.sum(a * jnp.transpose(b))


def after(x: Array, earlier: Array) -> Array:
    """`x`, made to depend on `earlier` (`x + 0·earlier₀`, which XLA does not fold for
    floats). Chains LAPACK calls (eigh, eig, schur) so that at most one runs at a time: under
    `vmap` each becomes a batched custom call that fans out into XLA:CPU's intra-op thread
    pool and blocks a pool thread until its chunks finish (jaxlib's `ParallelBatchMap`); two
    or more independent ones in flight on a pool of as many threads (2 cores) deadlock (seen
    with jax 0.10.2; README, "Known issue")."""
    first = jnp.ravel(jnp.real(earlier))[0]
    return x + jnp.zeros((), x.dtype) * first.astype(x.dtype)


class SpectralFunction:
    """A scalar function applied to the eigenvalues of a Hermitian matrix: `value(λ)`, its
    `derivative` (another `SpectralFunction`, needed for differentiation) and `clip(λ)`,
    which moves eigenvalues into the function's domain (e.g. `[ε, 1 − ε]` for a fermionic
    entropy). Instances are compared by identity: define them once, at module level."""

    __slots__ = ("value", "derivative", "clip", "name")

    def __init__(
        self,
        name: str,
        value: Callable[[Array], Array],
        derivative: "SpectralFunction | None" = None,
        clip: Callable[[Array], Array] | None = None,
    ):
        self.name = name
        self.value = value
        self.derivative = derivative
        self.clip = (lambda lam: lam) if clip is None else clip

    def __repr__(self):
        return f"SpectralFunction({self.name})"


def _divided_differences(lam, f, fp):
    """`(f(λ_i) − f(λ_j)) / (λ_i − λ_j)`, and `f'((λ_i + λ_j)/2)` for (nearly) equal λ."""
    diff = lam[:, None] - lam[None, :]
    scale = 1 + jnp.abs(lam[:, None]) + jnp.abs(lam[None, :])
    close = jnp.abs(diff) <= 1e-6 * scale
    mid = 0.5 * (lam[:, None] + lam[None, :])
    quotient = (f[:, None] - f[None, :]) / jnp.where(close, 1.0, diff)
    return jnp.where(close, fp(mid), quotient)


@ft.partial(jax.custom_jvp, nondiff_argnums=(1,))
def matrix_function(x: Inexact[Array, "n n"], fn: SpectralFunction) -> Inexact[Array, "n n"]:
    """`f(X) = V f(λ) V†` for Hermitian `X = V diag(λ) V†` (eigenvalues clipped by `fn.clip`);
    differentiable by the Daleckii–Krein formula (see the module docstring)."""
    lam, v = jnp.linalg.eigh(x)
    lam = fn.clip(lam)
    return (v * fn.value(lam).astype(v.dtype)[None, :]) @ dagger(v)


@matrix_function.defjvp
def _matrix_function_jvp(fn, primals, tangents):
    (x,), (dx,) = primals, tangents
    if fn.derivative is None:
        raise TypeError(f"{fn!r} has no derivative: it cannot be differentiated.")
    lam, v = jnp.linalg.eigh(x)
    lam = fn.clip(lam)
    f = fn.value(lam)
    dd = _divided_differences(lam, f, fn.derivative.value)
    out = (v * f.astype(v.dtype)[None, :]) @ dagger(v)
    dout = v @ (dd.astype(v.dtype) * (dagger(v) @ dx @ v)) @ dagger(v)
    return out, dout


@ft.partial(jax.custom_jvp, nondiff_argnums=(1,))
def trace_function(x: Inexact[Array, "n n"], fn: SpectralFunction) -> Float[Array, ""]:
    """`Tr f(X) = Σ f(λ_i)`, with derivative `Tr[f'(X) dX]` (a `matrix_function`, so this is
    differentiable twice, also at degenerate spectra)."""
    lam = fn.clip(jnp.linalg.eigvalsh(x))
    return jnp.sum(fn.value(lam))


@trace_function.defjvp
def _trace_function_jvp(fn, primals, tangents):
    (x,), (dx,) = primals, tangents
    out = trace_function(x, fn)
    grad = matrix_function(x, fn.derivative)
    return out, jnp.real(jnp.sum(jnp.transpose(grad) * dx))


# ---------------------------------------------------------------------------------------
# Density matrices: ln ρ and the von Neumann entropy −Tr ρ ln ρ
# ---------------------------------------------------------------------------------------


def _tiny_clip(lam):
    return jnp.maximum(lam, jnp.finfo(lam.dtype).eps ** 2)


_INVERSE_SQUARE = SpectralFunction("1/λ²", lambda lam: lam**-2.0, None, _tiny_clip)
_NEGATIVE_INVERSE = SpectralFunction(
    "−1/λ", lambda lam: -1.0 / lam, SpectralFunction("1/λ²", lambda lam: lam**-2.0), _tiny_clip
)
LOG = SpectralFunction(
    "ln λ",
    jnp.log,
    SpectralFunction("1/λ", lambda lam: 1.0 / lam, _INVERSE_SQUARE, _tiny_clip),
    _tiny_clip,
)
VON_NEUMANN = SpectralFunction(
    "−λ ln λ",
    lambda lam: -lam * jnp.log(lam),
    SpectralFunction(
        "−(1 + ln λ)", lambda lam: -(1.0 + jnp.log(lam)), _NEGATIVE_INVERSE, _tiny_clip
    ),
    _tiny_clip,
)


def logm_hermitian(rho: Inexact[Array, "d d"]) -> Inexact[Array, "d d"]:
    """`ln ρ` of a positive semidefinite Hermitian matrix (eigenvalues clipped at `ε²`, so a
    pure state gives a large negative finite logarithm), with Daleckii–Krein derivatives."""
    return matrix_function(hermitian_part(rho), LOG)


def von_neumann_entropy(rho: Inexact[Array, "d d"]) -> Float[Array, ""]:
    """`S(ρ) = −Tr ρ ln ρ` (nats) of a density matrix; differentiable twice, also at pure and
    degenerate states."""
    return trace_function(hermitian_part(rho), VON_NEUMANN)
