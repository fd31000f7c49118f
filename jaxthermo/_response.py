"""Linear and second-order response of steady-state fluxes to thermodynamic affinities, for
every model family (through the verbs `steady_state` and `currents`).

One routine, `flux_response`: a model is built from per-bath `(T_α, μ_α)`; its steady state
and fluxes are differentiated with `jax.jacfwd` (implicit differentiation through the steady
state) along directions in the space of `(β_α, β_α μ_α)`, at an equilibrium point.
`onsager_coefficients` and `jaxthermo.fewlevel.micro_onsager_coefficients` are two choices
of fluxes and directions.
"""

from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp

from ._contract import currents, steady_state
from ._custom_types import Array, ArrayLike, Float


def _equilibrium(temperatures, chemical_potentials):
    temps = jnp.asarray(temperatures, dtype=jnp.result_type(float))
    if temps.ndim != 1 or temps.shape[0] < 2:
        raise ValueError(f"`temperatures` must have shape (N,), N >= 2, got {temps.shape}.")
    mus = (
        jnp.zeros_like(temps)
        if chemical_potentials is None
        else jnp.asarray(chemical_potentials, dtype=temps.dtype)
    )
    if mus.shape != temps.shape:
        raise ValueError("`chemical_potentials` must have the shape of `temperatures`.")
    temps = eqx.error_if(
        temps,
        jnp.any(temps != temps[0]) | jnp.any(mus != mus[0]),
        "Onsager coefficients: expand around an equilibrium point (all baths at the same "
        "temperature and chemical potential).",
    )
    return temps, mus


def flux_response(
    make_model: Callable[[Array, Array], Any],
    temperatures: Float[ArrayLike, " N"],
    chemical_potentials: Float[ArrayLike, " N"] | None,
    directions: Float[ArrayLike, "K N 2"],
    fluxes: Callable[[Any, Any], Array],
    *,
    method: Any = None,
    second_order: bool = False,
):
    """Derivatives of `fluxes(model, steady_state(model, method))` with respect to the
    affinities `x ∈ R^K`, where `(β_α, β_α μ_α) = (β₀, β₀μ₀) + Σ_k x_k directions[k, α]`.

    **Arguments:** `make_model(temperatures, chemical_potentials)` (per-bath arrays of shape
    `(N,)`); the equilibrium point `temperatures`, `chemical_potentials` (all entries equal;
    default μ = 0); `directions` `(K, N, 2)`; `fluxes(model, state)` → an array; `method`
    (passed to `steady_state`); `second_order`.

    **Returns:** `(fluxes at x = 0, ∂J/∂x, ∂²J/∂x∂x or None)`, the derivative axes last.
    """
    temps, mus = _equilibrium(temperatures, chemical_potentials)
    beta0 = 1.0 / temps
    base = jnp.stack([beta0, beta0 * mus], axis=-1)  # (N, 2)
    directions = jnp.asarray(directions, temps.dtype)
    return _derivatives(make_model, fluxes, method, base, directions, bool(second_order))


# Compiled as one program (equinox.filter_jit: `make_model`, `fluxes` and an array-free
# `method` are static, so a second call with the same functions reuses it). Run op by op,
# the Jacobian of a steady state compiled hundreds of small programs: measured for a junction,
# 14 s for the first eager call against 1.4 s compiled; inside a user's jit it is inlined.
@eqx.filter_jit
def _derivatives(make_model, fluxes, method, base, directions, second_order):
    def response(x):
        point = base + jnp.einsum("k,kna->na", x, directions)
        beta, beta_mu = point[:, 0], point[:, 1]
        model = make_model(1.0 / beta, beta_mu / beta)
        return fluxes(model, steady_state(model, method))

    x0 = jnp.zeros(directions.shape[0], base.dtype)
    linear = jax.jacfwd(response)(x0)
    second = jax.jacfwd(jax.jacfwd(response))(x0) if second_order else None
    return response(x0), linear, second


