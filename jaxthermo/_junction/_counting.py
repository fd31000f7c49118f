"""Exact two-terminal counting statistics: the Levitov–Lesovik formula.

For non-interacting fermions transmitted with probability `𝒯(ω)` between two leads with
Fermi functions `f_L`, `f_R`, the particles transferred from L to R (those arriving in the
second lead; in a steady state also the particles entering the system from L) have the scaled
cumulant generating function (ħ = 1)

    λ(s) = ∫ dω/(2π) ln[1 + 𝒯(ω) (f_L(1 − f_R)(e^{s} − 1) + f_R(1 − f_L)(e^{−s} − 1))]

(Levitov & Lesovik, JETP Lett. 58, 230 (1993); energy: `e^{±sω}`, each electron carrying
its energy ω). For the junction of paper 004, `𝒯(ω) = 2π T(ω)` with the `T(ω)` of Eq. (45)
(its Landauer current (43) is `∫dω T (f_L − f_R)`). Cumulants are exact s-derivatives of the
integrand (forward-mode autodiff), on a quadrature of the energy axis.
"""

import equinox as eqx
import jax
import jax.numpy as jnp

from .._checks import raise_if_bad
from .._contract import unsupported
from .._counting import AbstractCounting
from .._custom_types import Array, Float
from .._statistics import fermi_dirac
from ._model import junction_checks, occupations, transmission
from ._quadrature import Quadrature, band_nodes, band_quadrature


def levitov_lesovik(s, omega, weights, probability, f_left, f_right, energy: bool):
    """`λ(s)` of the module docstring on the nodes `omega` with `weights`."""
    x = s * omega if energy else s
    window = f_left * (1 - f_right) * jnp.expm1(x) + f_right * (1 - f_left) * jnp.expm1(-x)
    return jnp.sum(weights * jnp.log1p(probability * window)) / (2 * jnp.pi)


def taylor_cumulants(cgf, order: int, dtype) -> Float[Array, " order"]:
    """`(λ'(0), …, λ^{(order)}(0))` by nested forward-mode differentiation."""
    out, fn = [], cgf
    for _ in range(order):
        fn = jax.jacfwd(fn)
        out.append(fn(jnp.zeros((), dtype)))
    return jnp.stack(out)


class JunctionCounting(AbstractCounting):
    """Counting statistics of lead `lead` of the junction (exact: Levitov–Lesovik with the
    exact transmission on the junction's band quadrature); `N_R = −N_L`."""

    model: eqx.Module
    lead: int = eqx.field(static=True)
    energy: bool = eqx.field(static=True)
    quadrature: Quadrature

    def cgf(self, s):
        model = raise_if_bad(self.model, junction_checks(self.model))
        omega, weights = band_nodes(model, self.quadrature)
        f = occupations(model, omega)
        probability = 2 * jnp.pi * transmission(model, omega)
        sign = 1.0 if self.lead == 0 else -1.0
        return levitov_lesovik(sign * s, omega, weights, probability, f[:, 0], f[:, 1],
                               self.energy)  # fmt: skip

    def cumulants(self, order):
        return taylor_cumulants(self.cgf, order, self.model.gamma.dtype)

    def noise(self, omegas):
        raise unsupported(
            self.model,
            "noise_spectrum",
            "the junction's finite-frequency noise needs the full two-time lead correlations, "
            "which are not implemented; its zero-frequency noise is current_cumulants(...)[1].",
        )


def junction_counting(model, lead: int, quantity: str, quadrature: Quadrature) -> JunctionCounting:
    """The `AbstractCounting` of lead `lead` (0 = L, 1 = R), exact, on `quadrature`."""
    return JunctionCounting(model, lead, quantity == "energy", quadrature)


def levitov_lesovik_cumulants(
    transmission,
    temperatures,
    chemical_potentials,
    order: int = 3,
    *,
    quantity: str = "particle",
    panels: int = 400,
    nodes: tuple[Array, Array] | None = None,
) -> Float[Array, " order"]:
    """Scaled cumulants of the particles (or energy) transferred from the first lead to the
    second (arriving in the second lead) through a coherent conductor with transmission
    probability `transmission(ω)`, by the Levitov–Lesovik formula (module docstring).

    **Arguments:**

    - `transmission`: a JAX callable `ω -> 𝒯(ω)` (probability in [0, 1], vectorised over ω).
    - `temperatures`, `chemical_potentials`: `(T_1, T_2)`, `(μ_1, μ_2)` (energies; T > 0).
    - `order`: number of cumulants (>= 1, static).
    - `quantity`: `"particle"` or `"energy"`.
    - `panels`: equal Gauss–Legendre panels across the transport window (`[min μ − 40 T,
      max μ + 40 T]`, with graded panels at each μ on the scale T); raise it to resolve narrow
      transmission resonances. `nodes`: your own `(ω, weights)` quadrature instead.

    **Returns:** `(c_1, …, c_order)`, per unit time (ħ = 1): `c_1` is the Landauer current
    `∫dω/2π 𝒯 (f_1 − f_2)`.
    """
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"levitov_lesovik_cumulants: `order` must be an int >= 1, got {order!r}.")
    if quantity not in ("particle", "energy"):
        raise ValueError(f"levitov_lesovik_cumulants: `quantity` must be 'particle' or "
                         f"'energy', got {quantity!r}.")  # fmt: skip
    if not callable(transmission):
        raise TypeError("levitov_lesovik_cumulants: `transmission` must be a callable ω -> 𝒯(ω).")
    temps = jnp.broadcast_to(jnp.asarray(temperatures, dtype=jnp.result_type(float)), (2,))
    mus = jnp.broadcast_to(jnp.asarray(chemical_potentials, dtype=temps.dtype), (2,))
    temps = eqx.error_if(temps, jnp.any(jnp.invert(temps > 0)),
                         "levitov_lesovik_cumulants: `temperatures` must be > 0.")  # fmt: skip
    if nodes is None:
        low = jnp.min(mus) - 40 * jnp.max(temps)
        high = jnp.max(mus) + 40 * jnp.max(temps)
        centre, half = 0.5 * (low + high), 0.5 * (high - low)
        rel, weights = band_quadrature(half, mus - centre, temps, uniform=panels)
        omega = centre + rel
    else:
        omega, weights = (jnp.asarray(x) for x in nodes)
    probability = jnp.asarray(transmission(omega))
    f1 = fermi_dirac(omega, temps[0], mus[0])
    f2 = fermi_dirac(omega, temps[1], mus[1])

    def cgf(s):
        return levitov_lesovik(s, omega, weights, probability, f1, f2, quantity == "energy")

    return taylor_cumulants(cgf, order, temps.dtype)
