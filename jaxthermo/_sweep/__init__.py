"""Batched, sharded, resumable parameter sweeps (a generic tool: it knows no model).

`sweep(fn, axes=...)` evaluates a jit-able `fn` over the Cartesian grid of named 1-D axes (or
`sweep(fn, batch=...)` over a batch of points): the points (`_points.py`) are cut into
chunks, each chunk is one `jax.vmap` of `fn` under `jax.jit`, split over the devices with a
`jax.sharding.Mesh`/`NamedSharding` (`_runner.py`), and — with `path` — every finished chunk
is written to disk atomically (`_store.py`), so an interrupted sweep resumes where it
stopped and returns exactly (bit for bit) what an uninterrupted run returns.

Result codes: every `jaxthermo.RESULTS` item in `fn`'s output (e.g. the `.result` of a steady
state computed with `throw=False`) is recorded per point; the sweep keeps going past failed
points and reports how many failed.

Multi-host: call `jax.distributed.initialize()` in every process first; `jax.devices()` then
lists all hosts' devices and the same code shards over them (every process gets every
result; only process 0 writes to `path`).
"""

import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._custom_types import ArrayLike, PyTree
from .._solution import RESULTS
from ._points import Points, batch_points, grid_points
from ._runner import ShardedRunner
from ._store import FORMAT, ChunkStore, fingerprint


_ITEM = type(RESULTS.successful)


def result_code(output: PyTree) -> jax.Array:
    """The combined `RESULTS` code of one point's output: the largest code among the
    jaxthermo `RESULTS` items it contains (0, `successful`, if none failed or there are none)."""
    items = [
        x
        for x in jax.tree_util.tree_leaves(output, is_leaf=lambda x: isinstance(x, _ITEM))
        if isinstance(x, _ITEM) and x._enumeration is RESULTS
    ]
    if not items:
        return jnp.zeros((), jnp.int32)
    return jnp.max(jnp.stack([jnp.asarray(x._value, jnp.int32) for x in items]))


class SweepResult:
    """Result of `sweep`.

    **Attributes:** `values` — the outputs of `fn`, a pytree like `fn`'s output whose leaves
    have shape `grid_shape + leaf_shape` (`None` if the sweep stopped early, see
    `complete`); `results` — the per-point `RESULTS` code (int32, `grid_shape`; 0 is
    `successful`; `None` if incomplete); `failed` — how many points did not succeed;
    `failures` — `{message: count}` of their results; `axes` — the grid axes
    (`{name: array}`), or `None` for a batch; `shape`; `complete`; `computed_chunks` /
    `loaded_chunks` — chunks evaluated in this call / read back from `path`; `seconds`;
    `points_per_second` (points evaluated in this call over the time spent evaluating them).
    """

    def __init__(self, values, results, axes, shape, complete, computed, loaded, seconds, rate):
        self.values = values
        self.results = results
        self.axes = axes
        self.shape = shape
        self.complete = complete
        self.computed_chunks = computed
        self.loaded_chunks = loaded
        self.seconds = seconds
        self.points_per_second = rate

    @property
    def failed(self) -> int:
        return 0 if self.results is None else int(np.count_nonzero(self.results))

    @property
    def failures(self) -> dict[str, int]:
        if self.results is None:
            return {}
        codes, counts = np.unique(self.results[self.results != 0], return_counts=True)
        return {RESULTS._index_to_message[c]: int(n) for c, n in zip(codes, counts, strict=True)}

    def __repr__(self):
        return (
            f"SweepResult(shape={self.shape}, complete={self.complete}, failed={self.failed}, "
            f"computed_chunks={self.computed_chunks}, loaded_chunks={self.loaded_chunks}, "
            f"points_per_second={self.points_per_second:.3g})"
        )


