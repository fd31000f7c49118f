"""Stationary states of few-level systems between two fields over a (β₁, β₂) grid:
`jax.vmap` of `jaxthermo.steady_state` (few-level models) against QuTiP's `steadystate` in a loop.

    python benchmarks/fewlevel.py

Writes the section "Few-level stationary states" of benchmarks/RESULTS.md (issue 4), with
single solves, Bloch–Redfield and secular evolution (issue 16).
"""

import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np


jax.config.update("jax_enable_x64", True)

import jaxthermo as jt  # noqa: E402


sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, machine, write_section  # noqa: E402


fl = jt.fewlevel
STRENGTH = 0.01


def problem(d, seed=0):
    rng = np.random.default_rng(seed)
    energies = np.cumsum(rng.uniform(0.3, 1.0, d))
    a = rng.normal(size=(d, d))
    coupling = (a + a.T) / 2
    return jnp.asarray(energies), jnp.asarray(coupling)


def qutip_c_ops(energies, coupling, temperatures):
    """Grouped jump operators A(ω) per field (what a QuTiP user writes), diagonal H."""
    import qutip

    e = np.asarray(energies)
    dm = np.asarray(coupling)
    d = len(e)
    pairs = {}
    for m in range(d):
        for n in range(m):
            pairs.setdefault(round(e[m] - e[n], 12), []).append((n, m))
    ops = []
    for t in temperatures:
        for w, members in pairs.items():
            a = np.zeros((d, d))
            for n, m in members:
                a[n, m] = dm[n, m]
            occ = 1 / np.expm1(w / t)
            ops.append(np.sqrt(2 * np.pi * STRENGTH * (occ + 1)) * qutip.Qobj(a))
            ops.append(np.sqrt(2 * np.pi * STRENGTH * occ) * qutip.Qobj(a.T))
    return qutip.Qobj(np.diag(e)), ops


def qutip_liouvillian(model, method):
    """Our generator (eigenbasis, row-major vec) as a QuTiP superoperator in the basis of the
    model's Hamiltonian as given (QuTiP's column-stacking convention)."""
    import qutip

    d = model.size
    perm = np.arange(d * d).reshape(d, d).T.ravel()
    basis = np.asarray(fl.transitions(model).basis)
    u = np.kron(basis, basis.conj())
    lv = u @ np.asarray(fl.liouvillian(model, method)) @ u.conj().T
    return qutip.Qobj(lv[np.ix_(perm, perm)], dims=[[[d], [d]], [[d], [d]]])


def rows_for(d, grid, qutip_points, assemble=True):
    energies, coupling = problem(d)
    t = jnp.linspace(0.5, 2.0, grid)
    t1, t2 = (x.ravel() for x in jnp.meshgrid(t, t))

    def populations(a, b):
        model = jt.models.multilevel(energies, coupling, jnp.stack([a, b]), (0.0, 0.0))
        return jt.steady_state(model).populations

    batched = jax.jit(jax.vmap(populations))
    t_jax, _ = best_time(batched, t1, t2, repeat=3)
    n = t1.shape[0]
    out = [f"| {d} | jaxthermo vmap (secular GKSL, {n} points) | {n / t_jax:.3g} | — |"]
    try:
        import qutip
    except ImportError:
        out.append(f"| {d} | QuTiP steadystate loop | not installed | — |")
        return out
    pts = list(zip(np.asarray(t1)[:qutip_points], np.asarray(t2)[:qutip_points], strict=True))
    check = np.asarray(batched(t1, t2))
    if assemble:  # (its Python assembly of A(ω) takes minutes per point at d = 64)
        t0 = time.perf_counter()
        for i, (a, b) in enumerate(pts):
            h, ops = qutip_c_ops(energies, coupling, (a, b))
            rho = qutip.steadystate(h, ops).full()
            err = np.max(np.abs(np.real(np.diag(rho)) - check[i]))
            assert err < 1e-9, err
        per_point = (time.perf_counter() - t0) / len(pts)
        rate_q = 1 / per_point
        out.append(
            f"| {d} | QuTiP {qutip.__version__} `steadystate(H, c_ops)` loop ({len(pts)} points) "
            f"| {rate_q:.3g} | {(n / t_jax) / rate_q:.1f}× |"
        )
    # QuTiP's solve alone, on prebuilt Liouvillians (our matrices, converted to its
    # column-stacking convention): separates its assembly cost from its linear solve.
    perm = np.arange(d * d).reshape(d, d).T.ravel()
    supers = []
    for a, b in pts:
        model = jt.models.multilevel(energies, coupling, jnp.stack([a, b]), (0.0, 0.0))
        lv = np.asarray(fl.liouvillian(model))[np.ix_(perm, perm)]
        supers.append(qutip.Qobj(lv, dims=[[[d], [d]], [[d], [d]]]))
    t0 = time.perf_counter()
    for i, sup in enumerate(supers):
        rho = qutip.steadystate(sup).full()
        assert np.max(np.abs(np.real(np.diag(rho)) - check[i])) < 1e-9
    rate_s = len(supers) / (time.perf_counter() - t0)
    out.append(
        f"| {d} | QuTiP `steadystate(L)` on prebuilt Liouvillians (solve only) | "
        f"{rate_s:.3g} | {(n / t_jax) / rate_s:.1f}× |"
    )
    return out


