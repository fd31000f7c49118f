import os


# XLA:CPU's multi-threaded Eigen pool can wedge (block_until_ready never returns, no CPU used)
# on some vmapped graphs when several JAX processes share few cores, as pytest-xdist's
# workers do on the 2-core CI machine; observed here once with batched complex eigh under vmap
# (see PyAutoFit#1528 for the same symptom). Single-threaded Eigen avoids it for the tests.
_FLAG = "--xla_cpu_multi_thread_eigen=false"
if _FLAG not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {_FLAG}".strip()
# The suite's time is mostly XLA compilation of small programs: without LLVM's optimisation
# passes it compiles ~20 % faster (same IEEE arithmetic; the tests' problems are small).
_OPT = "--xla_backend_optimization_level=0"
if "xla_backend_optimization_level" not in os.environ["XLA_FLAGS"]:
    os.environ["XLA_FLAGS"] = f"{os.environ['XLA_FLAGS']} {_OPT}"

# One persistent compilation cache for the whole run, shared by both xdist workers and by
# the processes the tests start (notebook kernels, the CLI): identical programs compile once.
# It starts empty on a fresh clone; `JAXTHERMO_TEST_CACHE` moves it.
_CACHE = os.environ.get(
    "JAXTHERMO_TEST_CACHE", os.path.join(os.path.dirname(os.path.dirname(__file__)), ".jax-cache")
)
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", _CACHE)
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "-1")

import jax  # noqa: E402


# Physics is tested in float64 with strict rank promotion (no silent broadcasting).
jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")
