"""Quadratic (Gaussian, number-conserving) models of bosonic and fermionic networks."""

from collections.abc import Sequence

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from ._baths import (
    AbstractBath,
    AbstractThermalBath,
    LocalRates,
    MatrixRates,
    ProbeBath,
    ProbeFeedback,
    RateMatrixBath,
    as_hamiltonian,
    bose_einstein,
    fermi_dirac,
    hermiticity_error,
)
from ._custom_types import Array, ArrayLike, Complex, Inexact


_STATISTICS = ("boson", "fermion")


class BathTable(eqx.Module):
    """Every bath of a model as arrays of length B, in the order of `model.baths` (one
    vectorised evaluation instead of per-bath scalar code, so models with hundreds of baths
    trace, compile and run fast).

    - `kinds` (static): `"thermal"`, `"probe"` or `"matrix"` per bath;
    - `modes` (static): the mode of a local bath, -1 for a `RateMatrixBath`;
    - `rate`: `γ` (0 for matrix baths); `loss`, `gain`: the state-independent local rates
      `Λ⁻_kk`, `Λ⁺_kk` (a probe's gain `γ ñ(C)` is state-dependent and not included);
    - `occupation`: thermal `n(ω, T, μ)` (NaN for probes and matrix baths);
    - `frequency`: `ω_α` (thermal: the bath frequency; probe: `Re H_kk`; NaN for matrix);
    - `chemical_potential`: `μ_α` (0 unless thermal); `inverse_temperature`: `β_α` (NaN
      unless thermal).
    """

    kinds: tuple[str, ...] = eqx.field(static=True)
    modes: tuple[int, ...] = eqx.field(static=True)
    rate: Array
    loss: Array
    gain: Array
    occupation: Array
    frequency: Array
    chemical_potential: Array
    inverse_temperature: Array

    def mask(self, kind: str) -> np.ndarray:
        return np.asarray([k == kind for k in self.kinds], dtype=bool)


