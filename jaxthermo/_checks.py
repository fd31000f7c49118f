"""Validation of model parameters that works eagerly, inside `jit` and under `vmap`.

A model (or a bath, a field, a lead) lists its *checks*: pairs `(bad, message)` with `bad` a
boolean array (True where the parameter is invalid) and `message` naming the argument. The
verbs then either raise (`throw=True`: one `equinox.branched_error_if` that reports the
first failing check's message, also inside `jit`) or turn them into a per-point result code
(`throw=False`: `RESULTS.invalid_parameters`, never an exception, so a vmapped batch with
one invalid point keeps the other points).
"""

from collections.abc import Sequence
from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp

from ._custom_types import Array, Bool, PyTree
from ._solution import RESULTS


class Check(NamedTuple):
    """`bad`: True where the parameter is invalid (any shape; reduced with `any`);
    `message`: what is wrong, naming the argument."""

    bad: Bool[Array, "..."]
    message: str


def prefixed(prefix: str, checks: Sequence[Check]) -> list[Check]:
    """The same checks with `prefix` (e.g. "`baths[2]` (BosonBath): ") before each message."""
    return [Check(c.bad, prefix + c.message) for c in checks]


def any_bad(checks: Sequence[Check]) -> Bool[Array, ""]:
    """True if any check fails."""
    if not checks:
        return jnp.asarray(False)
    return jnp.any(jnp.stack([jnp.any(jnp.asarray(c.bad)) for c in checks]))


def checks_result(checks: Sequence[Check]) -> RESULTS:
    """`RESULTS.invalid_parameters` if any check fails, else `RESULTS.successful`."""
    return RESULTS.where(any_bad(checks), RESULTS.invalid_parameters, RESULTS.successful)


def raise_if_bad(x: PyTree, checks: Sequence[Check]) -> PyTree:
    """`x`, with a run-time error attached that reports the first failing check (works inside
    `jit`; under `vmap` the message of the largest failing index across the batch)."""
    if not checks:
        return x
    flags = jnp.stack([jnp.any(jnp.asarray(c.bad)) for c in checks])
    return eqx.branched_error_if(x, jnp.any(flags), jnp.argmax(flags), [c.message for c in checks])


def apply_checks(x: PyTree, checks: Sequence[Check], throw: bool) -> tuple[PyTree, RESULTS]:
    """With `throw=True`, `x` with the error attached; with `throw=False`, `x` with every
    inexact leaf set to NaN where a check fails. Returns `(x, result)`."""
    result = checks_result(checks)
    if throw:
        return raise_if_bad(x, checks), result
    return nan_where(result != RESULTS.successful, x), result


def nan_where(bad: Bool[Array, ""], x: PyTree) -> PyTree:
    """Every inexact array leaf of `x` replaced by NaN where `bad` (other leaves kept)."""

    def replace(leaf):
        if isinstance(leaf, jax.Array) and jnp.issubdtype(leaf.dtype, jnp.inexact):
            return jnp.where(bad, jnp.asarray(jnp.nan, leaf.dtype), leaf)
        return leaf

    return jax.tree_util.tree_map(replace, x)