def single_solves(sizes, dense_max=64):
    """One stationary state per call (jit, best of 3): the zero-sector GMRES route (the
    default for d >= 9) against the dense d² × d² LU (`Secular("dense")`, the reference)."""
    out = []
    for d in sizes:
        energies, coupling = problem(d)
        model = jt.models.multilevel(energies, coupling, jnp.array([0.7, 1.6]), (0.0, 0.0))
        times = {}
        for name in ("sectors", "dense"):
            if name == "dense" and d > dense_max:
                continue
            fn = jax.jit(lambda m, name=name: jt.steady_state(m, fl.Secular(name)).density_matrix)
            times[name], _ = best_time(fn, model, repeat=3)
            if name == "dense":
                diff = float(jnp.max(jnp.abs(fn(model) - jt.steady_state(model).density_matrix)))
        dense = f"{times['dense'] * 1e3:.3g}" if "dense" in times else "—"
        ratio = f"{times['dense'] / times['sectors']:.0f}×" if "dense" in times else "—"
        agree = f"{diff:.1e}" if "dense" in times else "—"
        out.append(f"| {d} | {times['sectors'] * 1e3:.3g} | {dense} | {ratio} | {agree} |")
        print(out[-1], flush=True)
    return out


def redfield_solves(cases, dense_max=64, qutip_max=32):
    """Bloch–Redfield stationary states: matrix-free GMRES (the default from d = 24) against
    the dense d² × d² LU (`Redfield("dense")`) and QuTiP `steadystate` on the same prebuilt
    Liouvillian."""
    out = []
    for name, model in cases:
        d = model.size
        times, states = {}, {}
        for solver in ("krylov", "dense"):
            if solver == "dense" and d > dense_max:
                continue
            fn = jax.jit(lambda m, s=solver: jt.steady_state(m, fl.Redfield(s)).density_matrix)
            times[solver], _ = best_time(fn, model, repeat=3 if d < 128 else 1)
            states[solver] = fn(model)
        dense = f"{times['dense'] * 1e3:.4g}" if "dense" in times else "—"
        diff = (f"{float(jnp.max(jnp.abs(states['dense'] - states['krylov']))):.1e}"
                if "dense" in times else "—")  # fmt: skip
        qt = "—"
        if d <= qutip_max:
            try:
                import qutip

                sup = qutip_liouvillian(model, fl.Redfield())
                t0 = time.perf_counter()
                rho = qutip.steadystate(sup).full()
                t_q = time.perf_counter() - t0
                assert np.max(np.abs(rho - np.asarray(states["krylov"]))) < 1e-9
                qt = f"{t_q * 1e3:.4g} ({t_q / times['krylov']:.0f}×)"
            except ImportError:
                qt = "not installed"
        out.append(f"| {name} | {d} | {times['krylov'] * 1e3:.4g} | {dense} | {qt} | {diff} |")
        print(out[-1], flush=True)
    return out


def secular_evolution(qubits, times=(0.0, 1.0, 10.0, 50.0, 200.0), expm_max=32, qutip_max=64):
    """`jt.evolve` of an `n`-qubit chain (`jt.models.qubit_chain`, secular GKSL) from a random
    full-rank state: the interaction-picture ODE with the matrix-free dissipator
    (`Secular(propagation="ode")`, the default from d = 32) against the exponential of the
    `d² × d²` generator (`"expm"`, the reference) and QuTiP `mesolve` on the same prebuilt
    Liouvillian (atol 1e-12, rtol 1e-10), each one call (jit, best of 2 for ours).
    Returns table rows."""
    out = []
    ts = jnp.asarray(times)
    for n in qubits:
        model = jt.models.qubit_chain(1.0 + 0.1 * jnp.arange(n))
        d = model.size
        rng = np.random.default_rng(n)
        x = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
        rho0 = jnp.asarray(x @ x.conj().T / np.trace(x @ x.conj().T))
        times_ms, states = {}, {}
        for route in ("ode", "expm"):
            if route == "expm" and d > expm_max:
                continue
            fn = jax.jit(lambda m, r, route=route: jt.evolve(
                m, r, ts, fl.Secular(propagation=route)).density_matrix)  # fmt: skip
            t, _ = best_time(fn, model, rho0, repeat=2)
            times_ms[route], states[route] = t * 1e3, np.asarray(fn(model, rho0))
        expm = f"{times_ms['expm']:.4g}" if "expm" in times_ms else "—"
        diff = (f"{np.max(np.abs(states['expm'] - states['ode'])):.1e}"
                if "expm" in states else "—")  # fmt: skip
        qt = "—"
        if d <= qutip_max:
            try:
                import qutip

                sup = qutip_liouvillian(model, fl.Secular()).to("csr")  # sparse, as users build it
                opts = {"atol": 1e-12, "rtol": 1e-10, "nsteps": 10**6}
                r0 = qutip.Qobj(np.asarray(rho0))
                t0 = time.perf_counter()
                res = qutip.mesolve(sup, r0, np.asarray(ts), options=opts)
                t_q = time.perf_counter() - t0
                err = max(np.max(np.abs(s.full() - states["ode"][i]))
                          for i, s in enumerate(res.states))  # fmt: skip
                assert err < 1e-7, err
                qt = f"{t_q * 1e3:.4g} ({t_q * 1e3 / times_ms['ode']:.1f}×)"
            except ImportError:
                qt = "not installed"
        out.append(f"| {n} qubits | {d} | {times_ms['ode']:.4g} | {expm} | {qt} | {diff} |")
        print(out[-1], flush=True)
    return out


