import os


# XLA:CPU's multi-threaded Eigen pool can wedge (block_until_ready never returns, no CPU used)
# on some vmapped graphs when several JAX processes share few cores, as pytest-xdist's
# workers do on the 2-core CI machine; observed here once with batched complex eigh under vmap
# (see PyAutoFit#1528 for the same symptom). Single-threaded Eigen avoids it for the tests.
_FLAG = "--xla_cpu_multi_thread_eigen=false"
if _FLAG not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {_FLAG}".strip()
# One BLAS thread per test process: pytest-xdist already runs one worker per core, and
# OpenBLAS's default of one thread per core (JAX's CPU LAPACK calls are scipy's OpenBLAS)
# oversubscribes the cores with spinning threads (measured: tests/test_lyapunov.py on 2 cores
# 105 s -> 87 s). Set here, in the xdist controller, so the workers and every process a test
# starts inherit it before they load OpenBLAS; an explicit setting in the environment wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
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


# Scheduling hint for pytest-xdist (`--dist worksteal` in pyproject.toml): the tests measured
# to take >= 14 s on 2 cores (issue 16), longest first, start before the rest so that no
# long test is left running alone at the end. Order only; every test still runs.
_SLOW_FIRST = (
    "test_cycles.py::test_power_gradient_through_a_ramp",
    "test_cli.py::test_reproduce_spin_gorm_figure",
    "test_cli.py::test_reproduce_junction_figures",
    "test_cli.py::test_reproduce_chain_figures",
    "test_cli.py::test_reproduce_paper000_figs5_7",
    "test_cycles.py::test_two_mode_engine_with_ramps_equals_brute_force",
    "test_notebooks.py::test_notebook_runs",
    "test_cycles.py::test_qubit_otto_engine_against_dense_integration",
    "test_stress.py::test_every_solver_under_vmap_value_and_grad_with_default_flags",
    "test_observables.py::test_fig3_scaling_of_reservoir_and_self_consistent_entropy_production",
    "test_junction.py::test_optax_power_matches_scan",
    "test_fluctuations.py::test_gradients_of_noise_fano_and_tur",
    "test_observables.py::test_onsager_matrix_reciprocity_and_finite_differences",
    "test_fluctuations.py::test_junction_counting_is_levitov_lesovik_with_its_transmission",
    "test_dynamics.py::test_evolve_is_differentiable",
    "test_junction.py::test_finite_reservoirs_converge_to_exact_dynamics",
    "test_cli.py::test_optimize_engine_reaches_curzon_ahlborn",
    "test_cycles.py::test_no_bath_ever_on_has_no_unique_cycle",
    "test_cli.py::test_optimize_precision_beats_the_classical_bound",
    "test_cli.py::test_reproduce_fewlevel_figures",
    "test_benchmarks.py::test_gpu_benchmark_runs_at_tiny_sizes",
    "test_cycles.py::test_two_mode_engine_has_friction",
    "test_dynamics.py::test_steady_state_gradients_wrt_every_model_number",
    "test_cycles.py::test_power_gradients",
    "test_junction.py::test_long_time_limit_and_double_occupancy",
    "test_cycles.py::test_second_law_over_random_protocols",
    "test_closed.py::test_exact_entropy_production_rate_approaches_markovian_sigma",
    "test_contract.py::test_onsager_reciprocity_across_families",
    "test_cli.py::test_optimize_junction_finds_the_symmetric_optimum",
    "test_contract.py::test_vmapped_batch_with_one_invalid_point_fewlevel_and_junction",
    "test_fewlevel.py::test_zero_sector_solve_gradients_vmap_and_large_d",
    "test_observables.py::test_ballistic_entropy_production_exceeds_diffusive",
    "test_cycles.py::test_modulated_network_equals_brute_force",
    "test_fluctuations.py::test_cgf_derivatives_are_the_cumulants_and_energy_counting",
    "test_cli.py::test_optimize_ratchet_writes_plot_and_optimum",
    "test_contract.py::test_single_fermionic_level_two_families",
)


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(_SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(f"{item.path.name}::{item.originalname}", len(rank)))
