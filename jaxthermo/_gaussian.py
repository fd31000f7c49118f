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

from collections.abc import Sequence

import jax.numpy as jnp

from ._custom_types import Array, ArrayLike, Float, Inexact
from ._linalg import SpectralFunction, after, dagger, matrix_function, trace_function
from ._statistics import check_statistics


def _eps(dtype):
    return jnp.finfo(dtype).eps ** 2


def _clip_boson(lam):
    return jnp.maximum(lam, _eps(lam.dtype))


def _clip_fermion(lam):
    return jnp.clip(lam, _eps(lam.dtype), 1 - jnp.finfo(lam.dtype).eps)


def _functions(sign: int, clip) -> dict[str, SpectralFunction]:
    """The spectral functions of Gaussian states; `sign = +1` bosons, `-1` fermions:
    entropy density `s(λ) = ±(1 ± λ) ln(1 ± λ) − λ ln λ`, modular energy
    `s'(λ) = ln((1 ± λ)/λ)` and log-partition density `±ln(1 ± λ)`, each with the
    derivatives that differentiation needs."""

    def fn(name, value, derivative=None):
        return SpectralFunction(name, value, derivative, clip)

    modular_second = fn("1/λ² ∓ 1/(1±λ)²", lambda lam: 1 / lam**2 - 1 / (1 + sign * lam) ** 2)
    modular_prime = fn(
        "±1/(1±λ) − 1/λ", lambda lam: sign / (1 + sign * lam) - 1 / lam, modular_second
    )
    modular = fn("ln((1±λ)/λ)", lambda lam: jnp.log1p(sign * lam) - jnp.log(lam), modular_prime)
    entropy = fn(
        "s(λ)",
        lambda lam: sign * (1 + sign * lam) * jnp.log1p(sign * lam) - lam * jnp.log(lam),
        modular,
    )
    log_partition_second = fn("−1/(1±λ)²", lambda lam: -sign / (1 + sign * lam) ** 2)
    log_partition_prime = fn("1/(1±λ)", lambda lam: 1 / (1 + sign * lam), log_partition_second)
    log_partition = fn("±ln(1±λ)", lambda lam: sign * jnp.log1p(sign * lam), log_partition_prime)
    return {"entropy": entropy, "modular": modular, "log_partition": log_partition}


_FUNCTIONS = {"boson": _functions(1, _clip_boson), "fermion": _functions(-1, _clip_fermion)}


def gaussian_function(statistics: str, name: str) -> SpectralFunction:
    """The spectral function `name` (`"entropy"`, `"modular"`, `"log_partition"`) of Gaussian
    states of `statistics`."""
    return _FUNCTIONS[statistics][name]


def _hermitian(name: str, c: ArrayLike) -> Array:
    c = jnp.asarray(c)
    if c.ndim != 2 or c.shape[0] != c.shape[1]:
        raise ValueError(f"`{name}` must be a square matrix, got shape {c.shape}.")
    if not jnp.issubdtype(c.dtype, jnp.inexact):
        c = c.astype(jnp.result_type(float))
    return 0.5 * (c + dagger(c))


def entropy(covariance: Inexact[ArrayLike, "L L"], statistics: str = "boson") -> Float[Array, ""]:
    """Von Neumann entropy (nats) of the Gaussian state with correlation matrix `C`:

        bosons:   S = Tr[(1 + C) ln(1 + C) - C ln C]         (paper 000, Eq. (19))
        fermions: S = -Tr[C ln C + (1 - C) ln(1 - C)].

    Invariant under `C -> U C U†` (any single-particle basis). Differentiable to second order
    (`dS = Tr[ln((1 ± C)/C) dC]`), also at degenerate or pure states.

    **Arguments:** `covariance` `C` (L × L); `statistics`.

    **Returns:** `S` (nats).
    """
    fn = gaussian_function(check_statistics(statistics), "entropy")
    return trace_function(_hermitian("covariance", covariance), fn)


