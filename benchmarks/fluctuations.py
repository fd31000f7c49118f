"""Counting statistics (issue 15): cost of the cumulants relative to one steady-state solve,
batched throughput, and QuTiP's `countstat_current_noise` on the same physics, measured in one
run.

    python benchmarks/fluctuations.py            # full run (a few minutes on 2 CPU cores)
    python benchmarks/fluctuations.py --quick    # n <= 100, for a smoke test

Writes the section "Counting statistics" of benchmarks/RESULTS.md.

Quadratic problem: a fermionic chain of n sites with random on-site energies and hoppings
~ U(0.5, 1.5), a `FermionBath` on each end site (T = 0.5, 1.5; μ = ±0.5) and a weak
`RateMatrixBath` on every site (loss 0.02, gain 0.01; without it the disordered chain's
localised modes are dark to the end baths at n >= 100): what
`jt.current_cumulants(model, 0, order)` counts (bath 0, the left lead). Times are the best of
3 jit-compiled calls, each including its own steady state (the cumulants reuse the NESS's
factorisation).
QuTiP reference: the same bosonic network (2, 3 modes) in a truncated Fock space, and a
few-level model (d = 16, two fields, secular), `countstat_current_noise` for c_2 (its default
sparse pseudo-inverse route; the dense one takes minutes already at Fock dimension 64).
"""

import argparse
import sys
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, machine, write_section  # noqa: E402


def chain(n, statistics="fermion", seed=0, background=True):
    import jax.numpy as jnp
    import numpy as np

    import jaxthermo as jt

    rng = np.random.default_rng(seed)
    e = rng.uniform(0.5, 1.5, n) + (1.0 if statistics == "boson" else 0.0)
    g = rng.uniform(0.5, 1.5, n - 1) * (0.3 if statistics == "boson" else 1.0)
    h = np.diag(e) + np.diag(g, 1) + np.diag(g, -1)
    bath = jt.FermionBath if statistics == "fermion" else jt.BosonBath
    mus = (0.5, -0.5) if statistics == "fermion" else (0.0, 0.0)
    baths = [bath(0, 0.3, 0.5, mus[0]), bath(n - 1, 0.2, 1.5, mus[1])]
    if background:  # weak loss and gain on every site: no (nearly) dark modes at large n
        eye = np.eye(n)
        baths.append(jt.RateMatrixBath(jnp.asarray(0.02 * eye), jnp.asarray(0.01 * eye)))
    return jt.QuadraticModel(jnp.asarray(h), baths, statistics)


def cost_table(sizes):
    import jax

    import jaxthermo as jt

    rows = []
    for n in sizes:
        model = chain(n)
        ness = jax.jit(lambda m: jt.steady_state(m).covariance)
        c2 = jax.jit(lambda m: jt.current_cumulants(m, 0, 2))
        c4 = jax.jit(lambda m: jt.current_cumulants(m, 0, 4))
        t_ness, _ = best_time(ness, model)
        t_c2, _ = best_time(c2, model)
        t_c4, _ = best_time(c4, model)
        rows.append((n, t_ness, t_c2, t_c4))
        print(f"n={n}: NESS {t_ness * 1e3:.2f} ms, c2 {t_c2 * 1e3:.2f} ms "
              f"({t_c2 / t_ness:.2f}x), c1..c4 {t_c4 * 1e3:.2f} ms ({t_c4 / t_ness:.2f}x)",
              flush=True)  # fmt: skip
    return rows


def batched(n=10, batch=4096):
    import jax
    import jax.numpy as jnp

    import jaxthermo as jt

    temps = jnp.linspace(0.3, 3.0, batch)

    def model_at(t):
        b0 = base.baths[0]
        return jt.QuadraticModel(base.hamiltonian, [b0, jt.FermionBath(n - 1, 0.2, t, -0.5)])

    base = chain(n, background=False)

    ness = jax.jit(jax.vmap(lambda t: jt.steady_state(model_at(t)).covariance))
    c2 = jax.jit(jax.vmap(lambda t: jt.current_cumulants(model_at(t), 0, 2)))
    t_ness, _ = best_time(ness, temps)
    t_c2, _ = best_time(c2, temps)
    print(f"batched n={n}, {batch} points: NESS {batch / t_ness:.0f}/s, c2 {batch / t_c2:.0f}/s",
          flush=True)  # fmt: skip
    return batch, t_ness, t_c2


def qutip_bosons(modes, cutoff):
    """c_2 of the particles from bath 0 of a bosonic network: ours vs QuTiP in Fock space."""
    import jax
    import numpy as np
    import qutip

    import jaxthermo as jt

    model = chain(modes, "boson", background=False)
    t_ours, _ = best_time(jax.jit(lambda m: jt.current_cumulants(m, 0, 2)), model)
    ours = np.asarray(jt.current_cumulants(model, 0, 2))
    h, c_ops = jt.to_qutip(model, cutoff=cutoff)
    rates = model.bath_rates()[0]
    a = qutip.tensor(*[qutip.destroy(cutoff) if k == model.baths[0].mode else qutip.qeye(cutoff)
                       for k in range(modes)])  # fmt: skip
    gain = float(rates.gain) * qutip.sprepost(a.dag(), a)
    loss = float(rates.loss) * qutip.sprepost(a, a.dag())
    t0 = time.perf_counter()
    lv = qutip.liouvillian(h, c_ops)
    rho = qutip.steadystate(h, c_ops)
    current, noise, _ = qutip.countstat_current_noise(
        lv, [], wlist=[0.0], rhoss=rho, J_ops=[gain + loss], I_ops=[gain - loss]
    )
    t_q = time.perf_counter() - t0
    c1_q, c2_q = float(np.real(np.ravel(current)[0])), float(np.real(np.ravel(noise)[0]))
    return {
        "case": f"bosons, {modes} modes (Fock cutoff {cutoff}, dim {cutoff**modes})",
        "ours_s": t_ours, "qutip_s": t_q,
        "rel_c2": abs(c2_q - ours[1]) / abs(ours[1]), "rel_c1": abs(c1_q - ours[0]) / abs(ours[0]),
    }  # fmt: skip


