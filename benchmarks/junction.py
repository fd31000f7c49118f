"""Paper 004 junction: a 256×256 (μ_L, μ_R) map of the asymptotic non-Markovianity ν∞
(Fig. 5 parameters) and the band-quadrature cost per point, against scipy.integrate.quad
for the same rate matrices (55) in the same run.

    python benchmarks/junction.py

Writes the section "Junction (paper 004)" of benchmarks/RESULTS.md (issue 5).
"""

import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from scipy.integrate import quad


jax.config.update("jax_enable_x64", True)

import jaxthermo as jt  # noqa: E402


sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, machine, write_section  # noqa: E402


jn = jt.junction
FIG5 = dict(h=1.0, delta=0.0, g=0.5, gamma=0.01, bandwidth=10.0, temperatures=0.02)


def nu(mu_l, mu_r):
    m = jt.models.junction(**FIG5, chemical_potentials=jnp.stack([mu_l, mu_r]))
    return jn.asymptotic_non_markovianity(m)


def nu_map(mus):
    """Rows by `lax.map`, each row vmapped: a full 256² vmap would materialise
    256²·N complex intermediates (N quadrature nodes) and runs 3× slower per point."""
    return jax.lax.map(lambda mu_l: jax.vmap(nu, (None, 0))(mu_l, mus), mus)


def scipy_rates(mu_l, mu_r):
    """Eq. (55) by scipy.quad (8 real integrals), the reference implementation."""
    m = jt.models.junction(**FIG5, chemical_potentials=(mu_l, mu_r))
    e, w = (np.asarray(x) for x in jn.leading_levels(m))
    r = np.asarray(jn.rotation(m))
    omega = 10.0

    def integrand(x, j, k, part):
        jx = 0.01 / (2 * np.pi) * np.sqrt(1 - (x / omega) ** 2)
        f = 1 / (np.exp((x - np.array([mu_l, mu_r])) / 0.02) + 1)
        fjk = (r @ np.diag(f) @ r.T)[j, k]
        val = 1j * jx * fjk * (1 / (e[j] - x + 0.5j * w[j]) - 1 / (e[k] - x - 0.5j * w[k]))
        return val.real if part == 0 else val.imag

    points = sorted({*e, mu_l, mu_r})
    return np.array(
        [
            [
                sum(
                    (1j**p)
                    * quad(
                        integrand,
                        -omega,
                        omega,
                        args=(j, k, p),
                        points=points,
                        limit=500,
                        epsabs=1e-14,
                        epsrel=1e-10,
                    )[0]
                    for p in (0, 1)
                )
                for k in range(2)
            ]
            for j in range(2)
        ]
    )


def main():
    rows = []
    m = jt.models.junction(**FIG5, chemical_potentials=(1.1, 0.3))
    nodes = jn.band_nodes(m)[0].shape[0]
    one = jax.jit(nu)
    t1, _ = best_time(one, jnp.asarray(1.1), jnp.asarray(0.3), repeat=20)
    mus = jnp.linspace(0.0, 2.0, 256)
    fn = jax.jit(nu_map)
    t_map, first = best_time(fn, mus, repeat=2)
    values = np.asarray(fn(mus))
    t0 = time.perf_counter()
    swept = jt.sweep(
        lambda p: nu(p["mu_l"], p["mu_r"]),
        {"mu_l": mus, "mu_r": mus},
        chunk_size=4096,
        progress=False,
    )
    t_sweep = time.perf_counter() - t0
    np.testing.assert_allclose(np.asarray(swept.values).reshape(256, 256), values, atol=1e-15)
    grid = [(1.1, 0.3), (0.9, 1.6), (0.2, 0.5), (1.4, 1.45)]
    t0 = time.perf_counter()
    for mu_l, mu_r in grid:
        ref = scipy_rates(mu_l, mu_r)
    t_scipy = (time.perf_counter() - t0) / len(grid)
    ours = np.asarray(
        jn.asymptotic_rates(jt.models.junction(**FIG5, chemical_potentials=grid[-1])).gain
    ).T
    err = np.max(np.abs(ours - ref)) / np.max(np.abs(ref))
    per_point = t_map / 256**2
    rows.append(
        f"| ν∞ map 256×256 (jit; rows by lax.map, vmap in a row) | {t_map:.2f} s "
        f"(first call {first:.2f} s) | "
        f"{per_point * 1e6:.1f} µs/point | {nodes} nodes |"
    )
    rows.append(
        f"| ν∞ map 256×256 via `jt.sweep` (chunks of 4096) | {t_sweep:.2f} s incl. "
        f"compilation | {t_sweep / 256**2 * 1e6:.1f} µs/point | identical values |"
    )
    rows.append(f"| ν∞ single point (jit) | {t1 * 1e6:.0f} µs | | |")
    rows.append(
        f"| scipy.quad Λ⁺ (55), 8 integrals | {t_scipy * 1e3:.1f} ms/point | "
        f"ours {t_scipy / per_point:.0f}× faster per point (batched) | rel. diff {err:.1e} |"
    )
    body = (
        f"Machine: {machine()}. No GPU was available to this session: no GPU timing.\n\n"
        "| case | time | per point / ratio | notes |\n|---|---|---|---|\n"
        + "\n".join(rows)
        + f"\n\nMap: max ν∞ = {values.max():.3e}, zero on the diagonal "
        f"(max |diag| = {np.abs(np.diag(values)).max():.1e})."
    )
    print(body)
    write_section("Junction (paper 004)", body)


if __name__ == "__main__":
    main()
