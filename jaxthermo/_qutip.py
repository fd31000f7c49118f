"""Conversion to and from QuTiP (an optional dependency, imported only when used), so that any
jaxthermo result can be cross-checked in QuTiP.

- `to_qutip(QuadraticModel, cutoff=...)` → `(H, c_ops)` in Fock space: fermions exactly
  (Jordan–Wigner, dimension 2^L), bosons truncated at `cutoff` levels per mode.
- `to_qutip(fewlevel.FewLevelModel)` → `(H, c_ops)` of the secular (Davies) generator: one
  jump operator `√γ_j(ω) A_j(ω)` per field and Bohr frequency.
- `covariance_from_qutip(rho, statistics)` → `C_ij = Tr[ρ a_j† a_i]` of a Fock-space state.
- few-level steady states and trajectories have `.to_qutip()`.

These are host-side conversions of concrete (not traced) models.
"""

import numpy as np

from ._baths import LocalRates, ProbeBath
from ._statistics import check_statistics


def _qutip():
    try:
        import qutip
    except ImportError as err:  # pragma: no cover - exercised only without qutip
        raise ImportError("QuTiP interop needs QuTiP: pip install qutip") from err
    return qutip


def mode_operators(n_modes: int, statistics: str, cutoff: int | None = None) -> list:
    """Annihilation operators `a_0 … a_{L−1}` as `qutip.Qobj` on the Fock space (fermions:
    Jordan–Wigner with the parity string on the modes before; bosons: `cutoff` levels each)."""
    qutip = _qutip()
    check_statistics(statistics, "mode_operators")
    if statistics == "fermion":
        z, lower, eye = qutip.sigmaz(), qutip.destroy(2), qutip.qeye(2)
        # qutip.sigmaz() is diag(1, −1) on (|0⟩, |1⟩) here read as (empty, occupied)
        return [qutip.tensor([z] * j + [lower] + [eye] * (n_modes - j - 1)) for j in range(n_modes)]
    if cutoff is None or isinstance(cutoff, bool) or not isinstance(cutoff, int) or cutoff < 2:
        raise ValueError(f"bosons need an int `cutoff` >= 2 (levels per mode), got {cutoff!r}.")
    lower, eye = qutip.destroy(cutoff), qutip.qeye(cutoff)
    return [qutip.tensor([eye] * j + [lower] + [eye] * (n_modes - j - 1)) for j in range(n_modes)]


def _quadratic_to_qutip(model, cutoff):
    for i, bath in enumerate(model.baths):
        if isinstance(bath, ProbeBath):
            raise ValueError(
                f"to_qutip: `baths[{i}]` is a ProbeBath, whose gain depends on the state "
                "(a nonlinear master equation): it has no fixed Lindblad form."
            )
    a = mode_operators(model.size, model.statistics, cutoff)
    h = np.asarray(model.hamiltonian)
    big_h = sum(complex(h[i, j]) * a[i].dag() * a[j] for i in range(model.size)
                for j in range(model.size) if h[i, j] != 0)  # fmt: skip
    if isinstance(big_h, int):  # no nonzero entry
        big_h = 0 * a[0].dag() * a[0]
    c_ops = []
    for i, rates in enumerate(model.bath_rates()):
        if isinstance(rates, LocalRates):
            k = rates.mode
            for value, op in ((float(rates.loss), a[k]), (float(rates.gain), a[k].dag())):
                if value < 0:
                    raise ValueError(f"to_qutip: `baths[{i}]` has a negative rate {value}.")
                if value > 0:
                    c_ops.append(np.sqrt(value) * op)
            continue
        for matrix, create in ((np.asarray(rates.loss), False), (np.asarray(rates.gain), True)):
            lam, u = np.linalg.eigh(matrix)
            if np.min(lam, initial=0.0) < -1e-12 * (1 + np.max(np.abs(lam))):
                raise ValueError(
                    f"to_qutip: `baths[{i}]` has a rate matrix with a negative eigenvalue (a "
                    "non-Markovian, not completely positive generator): no Lindblad form."
                )
            for value, vec in zip(lam, u.T, strict=True):
                if value <= 1e-15 * (1 + np.max(np.abs(lam))):
                    continue
                if create:  # Λ⁺ = Σ μ v v†: M = Σ_i v_i a_i†
                    op = sum(complex(vec[j]) * a[j].dag() for j in range(model.size))
                else:  # Λ⁻ = Σ λ u u†: L = Σ_j conj(u_j) a_j
                    op = sum(complex(np.conj(vec[j])) * a[j] for j in range(model.size))
                c_ops.append(np.sqrt(value) * op)
    return big_h, c_ops