def sweep(
    fn: Callable[[Any], PyTree],
    axes: Mapping[str, ArrayLike] | None = None,
    *,
    batch: PyTree | None = None,
    chunk_size: int = 2**16,
    path=None,
    devices: list | None = None,
    progress: bool = True,
    max_chunks: int | None = None,
) -> SweepResult:
    """Evaluate `fn` over a parameter grid or batch, chunked, vmapped, sharded, resumable.

    **Arguments:**

    - `fn`: jit-able; for a grid it receives `{name: scalar}` (one value per axis), for a
      batch one point of `batch` (its leaves without the leading axis); returns a pytree of
      arrays (same shapes for every point). Use `throw=False` in the verbs it calls and
      return their results: then a failed point is recorded, not raised.
    - `axes`: `{name: 1-D array}`; the grid is their Cartesian product in the order given
      (C order: the last axis varies fastest). Exactly one of `axes` and `batch`.
    - `batch`: a pytree whose leaves share a leading axis of N points.
    - `chunk_size`: points per chunk (rounded up to a multiple of the device count); bounds
      the memory in use: one chunk's inputs, intermediates and outputs.
    - `path`: a directory for results. Finished chunks are written there atomically; a rerun
      with the same inputs loads them instead of recomputing. A directory written for a
      different sweep (other axes/batch values, chunk size or output structure), or a corrupt
      chunk file, raises a `ValueError` naming it. (`fn`'s code is not fingerprinted: use a
      new `path` when you change `fn`.)
    - `devices`: devices to shard over (default `jax.devices()`; with
      `XLA_FLAGS=--xla_force_host_platform_device_count=4` a CPU offers 4).
    - `progress`: show a progress bar (tqdm) with points per second.
    - `max_chunks`: compute at most this many new chunks, then return (`complete=False`);
      rerun to continue (a time-boxed run).

    **Returns:** a `SweepResult` (`.values`, `.results`, `.failed`, ...). If some points
    failed, a `RuntimeWarning` says how many and why.

    Multi-host: after `jax.distributed.initialize()`, every process runs `sweep` with the same
    arguments (default `devices=jax.devices()`, the global list); results are written by the
    process whose `jax.process_index() == 0` only.
    """
    if (axes is None) == (batch is None):
        raise ValueError("sweep: give exactly one of `axes` (a grid) and `batch`.")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"sweep: `chunk_size` must be a positive int, got {chunk_size!r}.")
    points: Points = grid_points(axes) if axes is not None else batch_points(batch)
    total = points.total
    devices = list(jax.devices() if devices is None else devices)
    chunk = -(-chunk_size // len(devices)) * len(devices)
    n_chunks = -(-total // chunk)

    def fn_of_index(i):
        out = fn(points.point(i))
        return out, result_code(out)

    out_struct = jax.eval_shape(fn_of_index, jnp.zeros((), jnp.int32))
    out_leaves, out_tree = jax.tree_util.tree_flatten(out_struct)
    specs = [(tuple(x.shape), str(np.dtype(x.dtype))) for x in out_leaves]
    key = fingerprint(points.kind, points.leaves, chunk, (str(out_tree), specs))
    meta = {"format": FORMAT, "fingerprint": key, "points": total, "chunk_size": chunk,
            "chunks": n_chunks}  # fmt: skip
    store = ChunkStore(path, meta, specs, writer=jax.process_index() == 0)
    runner = ShardedRunner(fn_of_index, devices, chunk, specs)

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit="pt", unit_scale=True, desc="sweep", smoothing=0.1)
    results: list[list[np.ndarray] | None] = [None] * n_chunks
    computed = loaded = computed_points = 0
    busy = 0.0
    t_start = time.perf_counter()
    for k in range(n_chunks):
        start = k * chunk
        rows = min(chunk, total - start)
        if store.has(k):
            results[k] = store.load(k, rows)
            loaded += 1
        else:
            if max_chunks is not None and computed >= max_chunks:
                break
            t0 = time.perf_counter()
            results[k] = runner.run(start, total)
            busy += time.perf_counter() - t0
            computed += 1
            computed_points += rows
            store.save(k, results[k])
        if bar is not None:
            bar.update(rows)
    if bar is not None:
        bar.close()
    seconds = time.perf_counter() - t_start
    rate = computed_points / busy if busy > 0 else float("nan")
    complete = all(r is not None for r in results)
    if not complete:
        return SweepResult(None, None, points.axes, points.shape, False, computed, loaded,
                           seconds, rate)  # fmt: skip
    leaves = [
        np.concatenate([r[i] for r in results], axis=0).reshape(points.shape + specs[i][0])
        for i in range(len(specs))
    ]
    values, codes = jax.tree_util.tree_unflatten(out_tree, leaves)
    out = SweepResult(
        values, codes, points.axes, points.shape, True, computed, loaded, seconds, rate
    )
    if out.failed:
        reasons = "; ".join(f"{n}: {m.splitlines()[0]}" for m, n in out.failures.items())
        warnings.warn(
            f"sweep: {out.failed} of {total} points did not succeed ({reasons}); see "
            "SweepResult.results for which.",
            RuntimeWarning,
            stacklevel=2,
        )
    return out
