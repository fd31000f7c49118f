"""Baths: thermal reservoirs attached to the modes of a quadratic model.

Conventions (CONVENTIONS.md): a bath contributes loss and gain rate matrices `Λ⁻_α, Λ⁺_α`
(Hermitian, >= 0) to the quadratic GKSL generator; the covariance equation uses
`G_α = Λ⁻_α - Λ⁺_α` (bosons) or `Λ⁻_α + Λ⁺_α` (fermions) and `F_α = Λ⁺_α`.
A local thermal bath on mode k with rate γ has, for bosons, `Λ⁻ = γ(n+1)`, `Λ⁺ = γn`
(so `G_kk = γ`, `F_kk = γn`), and for fermions `Λ⁻ = γ(1-f)`, `Λ⁺ = γf` (`G_kk = γ`,
`F_kk = γf`). Paper 002 Eq. (4) is the bosonic case.
"""

import abc
from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp

from ._custom_types import Array, ArrayLike, Float, Inexact, RealScalarLike


def bose_einstein(
    frequency: Float[ArrayLike, "..."],
    temperature: Float[ArrayLike, "..."],
    chemical_potential: Float[ArrayLike, "..."] = 0.0,
) -> Float[Array, "..."]:
    """Bose–Einstein occupation `n = 1 / (exp((ω - μ)/T) - 1)` (ħ = k_B = 1).

    Evaluated as `e^{-x} / (-expm1(-x))` with `x = (ω - μ)/T`, which is exact for small `x`
    (`n ≈ 1/x`), underflows cleanly to 0 for large `x`, and has finite derivatives in every
    argument at both ends. Requires `ω > μ` and `T > 0` (not checked here; the baths check).
    """
    x = (jnp.asarray(frequency) - chemical_potential) / temperature
    return jnp.exp(-x) / (-jnp.expm1(-x))


def fermi_dirac(
    frequency: Float[ArrayLike, "..."],
    temperature: Float[ArrayLike, "..."],
    chemical_potential: Float[ArrayLike, "..."] = 0.0,
) -> Float[Array, "..."]:
    """Fermi–Dirac occupation `f = 1 / (exp((ω - μ)/T) + 1)`, as a logistic sigmoid of
    `-(ω - μ)/T` (stable for either sign and any magnitude). Requires `T > 0`."""
    x = (jnp.asarray(frequency) - chemical_potential) / temperature
    return jax.nn.sigmoid(-x)


def occupation_temperature(
    occupation: Float[ArrayLike, "..."],
    frequency: Float[ArrayLike, "..."],
    statistics: str = "boson",
    chemical_potential: Float[ArrayLike, "..."] = 0.0,
) -> Float[Array, "..."]:
    """The temperature at which a mode of `frequency` has `occupation` (inverse of
    `bose_einstein` / `fermi_dirac`): `T = (ω - μ) / ln(1 + 1/n)` for bosons,
    `T = (ω - μ) / ln(1/f - 1)` for fermions. Useful because paper 002 states its baths by
    occupations (e.g. Fig. 3: `n_1 = 1`, `n_L = 2`)."""
    n = jnp.asarray(occupation)
    gap = jnp.asarray(frequency) - chemical_potential
    if statistics == "boson":
        return gap / jnp.log1p(1.0 / n)
    if statistics == "fermion":
        return gap / jnp.log(1.0 / n - 1.0)
    raise ValueError(f"`statistics` must be 'boson' or 'fermion', got {statistics!r}.")


def _real_scalar(owner: str, name: str, value) -> Array:
    x = jnp.asarray(value)
    if jnp.iscomplexobj(x):
        raise TypeError(f"{owner}: `{name}` must be real, got a complex value.")
    if x.ndim != 0:
        raise ValueError(
            f"{owner}: `{name}` must be a scalar, got shape {x.shape}. (To sweep a bath "
            "parameter, build the model inside `jax.vmap` instead of passing an array.)"
        )
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(jnp.result_type(float))
    return x