class QuadraticModel(eqx.Module):
    """A quadratic open system: `Ĥ = Σ_ij H_ij a_i† a_j` on L modes plus baths.

    Its single-particle correlation matrix `C_ij = ⟨a_j† a_i⟩` (CONVENTIONS.md) obeys the
    covariance equation (paper 002, Eqs. (B1)–(B5), in our convention)

        dC/dt = W C + C W† + F,   W = -iH - G/2,   G = Σ_α G_α,   F = Σ_α F_α,

    with `G_α = Λ⁻_α ∓ Λ⁺_α` (upper sign bosons, lower sign fermions) and `F_α = Λ⁺_α`
    from each bath's loss/gain rates.

    **Arguments:**

    - `hamiltonian`: `H`, shape `(L, L)`, Hermitian, real or complex (energy units).
    - `baths`: a sequence of baths (`BosonBath`, `FermionBath`, `RateMatrixBath`, ...), kept
      in order in `model.baths`; several may act on one mode.
    - `statistics`: `"boson"` or `"fermion"`; inferred from thermal baths if omitted.

    Numbers are array leaves (vmappable, differentiable); the structure (size, statistics,
    which modes carry baths) is static. Checks: `H` square and Hermitian, bath modes
    `< L`, bath statistics matching the model's (eagerly when values are concrete, else
    with `equinox.error_if` when the drift is built inside `jit`).
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
                raise TypeError(f"`baths[{i}]` is not a bath: {type(bath).__name__}.")
        kinds = {b.statistics for b in baths if isinstance(b, AbstractThermalBath)}
        if statistics is None:
            if len(kinds) != 1:
                raise ValueError(
                    "`statistics` ('boson' or 'fermion') must be given when the baths do "
                    "not determine it."
                )
            statistics = kinds.pop()
        if statistics not in _STATISTICS:
            raise ValueError(f"`statistics` must be 'boson' or 'fermion', got {statistics!r}.")
        L = h.shape[0]
        for i, bath in enumerate(baths):
            if isinstance(bath, AbstractThermalBath):
                if bath.statistics != statistics:
                    raise ValueError(
                        f"`baths[{i}]` is a {type(bath).__name__} but the model's statistics "
                        f"is {statistics!r}."
                    )
            mode = getattr(bath, "mode", None)
            if mode is not None and mode >= L:
                raise ValueError(
                    f"`baths[{i}]` acts on mode {mode}, but the model has only {L} modes "
                    f"(0 ... {L - 1})."
                )
            if isinstance(bath, RateMatrixBath) and bath.loss.shape != (L, L):
                raise ValueError(
                    f"`baths[{i}]` rate matrices have shape {bath.loss.shape}, expected {(L, L)}."
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
        `Λ⁺` (see `RateMatrixBath`): e.g. paper 000's `r(n_R - n)`, or paper 004's
        asymptotic `Λ±`."""
        return cls(hamiltonian, (RateMatrixBath(loss, gain),), statistics)

    @property
    def size(self) -> int:
        """Number of modes `L`."""
        return self.hamiltonian.shape[0]

    @property
    def sign(self) -> int:
        """`+1` for bosons, `-1` for fermions (`G = Λ⁻ - sign Λ⁺`)."""
        return 1 if self.statistics == "boson" else -1

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
        table = self.bath_table()
        return ProbeFeedback(
            tuple(p.mode for p in probes),
            tuple(p.conserve == "energy" for p in probes),
            table.rate[table.mask("probe")],
            self.hamiltonian,
        )

    def checked_hamiltonian(self) -> Inexact[Array, "L L"]:
        """`H`, with a runtime Hermiticity check (for values only known inside `jit`)."""
        return eqx.error_if(
            self.hamiltonian,
            hermiticity_error(self.hamiltonian),
            "QuadraticModel: `hamiltonian` must be Hermitian (H == H^†).",
        )

    def bath_table(self) -> BathTable:
        """All baths as arrays (see `BathTable`), with their parameters checked at once
        (`rate >= 0`, `temperature > 0`, Bose `μ < ω`; inside `jit` via `equinox.error_if`)."""
        h = self.hamiltonian
        real = jnp.real(jnp.zeros((), jnp.result_type(h, float))).dtype
        baths = self.baths
        kinds = tuple(
            "thermal"
            if isinstance(b, AbstractThermalBath)
            else "probe"
            if isinstance(b, ProbeBath)
            else "matrix"
            for b in baths
        )
        modes = tuple(
            getattr(b, "mode", -1) if k != "matrix" else -1
            for b, k in zip(baths, kinds, strict=True)
        )
        if not baths:
            empty = jnp.zeros(0, real)
            return BathTable((), (), *([empty] * 7))

        thermal = np.asarray([k == "thermal" for k in kinds])
        local = np.asarray([k != "matrix" for k in kinds])
        safe_modes = jnp.asarray([max(m, 0) for m in modes])
        onsite = jnp.real(h[safe_modes, safe_modes]).astype(real)
        rate = jnp.stack(
            [
                jnp.asarray(b.rate if k != "matrix" else 0.0, dtype=real)
                for b, k in zip(baths, kinds, strict=True)
            ]
        )
        temperature = jnp.stack(
            [
                jnp.asarray(b.temperature if k == "thermal" else 1.0, dtype=real)
                for b, k in zip(baths, kinds, strict=True)
            ]
        )
        mu = jnp.stack(
            [
                jnp.asarray(b.chemical_potential if k == "thermal" else 0.0, dtype=real)
                for b, k in zip(baths, kinds, strict=True)
            ]
        )
        has_freq = np.asarray(
            [k == "thermal" and b.frequency is not None for b, k in zip(baths, kinds, strict=True)]
        )
        given = jnp.stack(
            [
                jnp.asarray(b.frequency if f else 0.0, dtype=real)
                for b, f in zip(baths, has_freq, strict=True)
            ]
        )
        omega = jnp.where(has_freq, given, onsite)
        omega = jnp.where(local, omega, jnp.nan)
        rate = eqx.error_if(
            rate, jnp.any(rate < 0), "A bath `rate` must be >= 0 (BosonBath/FermionBath/ProbeBath)."
        )
        temperature = eqx.error_if(
            temperature,
            jnp.any(jnp.invert(temperature > 0)),
            "A bath `temperature` must be > 0 (ħ = k_B = 1; T is an energy).",
        )
        safe_t = jnp.where(thermal, temperature, 1.0)
        if self.statistics == "boson":
            mu = eqx.error_if(
                mu,
                jnp.any(thermal & jnp.invert(mu < omega)),
                "BosonBath: `chemical_potential` must be below the bath `frequency` "
                "(Bose–Einstein occupation diverges for μ >= ω).",
            )
            safe_gap = jnp.where(thermal, omega - mu, 1.0)
            n = bose_einstein(safe_gap, safe_t)
            loss, gain = rate * (n + 1), rate * n
        else:
            n = fermi_dirac(jnp.where(thermal, omega - mu, 0.0), safe_t)
            loss, gain = rate * (1 - n), rate * n
        probe = np.asarray([k == "probe" for k in kinds])
        loss = jnp.where(thermal, loss, jnp.where(probe, rate, 0.0))
        gain = jnp.where(thermal, gain, 0.0)
        return BathTable(
            kinds,
            modes,
            rate,
            loss,
            gain,
            jnp.where(thermal, n, jnp.nan),
            omega,
            jnp.where(thermal, mu, 0.0),
            jnp.where(thermal, 1.0 / safe_t, jnp.nan),
        )

    def bath_rates(self) -> tuple[LocalRates | MatrixRates, ...]:
        """Each bath's loss/gain rates `(Λ⁻_α, Λ⁺_α)`, in the order of `model.baths` (a
        probe's state-dependent gain `γ ñ(C)` is not included)."""
        table = self.bath_table()
        out = []
        for i, (bath, kind) in enumerate(zip(self.baths, table.kinds, strict=True)):
            if kind == "matrix":
                out.append(MatrixRates(bath.loss, bath.gain))
            else:
                out.append(LocalRates(table.modes[i], table.loss[i], table.gain[i]))
        return tuple(out)

    def dissipation(self) -> tuple[Inexact[Array, "L L"], Inexact[Array, "L L"]]:
        """The total `(G, F)` (L x L each), without the probes' state-dependent gain."""
        L = self.size
        table = self.bath_table()
        local = table.mask("thermal") | table.mask("probe")
        real = table.rate.dtype if table.rate.size else jnp.result_type(float)
        g_diag = jnp.zeros(L, real)
        f_diag = jnp.zeros(L, real)
        if local.any():
            idx = np.flatnonzero(local)
            modes = jnp.asarray([table.modes[i] for i in idx])
            g_local = table.loss[idx] - self.sign * table.gain[idx]
            g_diag = g_diag.at[modes].add(g_local)
            f_diag = f_diag.at[modes].add(table.gain[idx])
        g_total, f_total = jnp.diag(g_diag), jnp.diag(f_diag)
        for bath in self.baths:
            if isinstance(bath, RateMatrixBath):
                g_total = g_total + (bath.loss - self.sign * bath.gain)
                f_total = f_total + bath.gain
        return g_total, f_total

    def bath_generators(self) -> tuple[tuple[Array, Array], ...]:
        """Each bath's own `(G_α, F_α)` as dense L x L matrices, in the order of
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
        """`(W, F)` of `dC/dt = W C + C W† + F`, with `W = -iH - G/2`."""
        h = self.checked_hamiltonian()
        g, f = self.dissipation()
        return -1j * h - 0.5 * g, f

    def drift(self) -> Complex[Array, "L L"]:
        """`W = -iH - G/2`."""
        return self.covariance_equation()[0]

    def diffusion(self) -> Inexact[Array, "L L"]:
        """`F = Σ_α Λ⁺_α`."""
        return self.dissipation()[1]
