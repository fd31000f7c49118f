"""jt.sweep: grid/batch evaluation, resume after interruption (bit for bit), sharding over
virtual devices, detection of foreign or corrupt results files."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import jaxthermo as jt


sys.path.insert(0, str(Path(__file__).parent))
from sweep_job import AXES, heat_and_occupations  # noqa: E402


JOB = str(Path(__file__).with_name("sweep_job.py"))


@pytest.fixture(scope="module")
def reference():
    """An uninterrupted single-device run, in process."""
    return jt.sweep(heat_and_occupations, AXES, chunk_size=40, progress=False)


def _env(devices=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    env["JAX_PLATFORMS"] = "cpu"
    if devices:
        # keep the parent's flags (conftest's optimisation level): a differently compiled
        # program may round differently, and this test compares bit for bit
        env["XLA_FLAGS"] = (
            f"{os.environ.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count={devices}"
        ).strip()
    return env


def test_grid_values_match_direct_evaluation(reference):
    values = reference.values
    assert values["occupations"].shape == (12, 10, 5, 4)
    assert values["heat"].shape == (12, 10, 5, 2)
    for i, j, k in [(0, 0, 0), (3, 7, 2), (11, 9, 4)]:
        point = {name: AXES[name][idx] for name, idx in zip(AXES, (i, j, k), strict=True)}
        direct = heat_and_occupations(point)
        np.testing.assert_allclose(
            values["occupations"][i, j, k], direct["occupations"], rtol=1e-13
        )
    assert reference.complete and reference.computed_chunks == 15


def test_batch_mode():
    batch = {"x": jnp.linspace(0.0, 1.0, 7), "y": jnp.arange(7.0)}
    result = jt.sweep(lambda p: p["x"] * p["y"] + 1.0, batch=batch, chunk_size=3, progress=False)
    np.testing.assert_array_equal(result.values, np.linspace(0.0, 1.0, 7) * np.arange(7.0) + 1.0)


def test_resume_after_early_stop_is_bit_for_bit(tmp_path, reference):
    first = jt.sweep(
        heat_and_occupations, AXES, chunk_size=40, path=tmp_path, progress=False, max_chunks=4
    )
    assert not first.complete and first.values is None
    again = jt.sweep(heat_and_occupations, AXES, chunk_size=40, path=tmp_path, progress=False)
    assert again.loaded_chunks == 4 and again.computed_chunks == 11
    for key in ("occupations", "heat"):
        np.testing.assert_array_equal(again.values[key], reference.values[key])


def test_killed_process_resumes_bit_for_bit(tmp_path, reference):
    """SIGKILL a sweep while it runs (0.3 s per chunk), then rerun to completion."""
    proc = subprocess.Popen(
        [sys.executable, JOB, str(tmp_path), str(tmp_path / "unused.npz"), "0.3"], env=_env()
    )
    deadline = time.time() + 120
    while len(list(tmp_path.glob("chunk_*.npz"))) < 3:
        assert proc.poll() is None, "the sweep finished or failed before it could be killed"
        assert time.time() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = len(list(tmp_path.glob("chunk_*.npz")))
    assert 3 <= done < 15
    resumed = jt.sweep(heat_and_occupations, AXES, chunk_size=40, path=tmp_path, progress=False)
    assert resumed.loaded_chunks == done
    for key in ("occupations", "heat"):
        np.testing.assert_array_equal(resumed.values[key], reference.values[key])


def test_four_virtual_devices_give_identical_results(tmp_path, reference):
    out = tmp_path / "sharded.npz"
    # 100 points per device per chunk (where one SPMD program used to hang XLA:CPU)
    subprocess.run(
        [sys.executable, JOB, "-", str(out), "0", "400"],
        env=_env(devices=4),
        check=True,
        timeout=300,
    )
    with np.load(out) as data:
        assert int(data["devices"]) == 4
        for key in ("occupations", "heat"):
            np.testing.assert_array_equal(data[key], reference.values[key])


def test_two_processes_through_jax_distributed_give_identical_results(tmp_path, reference):
    """Issue 16: two local processes, `jax.distributed.initialize` with the coordinator on
    127.0.0.1, one CPU device each (a global mesh of 2), the same `jt.sweep`: both processes
    hold the full result, bit for bit the single-process one. The command line a user runs
    on each host is `python tests/distributed_job.py PORT PROCESS_ID OUT.npz`."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    job = str(Path(__file__).with_name("distributed_job.py"))
    env = _env()
    env["PYTHONPATH"] = str(Path(__file__).parent) + os.pathsep + env["PYTHONPATH"]
    procs = [
        subprocess.Popen(
            [sys.executable, job, str(port), str(i), str(tmp_path / f"p{i}.npz")], env=env
        )  # fmt: skip
        for i in range(2)
    ]
    try:
        codes = [p.wait(timeout=300) for p in procs]
    finally:
        for p in procs:
            p.kill()
    assert codes == [0, 0]
    for i in range(2):
        with np.load(tmp_path / f"p{i}.npz") as data:
            assert int(data["processes"]) == 2 and int(data["devices"]) == 2
            for key in ("occupations", "heat"):
                np.testing.assert_array_equal(data[key], reference.values[key])


def test_foreign_and_corrupt_results_are_reported(tmp_path):
    fn = lambda p: p["a"] ** 2  # noqa: E731
    jt.sweep(fn, {"a": jnp.arange(6.0)}, chunk_size=2, path=tmp_path, progress=False)
    with pytest.raises(ValueError, match="holds results of a different sweep"):
        jt.sweep(fn, {"a": jnp.arange(6.0) + 1}, chunk_size=2, path=tmp_path, progress=False)
    with pytest.raises(ValueError, match="holds results of a different sweep"):
        jt.sweep(fn, {"a": jnp.arange(6.0)}, chunk_size=3, path=tmp_path, progress=False)
    (tmp_path / "chunk_00000001.npz").write_bytes(b"not a numpy file")
    with pytest.raises(ValueError, match="chunk_00000001.npz is corrupt"):
        jt.sweep(fn, {"a": jnp.arange(6.0)}, chunk_size=2, path=tmp_path, progress=False)
    np.savez(tmp_path / "chunk_00000001.npz", leaf_0=np.zeros(5), leaf_1=np.zeros(5, np.int32))
    with pytest.raises(ValueError, match="does not match this sweep"):
        jt.sweep(fn, {"a": jnp.arange(6.0)}, chunk_size=2, path=tmp_path, progress=False)


def test_bad_arguments():
    fn = lambda p: p  # noqa: E731
    with pytest.raises(ValueError, match="exactly one of `axes`"):
        jt.sweep(fn)
    with pytest.raises(ValueError, match="axis `a` must be a non-empty 1-D array"):
        jt.sweep(fn, {"a": jnp.zeros((2, 2))})
    with pytest.raises(ValueError, match="`chunk_size` must be a positive int"):
        jt.sweep(fn, {"a": jnp.zeros(3)}, chunk_size=0)
    with pytest.raises(ValueError, match="share their leading axis"):
        jt.sweep(fn, batch={"a": jnp.zeros(3), "b": jnp.zeros(4)})


def test_progress_bar_reports_points(capsys):
    jt.sweep(lambda p: p["a"] + 1, {"a": jnp.arange(10.0)}, chunk_size=5, progress=True)
    err = capsys.readouterr().err
    assert "100%" in err and "10.0/10.0" in err and "pt/s" in err