def eager_check(predicate, *arrays) -> bool:
    """`predicate(*arrays)` as a Python bool when every array is concrete (checked at
    construction, also while tracing with concrete constants), else False: traced values
    are checked at run time with `equinox.error_if` instead."""
    if any(isinstance(a, jax.core.Tracer) for a in arrays):
        return False
    with jax.ensure_compile_time_eval():
        return bool(predicate(*arrays))


def hermiticity_error(h: Array) -> Array:
    """True where `h` is not Hermitian (relative tolerance 1e-10)."""
    return jnp.max(jnp.abs(h - jnp.conj(h.T))) > 1e-10 * (1 + jnp.max(jnp.abs(h)))


def as_hamiltonian(value, owner: str) -> Array:
    """`value` as a square inexact array; raises if it is not square, or (when concrete) not
    Hermitian. Traced values are checked later with `equinox.error_if`."""
    h = jnp.asarray(value)
    if h.ndim != 2 or h.shape[0] != h.shape[1]:
        raise ValueError(f"{owner}: `hamiltonian` must be a square matrix, got shape {h.shape}.")
    if not jnp.issubdtype(h.dtype, jnp.inexact):
        h = h.astype(jnp.result_type(float))
    if eager_check(hermiticity_error, h):
        raise ValueError(f"{owner}: `hamiltonian` must be Hermitian (H == H^†).")
    return h


def _check_mode(owner: str, mode) -> int:
    if isinstance(mode, bool) or not isinstance(mode, (int, jnp.integer)):
        raise TypeError(f"{owner}: `mode` must be a Python int, got {mode!r}.")
    if mode < 0:
        raise ValueError(f"{owner}: `mode` must be >= 0, got {mode}.")
    return int(mode)


class LocalRates(eqx.Module):
    """Loss and gain rates of a bath acting on one mode: `Λ⁻ = loss |k⟩⟨k|`,
    `Λ⁺ = gain |k⟩⟨k|`."""

    mode: int = eqx.field(static=True)
    loss: Float[Array, ""]
    gain: Float[Array, ""]


class MatrixRates(eqx.Module):
    """Loss and gain rate matrices `Λ⁻`, `Λ⁺` (L x L, Hermitian, >= 0) of a non-local bath."""

    loss: Inexact[Array, "L L"]
    gain: Inexact[Array, "L L"]


class AbstractBath(eqx.Module):
    """A reservoir coupled to a quadratic model. Subclasses return their rates."""

    @abc.abstractmethod
    def rates(self, hamiltonian: Inexact[Array, "L L"]) -> LocalRates | MatrixRates:
        """`Λ⁻_α`, `Λ⁺_α` of this bath (may depend on the model's Hamiltonian, e.g. through
        the default bath frequency `H[mode, mode]`)."""


class AbstractThermalBath(AbstractBath):
    """A local thermal bath on one mode: `(mode, rate, temperature, chemical_potential,
    frequency)`."""

    mode: eqx.AbstractVar[int]
    rate: eqx.AbstractVar[Float[Array, ""]]
    temperature: eqx.AbstractVar[Float[Array, ""]]
    chemical_potential: eqx.AbstractVar[Float[Array, ""]]
    frequency: eqx.AbstractVar[Float[Array, ""] | None]
    statistics: ClassVar[str]

    def bath_frequency(self, hamiltonian: Inexact[Array, "L L"]) -> Float[Array, ""]:
        """`frequency` if given, else the mode's on-site energy `Re H[mode, mode]`."""
        if self.frequency is not None:
            return jnp.asarray(self.frequency)
        return jnp.real(hamiltonian[self.mode, self.mode])

    @abc.abstractmethod
    def occupation(self, hamiltonian: Inexact[Array, "L L"]) -> Float[Array, ""]:
        """Thermal occupation of the bath at its frequency."""

    def _checked(self) -> tuple[Array, Array]:
        name = type(self).__name__
        # jnp.asarray: leaves may have been replaced by Python numbers (eqx.tree_at).
        rate = jnp.asarray(self.rate)
        temperature = jnp.asarray(self.temperature)
        rate = eqx.error_if(rate, rate < 0, f"{name}: `rate` must be >= 0.")
        temperature = eqx.error_if(
            temperature,
            jnp.invert(temperature > 0),
            f"{name}: `temperature` must be > 0 (ħ = k_B = 1; T is an energy).",
        )
        return rate, temperature