def qutip_fewlevel(d=16):
    import jax
    import jax.numpy as jnp
    import numpy as np
    import qutip

    import jaxthermo as jt
    from jaxthermo import fewlevel as fl

    rng = np.random.default_rng(1)
    a = rng.normal(size=(d, d))
    model = jt.models.multilevel(jnp.asarray(np.sort(rng.uniform(0, 2.0, d))),
                                 jnp.asarray(a + a.T), jnp.array([0.5, 1.7]),
                                 spectral_density=fl.FlatSpectralDensity(0.02))  # fmt: skip
    t_ours, _ = best_time(jax.jit(lambda m: jt.current_cumulants(m, 0, 2)), model)
    ours = np.asarray(jt.current_cumulants(model, 0, 2))
    table = fl.transitions(model)
    basis, bohr = np.asarray(table.basis), np.asarray(table.bohr)
    c = np.asarray(table.amplitude[0] * np.sqrt(table.rate[0]))
    j_plus = j_minus = 0
    for f in np.unique(np.round(bohr[np.abs(c) > 0], 9)):
        mask = (np.abs(c) > 0) & (np.abs(bohr - f) < 1e-9)
        op = qutip.Qobj(basis @ np.where(mask, c, 0.0) @ basis.conj().T)
        if f > 0:  # emission into the field: a quantum leaves the system
            j_minus = j_minus + qutip.sprepost(op, op.dag())
        else:
            j_plus = j_plus + qutip.sprepost(op, op.dag())
    h, c_ops = jt.to_qutip(model)
    t0 = time.perf_counter()
    lv = qutip.liouvillian(h, c_ops)
    rho = qutip.steadystate(h, c_ops)
    current, noise, _ = qutip.countstat_current_noise(
        lv,
        [],
        wlist=[0.0],
        rhoss=rho,
        J_ops=[j_plus + j_minus],
        I_ops=[j_plus - j_minus],
    )
    t_q = time.perf_counter() - t0
    c1_q, c2_q = float(np.real(np.ravel(current)[0])), float(np.real(np.ravel(noise)[0]))
    return {
        "case": f"few-level d = {d}, secular", "ours_s": t_ours, "qutip_s": t_q,
        "rel_c2": abs(c2_q - ours[1]) / abs(ours[1]), "rel_c1": abs(c1_q - ours[0]) / abs(ours[0]),
    }  # fmt: skip


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    import jax

    jax.config.update("jax_enable_x64", True)

    sizes = (10, 100) if args.quick else (10, 100, 1000)
    rows = cost_table(sizes)
    batch, tb_ness, tb_c2 = batched(10, 512 if args.quick else 4096)
    peers = []
    for modes, cutoff in ((2, 10), (3, 5)) if not args.quick else ((2, 6),):
        peers.append(qutip_bosons(modes, cutoff))
        print(peers[-1], flush=True)
    peers.append(qutip_fewlevel(16))
    print(peers[-1], flush=True)

    lines = [
        f"Machine: {machine()}. `python benchmarks/fluctuations.py` "
        f"({time.strftime('%Y-%m-%d')}). No GPU was available to this session: CPU only.",
        "",
        "### Cost of the cumulants relative to one NESS solve (fermionic chain, complex128)",
        "",
        "| n | NESS (ms) | c₂ (ms) | c₂ / NESS | c₁…c₄ (ms) | c₁…c₄ / NESS |",
        "|---|---|---|---|---|---|",
    ]
    for n, t, t2, t4 in rows:
        lines.append(f"| {n} | {t * 1e3:.3g} | {t2 * 1e3:.3g} | {t2 / t:.2f} | {t4 * 1e3:.3g} | "
                     f"{t4 / t:.2f} |")  # fmt: skip
    lines += [
        "",
        "Targets: c₂ ≤ 2× and c₁…c₄ ≤ 5× the NESS solve. Each cumulant call includes its own "
        "NESS (Schur factorisation of W reused for every Taylor order).",
        "",
        f"### Batched c₂ (n = 10, vmap over {batch} temperatures)",
        "",
        "| quantity | points / s |",
        "|---|---|",
        f"| NESS | {batch / tb_ness:.3g} |",
        f"| c₁, c₂ | {batch / tb_c2:.3g} |",
        "",
        "### Against QuTiP `countstat_current_noise` (c₂ of bath 0, one run)",
        "",
        "| case | jaxthermo (s) | QuTiP (s) | QuTiP / ours | rel. diff c₁ | rel. diff c₂ |",
        "|---|---|---|---|---|---|",
    ]
    for p in peers:
        ratio = p["qutip_s"] / p["ours_s"]
        lines.append(f"| {p['case']} | {p['ours_s']:.3g} | {p['qutip_s']:.3g} | {ratio:.0f} | "
                     f"{p['rel_c1']:.1e} | {p['rel_c2']:.1e} |")  # fmt: skip
    lines += [
        "",
        "QuTiP's bosonic numbers carry the Fock truncation (ours are exact): their difference "
        "is the truncation error at that cutoff. Its time includes building the Liouvillian and "
        "its steady state (ours includes the NESS too).",
    ]
    write_section("Counting statistics", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
