"""Batched, sharded, resumable parameter sweeps.

`sweep(fn, axes=...)` evaluates a jit-able `fn` over the Cartesian grid of named 1-D axes (or
`sweep(fn, batch=...)` over a batch of points): the points are cut into chunks, each chunk is
one `jax.vmap` of `fn` under `jax.jit`, split over the devices with a `jax.sharding.Mesh`,
`NamedSharding` (each device evaluates its own shard, dispatched asynchronously; no
home-made scheduler), and — with `path` — every finished chunk is written to disk atomically
(`os.replace` of a complete file), so an interrupted sweep resumes where it stopped and
returns exactly (bit for bit) what an uninterrupted run returns.

Multi-host: call `jax.distributed.initialize()` in every process first; `jax.devices()` then
lists all hosts' devices and the same code shards over them (each process must see the
same `path`, e.g. a shared file system, and only process 0 should write; see the docstring).
"""

import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from ._custom_types import ArrayLike, PyTree


_FORMAT = 1


class SweepResult:
    """Result of `sweep`.

    **Attributes:** `values` — the outputs of `fn`, a pytree like `fn`'s output whose leaves
    have shape `grid_shape + leaf_shape` (`None` if the sweep stopped early, see
    `complete`); `axes` — the grid axes (`{name: array}`), or `None` for a batch;
    `shape` — the grid (or batch) shape; `complete`; `computed_chunks` / `loaded_chunks` —
    chunks evaluated in this call / read back from `path`; `seconds`; `points_per_second`
    (points evaluated in this call over the time spent evaluating them).
    """

    def __init__(self, values, axes, shape, complete, computed, loaded, seconds, rate):
        self.values = values
        self.axes = axes
        self.shape = shape
        self.complete = complete
        self.computed_chunks = computed
        self.loaded_chunks = loaded
        self.seconds = seconds
        self.points_per_second = rate

    def __repr__(self):
        return (
            f"SweepResult(shape={self.shape}, complete={self.complete}, "
            f"computed_chunks={self.computed_chunks}, loaded_chunks={self.loaded_chunks}, "
            f"points_per_second={self.points_per_second:.3g})"
        )


def _fingerprint(kind: str, leaves: list[np.ndarray], chunk: int, out_spec) -> str:
    h = hashlib.sha256()
    h.update(f"{_FORMAT}|{kind}|{chunk}|{out_spec}".encode())
    for leaf in leaves:
        h.update(f"{leaf.dtype}|{leaf.shape}".encode())
        h.update(np.ascontiguousarray(leaf).tobytes())
    return h.hexdigest()


def _write_atomic(path: Path, arrays: dict[str, np.ndarray]) -> None:
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    with open(tmp, "wb") as f:
        np.savez(f, **arrays)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _load_chunk(path: Path, specs, rows: int) -> list[np.ndarray]:
    try:
        with np.load(path) as data:
            leaves = [data[f"leaf_{i}"] for i in range(len(specs))]
    except Exception as err:  # noqa: BLE001 (any unreadable file is reported the same way)
        raise ValueError(
            f"sweep: results file {path} is corrupt or unreadable ({err}); delete it to "
            "recompute that chunk."
        ) from err
    for leaf, (shape, dtype) in zip(leaves, specs, strict=True):
        if leaf.shape != (rows, *shape) or str(leaf.dtype) != dtype:
            raise ValueError(
                f"sweep: results file {path} does not match this sweep (found "
                f"{leaf.shape} {leaf.dtype}, expected {(rows, *shape)} {dtype}); delete it "
                "to recompute that chunk."
            )
    return leaves


