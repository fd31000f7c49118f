"""Baths of quadratic models, and the protocol every bath implements.

Conventions (CONVENTIONS.md): a bath α contributes loss and gain rate matrices `Λ⁻_α, Λ⁺_α`
(Hermitian, >= 0) to the quadratic GKSL generator

    D_α[ρ] = Σ_ij Λ⁻_ij (a_j ρ a_i† − ½{a_i† a_j, ρ}) + Λ⁺_ij (a_i† ρ a_j − ½{a_j a_i†, ρ}),

and the covariance equation `dC/dt = W C + C W† + F` uses `G_α = Λ⁻_α ∓ Λ⁺_α` (upper sign
bosons, lower fermions) and `F_α = Λ⁺_α`. A local thermal bath on mode k with rate γ has,
for bosons, `Λ⁻ = γ(n+1)`, `Λ⁺ = γn` (paper 002, Eq. (4)), and for fermions `Λ⁻ = γ(1−f)`,
`Λ⁺ = γf`: in both cases `G_kk = γ`, `F_kk = γ n`.

## The bath protocol

`QuadraticModel` uses a bath only through the three methods of `AbstractBath` (and its
class variable `statistics`), so a user-defined subclass works end to end (steady states,
currents, entropy production, gradients, counting statistics) once it implements them:

- `rates(hamiltonian) -> LocalRates | MatrixRates`: its `Λ⁻_α`, `Λ⁺_α` (on one mode, or as
  L × L matrices). Must not raise on invalid values: report them in `checks`.
- `parameters(hamiltonian) -> BathParameters`: what the thermodynamics needs — the bath
  `frequency` ω_α (local energy picture `J^E = ω_α J^P`; `None`: the global `Tr[H D_α]`),
  `inverse_temperature` β_α (`None`: not a thermal bath, entropy production is undefined),
  `chemical_potential` μ_α (`None` means 0).
- `checks(hamiltonian) -> tuple[Check, ...]`: `(bad, message)` pairs for its parameters;
  `steady_state(..., throw=True)` raises the first failing message, `throw=False` turns it
  into `RESULTS.invalid_parameters`.
- `statistics`: `"boson"`, `"fermion"`, or `None` if the bath works for either.

A subclass that does not implement them cannot be instantiated (Python names the missing
method). Self-consistent Büttiker probes (`ProbeBath`) are the one kind of bath whose gain
depends on the state; they are built in.
"""

import abc
from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp

from ._checks import Check
from ._custom_types import Array, ArrayLike, Float, Inexact, RealScalarLike
from ._statistics import bose_einstein, fermi_dirac


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
    are checked at run time by the verbs instead (`Check`)."""
    if any(isinstance(a, jax.core.Tracer) for a in arrays):
        return False
    with jax.ensure_compile_time_eval():
        return bool(predicate(*arrays))


def hermiticity_error(h: Array) -> Array:
    """True where `h` is not Hermitian (relative tolerance 1e-10)."""
    return jnp.max(jnp.abs(h - jnp.conj(h.T))) > 1e-10 * (1 + jnp.max(jnp.abs(h)))


def as_matrix(value, owner: str, name: str) -> Array:
    """`value` as an inexact array; accepts anything array-like, including a `qutip.Qobj`
    (through its `.full()`)."""
    if type(value).__name__ == "Qobj" and hasattr(value, "full"):
        value = value.full()
    x = jnp.asarray(value)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(jnp.result_type(float))
    return x


def as_hamiltonian(value, owner: str) -> Array:
    """`value` as a square inexact array (a `qutip.Qobj` is accepted); raises if it is not
    square, or (when concrete) not Hermitian. Traced values are checked by the verbs."""
    h = as_matrix(value, owner, "hamiltonian")
    if h.ndim != 2 or h.shape[0] != h.shape[1]:
        raise ValueError(f"{owner}: `hamiltonian` must be a square matrix, got shape {h.shape}.")
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
    `Λ⁺ = gain |k⟩⟨k|`.

    **Arguments:** `mode` (k, static int), `loss`, `gain` (scalars, rates per unit time).
    """

    mode: int = eqx.field(static=True)
    loss: Float[Array, ""]
    gain: Float[Array, ""]


class MatrixRates(eqx.Module):
    """Loss and gain rate matrices of a non-local bath.

    **Arguments:** `loss` `Λ⁻`, `gain` `Λ⁺` (L × L, Hermitian, >= 0; rates per unit time).
    """

    loss: Inexact[Array, "L L"]
    gain: Inexact[Array, "L L"]