def main():
    rows = []
    for d, grid, qpoints, assemble in ((3, 64, 200, True), (16, 16, 8, True), (32, 16, 4, True),
                                       (64, 8, 2, False)):  # fmt: skip
        rows += rows_for(d, grid, qpoints, assemble)
        print("\n".join(rows[-3:]), flush=True)
    singles = single_solves((32, 64, 128, 256))
    redfield = redfield_solves(
        [(f"random, d = {d}", jt.models.multilevel(*problem(d), jnp.array([0.7, 1.6])))
         for d in (16, 32, 64, 128)]
        + [(f"{n}-qubit chain", jt.models.qubit_chain(1.0 + 0.1 * jnp.arange(n)))
           for n in (4, 5, 6, 7)]
    )  # fmt: skip
    evolution = secular_evolution((4, 5, 6))
    body = "\n".join(
        [
            f"Machine: {machine()}. Measured {time.strftime('%Y-%m-%d')} with "
            "`python benchmarks/fewlevel.py` (float64).",
            "",
            "N-level system between two bosonic fields (`jt.models.multilevel`, random "
            "non-degenerate levels, random real coupling, flat J = 0.01), stationary state on a "
            "(T₁, T₂) grid. jaxthermo: one jit-compiled `vmap` over the grid (secular GKSL: dense "
            "`d² × d²` LU for d <= 8, GMRES in the zero-Bohr-frequency sector with a Pauli "
            "preconditioner from d = 9, issue 16). QuTiP: `steadystate` per point with grouped "
            "jump operators `A(ω)` built per point (populations cross-checked to 1e-9). "
            "Rate = stationary states per second; speed-up = jaxthermo rate / QuTiP rate.",
            "",
            "| d | method | states / s | speed-up |",
            "|---|---|---|---|",
            *rows,
            "",
            "One stationary state per call (jit-compiled, best of 3), zero-sector route against "
            'the dense LU of the `d² × d²` generator (`fewlevel.Secular("dense")`):',
            "",
            "| d | sectors (ms) | dense (ms) | dense / sectors | max abs diff of ρ |",
            "|---|---|---|---|---|",
            *singles,
            "",
            "Bloch–Redfield stationary states (non-secular), one per call (jit, best of 3; one "
            "run at d = 128): GMRES with the generator applied as `O(d³)` products and the "
            "secular preconditioner (`fewlevel.Redfield()`, the default from d = 24) against the "
            'dense LU (`Redfield("dense")`) and QuTiP `steadystate` on the same prebuilt '
            "Liouvillian (its time, and its ratio to ours). Random: the levels above; qubit "
            "chains: frequencies 1, 1.1, 1.2, …, XX couplings 0.05, hot field on the first "
            "qubit, cold on the last (near-degenerate levels: Bohr-frequency gaps down to 2e-5, "
            "rates 0.1).",
            "",
            "| model | d | GMRES (ms) | dense (ms) | QuTiP (ms) | max abs diff (dense) |",
            "|---|---|---|---|---|---|",
            *redfield,
            "",
            "Secular evolution `jt.evolve(model, ρ₀, t)` at t = 0, 1, 10, 50, 200 of the qubit "
            "chains above from a random full-rank state, one call each (jit, best of 2): the "
            "interaction-picture ODE with the matrix-free dissipator "
            '(`Secular(propagation="ode")`, the default from d = 32; Dopri8, rtol 1e-10, '
            'atol 1e-12) against the exponential of the `d² × d²` generator (`"expm"`, the '
            "default below d = 32; not run at d = 64) and QuTiP `mesolve` on the same prebuilt "
            "Liouvillian (atol 1e-12, rtol 1e-10; states cross-checked to 1e-7; its time and "
            "its ratio to the ODE route).",
            "",
            "| model | d | ODE (ms) | expm (ms) | QuTiP mesolve (ms) | max abs diff (expm) |",
            "|---|---|---|---|---|---|",
            *evolution,
            "",
            "GPU: no GPU was available to this run; no GPU numbers are quoted.",
        ]
    )
    write_section("Few-level stationary states", body)


if __name__ == "__main__":
    main()
