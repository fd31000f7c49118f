"""One of the 2 processes of tests/test_sweep.py's multi-process sweep (issue 16):

    python distributed_job.py PORT PROCESS_ID RESULT_NPZ

`jax.distributed.initialize` with the coordinator on 127.0.0.1:PORT, CPU collectives through
gloo, then the same `jt.sweep` as sweep_job.py; every process writes what it got."""

import sys

import jax


port, process_id, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
jax.config.update("jax_cpu_collectives_implementation", "gloo")
jax.distributed.initialize(
    coordinator_address=f"127.0.0.1:{port}", num_processes=2, process_id=process_id
)
jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402
from sweep_job import AXES, heat_and_occupations  # noqa: E402

import jaxthermo as jt  # noqa: E402


result = jt.sweep(heat_and_occupations, AXES, chunk_size=40, progress=False)
np.savez(
    out,
    occupations=result.values["occupations"],
    heat=result.values["heat"],
    processes=jax.process_count(),
    devices=len(jax.devices()),
)