def _clusters(values, tol) -> list[list[float]]:
    """Sorted values split wherever two neighbours differ by more than `tol` (the Bohr
    frequencies the secular generator treats as one)."""
    groups: list[list[float]] = []
    for v in values:
        if groups and v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return groups


def _fewlevel_to_qutip(model):
    from ._fewlevel._transitions import secular_weights, transitions

    qutip = _qutip()
    table = transitions(model)
    dims = None if model.dims is None else [list(model.dims[0]), list(model.dims[1])]
    h = qutip.Qobj(np.asarray(model.hamiltonian), dims=dims)
    basis = np.asarray(table.basis)
    bohr = np.asarray(table.bohr)
    tol = float(table.tolerance)
    c_ops = []
    for j in range(len(model.fields)):
        c = np.asarray(secular_weights(table, j))  # c[n, m] = K sqrt(γ) for the jump m → n
        active = (np.abs(c) > 0) & (np.abs(bohr) > tol)
        for group in _clusters(np.sort(bohr[active]), tol):
            mask = active & (bohr >= group[0] - 0.5 * tol) & (bohr <= group[-1] + 0.5 * tol)
            op = basis @ np.where(mask, c, 0.0) @ basis.conj().T
            c_ops.append(qutip.Qobj(op, dims=dims))
    return h, c_ops


def to_qutip(model, cutoff: int | None = None):
    """`(H, c_ops)` of a model as QuTiP operators, for cross-checks in QuTiP
    (`qutip.steadystate(H, c_ops)`, `qutip.mesolve`).

    **Arguments:**

    - `model`: a `QuadraticModel` (Fock space: fermions exact by Jordan–Wigner, bosons
      truncated) or a `fewlevel.FewLevelModel` (its secular generator, in the basis in which
      `H_S` was given).
    - `cutoff`: levels per bosonic mode (required for bosons; ignored otherwise).

    **Returns:** `(H, c_ops)`: a `qutip.Qobj` Hamiltonian and a list of collapse operators
    (`√rate × jump`), so that QuTiP's `D[c] = c ρ c† − ½{c†c, ρ}` reproduces the model's
    dissipator. Models with `ProbeBath`s or with non-positive rate matrices have no fixed
    Lindblad form: `ValueError`.
    """
    from ._fewlevel._master import FewLevelModel
    from ._quadratic import QuadraticModel

    if isinstance(model, QuadraticModel):
        return _quadratic_to_qutip(model, cutoff)
    if isinstance(model, FewLevelModel):
        return _fewlevel_to_qutip(model)
    raise TypeError(
        "to_qutip: `model` must be a QuadraticModel or a fewlevel.FewLevelModel, got "
        f"{type(model).__name__}."
    )


def covariance_from_qutip(rho, statistics: str, cutoff: int | None = None) -> np.ndarray:
    """`C_ij = Tr[ρ a_j† a_i]` of a Fock-space density matrix (a `qutip.Qobj` on the space of
    `to_qutip`), in jaxthermo's convention.

    **Arguments:** `rho`; `statistics`; `cutoff` (bosons: levels per mode).

    **Returns:** `C`, a NumPy array `(L, L)`.
    """
    dims = rho.dims[0]
    a = mode_operators(len(dims), statistics, cutoff)
    n = len(a)
    return np.array([[(rho * a[j].dag() * a[i]).tr() for j in range(n)] for i in range(n)])