class BathParameters(eqx.Module):
    """The thermodynamic parameters of a bath (see the module docstring).

    **Arguments:** `frequency` ω_α, `inverse_temperature` β_α, `chemical_potential` μ_α
    (scalars, or `None` where a bath has none).
    """

    frequency: Float[Array, ""] | None
    inverse_temperature: Float[Array, ""] | None
    chemical_potential: Float[Array, ""] | None


class AbstractBath(eqx.Module):
    """A reservoir coupled to a quadratic model: the protocol of the module docstring."""

    statistics: eqx.AbstractClassVar[str | None]

    @abc.abstractmethod
    def rates(self, hamiltonian: Inexact[Array, "L L"]) -> LocalRates | MatrixRates:
        """`Λ⁻_α`, `Λ⁺_α` of this bath (they may depend on the model's Hamiltonian, e.g.
        through a default bath frequency `H[mode, mode]`). Never raises on invalid values."""

    @abc.abstractmethod
    def parameters(self, hamiltonian: Inexact[Array, "L L"]) -> BathParameters:
        """Frequency, inverse temperature and chemical potential (`None` where undefined)."""

    @abc.abstractmethod
    def checks(self, hamiltonian: Inexact[Array, "L L"]) -> tuple[Check, ...]:
        """`(bad, message)` pairs validating the bath's parameters (empty if none)."""


class AbstractThermalBath(AbstractBath):
    """A local thermal bath on one mode: `(mode, rate, temperature, chemical_potential,
    frequency)`; the subclass's `statistics` fixes Bose or Fermi occupations. Its fields,
    `__init__` and the bath protocol live here; `BosonBath` and `FermionBath` only name the
    statistics.

    **Arguments:**

    - `mode`: index `k` of the mode it acts on (static int).
    - `rate`: `γ >= 0` (energy units, ħ = 1).
    - `temperature`: `T > 0` (energy units, k_B = 1).
    - `chemical_potential`: `μ` (default 0); bosons require `μ < ω`.
    - `frequency`: `ω` at which the occupation is evaluated; default `Re H[k, k]`.

    Every number is a differentiable, vmappable array leaf. Several baths may act on the
    same mode.
    """

    mode: int = eqx.field(static=True)
    rate: Float[Array, ""]
    temperature: Float[Array, ""]
    chemical_potential: Float[Array, ""]
    frequency: Float[Array, ""] | None

    def __init__(
        self,
        mode: int,
        rate: RealScalarLike,
        temperature: RealScalarLike,
        chemical_potential: RealScalarLike = 0.0,
        frequency: RealScalarLike | None = None,
    ):
        owner = type(self).__name__
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

    def bath_frequency(self, hamiltonian: Inexact[Array, "L L"]) -> Float[Array, ""]:
        """`frequency` if given, else the mode's on-site energy `Re H[mode, mode]`."""
        if self.frequency is not None:
            return jnp.asarray(self.frequency)
        return jnp.real(hamiltonian[self.mode, self.mode])

    def occupation(self, hamiltonian: Inexact[Array, "L L"]) -> Float[Array, ""]:
        """Thermal occupation `n(ω, T, μ)` of the bath at its frequency."""
        occ = bose_einstein if self.statistics == "boson" else fermi_dirac
        return occ(self.bath_frequency(hamiltonian), self.temperature, self.chemical_potential)

    def rates(self, hamiltonian):
        n = self.occupation(hamiltonian)
        rate = jnp.asarray(self.rate)
        if self.statistics == "boson":
            return LocalRates(self.mode, rate * (n + 1), rate * n)
        return LocalRates(self.mode, rate * (1 - n), rate * n)

    def parameters(self, hamiltonian):
        return BathParameters(
            self.bath_frequency(hamiltonian),
            1.0 / jnp.asarray(self.temperature),
            jnp.asarray(self.chemical_potential),
        )

    def checks(self, hamiltonian):
        rate, temperature = jnp.asarray(self.rate), jnp.asarray(self.temperature)
        out = (
            Check(rate < 0, "`rate` must be >= 0."),
            Check(
                jnp.invert(temperature > 0),
                "`temperature` must be > 0 (ħ = k_B = 1; T is an energy).",
            ),
        )
        if self.statistics == "boson":
            mu = jnp.asarray(self.chemical_potential)
            out += (
                Check(
                    jnp.invert(mu < self.bath_frequency(hamiltonian)),
                    "`chemical_potential` must be below the bath `frequency` (the Bose–Einstein "
                    "occupation diverges for μ >= ω).",
                ),
            )
        return out


