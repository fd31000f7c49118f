"""Quadratic (Gaussian, number-conserving) models of bosonic and fermionic networks."""

from collections.abc import Sequence

import equinox as eqx
import jax.numpy as jnp

from ._baths import (
    AbstractBath,
    BathParameters,
    LocalRates,
    MatrixRates,
    ProbeBath,
    ProbeFeedback,
    as_hamiltonian,
    hermiticity_error,
)
from ._checks import Check, prefixed
from ._counting import AbstractCountingModel
from ._custom_types import Array, ArrayLike, Complex, Float, Inexact
from ._dynamics import quadratic_evolve, quadratic_steady_state
from ._observables import quadratic_currents, quadratic_entropy_production
from ._quadratic_counting import quadratic_counting
from ._statistics import check_statistics


class LocalBathTable(eqx.Module):
    """The local baths of a model (every bath whose `rates` are `LocalRates`) as arrays of
    length B_l, so that currents of models with hundreds of baths are one vectorised
    expression: `index` (static, positions in `model.baths`), `modes` (static), `loss`,
    `gain` (`Λ⁻_kk`, `Λ⁺_kk`; a probe's state-dependent gain is not included)."""

    index: tuple[int, ...] = eqx.field(static=True)
    modes: tuple[int, ...] = eqx.field(static=True)
    loss: Float[Array, " B"]
    gain: Float[Array, " B"]


