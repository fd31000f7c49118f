"""Cost of thermodynamic observables and of ratchet gradients, relative to the NESS solve.

    python benchmarks/thermo.py

Writes the section "Thermodynamics of Gaussian states" of benchmarks/RESULTS.md. Targets
(issue 3): currents + entropy production + Wigner entropy production <= 0.5x the steady-state
solve; gradient of the ratchet current w.r.t. a D = 256 potential <= 2x the forward solve.
"""

import sys
import time
from pathlib import Path

import jax


jax.config.update("jax_enable_x64", True)

import jaxthermo as jt  # noqa: E402


sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, machine, write_section  # noqa: E402


def observables_rows():
    rows = []
    for n in (16, 64, 256):
        model = jt.models.chain(
            n, hopping=0.1, rate=0.05, occupation_left=1.0, occupation_right=2.0
        )
        solve = jax.jit(lambda m: jt.steady_state(m).covariance)
        c = solve(model)

        def observables(m, c):
            flows = jt.currents(m, c)
            return (
                flows.particle,
                flows.heat,
                jt.entropy_production(m, c),
                jt.wigner_entropy_production(m, c),
                jt.wigner_entropy_flux(m, c),
            )

        obs = jax.jit(observables)
        t_solve, _ = best_time(solve, model, repeat=10)
        t_obs, _ = best_time(obs, model, c, repeat=10)
        rows.append(f"| chain, L = {n} | {t_solve:.3g} | {t_obs:.3g} | {t_obs / t_solve:.2f}× |")
        print(rows[-1], flush=True)
    return rows


def ratchet_rows():
    rows = []
    for d in (64, 256):
        v0 = jt.models.sawtooth_potential(d, 0.5)

        def current(v):
            m = jt.models.ratchet(v, 0.1, 0.05)
            return jt.models.ratchet_current(m, jt.steady_state(m).covariance)

        fwd = jax.jit(current)
        grad = jax.jit(jax.grad(current))
        t_f, _ = best_time(fwd, v0, repeat=5)
        t_g, _ = best_time(grad, v0, repeat=5)
        rows.append(f"| ratchet, D = {d} | {t_f:.3g} | {t_g:.3g} | {t_g / t_f:.2f}× |")
        print(rows[-1], flush=True)
    return rows


def main():
    obs = observables_rows()
    rat = ratchet_rows()
    body = "\n".join(
        [
            f"Machine: {machine()}. Measured {time.strftime('%Y-%m-%d')} with "
            "`python benchmarks/thermo.py` (float64, jit-compiled, best of several runs).",
            "",
            "Observables = bath particle and heat currents, Clausius entropy production, Wigner "
            "entropy production and flux per bath, for a given NESS covariance. Target ≤ 0.5×.",
            "",
            "| model | NESS solve [s] | observables [s] | ratio |",
            "|---|---|---|---|",
            *obs,
            "",
            "Gradient of the net ring current w.r.t. the whole on-site potential array (implicit "
            "differentiation through the NESS), over the forward evaluation. "
            "Target ≤ 2× at D = 256.",
            "",
            "| model | forward [s] | gradient [s] | ratio |",
            "|---|---|---|---|",
            *rat,
        ]
    )
    write_section("Thermodynamics of Gaussian states", body)


if __name__ == "__main__":
    main()
