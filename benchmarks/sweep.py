"""A 10⁶-point NESS sweep (4-site chain over T_L × T_R × hopping) with `jt.sweep`, on 1 and on
4 virtual CPU devices (`XLA_FLAGS=--xla_force_host_platform_device_count=4`, a subprocess).

    python benchmarks/sweep.py

Writes the section "Sweeps" of benchmarks/RESULTS.md (issue 7).
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jax
import numpy as np


jax.config.update("jax_enable_x64", True)

import jaxthermo as jt  # noqa: E402


sys.path.insert(0, str(Path(__file__).parent))
from _common import machine, write_section  # noqa: E402


AXES = {
    "t_left": np.linspace(0.5, 2.0, 100),
    "t_right": np.linspace(0.4, 1.8, 100),
    "hopping": np.linspace(0.01, 0.3, 100),
}


def heat_current(p):
    model = jt.models.chain(
        4, p["hopping"], 0.05, temperature_left=p["t_left"], temperature_right=p["t_right"]
    )
    return jt.currents(model, jt.steady_state(model, throw=False)).heat[0]


def run(path, out):
    t0 = time.perf_counter()
    result = jt.sweep(heat_current, AXES, chunk_size=2**16, path=path, progress=True)
    wall = time.perf_counter() - t0
    np.savez(
        out,
        heat=result.values,
        wall=wall,
        rate=result.points_per_second,
        devices=len(jax.devices()),
    )


def main():
    if len(sys.argv) > 1:  # child: python sweep.py OUT (run with several virtual devices)
        run(None, sys.argv[1])
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.npz"
        run(Path(tmp) / "results", one)
        four = Path(tmp) / "four.npz"
        env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4")
        subprocess.run([sys.executable, __file__, str(four)], env=env, check=True)
        with np.load(one) as a, np.load(four) as b:
            same = np.array_equal(a["heat"], b["heat"])
            for data in (a, b):
                rows.append(
                    f"| {int(data['devices'])} | {float(data['wall']):.1f} | "
                    f"{float(data['rate']):.3g} |"
                )
    body = "\n".join(
        [
            f"Machine: {machine()}. Measured {time.strftime('%Y-%m-%d')} with "
            "`python benchmarks/sweep.py` (float64).",
            "",
            "10⁶ NESS points: heat current of the 4-site chain of paper 002 over a 100 × 100 × "
            "100 grid of (T_L, T_R, hopping), chunks of 65 536 points, progress bar on; results "
            "written to disk per chunk (1 device) or kept in memory (4 devices). Wall time "
            "includes compilation; the rate is points per second of evaluation. The 4 devices "
            "are virtual CPU devices (`XLA_FLAGS=--xla_force_host_platform_device_count=4`) on "
            "the same 2 cores, so no speed-up is expected; sharding must not change a bit: "
            f"the two result arrays are **{'identical' if same else 'DIFFERENT'}**.",
            "",
            "| devices | wall [s] | points / s |",
            "|---|---|---|",
            *rows,
        ]
    )
    write_section("Sweeps", body)


if __name__ == "__main__":
    main()