class QuadraticModel(AbstractCountingModel):
    """A quadratic open system: `Ĥ = Σ_ij H_ij a_i† a_j` on L modes plus baths.

    Its single-particle correlation matrix `C_ij = ⟨a_j† a_i⟩` (CONVENTIONS.md) obeys the
    covariance equation (paper 002, Eqs. (B1)–(B5), in our convention)

        dC/dt = W C + C W† + F,   W = −iH − G/2,   G = Σ_α G_α,   F = Σ_α F_α,

    with `G_α = Λ⁻_α ∓ Λ⁺_α` (upper sign bosons, lower sign fermions) and `F_α = Λ⁺_α`
    from each bath's loss/gain rates (the bath protocol of `jaxthermo.AbstractBath`).

    **Arguments:**

    - `hamiltonian`: `H`, shape `(L, L)`, Hermitian, real or complex (energy units).
    - `baths`: a sequence of baths (`BosonBath`, `FermionBath`, `RateMatrixBath`,
      `ProbeBath`, or any subclass of `AbstractBath`), kept in order in `model.baths`;
      several may act on one mode.
    - `statistics`: `"boson"` or `"fermion"`; inferred from the baths if omitted.

    Numbers are array leaves (vmappable, differentiable); the structure (size, statistics,
    which modes carry baths) is static. Checks: `H` square and Hermitian, bath modes
    `< L`, bath statistics matching the model's, rate matrices of shape `(L, L)` (at
    construction); bath parameters and Hermiticity of traced values when a verb runs.

    It implements every verb: `steady_state`, `evolve`, `currents`, `entropy_production`, and
    the counting statistics (`current_cumulants`, `cumulant_generating_function`,
    `noise_spectrum`, `tur_ratio`).
    """

    hamiltonian: Inexact[Array, "L L"]
    baths: tuple[AbstractBath, ...]
    statistics: str = eqx.field(static=True)

    def __init__(
        self,
        hamiltonian: Inexact[ArrayLike, "L L"],
        baths: Sequence[AbstractBath] = (),
        statistics: str | None = None,
    ):
        h = as_hamiltonian(hamiltonian, "QuadraticModel")
        if isinstance(baths, AbstractBath):
            baths = (baths,)
        baths = tuple(baths)
        for i, bath in enumerate(baths):
            if not isinstance(bath, AbstractBath):
                raise TypeError(
                    f"`baths[{i}]` is not a bath (a subclass of jaxthermo.AbstractBath): "
                    f"{type(bath).__name__}."
                )
        kinds = {b.statistics for b in baths if b.statistics is not None}
        if statistics is None:
            if len(kinds) != 1:
                raise ValueError(
                    "`statistics` ('boson' or 'fermion') must be given when the baths do "
                    "not determine it."
                )
            statistics = kinds.pop()
        check_statistics(statistics, "QuadraticModel")
        L = h.shape[0]
        for i, bath in enumerate(baths):
            if bath.statistics is not None and bath.statistics != statistics:
                raise ValueError(
                    f"`baths[{i}]` is a {type(bath).__name__} ({bath.statistics}) but the "
                    f"model's statistics is {statistics!r}."
                )
            rates = bath.rates(h)
            if isinstance(rates, LocalRates):
                if rates.mode >= L:
                    raise ValueError(
                        f"`baths[{i}]` acts on mode {rates.mode}, but the model has only {L} "
                        f"modes (0 ... {L - 1})."
                    )
            elif isinstance(rates, MatrixRates):
                if rates.loss.shape != (L, L) or rates.gain.shape != (L, L):
                    raise ValueError(
                        f"`baths[{i}]` rate matrices have shape {rates.loss.shape}, expected "
                        f"{(L, L)}."
                    )
            else:
                raise TypeError(
                    f"`baths[{i}].rates(hamiltonian)` must return LocalRates or MatrixRates, "
                    f"got {type(rates).__name__}."
                )
        self.hamiltonian = h
        self.baths = baths
        self.statistics = statistics

    @classmethod
    def from_rates(
        cls,
        hamiltonian: Inexact[ArrayLike, "L L"],
        loss: Inexact[ArrayLike, "L L"],
        gain: Inexact[ArrayLike, "L L"],
        statistics: str,
    ) -> "QuadraticModel":
        """A model with one general bath given by Hermitian loss/gain rate matrices `Λ⁻`,
        `Λ⁺` (see `RateMatrixBath`): e.g. paper 000's `r(n_R − n)`, or paper 004's
        asymptotic `Λ±`."""
        from ._baths import RateMatrixBath

        return cls(hamiltonian, (RateMatrixBath(loss, gain),), statistics)

    @property
    def size(self) -> int:
        """Number of modes `L`."""
        return self.hamiltonian.shape[0]

    @property
    def sign(self) -> int:
        """`+1` for bosons, `−1` for fermions (`G = Λ⁻ − sign Λ⁺`)."""
        return 1 if self.statistics == "boson" else -1

    # -- the bath protocol, collected ---------------------------------------------------

    def bath_rates(self) -> tuple[LocalRates | MatrixRates, ...]:
        """Each bath's loss/gain rates `(Λ⁻_α, Λ⁺_α)`, in the order of `model.baths` (a
        probe's state-dependent gain `γ ñ(C)` is not included)."""
        return tuple(b.rates(self.hamiltonian) for b in self.baths)

    def bath_parameters(self) -> tuple[BathParameters, ...]:
        """Each bath's frequency, inverse temperature and chemical potential."""
        return tuple(b.parameters(self.hamiltonian) for b in self.baths)

    def checks(self) -> list[Check]:
        """Run-time checks of the model's values (Hermitian `H`, every bath's `checks`)."""
        h = self.hamiltonian
        out = [Check(hermiticity_error(h), "QuadraticModel: `hamiltonian` must be Hermitian.")]
        for i, bath in enumerate(self.baths):
            out += prefixed(f"`baths[{i}]` ({type(bath).__name__}): ", bath.checks(h))
        return out

    def local_table(self, rates=None) -> LocalBathTable:
        """The local baths as arrays (see `LocalBathTable`)."""
        rates = self.bath_rates() if rates is None else rates
        index = tuple(i for i, r in enumerate(rates) if isinstance(r, LocalRates))
        real = jnp.real(jnp.zeros((), jnp.result_type(self.hamiltonian, float))).dtype
        if not index:
            empty = jnp.zeros(0, real)
            return LocalBathTable((), (), empty, empty)
        loss = jnp.stack([jnp.asarray(rates[i].loss, real) for i in index])
        gain = jnp.stack([jnp.asarray(rates[i].gain, real) for i in index])
        return LocalBathTable(index, tuple(rates[i].mode for i in index), loss, gain)

    @property
    def probes(self) -> tuple[ProbeBath, ...]:
        """The self-consistent (Büttiker) baths, in the order of `model.baths`."""
        return tuple(b for b in self.baths if isinstance(b, ProbeBath))

    def probe_feedback(self) -> ProbeFeedback | None:
        """The probes as a linear feedback `U(ℓ(C))` on the covariance equation (None if the
        model has no probes)."""
        probes = self.probes
        if not probes:
            return None
        real = jnp.real(jnp.zeros((), jnp.result_type(self.hamiltonian, float))).dtype
        return ProbeFeedback(
            tuple(p.mode for p in probes),
            tuple(p.conserve == "energy" for p in probes),
            jnp.stack([jnp.asarray(p.rate, real) for p in probes]),
            self.hamiltonian,
        )

    # -- the covariance equation --------------------------------------------------------

    def dissipation(self) -> tuple[Inexact[Array, "L L"], Inexact[Array, "L L"]]:
        """The total `(G, F)` (L × L each), without the probes' state-dependent gain."""
        L = self.size
        rates = self.bath_rates()
        table = self.local_table(rates)
        real = table.loss.dtype
        g_diag = jnp.zeros(L, real)
        f_diag = jnp.zeros(L, real)
        if table.index:
            modes = jnp.asarray(table.modes)
            g_diag = g_diag.at[modes].add(table.loss - self.sign * table.gain)
            f_diag = f_diag.at[modes].add(table.gain)
        g_total, f_total = jnp.diag(g_diag), jnp.diag(f_diag)
        for r in rates:
            if isinstance(r, MatrixRates):
                g_total = g_total + (r.loss - self.sign * r.gain)
                f_total = f_total + r.gain
        return g_total, f_total

    def bath_generators(self) -> tuple[tuple[Array, Array], ...]:
        """Each bath's own `(G_α, F_α)` as dense L × L matrices, in the order of
        `model.baths` (`G = Σ_α G_α`, `F = Σ_α F_α`; a probe's `F_α = γ ñ(C) |k⟩⟨k|` is
        state-dependent and returned as zero)."""
        L = self.size
        out = []
        for r in self.bath_rates():
            if isinstance(r, LocalRates):
                e = jnp.zeros((L, L)).at[r.mode, r.mode].set(1.0)
                out.append(((r.loss - self.sign * r.gain) * e, r.gain * e))
            else:
                out.append((r.loss - self.sign * r.gain, r.gain))
        return tuple(out)

    def covariance_equation(self) -> tuple[Complex[Array, "L L"], Inexact[Array, "L L"]]:
        """`(W, F)` of `dC/dt = W C + C W† + F`, with `W = −iH − G/2`."""
        g, f = self.dissipation()
        return -1j * self.hamiltonian - 0.5 * g, f

    def drift(self) -> Complex[Array, "L L"]:
        """`W = −iH − G/2`."""
        return self.covariance_equation()[0]

    def diffusion(self) -> Inexact[Array, "L L"]:
        """`F = Σ_α Λ⁺_α`."""
        return self.dissipation()[1]

    # -- the contract ----------------------------------------------------------------------

    def _steady_state(self, method, throw):
        return quadratic_steady_state(self, method, throw)

    def _evolve(self, state0, ts, method, throw):
        return quadratic_evolve(self, state0, ts, method, throw)

    def _currents(self, state, picture):
        return quadratic_currents(self, state, picture)

    def _entropy_production(self, state, picture):
        return quadratic_entropy_production(self, state, picture)

    def _counting(self, bath, quantity, method):
        return quadratic_counting(self, bath, quantity, method)
