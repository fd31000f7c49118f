"""Eigendecomposition of a Hermitian *arrowhead* matrix in `O(n²)`:

    A = [[α, z†], [z, diag(d)]]      (α real, d real (M,), z complex or real (M,)),

the single-particle Hamiltonian of one system mode coupled to reservoirs given by their mode
energies (Fano–Anderson, a resonant level between leads, paper 001's setup with `S = 1`).

Method (the rank-one step of LAPACK's divide and conquer, `dlaed2`/`dlaed4`/`dlaed3`, in the
arrowhead form of Jakovčević Stor, Slapničar & Barlow, Linear Algebra Appl. 464, 62 (2015)):

1. The phases of `z` are moved into the eigenvectors (`A = P Â P†`, `P = diag(1, z/|z|)`), so
   `Â` is real with `z ≥ 0`; the poles `d` are sorted.
2. Deflation (Gu & Eisenstat): a coupling `|z_k| ≤ tol` leaves `(d_k, e_k)` an eigenpair; two
   poles whose rotation onto one coupling leaves an off-diagonal `|(d_j − d_k) c s| ≤ tol`
   (degenerate or nearly degenerate modes, e.g. two identical leads) are rotated so that one
   of them decouples. `tol = 8 ε max(|α|, |d|, |z|)`, as `dlaed2`.
3. The other eigenvalues are the roots of the secular function
   `f(λ) = α − λ + Σ_k z_k²/(λ − d_k)`, one between consecutive active poles, one below the
   first, one above the last. Each is found by bisection of `δ = λ − d_o` relative to its
   nearer pole `d_o` on the ordered bit patterns of floating-point numbers (at most 64 steps,
   full relative accuracy of `δ`, so `λ − d_k` is accurate even for a root next to a pole).
4. The couplings are recomputed from the computed roots (Löwner / Gu–Eisenstat),
   `ẑ_k² = |λ_0 − d_k| |λ_k − d_k| Π_{j≠k} (λ_j − d_k)/(d_j − d_k)`, and the eigenvectors
   `v_j ∝ (1, ẑ_k/(λ_j − d_k))` are then numerically orthogonal (those of a nearby arrowhead).

Each step is `O(n²)` elementwise work (no `O(n³)` product; `n = M + 1`); against a dense `eigh`
at `n = 8001` it takes seconds instead of most of a minute. The derivative is the one of any
Hermitian eigendecomposition (`dλ = diag(V† dA V)`, `dV = V (F ∘ V† dA V)`), defined by a
custom JVP (degenerate eigenvalues give non-finite `dV`, as for `jnp.linalg.eigh`).
"""

import jax
import jax.lax as lax
import jax.numpy as jnp

from .._custom_types import Array, Float, Inexact


def _keys(x: Array) -> Array:
    """Integers in the order of the floats `x` (−x for negatives of the bit pattern of |x|)."""
    itype = jnp.int64 if x.dtype == jnp.float64 else jnp.int32
    bits = lax.bitcast_convert_type(jnp.abs(x), itype)
    return jnp.where(x < 0, -bits, bits)


def _floats(keys: Array, dtype) -> Array:
    """Inverse of `_keys`."""
    itype = jnp.int64 if dtype == jnp.float64 else jnp.int32
    magnitude = lax.bitcast_convert_type(jnp.abs(keys).astype(itype), dtype)
    return jnp.where(keys < 0, -magnitude, magnitude)


