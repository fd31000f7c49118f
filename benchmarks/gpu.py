"""One script for a GPU machine (issue 16), finishing in under 8 minutes on one GPU: the
measured FP64 matmul rate, dense NESS at n = 1024–8192 (as a fraction of that rate), batched
NESS throughput at n = 2, 10, 100, batched few-level stationary states, and a 10⁶-point
`jt.sweep`. It runs on whatever `jax.default_backend()` is; `--tiny` shrinks every size so that
the test suite runs it on CPU in seconds (tests/test_benchmarks.py).

    python benchmarks/gpu.py              # on a GPU machine; writes RESULTS.md "GPU"
    python benchmarks/gpu.py --tiny       # smoke test (any machine; writes nothing unless --write)

Every number is measured in this run on this machine and labelled with the backend it ran
on; nothing is extrapolated. Flop counts used for "fraction of matmul rate": the NESS solve by
the matrix sign function (`jt.lyapunov.Sign`, the GPU route) costs per Newton step one
inverse of W and the two products `W⁻¹ F W⁻†`, about three complex n × n matmul equivalents
(8 n³ real flops each), so `24 n³ × iterations`; iterations from the solver's stats.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np


sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, machine, write_section  # noqa: E402


def matmul_rate(n):
    import jax
    import jax.numpy as jnp

    a = jax.random.normal(jax.random.PRNGKey(0), (n, n), dtype=jnp.float64)
    f = jax.jit(lambda x: x @ x)
    t, _ = best_time(f, a)
    return 2 * n**3 / t / 1e9  # GFLOP/s


def chain(n, t_right=0.4):
    import jaxthermo as jt

    return jt.models.chain(n, 0.5, 0.1, temperature_left=1.0, temperature_right=t_right)


def dense_ness(sizes, gflops):
    import jax

    import jaxthermo as jt

    rows = []
    for n in sizes:
        model = chain(n)
        solver = jt.lyapunov.Sign()
        fn = jax.jit(lambda m, solver=solver: jt.steady_state(m, solver).covariance)
        t, first = best_time(fn, model, repeat=2)
        stats = jt.steady_state(model, solver).stats
        iters = int(np.asarray(stats.get("num_steps", stats.get("iterations", 0))))
        flops = max(iters, 1) * 24 * n**3  # 3 complex matmul equivalents (8 n³ real) per step
        rows.append(
            {
                "n": n,
                "seconds": t,
                "first": first,
                "iterations": iters,
                "fraction": flops / t / 1e9 / gflops,
            }
        )
        print(rows[-1], flush=True)
    return rows


def batched_ness(cases):
    import jax
    import jax.numpy as jnp

    import jaxthermo as jt

    rows = []
    for n, batch in cases:
        temps = jnp.linspace(0.2, 2.0, batch)
        fn = jax.jit(jax.vmap(lambda t, n=n: jt.steady_state(chain(n, t)).covariance))
        t, _ = best_time(fn, temps, repeat=2)
        rows.append({"n": n, "batch": batch, "per_second": batch / t})
        print(rows[-1], flush=True)
    return rows


def batched_fewlevel(cases):
    import jax
    import jax.numpy as jnp

    import jaxthermo as jt

    rows = []
    for d, batch in cases:
        rng = np.random.default_rng(0)
        a = rng.normal(size=(d, d))
        energies = jnp.asarray(np.sort(rng.uniform(0.0, 2.0, d)))
        coupling = jnp.asarray(a + a.T)

        def rho(t, energies=energies, coupling=coupling):
            model = jt.models.multilevel(energies, coupling, jnp.stack([t, 0.5]))
            return jt.steady_state(model).density_matrix

        temps = jnp.linspace(0.6, 3.0, batch)
        t, _ = best_time(jax.jit(jax.vmap(rho)), temps, repeat=2)
        rows.append({"d": d, "batch": batch, "per_second": batch / t})
        print(rows[-1], flush=True)
    return rows


def big_sweep(points):
    import jaxthermo as jt

    side = round(points ** (1 / 3))
    axes = {
        "t_left": np.linspace(0.5, 2.0, side),
        "t_right": np.linspace(0.4, 1.8, side),
        "hopping": np.linspace(0.01, 0.3, side),
    }

    def heat(p):
        model = jt.models.chain(
            4, p["hopping"], 0.05, temperature_left=p["t_left"], temperature_right=p["t_right"]
        )
        return jt.currents(model, jt.steady_state(model, throw=False)).heat[0]

    t0 = time.perf_counter()
    result = jt.sweep(heat, axes, chunk_size=2**16, progress=False)
    wall = time.perf_counter() - t0
    row = {
        "points": side**3,
        "seconds": wall,
        "per_second": side**3 / wall,
        "failed": int(result.failed),
    }
    print(row, flush=True)
    return row


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--tiny", action="store_true", help="tiny sizes (CPU smoke test)")
    parser.add_argument("--write", action="store_true", help="write RESULTS.md even if --tiny")
    parser.add_argument("--json", type=Path, help="also write the numbers as JSON here")
    args = parser.parse_args(argv)
    import jax

    jax.config.update("jax_enable_x64", True)
    tiny = args.tiny
    t_start = time.perf_counter()
    gflops = matmul_rate(128 if tiny else 8192)
    print(f"FP64 matmul: {gflops:.1f} GFLOP/s on {jax.default_backend()}", flush=True)
    dense = dense_ness((16, 32) if tiny else (1024, 2048, 4096, 8192), gflops)
    batched = batched_ness(((2, 64), (10, 32)) if tiny else ((2, 2**20), (10, 2**16), (100, 2**10)))
    few = batched_fewlevel(((4, 8),) if tiny else ((8, 4096), (16, 1024), (32, 128)))
    sweep = big_sweep(8**3 if tiny else 10**6)
    total = time.perf_counter() - t_start
    numbers = {
        "backend": jax.default_backend(),
        "machine": machine(),
        "matmul_gflops": gflops,
        "dense": dense,
        "batched": batched,
        "fewlevel": few,
        "sweep": sweep,
        "total_seconds": total,
    }
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=1))
    lines = [
        f"Machine: {machine()}. `python benchmarks/gpu.py{' --tiny' if tiny else ''}` "
        f"({time.strftime('%Y-%m-%d')}), backend **{jax.default_backend()}**, total "
        f"{total:.0f} s.",
        "",
        f"FP64 matmul rate: {gflops:.3g} GFLOP/s.",
        "",
        "| dense NESS (Sign) n | s | iterations | fraction of matmul rate |",
        "|---|---|---|---|",
        *[
            f"| {r['n']} | {r['seconds']:.3g} | {r['iterations']} | {r['fraction']:.2f} |"
            for r in dense
        ],
        "",
        "| batched NESS n | batch | states / s |",
        "|---|---|---|",
        *[f"| {r['n']} | {r['batch']} | {r['per_second']:.3g} |" for r in batched],
        "",
        "| batched few-level d | batch | states / s |",
        "|---|---|---|",
        *[f"| {r['d']} | {r['batch']} | {r['per_second']:.3g} |" for r in few],
        "",
        f"`jt.sweep` of {sweep['points']} points (4-site chain heat current): "
        f"{sweep['seconds']:.1f} s, {sweep['per_second']:.3g} points/s, {sweep['failed']} failed.",
    ]
    if not tiny or args.write:
        write_section("GPU", "\n".join(lines))
    print("\n".join(lines))
    return numbers


if __name__ == "__main__":
    main()
