"""Closed systems with finite reservoirs (issue 6): a Gaussian system (1 mode) coupled to a
tight-binding reservoir of M modes, 1000 time points, thermodynamics of paper 001; and the
dense spin–GORM model (N = 200, 800, 2000, 100 time points). Reference in the same run: the
textbook route with NumPy (`C(t) = U C(0) U†` per time from one `eigh`, `O(n³)` per time),
timed on a few times and given per time.

    python benchmarks/closed.py

Writes the sections "Closed systems: Gaussian" and "Closed systems: spin–GORM" of
benchmarks/RESULTS.md (`python benchmarks/closed.py spin` runs one kind).
"""

import json
import sys
import time
from pathlib import Path

import numpy as np


sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, machine, run_case, write_section  # noqa: E402


def gaussian_case(m, eigenbasis=False, reference=True):
    """The chain reservoir in its site basis, or (`eigenbasis`) the same reservoir given by its
    mode energies `−cos(πk/(M+1))` and the system's coupling to each mode (no eigh of `h_r`)."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    import jaxthermo as jt

    if eigenbasis:
        k = np.arange(1, m + 1)
        chain = -np.cos(np.pi * k / (m + 1))
        b = 0.1 * np.sqrt(2 / (m + 1)) * np.sin(np.pi * k / (m + 1))[None, :]
    else:
        chain = -0.5 * (np.eye(m, k=1) + np.eye(m, k=-1))
        b = np.zeros((1, m))
        b[0, 0] = 0.1
    system = jt.closed.ClosedSystem(np.array([[0.2]]), [jt.closed.FiniteReservoir(chain, b, 0.5)])
    ts = jnp.linspace(0.0, 500.0, 1000)
    fn = jax.jit(lambda s: jt.evolve(s, jnp.array([[1.0]]), ts).entropy_production)
    t0 = time.perf_counter()
    late = float(jax.block_until_ready(fn(system))[-1])  # first call: compiles
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    jax.block_until_ready(fn(system))
    ours = time.perf_counter() - t0
    if not reference:
        return {"ours": ours, "first": first, "reference_1000": None,
                "late_entropy_production": late}  # fmt: skip
    h = np.asarray(system.total_hamiltonian())
    c0 = np.asarray(system.product_covariance(np.array([[1.0]])))
    t0 = time.perf_counter()
    e, v = np.linalg.eigh(h)
    t1 = time.perf_counter()
    sample = 5 if m <= 2000 else 1  # the reference costs ~3 complex n³ matmuls per time
    for t in np.asarray(ts[:sample]):
        u = (v * np.exp(-1j * e * t)) @ v.conj().T
        _ = u @ c0 @ u.conj().T
    per_time = (time.perf_counter() - t1) / sample
    return {"ours": ours, "first": first, "reference_1000": (t1 - t0) + 1000 * per_time,
            "late_entropy_production": late}  # fmt: skip


def spin_case(n):
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    import jaxthermo as jt

    model = jt.models.spin_gorm(n, key=jax.random.key(0))
    ts = jnp.linspace(0.0, 600.0, 100)
    fn = jax.jit(lambda m: jt.evolve(m, jnp.diag(jnp.array([0.0, 1.0])), ts).entropy_production)
    ours, first = best_time(fn, model, repeat=1)
    h = np.asarray(model.hamiltonian())
    p = np.asarray(model.reservoir_populations())
    rho0 = np.kron(np.diag([0.0, 1.0]), np.diag(p))
    t0 = time.perf_counter()
    e, v = np.linalg.eigh(h)
    t1 = time.perf_counter()
    for t in (1.0, 2.0):
        u = (v * np.exp(-1j * e * t)) @ v.conj().T
        _ = u @ rho0 @ u.conj().T
    per_time = (time.perf_counter() - t1) / 2
    return {"ours": ours, "first": first, "reference_1000": (t1 - t0) + 100 * per_time}


def main():
    if "--case" in sys.argv:
        kind, size = sys.argv[sys.argv.index("--case") + 1 :]
        if kind == "gaussian-eigenbasis":  # the same physics as "gaussian": its reference
            result = gaussian_case(int(size), eigenbasis=True, reference=False)
        else:
            result = gaussian_case(int(size)) if kind == "gaussian" else spin_case(int(size))
        print(json.dumps(result))
        return
    cases = {
        "gaussian": (
            [("gaussian", m, f"Gaussian, M = {m}, 1000 times") for m in (500, 2000, 8000)]
            + [("gaussian-eigenbasis", m, f"Gaussian, M = {m}, 1000 times, reservoir given "
                "in its eigenbasis (1-D energies: one eigh fewer)") for m in (2000, 8000)],
            "Closed systems: Gaussian",
        ),
        "spin": ([("spin", n, f"spin–GORM, N = {n}, 100 times") for n in (200, 800, 2000)],
                 "Closed systems: spin–GORM"),
    }  # fmt: skip
    kinds = sys.argv[1:] or list(cases)
    for kind in kinds:
        runs, title = cases[kind]
        rows, reference = [], {}
        for case, size, label in runs:
            r = run_case(__file__, case, size)
            if "error" in r:
                rows.append(f"| {label} | failed: {r['error']} | | | |")
                continue
            if r["reference_1000"] is None:  # the same physics as the site-basis row
                r["reference_1000"] = reference[size]["reference_1000"]
                diff = abs(
                    r["late_entropy_production"] - reference[size]["late_entropy_production"]
                )
                label += f"; Δ_iS(500) equal to the site basis within {diff:.1e}"
            else:
                reference[size] = r
            rows.append(
                f"| {label} | {r['ours']:.2f} s (first {r['first']:.2f} s) | "
                f"{r['reference_1000']:.2f} s | {r['reference_1000'] / r['ours']:.1f}× | "
                f"{r['peak_rss_mib']:.0f} MiB |"
            )
            print(rows[-1], flush=True)
        body = (
            f"Machine: {machine()}. No GPU was available to this session: no GPU timing.\n\n"
            "Reference: NumPy `eigh` once, then `U ρ(0) U†` per time (timed on a few times, "
            "scaled to the same number of times, plus its one eigh; one time only for "
            "M = 8000).\n\n"
            "| case | jaxthermo (jit) | NumPy reference | speed-up | peak RSS |\n"
            "|---|---|---|---|---|\n" + "\n".join(rows)
        )
        write_section(title, body)


if __name__ == "__main__":
    main()