class BosonBath(AbstractThermalBath):
    """A local bosonic thermal bath on `mode` (paper 002, Eq. (4)):

        D[ρ] = γ(n+1) (a ρ a† − ½{a†a, ρ}) + γ n (a† ρ a − ½{a a†, ρ}),
        n = 1 / (exp((ω − μ)/T) − 1),

    i.e. `Λ⁻_kk = γ(n+1)`, `Λ⁺_kk = γn`, so `G_kk = γ` and `F_kk = γn`.

    **Arguments:** `BosonBath(mode, rate, temperature, chemical_potential=0.0,
    frequency=None)`, as `AbstractThermalBath` (requires `μ < ω`).
    """

    statistics: ClassVar[str] = "boson"


class FermionBath(AbstractThermalBath):
    """A local fermionic thermal bath on `mode`:

        D[ρ] = γ(1−f) (c ρ c† − ½{c†c, ρ}) + γ f (c† ρ c − ½{c c†, ρ}),
        f = 1 / (exp((ω − μ)/T) + 1),

    i.e. `Λ⁻_kk = γ(1−f)`, `Λ⁺_kk = γf`, so `G_kk = γ` and `F_kk = γf`.

    **Arguments:** `FermionBath(mode, rate, temperature, chemical_potential=0.0,
    frequency=None)`, as `AbstractThermalBath` (any `μ` is allowed).
    """

    statistics: ClassVar[str] = "fermion"


class RateMatrixBath(AbstractBath):
    """General (non-local) quadratic dissipation given by Hermitian loss and gain rate
    matrices `Λ⁻` (`loss`) and `Λ⁺` (`gain`), both positive semidefinite, L × L:

        D[ρ] = Σ_ij Λ⁻_ij (a_j ρ a_i† − ½{a_i† a_j, ρ}) + Λ⁺_ij (a_i† ρ a_j − ½{a_j a_i†, ρ}).

    Covers paper 000's phenomenological reservoir `r(n_R − n)` (bosons:
    `Λ⁻ = r(1 + n_R)`, `Λ⁺ = r n_R`) and paper 004's asymptotic rate matrices `Λ±`.

    **Arguments:** `loss`, `gain` (L × L, Hermitian; a `qutip.Qobj` is accepted);
    `positive` (static, default True) checks positive semidefiniteness when the matrices are
    concrete — `positive=False` admits paper 004's asymptotic generator, whose rate matrices
    have negative eigenvalues where it is non-Markovian (its Eq. (82)); the covariance
    equation is still well defined, complete positivity is not.

    It has no temperature or frequency: its energy current is always the global
    `Tr[H D_α]`, and `entropy_production` is undefined for a model that contains it.
    """

    loss: Inexact[Array, "L L"]
    gain: Inexact[Array, "L L"]
    positive: bool = eqx.field(static=True, default=True)
    statistics: ClassVar[None] = None

    def __init__(
        self,
        loss: Inexact[ArrayLike, "L L"],
        gain: Inexact[ArrayLike, "L L"],
        positive: bool = True,
    ):
        loss = as_matrix(loss, "RateMatrixBath", "loss")
        gain = as_matrix(gain, "RateMatrixBath", "gain")
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

    def parameters(self, hamiltonian):
        return BathParameters(None, None, None)

    def checks(self, hamiltonian):
        return ()


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
    A probe is not a thermodynamic bath (it has no temperature): `entropy_production` leaves
    it out (particle probes exchange no heat in the local picture).

    **Arguments:** `mode` (static int), `rate` (`γ >= 0`), `conserve`
    (`"particles"` or `"energy"`, static).
    """

    mode: int = eqx.field(static=True)
    rate: Float[Array, ""]
    conserve: str = eqx.field(static=True)
    statistics: ClassVar[None] = None

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

    def rates(self, hamiltonian):
        # The self-consistent gain γ ñ(C) enters through `ProbeFeedback`, not here.
        rate = jnp.asarray(self.rate)
        return LocalRates(self.mode, rate, jnp.zeros_like(rate))

    def parameters(self, hamiltonian):
        return BathParameters(jnp.real(hamiltonian[self.mode, self.mode]), None, None)

    def checks(self, hamiltonian):
        return (Check(jnp.asarray(self.rate) < 0, "`rate` must be >= 0."),)

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
