"""benchmarks/gpu.py (issue 16) at tiny sizes on whatever backend the tests run on (CPU in
CI): the script that will run on a GPU machine runs end to end, and its numbers are sane."""

import importlib.util
import math
from pathlib import Path


def test_gpu_benchmark_runs_at_tiny_sizes(tmp_path):
    path = Path(__file__).parents[1] / "benchmarks" / "gpu.py"
    spec = importlib.util.spec_from_file_location("gpu_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    numbers = module.main(["--tiny", "--json", str(tmp_path / "gpu.json")])
    assert (tmp_path / "gpu.json").exists()
    assert numbers["matmul_gflops"] > 0
    for row in numbers["dense"]:
        assert row["iterations"] > 0 and 0 < row["fraction"] and math.isfinite(row["seconds"])
    assert all(r["per_second"] > 0 for r in numbers["batched"] + numbers["fewlevel"])
    assert numbers["sweep"]["points"] == 512 and numbers["sweep"]["failed"] == 0
