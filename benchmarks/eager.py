"""Eager (notebook-style) calls of the verbs that compile themselves (issue 16):
`current_cumulants` and `onsager_coefficients`, each called twice without any user `jit`,
against the same call wrapped by hand in `jax.jit`. Each case runs in a fresh process, so the
first call includes every compilation it triggers.

    python benchmarks/eager.py
"""

import argparse
import json
import sys
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).parent))
from _common import machine, run_case, write_section  # noqa: E402


CASES = {
    "current_cumulants, 2-mode fermionic model, order 3": "cumulants_quadratic",
    "current_cumulants, junction (exact), order 2": "cumulants_junction",
    "onsager_coefficients, junction (linear)": "onsager_junction",
}


def _call(case):
    """The case's eager call, a function of no arguments."""
    import jax.numpy as jnp

    import jaxthermo as jt

    if case == "cumulants_quadratic":
        h = jnp.array([[1.0, 0.2], [0.2, 1.3]])
        model = jt.QuadraticModel(
            h, [jt.FermionBath(0, 0.3, 1.4, 0.5), jt.FermionBath(1, 0.2, 0.5, -0.2)]
        )
        return lambda: jt.current_cumulants(model, 0, 3)
    temps, mus = jnp.array([0.8, 0.8]), jnp.array([0.3, 0.3])
    if case == "cumulants_junction":
        model = jt.models.junction(1.0, 0.2, 0.5, 0.05, 10.0, temps, mus)
        return lambda: jt.current_cumulants(model, 0, 2)

    def make(t, mu):
        return jt.models.junction(1.0, 0.2, 0.5, 0.05, 10.0, t, mu)

    return lambda: jt.onsager_coefficients(make, temps, mus, second_order=False).linear


def case(name, mode):
    import jax

    jax.config.update("jax_enable_x64", True)
    call = _call(name)
    times = []
    for _ in range(2):
        fn = jax.jit(call) if mode == "jit" else call
        t0 = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - t0)
    print(json.dumps({"first": times[0], "second": times[1]}))


def main():
    rows = []
    for label, name in CASES.items():
        eager = run_case(__file__, name, "eager")
        jit = run_case(__file__, name, "jit")
        rows.append((label, eager, jit))
        print(label, eager, jit, flush=True)
    lines = [
        f"Machine: {machine()}. `python benchmarks/eager.py` ({time.strftime('%Y-%m-%d')}). "
        "No GPU was available to this session: CPU only.",
        "",
        "Each verb called twice with no user `jit` (fresh process: the first call includes all "
        "compilation), against the same call wrapped by hand in `jax.jit` (the reference). "
        "Before issue 16's change these "
        "verbs ran op by op: 6.9 s, 9.9 s and 14.3 s for the first calls of the three rows "
        "(measured once, 2026-12-03, in one script, not in this run).",
        "",
        "| case | eager first (s) | eager second (s) | by-hand jit first (s) | "
        "by-hand jit second (s) | eager first / jit first |",
        "|---|---|---|---|---|---|",
    ]
    for label, e, j in rows:
        lines.append(
            f"| {label} | {e['first']:.3g} | {e['second']:.3g} | {j['first']:.3g} | "
            f"{j['second']:.3g} | {e['first'] / j['first']:.2f} |"
        )
    write_section("Eager calls of self-compiling verbs", "\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", nargs=2)
    args = parser.parse_args()
    if args.case:
        case(*args.case)
    else:
        main()
