"""Bose–Einstein and Fermi–Dirac occupations: the one implementation every model family uses
(quadratic baths, few-level fields, the junction's leads, finite reservoirs).

Everything is written in terms of the exponent `x = β(ω − μ)` so that a frequency-dependent
`β(ω)` (paper 003, Sec. VI) and a constant temperature share the same code, and so that the
occupation and its complement (`n + 1` for bosons, `1 − f` for fermions) are each evaluated
without cancellation.
"""

import jax
import jax.numpy as jnp

from ._custom_types import Array, ArrayLike, Float


STATISTICS = ("boson", "fermion")


def check_statistics(statistics: str, owner: str = "") -> str:
    """`statistics` if it is `"boson"` or `"fermion"`; a `ValueError` naming it otherwise."""
    if statistics not in STATISTICS:
        where = f"{owner}: " if owner else ""
        raise ValueError(f"{where}`statistics` must be 'boson' or 'fermion', got {statistics!r}.")
    return statistics


def occupation_factors(
    exponent: Float[ArrayLike, "..."], statistics: str
) -> tuple[Float[Array, "..."], Float[Array, "..."]]:
    """`(n, 1 ± n)` as functions of `x = β(ω − μ)`: the absorption and emission weights.

    Bosons: `n = 1/(eˣ − 1) = e^{−x}/(−expm1(−x))` and `n + 1` (exact for small `x`,
    `n ≈ 1/x`; underflows cleanly to 0 for large `x`; requires `x > 0`). Fermions:
    `f = σ(−x)` and `1 − f = σ(x)` (logistic sigmoids: stable for any `x`).
    """
    x = jnp.asarray(exponent)
    if check_statistics(statistics) == "boson":
        n = jnp.exp(-x) / (-jnp.expm1(-x))
        return n, n + 1.0
    return jax.nn.sigmoid(-x), jax.nn.sigmoid(x)


def occupation(exponent: Float[ArrayLike, "..."], statistics: str) -> Float[Array, "..."]:
    """`1/(eˣ ∓ 1)` with `x = β(ω − μ)` (see `occupation_factors`)."""
    return occupation_factors(exponent, statistics)[0]


def bose_einstein(
    frequency: Float[ArrayLike, "..."],
    temperature: Float[ArrayLike, "..."],
    chemical_potential: Float[ArrayLike, "..."] = 0.0,
) -> Float[Array, "..."]:
    """Bose–Einstein occupation `n = 1 / (exp((ω − μ)/T) − 1)` (ħ = k_B = 1).

    **Arguments:** `frequency` `ω`, `temperature` `T > 0`, `chemical_potential` `μ < ω`
    (energies; broadcast against each other). Not checked here: the baths check.

    **Returns:** `n`, dimensionless, with finite derivatives in every argument (evaluated as
    `e^{−x}/(−expm1(−x))`, `x = (ω − μ)/T`).
    """
    x = (jnp.asarray(frequency) - chemical_potential) / temperature
    return occupation(x, "boson")


def fermi_dirac(
    frequency: Float[ArrayLike, "..."],
    temperature: Float[ArrayLike, "..."],
    chemical_potential: Float[ArrayLike, "..."] = 0.0,
) -> Float[Array, "..."]:
    """Fermi–Dirac occupation `f = 1 / (exp((ω − μ)/T) + 1)`.

    **Arguments:** `frequency` `ω`, `temperature` `T > 0`, `chemical_potential` `μ`.

    **Returns:** `f ∈ (0, 1)`, a logistic sigmoid of `−(ω − μ)/T` (stable for either sign and
    any magnitude).
    """
    x = (jnp.asarray(frequency) - chemical_potential) / temperature
    return occupation(x, "fermion")


def occupation_temperature(
    occupation: Float[ArrayLike, "..."],
    frequency: Float[ArrayLike, "..."],
    statistics: str = "boson",
    chemical_potential: Float[ArrayLike, "..."] = 0.0,
) -> Float[Array, "..."]:
    """The temperature at which a mode of `frequency` has `occupation` (the inverse of
    `bose_einstein` / `fermi_dirac`).

    **Arguments:** `occupation` `n` (bosons `n > 0`; fermions `0 < f < 1`), `frequency` `ω`,
    `statistics`, `chemical_potential` `μ`.

    **Returns:** `T = (ω − μ)/ln(1 + 1/n)` (bosons) or `(ω − μ)/ln(1/f − 1)` (fermions).
    Useful because paper 002 states its baths by occupations (Fig. 3: `n_1 = 1`, `n_L = 2`).
    """
    n = jnp.asarray(occupation)
    gap = jnp.asarray(frequency) - chemical_potential
    if check_statistics(statistics) == "boson":
        return gap / jnp.log1p(1.0 / n)
    return gap / jnp.log(1.0 / n - 1.0)