def _deflate(d: Array, z: Array, tol: Array):
    """Gu–Eisenstat deflation of sorted poles `d` with couplings `z ≥ 0` (`dlaed2`).

    Returns `(d, z, active, rotations)`: rotated poles and couplings (a deflated pole has
    `z = 0`), the mask of poles left in the secular equation, and for each step `k` a
    rotation `(p, k, c, s)` of coordinates `p < k` (`c = 1, s = 0` where none happened)."""
    m = d.shape[0]

    def step(carry, k):
        d, z, prev = carry
        p = jnp.maximum(prev, 0)
        dk, zk, dp, zp = d[k], z[k], d[p], z[p]
        small = zk <= tol
        tau = jnp.hypot(zp, zk)
        c = zk / jnp.where(tau > 0, tau, 1)
        s = zp / jnp.where(tau > 0, tau, 1)
        rotate = (~small) & (prev >= 0) & (jnp.abs((dk - dp) * c * s) <= tol)
        d = d.at[p].set(jnp.where(rotate, dp * c**2 + dk * s**2, dp))
        d = d.at[k].set(jnp.where(rotate, dp * s**2 + dk * c**2, dk))
        z = z.at[p].set(jnp.where(rotate, 0, zp))
        z = z.at[k].set(jnp.where(rotate, tau, jnp.where(small, 0, zk)))
        prev = jnp.where(small, prev, k)
        rotation = (jnp.where(rotate, p, k), k, jnp.where(rotate, c, 1), jnp.where(rotate, s, 0))
        return (d, z, prev), rotation

    (d, z, _), rotations = lax.scan(step, (d, z, jnp.asarray(-1)), jnp.arange(m))
    return d, z, z > 0, rotations


def _secular_roots(alpha, d, z2, active, lower, upper):
    """The `m + 1` roots of `f(λ) = α − λ + Σ_active z_k²/(λ − d_k)` (f decreasing between its
    poles): slot 0 below the first active pole, slot `k + 1` right of active pole `k` (up to
    the next one, or to `upper`). Returns `(origin, δ)` with root `= origin + δ`, `origin` a
    pole wherever the interval has one (relative accuracy of `δ`); deflated slots return
    their pole with `δ = 0`."""
    m = d.shape[0]
    dtype = d.dtype
    idx = jnp.where(active, jnp.arange(m), m)
    nxt = lax.cummin(jnp.concatenate([idx[1:], jnp.array([m])])[::-1])[::-1]  # next active
    first = jnp.min(idx)
    has_pole = first < m
    d_first = jnp.where(has_pole, d[jnp.minimum(first, m - 1)], 0)
    d_next = jnp.where(nxt < m, d[jnp.minimum(nxt, m - 1)], upper)

    def f(lam_origin, delta):  # f at origin + δ, differences taken from the origin
        diff = (lam_origin[:, None] - d[None, :]) + delta[:, None]
        terms = jnp.where(active[None, :], z2[None, :] / jnp.where(active[None, :], diff, 1), 0)
        return (alpha - lam_origin) - delta + jnp.sum(terms, axis=1)

    # slot 0: (lower, d_first) with origin d_first; or (lower, upper) around 0 if no pole
    # slots k+1: (d_k, d_next) — origin chosen by the sign of f at the midpoint
    left = jnp.concatenate([jnp.reshape(lower, (1,)), d])
    right = jnp.concatenate([jnp.reshape(jnp.where(has_pole, d_first, upper), (1,)), d_next])
    mid = 0.5 * (left + right)
    f_mid = f(mid, jnp.zeros_like(mid))
    right_is_pole = jnp.concatenate([has_pole[None], nxt < m])
    to_right = (f_mid > 0) & right_is_pole  # root in (mid, right): measure from the right pole
    to_right = to_right.at[0].set(has_pole)
    origin = jnp.where(to_right, right, left)
    origin = origin.at[0].set(jnp.where(has_pole, d_first, 0))
    lo = jnp.where(to_right, mid - right, 0)
    hi = jnp.where(to_right, 0, right - left)
    hi = jnp.where(to_right | ~right_is_pole, hi, mid - left)
    lo = lo.at[0].set(jnp.where(has_pole, lower - d_first, lower))
    hi = hi.at[0].set(jnp.where(has_pole, 0, upper))
    lo_k, hi_k = _keys(lo.astype(dtype)), _keys(hi.astype(dtype))

    def bisect(_, keys):
        lo_k, hi_k = keys
        mid_k = (lo_k >> 1) + (hi_k >> 1) + (lo_k & hi_k & 1)
        right_of = f(origin, _floats(mid_k, dtype)) > 0  # f decreasing: root above mid
        open_ = mid_k > lo_k  # never evaluate an end (the pole itself); no overflow
        lo_k = jnp.where(open_ & right_of, mid_k, lo_k)
        return lo_k, jnp.where(open_ & ~right_of, mid_k, hi_k)

    bits = 64 if dtype == jnp.float64 else 32
    lo_k, hi_k = lax.fori_loop(0, bits, bisect, (lo_k, hi_k))
    delta = _floats(jnp.where(to_right, lo_k, hi_k), dtype)  # the end away from the pole
    deflated = jnp.concatenate([jnp.zeros((1,), bool), ~active])
    poles = jnp.concatenate([jnp.zeros((1,), dtype), d])
    origin = jnp.where(deflated, poles, origin)
    delta = jnp.where(deflated, 0, delta)
    return origin, delta


