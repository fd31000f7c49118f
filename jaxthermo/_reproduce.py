"""Figure reproduction behind `jaxthermo reproduce`. Each function computes a paper's
figures with the library (batched with `jax.vmap` / `lax.map`), writes PNGs and a JSON of
the plotted key numbers, and returns that summary."""

import json
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np


def _junction_nu_map(base, xs, ys, build):
    import jaxthermo as jt

    def nu(x, y):
        return jt.junction.asymptotic_non_markovianity(jt.models.junction(**build(base, x, y)))

    return np.asarray(
        jax.jit(lambda xs, ys: jax.lax.map(lambda x: jax.vmap(nu, (None, 0))(x, ys), xs))(xs, ys)
    )


def junction_figures(out: Path, resolution: int = 128) -> dict:
    """Paper 004: Fig. 3 (transmission for Γ/Δ = 0.02, 0.2, 2), Fig. 4 (C(t) exact vs EPA
    from the vacuum), Fig. 5 (ν∞ over (μ_L, μ_R) at T = 0.01 and T = 0.1, and over
    (T_L, T_R) at μ_L = μ_R = 0.7 (zero at μ = h by particle-hole symmetry); h = 1, δ = 0,
    g = 0.5, Γ = 0.01, Ω = 10). The panels' exact temperatures and the (c) chemical
    potential are not legible in the paper's text; the values used are written into the JSON."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import jaxthermo as jt

    jn = jt.junction
    out.mkdir(parents=True, exist_ok=True)
    summary = {}

    # Fig. 3: transmission function, h = 1, g = δ = 0.5, Ω = 10.
    fig, ax = plt.subplots(figsize=(5, 3.5))
    omega = jnp.linspace(-1.0, 3.0, 2001)
    delta_split = float(np.hypot(0.5, 0.5))
    for ratio in (0.02, 0.2, 2.0):
        m = jt.models.junction(1.0, 0.5, 0.5, ratio * delta_split, 10.0, 0.1)
        t = np.asarray(jn.transmission(m, omega))
        ax.plot(omega / 10.0, t, label=f"Γ = {ratio}Δ")
        summary[f"fig3_max_transmission_gamma_{ratio}Delta"] = float(t.max())
    ax.set(xlabel="ω/Ω", ylabel="T(ω)", title="Fig. 3: transmission (45)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "fig3_transmission.png", dpi=130)
    plt.close(fig)

    # Fig. 4: C(t) exact (points) vs EPA (lines), vacuum initial state.
    panels = {
        "a": dict(h=1.0, chemical_potentials=(1.0, 0.0), temperatures=0.1),
        "b": dict(h=50.0, chemical_potentials=49.0, temperatures=(10.0, 0.01)),
    }
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    for ax, (key, p) in zip(axes, panels.items(), strict=True):
        m = jt.models.junction(delta=0.1, g=0.5, gamma=0.2, bandwidth=100.0, **p)
        ts = jnp.linspace(0.0, 25.0, 11)
        exact = jn.evolve(m, ts, panels=256).correlation
        dense = jnp.linspace(0.0, 25.0, 201)
        epa = jn.evolve(m, dense, approximation="epa", panels=256).correlation
        # ours C_jk = <d_k† d_j>; the paper plots its C_jk = <d_j† d_k>, i.e. ours C_kj
        series = {
            "C11": lambda c: c[:, 0, 0].real,
            "C22": lambda c: c[:, 1, 1].real,
            "Im C12": lambda c: c[:, 1, 0].imag,
            "Re C12": lambda c: c[:, 1, 0].real,
        }
        for (label, pick), colour in zip(series.items(), "C0 C1 C2 C3".split(), strict=True):
            ax.plot(0.2 * dense, pick(epa), colour, lw=1)
            ax.plot(0.2 * ts, pick(exact), "o", color=colour, ms=3, label=label)
        epa_at = jn.evolve(m, ts, approximation="epa", panels=256).correlation
        summary[f"fig4{key}_max_abs_exact_minus_epa"] = float(jnp.max(jnp.abs(exact - epa_at)))
        ax.set(xlabel="Γt", title=f"Fig. 4({key})")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "fig4_correlations.png", dpi=130)
    plt.close(fig)

    # Fig. 5: ν∞ maps.
    base = dict(h=1.0, delta=0.0, g=0.5, gamma=0.01, bandwidth=10.0)
    mus = jnp.linspace(0.0, 2.0, resolution)
    temps = jnp.linspace(0.01, 0.5, resolution)
    maps = {
        "a: T = 0.01": (
            mus,
            mus,
            lambda b, x, y: dict(b, temperatures=0.01, chemical_potentials=jnp.stack([x, y])),
        ),
        "b: T = 0.1": (
            mus,
            mus,
            lambda b, x, y: dict(b, temperatures=0.1, chemical_potentials=jnp.stack([x, y])),
        ),
        "c: μ = 0.7": (
            temps,
            temps,
            lambda b, x, y: dict(b, temperatures=jnp.stack([x, y]), chemical_potentials=0.7),
        ),
    }
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for ax, (title, (xs, ys, build)) in zip(axes, maps.items(), strict=True):
        values = _junction_nu_map(base, xs, ys, build)
        extent = [float(ys[0]), float(ys[-1]), float(xs[0]), float(xs[-1])]
        im = ax.imshow(values / 0.01, origin="lower", extent=extent, aspect="auto")
        fig.colorbar(im, ax=ax, label="ν∞/Γ")
        if title.startswith("c"):
            ax.set(xlabel="T_R", ylabel="T_L")
        else:
            for e in (0.75, 1.25):
                ax.axhline(e, color="w", ls=":", lw=0.8)
                ax.axvline(e, color="w", ls=":", lw=0.8)
            ax.set(xlabel="μ_R", ylabel="μ_L")
        ax.set_title(f"Fig. 5({title})")
        summary[f"fig5{title[0]}_max_nu_over_gamma"] = float(values.max() / 0.01)
    fig.tight_layout()
    fig.savefig(out / "fig5_nonmarkovianity.png", dpi=130)
    plt.close(fig)
    summary["fig5_parameters"] = {
        **base,
        "resolution": resolution,
        "a_temperature": 0.01,
        "b_temperature": 0.1,
        "c_chemical_potential": 0.7,
    }
    (out / "junction_figures.json").write_text(json.dumps(summary, indent=2))
    return summary


def spin_gorm_figure(out: Path, levels: tuple[int, ...] = (20, 800)) -> dict:
    """Paper 001, Fig. 1 (Δ = 0.1, β = 10, λ = 0.1, one GOE draw per N): exact Δ_iS (10), the
    alternative Δ'_iS (25) and its Redfield prediction (25) along (30), for a small and a large
    reservoir. Writes `fig1_entropy_production.png` and `fig1_entropy_production.json`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import jaxthermo as jt

    out.mkdir(parents=True, exist_ok=True)
    ts = jnp.linspace(0.0, 600.0, 301)
    fig, axes = plt.subplots(1, len(levels), figsize=(4.5 * len(levels), 3.6), sharey=True)
    summary = {"parameters": {"splitting": 0.1, "beta": 10.0, "strength": 0.1}}
    for ax, n in zip(np.atleast_1d(axes), levels, strict=True):
        model = jt.models.spin_gorm(n, 0.1, 10.0, 0.1, jax.random.key(0))
        traj = jt.closed.evolve_spin_gorm(model, ts)
        redfield = jt.closed.redfield_entropy_production(model, ts)
        ax.plot(ts, traj.entropy_production, label="Δ_iS, Eq. (10)")
        ax.plot(ts, traj.alternative_entropy_production, label="Δ'_iS, Eq. (25)")
        ax.plot(ts, redfield, "k--", label="Δ'_iS Redfield (30)")
        ax.set(xlabel="t", title=f"Paper 001 Fig. 1, N = {n}")
        summary[f"N{n}"] = {
            "min_entropy_production": float(jnp.min(traj.entropy_production)),
            "late_entropy_production": float(traj.entropy_production[-1]),
            "late_alternative": float(traj.alternative_entropy_production[-1]),
            "late_redfield": float(redfield[-1]),
            "late_sigma_z": float(traj.sigma_z[-1]),
        }
    np.atleast_1d(axes)[0].set_ylabel("entropy production (nats)")
    np.atleast_1d(axes)[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "fig1_entropy_production.png", dpi=130)
    plt.close(fig)
    (out / "fig1_entropy_production.json").write_text(json.dumps(summary, indent=2))
    return summary