def _init_thermal(self, owner, mode, rate, temperature, chemical_potential, frequency):
    self.mode = _check_mode(owner, mode)
    self.rate = _real_scalar(owner, "rate", rate)
    self.temperature = _real_scalar(owner, "temperature", temperature)
    self.chemical_potential = _real_scalar(owner, "chemical_potential", chemical_potential)
    self.frequency = None if frequency is None else _real_scalar(owner, "frequency", frequency)
    if eager_check(lambda r: r < 0, self.rate):
        raise ValueError(f"{owner}: `rate` must be >= 0, got {float(self.rate)}.")
    if eager_check(lambda t: jnp.invert(t > 0), self.temperature):
        raise ValueError(
            f"{owner}: `temperature` must be > 0, got {float(self.temperature)} "
            "(ħ = k_B = 1; T is an energy)."
        )


class BosonBath(AbstractThermalBath):
    """A local bosonic thermal bath on `mode` (paper 002, Eq. (4)):

        D[ρ] = γ(n+1) (a ρ a† - ½{a†a, ρ}) + γ n (a† ρ a - ½{a a†, ρ}),
        n = 1 / (exp((ω - μ)/T) - 1),

    i.e. `Λ⁻_kk = γ(n+1)`, `Λ⁺_kk = γn`, so `G_kk = γ` and `F_kk = γn`.

    **Arguments:**

    - `mode`: index `k` of the mode it acts on (static int).
    - `rate`: `γ >= 0` (energy units, ħ = 1).
    - `temperature`: `T > 0` (energy units, k_B = 1).
    - `chemical_potential`: `μ` (default 0); requires `μ < ω`.
    - `frequency`: `ω` at which the occupation is evaluated; default `Re H[k, k]`.

    Every number is a differentiable, vmappable array leaf. Several baths may act on the
    same mode.
    """

    mode: int = eqx.field(static=True)
    rate: Float[Array, ""]
    temperature: Float[Array, ""]
    chemical_potential: Float[Array, ""]
    frequency: Float[Array, ""] | None
    statistics: ClassVar[str] = "boson"

    def __init__(
        self,
        mode: int,
        rate: RealScalarLike,
        temperature: RealScalarLike,
        chemical_potential: RealScalarLike = 0.0,
        frequency: RealScalarLike | None = None,
    ):
        _init_thermal(self, "BosonBath", mode, rate, temperature, chemical_potential, frequency)

    def occupation(self, hamiltonian):
        _, temperature = self._checked()
        omega = self.bath_frequency(hamiltonian)
        mu = jnp.asarray(self.chemical_potential)
        mu = eqx.error_if(
            mu,
            jnp.invert(mu < omega),
            "BosonBath: `chemical_potential` must be below the bath `frequency` "
            "(Bose–Einstein occupation diverges for μ >= ω).",
        )
        return bose_einstein(omega, temperature, mu)

    def rates(self, hamiltonian):
        rate, _ = self._checked()
        n = self.occupation(hamiltonian)
        return LocalRates(self.mode, rate * (n + 1), rate * n)