def _eigenvectors(d, active, origin, delta):
    """Columns `(1, ẑ_k/(λ_j − d_k))/‖·‖` with Gu–Eisenstat couplings `ẑ` recomputed from the
    roots; deflated slots give unit vectors. Rows: system, then the poles."""
    m = d.shape[0]
    dtype = d.dtype
    root_active = jnp.concatenate([jnp.ones((1,), bool), active])  # slot 0 always a root
    # λ_j − d_k for every root j (rows) and pole k (columns), from the root's origin
    gap = (origin[:, None] - d[None, :]) + delta[:, None]
    pole_gap = d[:, None] - d[None, :]  # d_j − d_k (row j pairs with slot j + 1)
    pair = active[:, None] & active[None, :] & ~jnp.eye(m, dtype=bool)
    ratio = jnp.where(pair, gap[1:, :] / jnp.where(pair, pole_gap, 1), 1)
    log_z2 = (
        jnp.log(jnp.abs(gap[0, :]))
        + jnp.log(jnp.abs(jnp.where(active, jnp.diagonal(gap[1:, :]), 1)))
        + jnp.sum(jnp.log(jnp.abs(ratio)), axis=0)
    )
    z_hat = jnp.where(active, jnp.exp(0.5 * log_z2), 0)
    x = jnp.where(active[None, :], z_hat[None, :] / jnp.where(active[None, :], gap, 1), 0)
    cols = jnp.concatenate([jnp.ones((m + 1, 1), dtype), x], axis=1)  # (slot, component)
    cols = jnp.where(root_active[:, None], cols, jnp.eye(m + 1, dtype=dtype))
    norm = jnp.sqrt(jnp.sum(cols**2, axis=1))
    return (cols / norm[:, None]).T  # (component, slot)


def _unrotate(v: Array, rotations) -> Array:
    """Undo the deflation's rotations of coordinates (rows `1 + p`, `1 + k`), last first.
    One gather and one scatter of the two rows per step (two dynamic slices and updates
    made XLA:CPU copy the whole matrix every step: 4.5 s instead of 0.03 s at n = 2001)."""
    p, k, c, s = rotations

    def step(i, v):
        j = p.shape[0] - 1 - i
        rows = jnp.stack([1 + p[j], 1 + k[j]])
        vp, vk = v[rows]
        return v.at[rows].set(jnp.stack([c[j] * vp + s[j] * vk, c[j] * vk - s[j] * vp]))

    rotated = jnp.any(p != k)
    return lax.cond(rotated, lambda v: lax.fori_loop(0, p.shape[0], step, v), lambda v: v, v)


