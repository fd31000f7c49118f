"""Lyapunov solvers against scipy.linalg.solve_continuous_lyapunov, measured in one run.

    python benchmarks/lyapunov.py            # full run (about 15 minutes on 2 CPU cores)
    python benchmarks/lyapunov.py --quick    # smaller sizes, for a smoke test

Writes the section "Lyapunov solvers" of benchmarks/RESULTS.md. Each (solver, n) runs in a fresh
process so that its peak resident memory (which includes the ~0.3 GiB JAX runtime, reported
separately) belongs to it alone.

Problem: a physical drift `W = -iH - G/2` (random Hermitian H normalised to unit spectral
width, damping γ_k ~ U(0.1, 1) on every mode), `F = diag(γ_k n_k)`: what `steady_state` solves.
"""

import argparse
import json
import sys
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, machine, run_case, write_section  # noqa: E402


SOLVERS = ["Auto", "BartelsStewart", "Eigen", "Sign"]


def problem(n, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    h = (a + a.conj().T) / (2 * np.sqrt(n))
    g = rng.uniform(0.1, 1.0, n)
    w = -1j * h - 0.5 * np.diag(g)
    f = np.diag(g * rng.uniform(0.0, 2.0, n)).astype(complex)
    return w, f


def case_solver(name, n):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import numpy as np

    import jaxthermo as jt
    from jaxthermo import lyapunov as ly

    w, f = problem(n)
    if name == "scipy":
        import scipy.linalg as sla

        t0 = time.perf_counter()
        x = sla.solve_continuous_lyapunov(w, -f)
        seconds = time.perf_counter() - t0
        if n <= 512:  # repeat small ones for a stable best time
            for _ in range(2):
                t0 = time.perf_counter()
                sla.solve_continuous_lyapunov(w, -f)
                seconds = min(seconds, time.perf_counter() - t0)
        np.save(f"/tmp/jaxthermo_bench_ref_{n}.npy", x)
        res = float(ly.relative_residual(jnp.asarray(w), jnp.asarray(x), jnp.asarray(f)))
        return {"seconds": seconds, "residual": res, "error": 0.0}
    solver = getattr(ly, name)()
    wj, fj = jnp.asarray(w), jnp.asarray(f)
    solve = jax.jit(lambda w, f: jt.solve_lyapunov(w, f, solver))
    repeat = 20 if n <= 128 else (3 if n <= 512 else 2)
    seconds, first = best_time(solve, wj, fj, repeat=repeat)
    x = solve(wj, fj)
    res = float(ly.relative_residual(wj, x, fj))
    ref = np.load(f"/tmp/jaxthermo_bench_ref_{n}.npy")
    err = float(np.linalg.norm(np.asarray(x) - ref) / np.linalg.norm(ref))
    out = {"seconds": seconds, "compile_and_first": first, "residual": res, "error": err}
    if n in GRAD_SIZES:
        # gradient of a scalar of the solution w.r.t. W: one adjoint solve + two products
        loss = jax.jit(jax.grad(lambda w: jnp.real(jnp.vdot(fj, jt.solve_lyapunov(w, fj, solver)))))
        out["grad_seconds"], _ = best_time(loss, wj, repeat=repeat)
    return out


def case_baseline():
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    jax.block_until_ready(jnp.ones(3) + 1)
    return {}


def case_batched(name, n, batch):
    """NESS per second of the n-site chain (paper 002, Eq. 27) over a batch of (T_L, T_R, λ)."""
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import numpy as np

    import jaxthermo as jt
    from jaxthermo import lyapunov as ly

    rng = np.random.default_rng(0)
    tl, tr, lam = (
        rng.uniform(0.5, 2.0, batch),
        rng.uniform(0.5, 2.0, batch),
        rng.uniform(0.05, 0.3, batch),
    )
    if name == "scipy-loop":
        import scipy.linalg as sla

        m = min(batch, 2000)
        t0 = time.perf_counter()
        for i in range(m):
            model = jt.models.chain(
                n,
                hopping=float(lam[i]),
                rate=0.1,
                temperature_left=float(tl[i]),
                temperature_right=float(tr[i]),
            )
            w, f = (np.asarray(a) for a in model.covariance_equation())
            sla.solve_continuous_lyapunov(w, -f)
        seconds = time.perf_counter() - t0
        # the loop cost excluding model construction: time scipy alone on prebuilt matrices
        model = jt.models.chain(
            n, hopping=0.1, rate=0.1, temperature_left=1.0, temperature_right=2.0
        )
        w, f = (np.asarray(a) for a in model.covariance_equation())
        t0 = time.perf_counter()
        for _ in range(m):
            sla.solve_continuous_lyapunov(w, -f)
        scipy_only = time.perf_counter() - t0
        return {"per_second": m / scipy_only, "per_second_with_model": m / seconds}
    solver = None if name == "Auto" else getattr(ly, name)()

    def one(tl, tr, lam):
        model = jt.models.chain(n, hopping=lam, rate=0.1, temperature_left=tl, temperature_right=tr)
        return jt.steady_state(model, solver, throw=False).covariance

    f = jax.jit(jax.vmap(one))
    args = tuple(jnp.asarray(a) for a in (tl, tr, lam))
    seconds, _ = best_time(f, *args, repeat=3)
    return {"per_second": batch / seconds}


def case_ness(n):
    """A NESS observable and its gradient through `steady_state`: the heat current into the
    left bath of the n-site chain of paper 002 (hopping 0.3, rates 0.1, T = 0.5 and 2),
    forward and `value_and_grad` w.r.t. (hopping, T_R), each jitted, best of 3."""
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    import jaxthermo as jt

    def current(lam, t_right):
        model = jt.models.chain(
            n, hopping=lam, rate=0.1, temperature_left=0.5, temperature_right=t_right
        )
        return jt.currents(model, jt.steady_state(model)).heat[0]

    args = (jnp.asarray(0.3), jnp.asarray(2.0))
    forward, _ = best_time(jax.jit(current), *args, repeat=3)
    both = jax.jit(jax.value_and_grad(current, argnums=(0, 1)))
    gradient, _ = best_time(both, *args, repeat=3)
    return {"seconds": forward, "grad_seconds": gradient}


SIZES = [8, 32, 128, 512, 1024, 2048]
GRAD_SIZES = (128, 512, 1024)


def gradient_section():
    """`--gradient`: forward solve and `jax.grad` at GRAD_SIZES for the default solver and
    the two direct ones, with scipy's time in the same run; writes its own section."""
    rows = []
    for n in GRAD_SIZES:
        ref = run_case(__file__, "solver", "scipy", n)
        rows.append(f"| {n} | scipy | {ref['seconds']:.4g} | 1 | – | – |")
        for name in ("Auto", "BartelsStewart", "Eigen"):
            r = run_case(__file__, "solver", name, n)
            rows.append(
                f"| {n} | {name} | {r['seconds']:.4g} | {ref['seconds'] / r['seconds']:.2f}× | "
                f"{r['grad_seconds']:.4g} | {r['grad_seconds'] / r['seconds']:.2f}× |"
            )
            print(rows[-1], flush=True)
    ness = []
    for n in GRAD_SIZES:
        r = run_case(__file__, "ness", n)
        ness.append(
            f"| {n} | {r['seconds']:.4g} | {r['grad_seconds']:.4g} | "
            f"{r['grad_seconds'] / r['seconds']:.2f}× |"
        )
        print(ness[-1], flush=True)
    body = "\n".join(
        [
            f"Machine: {machine()}. Measured {time.strftime('%Y-%m-%d')} with "
            "`python benchmarks/lyapunov.py --gradient` (one process per row, scipy in the "
            "same run; complex128, the problems of the table above).",
            "",
            "Forward: `solve_lyapunov(W, F)` jitted; gradient: `jax.grad` of "
            "`Re vdot(F, solve_lyapunov(W, F))` w.r.t. `W` (forward solve, the adjoint solve "
            "reusing the factorisation, two products for the tangent map). Target of issue 16: "
            "gradient ≤ 1.3× the forward solve at n = 512 and 1024. Complex products of "
            "large matrices run as three real ones (`_linalg.matmul`).",
            "",
            "| n | solver | forward [s] | vs scipy | gradient [s] | gradient / forward |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            "A NESS observable through `steady_state` (default solver): the heat current into "
            "the left bath of the n-site chain of paper 002 (hopping 0.3, rates 0.1, T = 0.5 "
            "and 2); forward: the jitted current; gradient: jitted `value_and_grad` w.r.t. "
            "(hopping, T_R). The steady state declares its right-hand side Hermitian, so the "
            "forward, tangent and cotangent solves all take the Hermitian sweep (block rows "
            "I ≤ J only); `solve_lyapunov` above cannot assume it (its cotangent is general).",
            "",
            "| n | forward [s] | value_and_grad [s] | gradient / forward |",
            "|---|---|---|---|",
            *ness,
        ]
    )
    write_section("Lyapunov gradient cost", body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--case", nargs="+")
    parser.add_argument("--gradient", action="store_true", help="only the gradient section")
    args = parser.parse_args()
    if args.gradient:
        gradient_section()
        return
    if args.case:
        kind, *rest = args.case
        if kind == "solver":
            out = case_solver(rest[0], int(rest[1]))
        elif kind == "ness":
            out = case_ness(int(rest[0]))
        elif kind == "batched":
            out = case_batched(rest[0], int(rest[1]), int(rest[2]))
        else:
            out = case_baseline()
        print(json.dumps(out))
        return

    sizes = [8, 32, 128, 512] if args.quick else SIZES
    script = __file__
    base = run_case(script, "baseline")
    lines = [
        f"Machine: {machine()}. Measured {time.strftime('%Y-%m-%d')} with "
        f"`python benchmarks/lyapunov.py{' --quick' if args.quick else ''}`.",
        "",
        "### Solvers against `scipy.linalg.solve_continuous_lyapunov` (complex128)",
        "",
        "Time ratio = scipy time / solver time (>1: faster than scipy). "
        "Error = ‖X − X_scipy‖/‖X_scipy‖. Residual = ‖WX + XW† + F‖ / (2‖W‖‖X‖ + ‖F‖). "
        "Peak RSS of the process (the JAX runtime alone "
        f"takes {base.get('peak_rss_mib', float('nan')):.0f} MiB). Times exclude compilation "
        f"(first call reported separately).",
        "",
        "| n | solver | time [s] | vs scipy | first call [s] | error | residual | peak RSS [MiB] |",
        "|---|---|---|---|---|---|---|---|",
    ]
    grads = []
    for n in sizes:
        ref = run_case(script, "solver", "scipy", n)
        print(f"n={n} scipy: {ref}", flush=True)
        lines.append(
            f"| {n} | scipy | {ref['seconds']:.4g} | 1 | – | – | {ref['residual']:.1e} | "
            f"{ref.get('peak_rss_mib', float('nan')):.0f} |"
        )
        for name in SOLVERS:
            r = run_case(script, "solver", name, n)
            print(f"n={n} {name}: {r}", flush=True)
            if "seconds" not in r:
                lines.append(f"| {n} | {name} | failed: {r.get('error')} | | | | | |")
                continue
            lines.append(
                f"| {n} | {name} | {r['seconds']:.4g} | {ref['seconds'] / r['seconds']:.2f}× | "
                f"{r['compile_and_first']:.3g} | {r['error']:.1e} | {r['residual']:.1e} | "
                f"{r.get('peak_rss_mib', float('nan')):.0f} |"
            )
            if "grad_seconds" in r:
                grads.append((n, name, r["grad_seconds"], r["seconds"]))
    lines += [
        "",
        "### Gradient cost",
        "",
        "Time of `jax.grad` of a real scalar of `solve_lyapunov(W, F)` w.r.t. `W` (forward solve + "
        "adjoint solve reusing the factorisation + two products for the tangent map), over the "
        "forward solve. Target ≤ 1.3×.",
        "",
        "| n | solver | forward [s] | gradient [s] | ratio |",
        "|---|---|---|---|---|",
    ]
    for n, name, g, f in grads:
        lines.append(f"| {n} | {name} | {f:.4g} | {g:.4g} | {g / f:.2f}× |")
    lines += [
        "",
        "### Batched steady states (NESS per second)",
        "",
        "`jax.jit(jax.vmap(...))` of building the n-site chain of paper 002 from (T_L, T_R, λ) and "
        "`steady_state(..., throw=False)`, against a Python loop calling scipy on prebuilt "
        "matrices "
        "(2000 iterations). Targets: n = 2 ≥ 1e6/s, n = 10 ≥ 5e4/s.",
        "",
        "| n | batch | method | NESS/s | vs scipy loop |",
        "|---|---|---|---|---|",
    ]
    batches = (
        [(2, 100_000), (10, 10_000)]
        if args.quick
        else [(2, 10_000), (2, 100_000), (10, 10_000), (10, 50_000)]
    )
    for n, batch in batches:
        ref = run_case(script, "batched", "scipy-loop", n, 2000)
        lines.append(f"| {n} | – | scipy loop | {ref['per_second']:.3g} | 1 |")
        for name in (
            ["Auto", "Kronecker", "BartelsStewart"]
            if n == 2
            else ["Auto", "BartelsStewart", "Eigen", "Sign"]
        ):
            r = run_case(script, "batched", name, n, batch)
            print(f"batched n={n} B={batch} {name}: {r}", flush=True)
            if "per_second" not in r:
                lines.append(f"| {n} | {batch} | {name} | failed: {r.get('error')} | |")
                continue
            lines.append(
                f"| {n} | {batch} | {name} | {r['per_second']:.3g} | "
                f"{r['per_second'] / ref['per_second']:.1f}× |"
            )
    lines += [
        "",
        "GPU: no GPU was available to this run; no GPU numbers are quoted.",
    ]
    write_section("Lyapunov solvers", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
