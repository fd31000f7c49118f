"""Quadratic (Gaussian, number-conserving) models of bosonic and fermionic networks."""

from collections.abc import Sequence

import equinox as eqx
import jax.numpy as jnp

from ._baths import (
    AbstractBath,
    AbstractThermalBath,
    LocalRates,
    MatrixRates,
    RateMatrixBath,
    eager_check,
)
from ._custom_types import Array, ArrayLike, Complex, Inexact


_STATISTICS = ("boson", "fermion")


def _hermiticity_error(h: Array) -> Array:
    return jnp.max(jnp.abs(h - jnp.conj(h.T))) > 1e-10 * (1 + jnp.max(jnp.abs(h)))


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
        h = jnp.asarray(hamiltonian)
        if h.ndim != 2 or h.shape[0] != h.shape[1]:
            raise ValueError(f"`hamiltonian` must be a square matrix, got shape {h.shape}.")
        if not jnp.issubdtype(h.dtype, jnp.inexact):
            h = h.astype(jnp.result_type(float))
        if eager_check(_hermiticity_error, h):
            raise ValueError("`hamiltonian` must be Hermitian (H == H^†).")
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

    def checked_hamiltonian(self) -> Inexact[Array, "L L"]:
        """`H`, with a runtime Hermiticity check (for values only known inside `jit`)."""
        return eqx.error_if(
            self.hamiltonian,
            _hermiticity_error(self.hamiltonian),
            "QuadraticModel: `hamiltonian` must be Hermitian (H == H^†).",
        )

    def bath_rates(self) -> tuple[LocalRates | MatrixRates, ...]:
        """Each bath's loss/gain rates `(Λ⁻_α, Λ⁺_α)`, in the order of `model.baths`."""
        h = self.hamiltonian
        return tuple(bath.rates(h) for bath in self.baths)

    def dissipation(self) -> tuple[Inexact[Array, "L L"], Inexact[Array, "L L"]]:
        """The total `(G, F)` (L x L each)."""
        L = self.size
        dtype = jnp.result_type(self.hamiltonian, float)
        real = jnp.real(jnp.zeros((), dtype)).dtype
        g_diag = jnp.zeros(L, real)
        f_diag = jnp.zeros(L, real)
        g = None
        f = None
        local_modes, local_g, local_f = [], [], []
        for r in self.bath_rates():
            if isinstance(r, LocalRates):
                local_modes.append(r.mode)
                local_g.append(r.loss - self.sign * r.gain)
                local_f.append(r.gain)
            else:
                gm = r.loss - self.sign * r.gain
                g = gm if g is None else g + gm
                f = r.gain if f is None else f + r.gain
        if local_modes:
            modes = jnp.asarray(local_modes)
            g_diag = g_diag.at[modes].add(jnp.stack(local_g).astype(real))
            f_diag = f_diag.at[modes].add(jnp.stack(local_f).astype(real))
        g_total = jnp.diag(g_diag) if g is None else jnp.diag(g_diag) + g
        f_total = jnp.diag(f_diag) if f is None else jnp.diag(f_diag) + f
        return g_total, f_total

    def bath_generators(self) -> tuple[tuple[Array, Array], ...]:
        """Each bath's own `(G_α, F_α)` as dense L x L matrices, in the order of
        `model.baths` (`G = Σ_α G_α`, `F = Σ_α F_α`)."""
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
