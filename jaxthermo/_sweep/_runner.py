"""The sharded runner of a sweep: each chunk's point indices are laid out over the devices
with a `Mesh`/`NamedSharding`, and every device evaluates its own shard through the same
jitted `vmap` (dispatched asynchronously, so accelerators run concurrently; CPU devices,
which share one thread pool, one after the other); the outputs are reassembled into globally
sharded arrays.

(One SPMD program over the mesh — a sharded `jit` or `shard_map` — hangs XLA:CPU 0.10 with
several virtual devices once a device holds ~100 points of a `steady_state` sweep;
per-device programs do not.)
"""

from collections.abc import Callable

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec


class ShardedRunner:
    """Evaluates `fn_of_index` (flat index → pytree of arrays) on chunks of `chunk` indices
    sharded over `devices`; `specs` are the output leaves' `(shape, dtype)`."""

    def __init__(self, fn_of_index: Callable, devices: list, chunk: int, specs):
        self.devices = devices
        self.chunk = chunk
        self.specs = specs
        mesh = Mesh(np.asarray(devices), ("points",))
        self.sharding = NamedSharding(mesh, PartitionSpec("points"))
        self.local = jax.jit(jax.vmap(fn_of_index))
        self.out_shardings = [
            NamedSharding(mesh, PartitionSpec("points", *([None] * len(shape))))
            for shape, _ in specs
        ]

    def run(self, start: int, total: int) -> list[np.ndarray]:
        """The outputs of the points `start … start + chunk − 1` (indices past `total − 1`
        repeat the last point and are cut off), as host arrays of `min(chunk, total − start)`
        rows."""
        rows = min(self.chunk, total - start)
        idx = np.minimum(np.arange(start, start + self.chunk), total - 1).astype(np.int32)
        idx = jax.device_put(idx, self.sharding)
        shards = sorted(idx.addressable_shards, key=lambda sh: sh.index[0].start or 0)
        outs = []
        for sh in shards:
            out = jax.tree_util.tree_leaves(self.local(sh.data))
            if sh.data.devices().pop().platform == "cpu":
                # CPU devices share one thread pool: run their programs one at a time (two
                # batched LAPACK calls in flight on a pool of as many threads deadlock it;
                # sequencing costs nothing, the cores are the same)
                jax.block_until_ready(out)
            outs.append(out)
        arrays = [
            jax.make_array_from_single_device_arrays(
                (self.chunk, *shape), sharding, [o[i] for o in outs]
            )
            for i, ((shape, _), sharding) in enumerate(
                zip(self.specs, self.out_shardings, strict=True)
            )
        ]
        if jax.process_count() > 1:  # every process gets every shard
            from jax.experimental import multihost_utils

            arrays = [multihost_utils.process_allgather(x, tiled=True) for x in arrays]
        return [np.asarray(x)[:rows] for x in arrays]
