"""No deadlock through the library's own paths (issue 16): the XLA:CPU thread-pool hang seen
with `vmap(value_and_grad(steady_state))` (Kronecker, n = 32) and with a 4096-point vmapped
`cycle_thermodynamics` is checked with the default XLA flags (the test suite itself runs with
single-threaded Eigen, see conftest.py), two processes at once on the CI machine's two cores,
each inside a watchdog."""

import os
import subprocess
import sys
from pathlib import Path


def test_every_solver_under_vmap_value_and_grad_with_default_flags():
    job = str(Path(__file__).with_name("stress_job.py"))
    env = dict(os.environ)
    env.pop("XLA_FLAGS", None)  # XLA's defaults: the multi-threaded Eigen pool
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.pop(var, None)  # and LAPACK's default threads (conftest.py sets one per worker)
    env["PYTHONPATH"] = str(Path(__file__).parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    procs = [
        subprocess.Popen([sys.executable, job, "32"], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = []
    try:
        for p in procs:
            out, _ = p.communicate(timeout=300)  # a hang fails here, with what ran so far
            outs.append(out)
    finally:
        for p in procs:
            p.kill()
    for p, out in zip(procs, outs, strict=True):
        assert p.returncode == 0, out
        assert out.strip().endswith("OK"), out
        for name in ("auto", "bartels", "eigen", "sign", "kronecker", "relative_entropy",
                     "cycles"):  # fmt: skip
            assert f"{name} 2" in out, out
