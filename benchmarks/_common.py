"""Shared helpers for the benchmark scripts: timing, machine description, RESULTS.md sections."""

import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path


RESULTS = Path(__file__).with_name("RESULTS.md")


def best_time(fn, *args, repeat=3, min_time=0.0):
    """Best wall time of `fn(*args)` over `repeat` runs (results blocked on), after one warm-up
    run that includes compilation. Returns (best seconds, first-call seconds)."""
    import jax

    t0 = time.perf_counter()
    jax.block_until_ready(fn(*args))
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        jax.block_until_ready(fn(*args))
        times.append(time.perf_counter() - t0)
        if sum(times) > min_time and len(times) >= 1 and min_time > 0:
            break
    return min(times), first


def machine() -> str:
    import jax

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = re.findall(r"model name\s*:\s*(.*)", f.read())
        if names:
            cpu = names[0]
    except OSError:
        pass
    devices = ", ".join(sorted({d.device_kind for d in jax.devices()}))
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, jax {jax.__version__} on "
        f"{jax.default_backend()} ({devices})"
    )


def run_case(script: str, *args) -> dict:
    """Run `python script --case args...` in a fresh process; parse its last JSON line and
    add its peak resident memory (MiB)."""
    cmd = [sys.executable, script, "--case", *map(str, args)]
    wrapper = (
        "import resource, runpy, sys; sys.argv = sys.argv[1:]; "
        'exec(\'try:\\n runpy.run_path(sys.argv[0], run_name="__main__")\\nfinally:\\n '
        'print("@@RSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)\')'
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapper, *cmd[1:]], capture_output=True, text=True, check=False
    )
    data = {}
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            data = json.loads(line)
        elif line.startswith("@@RSS"):
            data["peak_rss_mib"] = int(line.split()[1]) / 1024
    if out.returncode != 0 and "error" not in data:
        data["error"] = (out.stderr.strip().splitlines() or ["failed"])[-1][:200]
    return data


def write_section(title: str, body: str) -> None:
    """Replace (or append) the section `## title` of RESULTS.md."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    section = f"## {title}\n\n{body.strip()}\n\n"
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text + "\n" + section
    RESULTS.write_text(text.rstrip() + "\n")
