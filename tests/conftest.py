import os


# XLA:CPU's multi-threaded Eigen pool can wedge (block_until_ready never returns, no CPU used)
# on some vmapped graphs when several JAX processes share few cores, as pytest-xdist's
# workers do on the 2-core CI machine; observed here once with batched complex eigh under vmap
# (see PyAutoFit#1528 for the same symptom). Single-threaded Eigen avoids it for the tests.
_FLAG = "--xla_cpu_multi_thread_eigen=false"
if _FLAG not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {_FLAG}".strip()

import jax  # noqa: E402


# Physics is tested in float64 with strict rank promotion (no silent broadcasting).
jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")
