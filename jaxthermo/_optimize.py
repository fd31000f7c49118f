"""Gradient-based optimisation with optax (a generic tool: it knows no model).

Gradients of steady-state objectives come from the implicit differentiation rule of the
steady-state solvers (no finite differences). `maximize` runs the whole optimisation loop as
one `jax.lax.scan` under `jit`.
"""

from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import optax

from ._custom_types import Array, Float, PyTree


class OptimizationResult(eqx.Module):
    """Result of `maximize`.

    **Attributes:** `params` (final), `history` (objective before each step, shape
    `(steps,)`), `best_params`, `best_value` (the best iterate seen, objective evaluated at
    it).
    """

    params: PyTree
    history: Float[Array, " steps"]
    best_params: PyTree
    best_value: Float[Array, ""]


def maximize(
    objective: Callable[[PyTree], Float[Array, ""]],
    params: PyTree,
    *,
    optimizer: optax.GradientTransformation | None = None,
    steps: int = 200,
    project: Callable[[PyTree], PyTree] | None = None,
) -> OptimizationResult:
    """Maximise a differentiable scalar `objective(params)` with an optax optimizer,
    `steps` iterations in one jit-compiled `lax.scan` (projected gradient ascent).

    **Arguments:**

    - `objective`: `params -> scalar`, differentiable (e.g. a current from
      `jaxthermo.steady_state`, gradients by implicit differentiation).
    - `params`: the initial parameters (any pytree of arrays).
    - `optimizer`: an optax `GradientTransformation` (default `optax.adam(1e-2)`).
    - `steps`: number of iterations.
    - `project`: maps parameters back into the feasible set after every step (bounds, norm
      budgets); default the identity.

    **Returns:** an `OptimizationResult`: the final and the best iterate, the objective
    history (a convergence curve).
    """
    optimizer = optax.adam(1e-2) if optimizer is None else optimizer
    project = (lambda p: p) if project is None else project
    params = project(params)
    value_and_grad = jax.value_and_grad(lambda p: -objective(p))

    def step(carry, _):
        p, state, best_p, best_v = carry
        loss, grad = value_and_grad(p)
        better = -loss > best_v
        best_p = jax.tree_util.tree_map(lambda a, b: jnp.where(better, a, b), p, best_p)
        best_v = jnp.where(better, -loss, best_v)
        updates, state = optimizer.update(grad, state, p)
        p = project(optax.apply_updates(p, updates))
        return (p, state, best_p, best_v), -loss

    @jax.jit
    def run(p):
        init = (p, optimizer.init(p), p, jnp.asarray(-jnp.inf, jnp.result_type(float)))
        (p, _, best_p, best_v), history = jax.lax.scan(step, init, None, length=steps)
        final = objective(p)
        best_p = jax.tree_util.tree_map(lambda a, b: jnp.where(final > best_v, a, b), p, best_p)
        return p, history, best_p, jnp.maximum(final, best_v)

    return OptimizationResult(*run(params))