class FermionBath(AbstractThermalBath):
    """A local fermionic thermal bath on `mode`:

        D[ρ] = γ(1-f) (c ρ c† - ½{c†c, ρ}) + γ f (c† ρ c - ½{c c†, ρ}),
        f = 1 / (exp((ω - μ)/T) + 1),

    i.e. `Λ⁻_kk = γ(1-f)`, `Λ⁺_kk = γf`, so `G_kk = γ` and `F_kk = γf`.

    Arguments as for `BosonBath` (any `μ` is allowed).
    """

    mode: int = eqx.field(static=True)
    rate: Float[Array, ""]
    temperature: Float[Array, ""]
    chemical_potential: Float[Array, ""]
    frequency: Float[Array, ""] | None
    statistics: ClassVar[str] = "fermion"

    def __init__(
        self,
        mode: int,
        rate: RealScalarLike,
        temperature: RealScalarLike,
        chemical_potential: RealScalarLike = 0.0,
        frequency: RealScalarLike | None = None,
    ):
        _init_thermal(self, "FermionBath", mode, rate, temperature, chemical_potential, frequency)

    def occupation(self, hamiltonian):
        _, temperature = self._checked()
        return fermi_dirac(self.bath_frequency(hamiltonian), temperature, self.chemical_potential)

    def rates(self, hamiltonian):
        rate, _ = self._checked()
        f = self.occupation(hamiltonian)
        return LocalRates(self.mode, rate * (1 - f), rate * f)


class RateMatrixBath(AbstractBath):
    """General (non-local) quadratic dissipation given by Hermitian loss and gain rate
    matrices `Λ⁻` (`loss`) and `Λ⁺` (`gain`), both positive semidefinite, L x L:

        D[ρ] = Σ_ij Λ⁻_ij (a_j ρ a_i† - ½{a_i† a_j, ρ}) + Λ⁺_ij (a_i† ρ a_j - ½{a_j a_i†, ρ}).

    Covers paper 000's phenomenological reservoir `r(n_R - n)` (bosons:
    `Λ⁻ = r(1 + n_R)`, `Λ⁺ = r n_R`) and paper 004's asymptotic rate matrices `Λ±`.

    `positive=False` drops the positive-semidefiniteness check: paper 004's asymptotic
    generator has rate matrices with negative eigenvalues where it is non-Markovian (its
    Eq. (82)); the covariance equation is still well defined, complete positivity is not.
    """

    loss: Inexact[Array, "L L"]
    gain: Inexact[Array, "L L"]
    positive: bool = eqx.field(static=True, default=True)

    def __init__(
        self,
        loss: Inexact[ArrayLike, "L L"],
        gain: Inexact[ArrayLike, "L L"],
        positive: bool = True,
    ):
        loss = jnp.asarray(loss)
        gain = jnp.asarray(gain)
        for name, m in (("loss", loss), ("gain", gain)):
            if m.ndim != 2 or m.shape[0] != m.shape[1]:
                raise ValueError(f"RateMatrixBath: `{name}` must be square, got {m.shape}.")
            if eager_check(lambda m: jnp.invert(jnp.allclose(m, jnp.conj(m.T))), m):
                raise ValueError(f"RateMatrixBath: `{name}` must be Hermitian.")
            if positive and eager_check(
                lambda m: jnp.min(jnp.linalg.eigvalsh(m)) < -1e-12 * (1 + jnp.max(jnp.abs(m))), m
            ):
                raise ValueError(f"RateMatrixBath: `{name}` must be positive semidefinite.")
        if loss.shape != gain.shape:
            raise ValueError(
                f"RateMatrixBath: `loss` and `gain` shapes differ: {loss.shape}, {gain.shape}."
            )
        self.loss = loss
        self.gain = gain
        self.positive = bool(positive)

    def rates(self, hamiltonian):
        return MatrixRates(self.loss, self.gain)