def log_partition_function(
    covariance: Inexact[ArrayLike, "L L"], statistics: str = "boson"
) -> Float[Array, ""]:
    """`ln Z = Tr ln(1 + C)` (bosons; paper 000, Eq. (21)) or `-Tr ln(1 - C)` (fermions), the
    normalisation of `ρ = exp(-Σ K_ij a_i† a_j)/Z` with `K = ln((1 ± C)/C)`; it satisfies
    `ln Z = S - Tr[C K]` (the Legendre relation of Eq. (21)).

    **Arguments:** `covariance` (L × L); `statistics`.

    **Returns:** `ln Z`.
    """
    fn = gaussian_function(check_statistics(statistics), "log_partition")
    return trace_function(_hermitian("covariance", covariance), fn)


def modular_hamiltonian(
    covariance: Inexact[ArrayLike, "L L"], statistics: str = "boson"
) -> Inexact[Array, "L L"]:
    """`K = ln((1 ± C)/C) = δS/δC` (paper 000, Eq. (24) `Λ = log(1 + n^{-1})` for bosons): the
    single-particle matrix with `ρ ∝ exp(-Σ K_ij a_i† a_j)`.

    **Arguments:** `covariance` (L × L); `statistics`.

    **Returns:** `K`, L × L.
    """
    fn = gaussian_function(check_statistics(statistics), "modular")
    return matrix_function(_hermitian("covariance", covariance), fn)


def relative_entropy(
    covariance1: Inexact[ArrayLike, "L L"],
    covariance2: Inexact[ArrayLike, "L L"],
    statistics: str = "boson",
) -> Float[Array, ""]:
    """Relative entropy `D(ρ1 ‖ ρ2) = Tr[ρ1 (ln ρ1 - ln ρ2)]` (nats) of Gaussian states:

        D = Tr[C1 K2] + ln Z2 - S(C1),   K2 = ln((1 ± C2)/C2),

    which for bosons is paper 000's (A13)/(23) with the logarithms taken separately
    (`-S(C1) + Tr[(1 + C1) ln(1 + C2) - C1 ln C2]`; the single-log form (23) is only right
    when the matrices commute, see the conventions page) and for fermions
    `-S(C1) - Tr[C1 ln C2 + (1 - C1) ln(1 - C2)]` (derived from `ln ρ2 = -a†K2 a - ln Z2`;
    checked against dense density matrices in the tests). `D >= 0`, zero iff `C1 = C2`.

    **Arguments:** `covariance1`, `covariance2` (L × L); `statistics`.

    **Returns:** `D(ρ1 ‖ ρ2)` (nats).
    """
    statistics = check_statistics(statistics)
    c1 = _hermitian("covariance1", covariance1)
    c2 = _hermitian("covariance2", covariance2)
    if c1.shape != c2.shape:
        raise ValueError(f"covariance shapes differ: {c1.shape} and {c2.shape}.")
    # The eigendecompositions of C2 and C1 run one after the other (`after`): independent
    # batched LAPACK calls in flight together can deadlock XLA:CPU's pool under vmap.
    k2 = matrix_function(c2, gaussian_function(statistics, "modular"))
    cross = jnp.real(jnp.sum(jnp.transpose(k2) * c1))
    log_z2 = trace_function(after(c2, k2), gaussian_function(statistics, "log_partition"))
    s1 = trace_function(after(c1, log_z2), gaussian_function(statistics, "entropy"))
    return cross + log_z2 - s1


def wigner_entropy(covariance: Inexact[ArrayLike, "L L"]) -> Float[Array, ""]:
    """Wigner entropy `S_W = -∫ dα W ln W` (paper 002, Eq. (12)) of a bosonic Gaussian state
    without squeezing or displacement:

        S_W = ln det(C + 1/2) + L (1 + ln π),

    from the Gaussian Wigner function (A5) with `Θ = (C + 1/2) ⊕ (C^T + 1/2)` and the measure
    `d²α` per mode (a thermal mode has `W = e^{-|α|²/(n+1/2)} / (π(n+1/2))`, so
    `S_W = ln(π(n + 1/2)) + 1`).

    **Arguments:** `covariance` (L × L, bosonic).

    **Returns:** `S_W`.
    """
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

    **Arguments:** `covariances` (a sequence of L × L); `statistics`.

    **Returns:** the trace (a scalar, complex in general).
    """
    statistics = check_statistics(statistics)
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