class _BathFluxes(eqx.Module):
    """`(J^E_0, …, J^E_{m−1}, J^P_0, …, J^P_{m−1})` of the first `m` baths (a module, not a
    closure: equal for equal arguments, so the compiled response is reused)."""

    picture: str = eqx.field(static=True)
    m: int = eqx.field(static=True)

    def __call__(self, model, state):
        flows = currents(model, state, picture=self.picture)
        return jnp.concatenate([flows.energy[: self.m], flows.particle[: self.m]])


class OnsagerCoefficients(eqx.Module):
    """Linear and second-order response of bath currents to affinities, at equilibrium.

    Currents `J = (J^E_0, …, J^E_{N−2}, J^P_0, …, J^P_{N−2})` of all baths but the last
    (the reference); affinities `X = (X^E_α, X^P_α)` with `X^E_α = β_ref − β_α`,
    `X^P_α = β_α μ_α − β_ref μ_ref`, so that `σ = Σ_i J_i X_i` (using `Σ J = 0` at a steady
    state).

    **Attributes:** `linear` (`L_ij = ∂J_i/∂X_j`, shape `(2(N−1), 2(N−1))`), `second_order`
    (`∂²J_i/∂X_j∂X_k`), `currents` (J at the reference point, ~0), `reciprocity_error`
    (`max|L − L^T|` relative to `max|L|`).
    """

    linear: Float[Array, "n n"]
    second_order: Float[Array, "n n n"]
    currents: Float[Array, " n"]
    reciprocity_error: Float[Array, ""]


def reciprocity_error(matrix: Array) -> Array:
    """`max|L − Lᵀ| / max|L|` over the last two axes."""
    scale = jnp.maximum(jnp.max(jnp.abs(matrix)), jnp.finfo(matrix.dtype).tiny)
    return jnp.max(jnp.abs(matrix - jnp.swapaxes(matrix, -1, -2))) / scale


def onsager_coefficients(
    make_model: Callable[[Array, Array], Any],
    temperatures: Float[ArrayLike, " N"],
    chemical_potentials: Float[ArrayLike, " N"] | None = None,
    *,
    method: Any = None,
    picture: str = "local",
    second_order: bool = True,
) -> OnsagerCoefficients:
    """Onsager matrix `L_ij = ∂J_i/∂X_j` and second-order coefficients `∂²J_i/∂X_j∂X_k` of the
    steady-state bath currents of any model family, by forward-mode autodiff through its
    steady state (implicit differentiation), at an equilibrium point.

    **Arguments:**

    - `make_model(temperatures, chemical_potentials)`: builds the model (a `QuadraticModel`,
      `fewlevel.FewLevelModel`, `junction.Junction`, ...) from per-bath arrays of shape
      `(N,)`, in the order of its baths.
    - `temperatures`, `chemical_potentials`: the equilibrium point, shape `(N,)`, all entries
      equal (`T_0`, `μ_0`; default μ = 0).
    - `method`: passed to `steady_state`; `picture`: passed to `currents`.
    - `second_order`: also compute `∂²J_i/∂X_j∂X_k` (default True; NaN otherwise).

    **Returns:** `OnsagerCoefficients`; reciprocity `L = Lᵀ` (no magnetic field) is reported
    in `.reciprocity_error`.
    """
    n = jnp.shape(jnp.asarray(temperatures))[0]
    m = n - 1
    directions = jnp.zeros((2 * m, n, 2))
    for a in range(m):
        directions = directions.at[a, a, 0].set(-1.0)  # X^E_α = β_ref − β_α
        directions = directions.at[m + a, a, 1].set(1.0)  # X^P_α = β_α μ_α − β_ref μ_ref

    j0, linear, second = flux_response(
        make_model,
        temperatures,
        chemical_potentials,
        directions,
        _BathFluxes(picture, m),
        method=method,
        second_order=second_order,
    )
    if second is None:
        second = jnp.full(linear.shape + linear.shape[-1:], jnp.nan, linear.dtype)
    return OnsagerCoefficients(linear, second, j0, reciprocity_error(linear))