class ProbeBath(AbstractBath):
    """A self-consistent reservoir (Büttiker probe; paper 002, Sec. IV and App. D) on `mode`.

    A local bath of rate `γ` whose occupation `ñ` is not given but fixed by the state, so that
    no net particle current flows into it (`conserve="particles"`, the paper's choice:
    `ñ = ⟨a_k† a_k⟩`) or no net energy current, in the global picture
    (`conserve="energy"`: `ñ = Re(H C)_kk / H_kk`). It contributes `G_kk = γ` and
    `F_kk = γ ñ(C)`; since `ñ` is linear in `C`, `steady_state` solves the self-consistency
    exactly (one Woodbury-corrected Lyapunov solve, no fixed-point iteration), and its
    derivatives follow from the same implicit rule as every steady state.

    Works for bosons and fermions. In the local energy picture a particle probe is also an
    energy probe (`J^E = ω J^P`), so `conserve="energy"` differs only in the global picture.

    **Arguments:** `mode` (static int), `rate` (`γ >= 0`), `conserve`
    (`"particles"` or `"energy"`, static).
    """

    mode: int = eqx.field(static=True)
    rate: Float[Array, ""]
    conserve: str = eqx.field(static=True)

    def __init__(self, mode: int, rate: RealScalarLike, conserve: str = "particles"):
        self.mode = _check_mode("ProbeBath", mode)
        self.rate = _real_scalar("ProbeBath", "rate", rate)
        if conserve not in ("particles", "energy"):
            raise ValueError(
                f"ProbeBath: `conserve` must be 'particles' or 'energy', got {conserve!r}."
            )
        self.conserve = conserve
        if eager_check(lambda r: r < 0, self.rate):
            raise ValueError(f"ProbeBath: `rate` must be >= 0, got {float(self.rate)}.")

    def checked_rate(self) -> Array:
        rate = jnp.asarray(self.rate)
        return eqx.error_if(rate, rate < 0, "ProbeBath: `rate` must be >= 0.")

    def rates(self, hamiltonian):
        # The self-consistent gain γ ñ(C) enters through `ProbeFeedback`, not here.
        return LocalRates(self.mode, self.checked_rate(), jnp.zeros_like(self.rate))

    def occupation(self, hamiltonian, covariance) -> Array:
        """`ñ` for the state `covariance` (the self-consistent value at a steady state)."""
        k = self.mode
        if self.conserve == "particles":
            return jnp.real(covariance[k, k])
        return jnp.real(hamiltonian[k, :] @ covariance[:, k]) / jnp.real(hamiltonian[k, k])


class ProbeFeedback(eqx.Module):
    """The probes of a model as a linear feedback on the covariance equation:
    `dC/dt = W C + C W† + F_0 + U(ℓ(C))`, with `ℓ_p(C) = ñ_p` (the probe occupations, linear
    and complex-linear in `C`) and `U(v) = Σ_p γ_p v_p |k_p⟩⟨k_p|`."""

    modes: tuple[int, ...] = eqx.field(static=True)
    energy: tuple[bool, ...] = eqx.field(static=True)
    rates: Float[Array, " P"]
    hamiltonian: Inexact[Array, "L L"]

    def functional(self, x: Inexact[Array, "L L"]) -> Inexact[Array, " P"]:
        """`ℓ(X)`: `X_kk` for particle probes; `((HX)_kk + (XH)_kk) / (2 H_kk)` for energy
        probes (equal to `Re(HX)_kk / H_kk` for Hermitian X, and complex-linear)."""
        modes = jnp.asarray(self.modes)
        out = x[modes, modes]
        if any(self.energy):
            h = self.hamiltonian
            hx = jnp.sum(h[modes, :] * x[:, modes].T, axis=1)
            xh = jnp.sum(x[modes, :] * h[:, modes].T, axis=1)
            e = 0.5 * (hx + xh) / h[modes, modes]
            out = jnp.where(jnp.asarray(self.energy), e, out)
        return out

    def inject(self, v: Inexact[Array, " P"]) -> Inexact[Array, "L L"]:
        """`U(v) = Σ_p γ_p v_p |k_p⟩⟨k_p|`."""
        L = self.hamiltonian.shape[0]
        modes = jnp.asarray(self.modes)
        dtype = jnp.result_type(v, self.rates)
        return jnp.zeros((L, L), dtype).at[modes, modes].add(self.rates * v)