def sweep(
    fn: Callable[[Any], PyTree],
    axes: Mapping[str, ArrayLike] | None = None,
    *,
    batch: PyTree | None = None,
    chunk_size: int = 2**16,
    path: str | os.PathLike | None = None,
    devices: list | None = None,
    progress: bool = True,
    max_chunks: int | None = None,
) -> SweepResult:
    """Evaluate `fn` over a parameter grid or batch, chunked, vmapped, sharded, resumable.

    **Arguments:**

    - `fn`: jit-able; for a grid it receives `{name: scalar}` (one value per axis), for a
      batch one point of `batch` (its leaves without the leading axis); returns a pytree of
      arrays (same shapes for every point).
    - `axes`: `{name: 1-D array}`; the grid is their Cartesian product in the order given
      (C order: the last axis varies fastest). Exactly one of `axes` and `batch`.
    - `batch`: a pytree whose leaves share a leading axis of N points.
    - `chunk_size`: points per chunk (rounded up to a multiple of the device count); bounds
      the memory in use: one chunk's inputs, intermediates and outputs.
    - `path`: a directory for results. Finished chunks are written there atomically; a rerun
      with the same `fn` inputs loads them instead of recomputing. A directory written for a
      different sweep (other axes/batch values, chunk size or output structure), or a corrupt
      chunk file, raises a `ValueError` naming it: it is never silently reused. (`fn`'s code
      is not fingerprinted: use a new `path` when you change `fn`.)
    - `devices`: devices to shard over (default `jax.devices()`; with
      `XLA_FLAGS=--xla_force_host_platform_device_count=4` a CPU offers 4).
    - `progress`: show a progress bar (tqdm) with points per second.
    - `max_chunks`: compute at most this many new chunks, then return (`complete=False`);
      rerun to continue (a time-boxed run, and how the resume tests interrupt a sweep).

    Multi-host: after `jax.distributed.initialize()`, pass `devices=jax.devices()` (global);
    every process runs `sweep` with the same arguments, and results are written by the
    process whose `jax.process_index() == 0` only.
    """
    if (axes is None) == (batch is None):
        raise ValueError("sweep: give exactly one of `axes` (a grid) and `batch`.")
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"sweep: `chunk_size` must be a positive int, got {chunk_size!r}.")
    if axes is not None:
        if not isinstance(axes, Mapping) or not axes:
            raise TypeError("sweep: `axes` must be a non-empty mapping {name: 1-D array}.")
        names = list(axes)
        grid = [np.asarray(axes[k]) for k in names]
        for k, a in zip(names, grid, strict=True):
            if a.ndim != 1 or a.shape[0] == 0:
                raise ValueError(f"sweep: axis `{k}` must be a non-empty 1-D array, got {a.shape}.")
        shape = tuple(a.shape[0] for a in grid)
        kind, in_leaves = "grid:" + ",".join(names), grid
        device_axes = [jnp.asarray(a) for a in grid]

        def point(i):
            out, rest = {}, i
            for k, a in reversed(list(zip(names, device_axes, strict=True))):
                out[k] = a[rest % a.shape[0]]
                rest = rest // a.shape[0]
            return {k: out[k] for k in names}

    else:
        in_leaves_dev, treedef_in = jax.tree_util.tree_flatten(batch)
        in_leaves = [np.asarray(x) for x in in_leaves_dev]
        if not in_leaves or any(x.ndim == 0 for x in in_leaves):
            raise ValueError("sweep: every leaf of `batch` needs a leading axis of points.")
        n = in_leaves[0].shape[0]
        if any(x.shape[0] != n for x in in_leaves):
            raise ValueError("sweep: the leaves of `batch` must share their leading axis.")
        shape, kind = (n,), "batch"
        device_leaves = [jnp.asarray(x) for x in in_leaves]

        def point(i):
            return jax.tree_util.tree_unflatten(treedef_in, [x[i] for x in device_leaves])

    total = int(np.prod(shape))
    devices = list(jax.devices() if devices is None else devices)
    n_dev = len(devices)
    chunk = -(-chunk_size // n_dev) * n_dev
    n_chunks = -(-total // chunk)

    out_struct = jax.eval_shape(lambda i: fn(point(i)), jnp.zeros((), jnp.int32))
    out_leaves, out_tree = jax.tree_util.tree_flatten(out_struct)
    specs = [(tuple(x.shape), str(np.dtype(x.dtype))) for x in out_leaves]
    fingerprint = _fingerprint(kind, in_leaves, chunk, (str(out_tree), specs))

    mesh = Mesh(np.asarray(devices), ("points",))
    sharding = NamedSharding(mesh, PartitionSpec("points"))
    # Every device evaluates its own shard of the chunk: the index array is laid out with the
    # `NamedSharding`, each addressable shard goes through the same jitted `vmap` on its own
    # device (dispatched asynchronously, so devices run concurrently), and the outputs are
    # reassembled into globally sharded arrays. (One SPMD program over the mesh — a sharded
    # `jit` or `shard_map` — hangs XLA:CPU 0.10 with several virtual devices once a device
    # holds ~100 points of a `steady_state` sweep; per-device programs do not.)
    local = jax.jit(jax.vmap(lambda i: fn(point(i))))
    out_shardings = [
        NamedSharding(mesh, PartitionSpec("points", *([None] * len(shape)))) for shape, _ in specs
    ]

    def run_chunk(idx):
        shards = sorted(idx.addressable_shards, key=lambda sh: sh.index[0].start or 0)
        outs = [jax.tree_util.tree_leaves(local(sh.data)) for sh in shards]
        return [
            jax.make_array_from_single_device_arrays(
                (chunk, *shape), sharding_i, [o[i] for o in outs]
            )
            for i, ((shape, _), sharding_i) in enumerate(zip(specs, out_shardings, strict=True))
        ]

    writer = jax.process_index() == 0
    directory = None if path is None else Path(path)
    if directory is not None:
        meta_file = directory / "sweep.json"
        meta = {
            "format": _FORMAT,
            "fingerprint": fingerprint,
            "points": total,
            "chunk_size": chunk,
            "chunks": n_chunks,
        }
        if meta_file.exists():
            try:
                found = json.loads(meta_file.read_text())
            except Exception as err:  # noqa: BLE001
                raise ValueError(f"sweep: {meta_file} is corrupt ({err}).") from err
            if found != meta:
                raise ValueError(
                    f"sweep: {directory} holds results of a different sweep (its sweep.json "
                    "does not match these axes/batch values, chunk size or outputs); use "
                    "another `path` or delete it."
                )
        elif writer:
            directory.mkdir(parents=True, exist_ok=True)
            tmp = meta_file.with_name("sweep.json.tmp")
            tmp.write_text(json.dumps(meta))
            os.replace(tmp, meta_file)

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
        file = None if directory is None else directory / f"chunk_{k:08d}.npz"
        if file is not None and file.exists():
            results[k] = _load_chunk(file, specs, rows)
            loaded += 1
        else:
            if max_chunks is not None and computed >= max_chunks:
                break
            idx = np.minimum(np.arange(start, start + chunk), total - 1).astype(np.int32)
            t0 = time.perf_counter()
            out = run_chunk(jax.device_put(idx, sharding))
            leaves = [np.asarray(x)[:rows] for x in out]
            busy += time.perf_counter() - t0
            results[k] = leaves
            computed += 1
            computed_points += rows
            if file is not None and writer:
                _write_atomic(file, {f"leaf_{i}": x for i, x in enumerate(leaves)})
        if bar is not None:
            bar.update(rows)
    if bar is not None:
        bar.close()
    seconds = time.perf_counter() - t_start
    rate = computed_points / busy if busy > 0 else float("nan")
    complete = all(r is not None for r in results)
    axes_out = None if axes is None else dict(zip(names, grid, strict=True))
    if not complete:
        return SweepResult(None, axes_out, shape, False, computed, loaded, seconds, rate)
    values = [
        np.concatenate([r[i] for r in results], axis=0).reshape(shape + specs[i][0])
        for i in range(len(specs))
    ]
    return SweepResult(
        jax.tree_util.tree_unflatten(out_tree, values),
        axes_out,
        shape,
        True,
        computed,
        loaded,
        seconds,
        rate,
    )
