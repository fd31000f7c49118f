"""Deadlock stress (issue 16), run by tests/test_stress.py in a fresh process with XLA:CPU's
default flags (multi-threaded Eigen pool): every Lyapunov solver under
`vmap(value_and_grad(...))` three times, then `relative_entropy`'s two eighs under
`vmap(grad)`.

    python stress_job.py N
"""

import sys
import time

import jax


jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402

import jaxthermo as jt  # noqa: E402


ly = jt.lyapunov
n = int(sys.argv[1]) if len(sys.argv) > 1 else 32


def model(t):
    return jt.models.chain(n, 0.3, 0.1, temperature_left=t, temperature_right=0.5)


for name, solver in [
    ("auto", None),
    ("bartels", ly.BartelsStewart()),
    ("eigen", ly.Eigen()),
    ("sign", ly.Sign()),
    ("kronecker", ly.Kronecker()),
]:
    if name == "kronecker" and n > 32:
        continue
    f = jax.jit(
        jax.vmap(
            jax.value_and_grad(
                lambda t, s=solver: jnp.real(jnp.trace(jt.steady_state(model(t), s).covariance))
            )
        )
    )
    for rep in range(3):
        t0 = time.time()
        v, g = jax.block_until_ready(f(jnp.linspace(0.6, 2.0, 8)))
        print(name, rep, f"{time.time() - t0:.2f}s", flush=True)
# relative_entropy: two eighs under vmap(grad)
c = jnp.stack([jnp.eye(n) * 0.3 + 0.01 * k for k in range(8)]).astype(complex)
g = jax.jit(
    jax.vmap(jax.grad(lambda a: jt.relative_entropy(a, 0.9 * a + 0.05 * jnp.eye(n), "boson")))
)
for rep in range(3):
    jax.block_until_ready(g(c))
    print("relative_entropy", rep, flush=True)
# driven cycles: one vmapped program over 4096 engines (the strokes' batched block
# exponentials must not be in flight together: this hung before they were chained)


def power(time_hot, omega_cold):
    e = jt.models.HarmonicOttoEngine(2.0, omega_cold, 4.0, 0.5, 0.6, 0.8, time_hot, 0.9)
    return jt.cycle_thermodynamics(e, e.period, breakpoints=e.breakpoints, throw=False).power


cycles = jax.jit(jax.vmap(power))
jax.block_until_ready(cycles(jnp.linspace(0.2, 3.0, 4096), jnp.linspace(0.6, 1.6, 4096)))
print("cycles 2", flush=True)
print("OK")
