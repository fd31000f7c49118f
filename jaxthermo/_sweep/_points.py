"""The points of a sweep: a Cartesian grid of named axes or a batch, as an index → point
function that runs on the device."""

from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np


class Points:
    """`kind` (fingerprinted), `shape` (grid or batch shape), `leaves` (host copies of the
    inputs, fingerprinted), `point(i)` (jit-able: flat index → one point), `axes` (the grid
    axes, or None for a batch)."""

    def __init__(self, kind: str, shape: tuple, leaves: list, point: Callable, axes):
        self.kind = kind
        self.shape = shape
        self.leaves = leaves
        self.point = point
        self.axes = axes

    @property
    def total(self) -> int:
        return int(np.prod(self.shape))


def grid_points(axes: Mapping[str, Any]) -> Points:
    """The Cartesian product of named 1-D axes in the order given (C order: the last axis
    varies fastest); a point is `{name: scalar}`."""
    if not isinstance(axes, Mapping) or not axes:
        raise TypeError("sweep: `axes` must be a non-empty mapping {name: 1-D array}.")
    names = list(axes)
    grid = [np.asarray(axes[k]) for k in names]
    for k, a in zip(names, grid, strict=True):
        if a.ndim != 1 or a.shape[0] == 0:
            raise ValueError(f"sweep: axis `{k}` must be a non-empty 1-D array, got {a.shape}.")
    shape = tuple(a.shape[0] for a in grid)
    device_axes = [jnp.asarray(a) for a in grid]

    def point(i):
        out, rest = {}, i
        for k, a in reversed(list(zip(names, device_axes, strict=True))):
            out[k] = a[rest % a.shape[0]]
            rest = rest // a.shape[0]
        return {k: out[k] for k in names}

    return Points(
        "grid:" + ",".join(names), shape, grid, point, dict(zip(names, grid, strict=True))
    )


def batch_points(batch: Any) -> Points:
    """A pytree whose leaves share a leading axis of N points; a point is the pytree of the
    leaves without that axis."""
    device_leaves, treedef = jax.tree_util.tree_flatten(batch)
    leaves = [np.asarray(x) for x in device_leaves]
    if not leaves or any(x.ndim == 0 for x in leaves):
        raise ValueError("sweep: every leaf of `batch` needs a leading axis of points.")
    n = leaves[0].shape[0]
    if any(x.shape[0] != n for x in leaves):
        raise ValueError("sweep: the leaves of `batch` must share their leading axis.")
    device_leaves = [jnp.asarray(x) for x in leaves]

    def point(i):
        return jax.tree_util.tree_unflatten(treedef, [x[i] for x in device_leaves])

    return Points("batch", (n,), leaves, point, None)
