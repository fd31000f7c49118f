"""The one ODE path of jaxthermo: every time integration (quadratic covariance equations,
driven closed systems, brute-force checks of limit cycles) goes through `solve_ode` with a
`jaxthermo.ODE` method object, so its options are honoured everywhere."""

from collections.abc import Callable
from typing import Any

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp

from ._custom_types import Array, PyTree, Real
from ._solution import RESULTS


class AbstractEvolutionMethod(eqx.Module):
    """How `jaxthermo.evolve` integrates a model in time (a method object, like diffrax's
    solvers)."""


class ODE(AbstractEvolutionMethod):
    """Integrate with diffrax (complex states are integrated as their real and imaginary
    parts, since complex support in diffrax is experimental).

    **Arguments:** `solver` (default `diffrax.Tsit5()`), `rtol`/`atol` of a
    `diffrax.PIDController` (defaults 1e-8 / 1e-10), `dt0` (default: diffrax picks),
    `max_steps` (default 100 000), `adjoint` (default `diffrax.RecursiveCheckpointAdjoint()`).
    """

    solver: diffrax.AbstractSolver = diffrax.Tsit5()
    rtol: float = 1e-8
    atol: float = 1e-10
    dt0: float | None = None
    max_steps: int = 100_000
    adjoint: diffrax.AbstractAdjoint = diffrax.RecursiveCheckpointAdjoint()


def _flags(tree) -> tuple[bool, ...]:
    return tuple(
        jnp.issubdtype(x.dtype, jnp.complexfloating) for x in jax.tree_util.tree_leaves(tree)
    )


def _split(tree):
    """Complex leaves → stacked `(re, im)` (a new leading axis of 2)."""
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    out = [
        jnp.stack([jnp.real(x), jnp.imag(x)]) if f else x
        for x, f in zip(leaves, _flags(tree), strict=True)
    ]
    return jax.tree_util.tree_unflatten(treedef, out)


def _join(tree, flags, axis: int = 0):
    """Undo `_split` (the `(re, im)` axis at `axis`: 0, or 1 for saved values `(T, 2, ...)`)."""
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    out = [
        (jnp.take(x, 0, axis) + 1j * jnp.take(x, 1, axis)) if f else x
        for x, f in zip(leaves, flags, strict=True)
    ]
    return jax.tree_util.tree_unflatten(treedef, out)


class ODESolution(eqx.Module):
    """What `solve_ode` returns: `ys` (the saved values, leading axis `T`), `final` (the
    state at `ts[-1]`), `result` (a `RESULTS` item), `stats` (`num_steps`,
    `num_accepted_steps`)."""

    ys: PyTree
    final: PyTree
    result: RESULTS
    stats: dict[str, Array]


def solve_ode(
    method: ODE,
    vector_field: Callable[[Array, PyTree, Any], PyTree],
    y0: PyTree,
    ts: Real[Array, " T"],
    *,
    fn: Callable[[Array, PyTree, Any], PyTree] | None = None,
    args: Any = None,
    throw: bool = True,
) -> ODESolution:
    """Integrate `dy/dt = vector_field(t, y, args)` from `y(ts[0]) = y0` and save
    `fn(t, y, args)` (default `y`) at every time in `ts`; `y` may be a pytree with complex
    leaves. With `throw=False` a failed integration is reported in `.result`."""
    if not isinstance(method, ODE):
        raise TypeError(f"`method` must be jaxthermo.ODE(...), got {type(method).__name__}.")
    flags = _flags(y0)
    y0_real = _split(y0)

    def real_field(t, y, args):
        return _split(vector_field(t, _join(y, flags), args))

    save = (lambda t, y, args: y) if fn is None else fn

    def real_save(t, y, args):
        return _split(save(t, _join(y, flags), args))

    saved_flags = _flags(jax.eval_shape(lambda: save(ts[0], y0, args)))
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(real_field),
        method.solver,
        t0=ts[0],
        t1=ts[-1],
        dt0=method.dt0,
        y0=y0_real,
        args=args,
        saveat=diffrax.SaveAt(
            subs=[diffrax.SubSaveAt(ts=ts, fn=real_save), diffrax.SubSaveAt(t1=True)]
        ),
        stepsize_controller=diffrax.PIDController(rtol=method.rtol, atol=method.atol),
        max_steps=method.max_steps,
        adjoint=method.adjoint,
        throw=throw,
    )
    saved, final = sol.ys
    final = jax.tree_util.tree_map(lambda x: x[-1], final)
    result = RESULTS.where(
        sol.result == diffrax.RESULTS.successful, RESULTS.successful, RESULTS.max_steps_reached
    )
    stats = {k: v for k, v in sol.stats.items() if k in ("num_steps", "num_accepted_steps")}
    return ODESolution(_join(saved, saved_flags, axis=1), _join(final, flags), result, stats)