@jax.jit
def _arrowhead_eigh_real(alpha, d, z):
    """Eigenvalues (ascending) and orthogonal eigenvectors of the real arrowhead with `z ≥ 0`
    (compiled as one program: an eager call would otherwise run its loops op by op)."""
    dtype = d.dtype
    order = jnp.argsort(d)
    d_sorted, z_sorted = d[order], z[order]
    eps = jnp.finfo(dtype).eps
    scale = jnp.maximum(jnp.abs(alpha), jnp.maximum(jnp.max(jnp.abs(d)), jnp.max(z)))
    tol = 8 * eps * scale
    d_def, z_def, active, rotations = _deflate(d_sorted, z_sorted, tol)
    radius = jnp.sqrt(jnp.sum(z_def**2))
    lower = jnp.minimum(alpha, jnp.min(d_def)) - radius - tol - eps * scale
    upper = jnp.maximum(alpha, jnp.max(d_def)) + radius + tol + eps * scale
    origin, delta = _secular_roots(alpha, d_def, z_def**2, active, lower, upper)
    v = _eigenvectors(d_def, active, origin, delta)
    v = _unrotate(v, rotations)
    v = jnp.zeros_like(v).at[0].set(v[0]).at[1 + order].set(v[1:])  # undo the sort of poles
    lam = origin + delta
    ascending = jnp.argsort(lam)
    return lam[ascending], v[:, ascending]


@jax.custom_jvp
def arrowhead_eigh(
    alpha: Float[Array, ""], d: Float[Array, " M"], z: Inexact[Array, " M"]
) -> tuple[Float[Array, " n"], Inexact[Array, "n n"]]:
    """`(λ, V)` of the Hermitian arrowhead `A = [[α, z†], [z, diag(d)]]` (`n = M + 1`):
    `A = V diag(λ) V†`, `λ` ascending, like `jnp.linalg.eigh(A)` but in `O(n²)` (see the
    module docstring). `z` may be complex; `V` is real if `z` is.

    **Arguments:** `alpha` (real scalar), `d` (real, `(M,)`), `z` (`(M,)`; column 0 of `A`
    below the corner).

    **Returns:** `λ` `(n,)`, `V` `(n, n)` (columns are eigenvectors).
    """
    dtype = jnp.result_type(d, float)
    magnitude = jnp.abs(z).astype(dtype)
    lam, v = _arrowhead_eigh_real(jnp.asarray(alpha, dtype), d.astype(dtype), magnitude)
    # phases (signs) of z back into the eigenvectors: A = P Â P†, P = diag(1, z/|z|)
    phase = jnp.where(magnitude > 0, z / jnp.where(magnitude > 0, magnitude, 1), 1)
    v = v.astype(phase.dtype) * jnp.concatenate([jnp.ones((1,), phase.dtype), phase])[:, None]
    return lam, v


def arrowhead_matrix(alpha, d, z) -> Array:
    """The dense `[[α, z†], [z, diag(d)]]` (for tests and the JVP)."""
    dtype = jnp.result_type(alpha, d, z)
    m = d.shape[0]
    a = jnp.zeros((m + 1, m + 1), dtype).at[0, 0].set(alpha)
    a = a.at[1:, 0].set(z).at[0, 1:].set(jnp.conj(z))
    return a.at[jnp.arange(1, m + 1), jnp.arange(1, m + 1)].set(d)


@arrowhead_eigh.defjvp
def _arrowhead_eigh_jvp(primals, tangents):
    alpha, d, z = primals
    dalpha, dd, dz = tangents
    lam, v = arrowhead_eigh(alpha, d, z)
    # dA V from the arrowhead structure of dA (O(n²)), then V† (dA V)
    da_v = jnp.concatenate(
        [
            (dalpha * v[0] + jnp.conj(dz) @ v[1:])[None, :],
            dz[:, None] * v[0][None, :] + dd[:, None] * v[1:],
        ]
    )
    vdv = jnp.conj(v.T) @ da_v
    dlam = jnp.real(jnp.diagonal(vdv))
    off = ~jnp.eye(lam.shape[0], dtype=bool)
    gaps = lam[None, :] - lam[:, None]
    inverse = jnp.where(off, 1 / jnp.where(off, gaps, 1), 0)  # inf at degenerate pairs
    dv = v @ (inverse.astype(v.dtype) * vdv)
    return (lam, v), (dlam, dv.astype(v.dtype))
