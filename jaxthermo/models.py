"""Ready-made models from the papers. Each returns a `QuadraticModel` whose numbers are
array leaves (differentiable, vmappable)."""

import jax.numpy as jnp

from ._baths import BosonBath, FermionBath, occupation_temperature
from ._custom_types import RealScalarLike
from ._quadratic import QuadraticModel


def _bath_temperature(side, temperature, occupation, frequency, statistics):
    if (temperature is None) == (occupation is None):
        raise ValueError(
            f"chain: give exactly one of `temperature_{side}` and `occupation_{side}`."
        )
    if temperature is not None:
        return temperature
    return occupation_temperature(occupation, frequency, statistics)


def chain(
    sites: int,
    hopping: RealScalarLike,
    rate: RealScalarLike,
    *,
    frequency: RealScalarLike = 1.0,
    temperature_left: RealScalarLike | None = None,
    temperature_right: RealScalarLike | None = None,
    occupation_left: RealScalarLike | None = None,
    occupation_right: RealScalarLike | None = None,
    statistics: str = "boson",
) -> QuadraticModel:
    """The resonant chain of paper 002, Eq. (27), with baths at both ends:

        Ĥ = ω Σ_k a_k† a_k + iλ Σ_{k=1}^{L-1} (a_k† a_{k+1} - a_{k+1}† a_k),

    i.e. `H_kk = ω`, `H_{k,k+1} = iλ`, `H_{k+1,k} = -iλ`; a thermal bath of rate γ on the
    first site (`temperature_left` or `occupation_left` at frequency ω) and one on the last.

    **Arguments:**

    - `sites`: `L >= 2` (static).
    - `hopping`: `λ`; `rate`: `γ` (both baths); `frequency`: `ω` (default 1).
    - `temperature_left` / `occupation_left`: the first bath, by temperature or by its
      occupation `n_1` at frequency ω (paper 002 quotes occupations); likewise `_right`.
    - `statistics`: `"boson"` (the paper) or `"fermion"`.

    Returns a `QuadraticModel` with `baths = (left, right)`. For `Γ = 0` its steady state
    has the closed forms (29a)–(29b) of the paper.
    """
    if not isinstance(sites, int) or sites < 2:
        raise ValueError(f"chain: `sites` must be an int >= 2, got {sites!r}.")
    omega = jnp.asarray(frequency, dtype=jnp.result_type(float))
    lam = jnp.asarray(hopping, dtype=jnp.result_type(float))
    t_left = _bath_temperature("left", temperature_left, occupation_left, omega, statistics)
    t_right = _bath_temperature("right", temperature_right, occupation_right, omega, statistics)
    k = jnp.arange(sites - 1)
    h = jnp.diag(jnp.full(sites, omega)).astype(jnp.result_type(omega, 1j))
    h = h.at[k, k + 1].set(1j * lam).at[k + 1, k].set(-1j * lam)
    bath = {"boson": BosonBath, "fermion": FermionBath}[statistics]
    baths = (
        bath(0, rate, t_left, frequency=omega),
        bath(sites - 1, rate, t_right, frequency=omega),
    )
    return QuadraticModel(h, baths, statistics)
