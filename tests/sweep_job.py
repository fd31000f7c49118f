"""A sweep run as a separate process by tests/test_sweep.py (to be killed mid-run, or to run
with several virtual CPU devices).

    python sweep_job.py OUT_DIR_OR_- RESULT_NPZ [SLEEP [CHUNK]]
"""

import sys
import time

import jax


jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402

import jaxthermo as jt  # noqa: E402


AXES = {
    "t_left": np.linspace(0.5, 2.0, 12),
    "t_right": np.linspace(0.4, 1.8, 10),
    "hopping": np.linspace(0.02, 0.2, 5),
}


def heat_and_occupations(p):
    model = jt.models.chain(
        4, p["hopping"], 0.05, temperature_left=p["t_left"], temperature_right=p["t_right"]
    )
    state = jt.steady_state(model, throw=False)
    return {"occupations": state.occupations, "heat": jt.currents(model, state).heat}


def slow(p):
    jax.debug.callback(lambda: time.sleep(SLEEP))  # once per chunk (not per point)
    return heat_and_occupations(p)


if __name__ == "__main__":
    path = None if sys.argv[1] == "-" else sys.argv[1]
    SLEEP = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    fn = slow if SLEEP > 0 else heat_and_occupations
    chunk = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    result = jt.sweep(fn, AXES, chunk_size=chunk, path=path, progress=False)
    np.savez(
        sys.argv[2],
        occupations=result.values["occupations"],
        heat=result.values["heat"],
        devices=len(jax.devices()),
    )
