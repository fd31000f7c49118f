"""Benchmark scripts at tiny sizes on whatever backend the tests run on (CPU in CI): the
script that will run on a GPU machine (issue 16) runs end to end with sane numbers, and the
benchmarks' own model code keeps up with the library's names (benchmarks/closed.py once
called a renamed method)."""

import importlib.util
import math
from pathlib import Path


def _benchmark(name):
    path = Path(__file__).parents[1] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{name}_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_closed_benchmark_cases_at_a_tiny_size():
    """Both forms of the closed-system case (the chain reservoir in its site basis and in its
    eigenbasis) run and give the same entropy production."""
    closed = _benchmark("closed")
    site = closed.gaussian_case(24)
    eig = closed.gaussian_case(24, eigenbasis=True, reference=False)
    assert site["reference_1000"] > 0 and eig["reference_1000"] is None
    assert abs(site["late_entropy_production"] - eig["late_entropy_production"]) < 1e-12


def test_gpu_benchmark_runs_at_tiny_sizes(tmp_path):
    module = _benchmark("gpu")
    numbers = module.main(["--tiny", "--json", str(tmp_path / "gpu.json")])
    assert (tmp_path / "gpu.json").exists()
    assert numbers["matmul_gflops"] > 0
    for row in numbers["dense"]:
        assert row["iterations"] > 0 and 0 < row["fraction"] and math.isfinite(row["seconds"])
    assert all(r["per_second"] > 0 for r in numbers["batched"] + numbers["fewlevel"])
    assert numbers["sweep"]["points"] == 512 and numbers["sweep"]["failed"] == 0


def test_fewlevel_evolution_benchmark_at_a_tiny_size():
    """The secular-evolution rows (ODE route, exponential, QuTiP mesolve where installed)
    run, and the two routes agree."""
    rows = _benchmark("fewlevel").secular_evolution((2,), times=(0.0, 1.0, 20.0))
    cells = rows[0].split("|")
    assert cells[2].strip() == "4" and float(cells[3]) > 0
    assert float(cells[-2]) < 1e-8  # max abs diff ODE vs expm


def test_eager_benchmark_case_runs(capsys):
    """benchmarks/eager.py's cases call the library's current names (one case, in process)."""
    import json

    _benchmark("eager").case("cumulants_junction", "eager")
    times = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert times["first"] > 0 and times["second"] > 0
