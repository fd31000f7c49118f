"""The `jaxthermo` command."""

import argparse
import sys


class _Parser(argparse.ArgumentParser):
    """Bad command-line input: one line on stderr (no usage block, no traceback), exit 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 2:
        raise argparse.ArgumentTypeError("must be an integer >= 2")
    return value


def _chain(args) -> int:
    import jax
    import numpy as np

    import jaxthermo as jt

    model = jt.models.chain(
        args.sites,
        hopping=args.hopping,
        rate=args.rate,
        frequency=args.frequency,
        occupation_left=args.n_left,
        occupation_right=args.n_right,
    )
    state = jax.jit(jt.steady_state)(model)
    c = np.asarray(state.covariance)
    np.set_printoptions(precision=6, suppress=False, linewidth=120)
    print(
        f"Paper 002 chain (Eq. 27): L={args.sites}, ω={args.frequency}, λ={args.hopping}, "
        f"γ={args.rate}, n_1={args.n_left}, n_L={args.n_right}  [{args.precision}]"
    )
    print("NESS occupations <a_k† a_k>:")
    print(np.real(np.diag(c)))
    print("nearest-neighbour coherences <a_k† a_{k+1}> = C[k+1, k]:")
    print(np.diag(c, -1))
    message = jt.RESULTS[state.result] or "successful"
    print(f"Lyapunov residual: {float(state.residual):.2e}   result: {message}")
    return 0


def _optimize_ratchet(args) -> int:
    import json
    import time

    import numpy as np

    import jaxthermo as jt

    from ._reproduce import _finish, _pyplot

    plt = _pyplot()

    out = args.out
    print(
        f"Paper 000 ratchet (Sec. IV): D={args.sites}, V={args.amplitude}, h={args.hopping}, "
        f"r={args.rate}; Adam, {args.steps} steps on the site energies at the sawtooth's "
        f"amplitude [{args.precision}] ...",
        flush=True,
    )
    t0 = time.perf_counter()
    opt = jt.optimize_ratchet_potential(
        args.sites,
        args.amplitude,
        args.hopping,
        args.rate,
        steps=args.steps,
        learning_rate=args.learning_rate,
    )
    seconds = time.perf_counter() - t0
    history = np.asarray(opt.history)
    x = np.asarray(jt.models.ratchet_positions(args.sites))
    saw = np.asarray(jt.models.sawtooth_potential(args.sites, args.amplitude))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(np.arange(len(history)), history, color="C0")
    ax1.axhline(float(opt.sawtooth_current), color="C1", ls="--", label="sawtooth")
    ax1.set_xlabel("Adam step")
    ax1.set_ylabel("ring current J (quanta per unit time)")
    ax1.legend()
    ax1.set_title("convergence")
    ax2.plot(x, saw, "o-", color="C1", label="sawtooth 1 − Vx/2")
    ax2.plot(x, np.asarray(opt.potential), "s-", color="C0", label="optimum")
    ax2.set_xlabel("site position x")
    ax2.set_ylabel("on-site energy ε (energy units)")
    ax2.legend()
    ax2.set_title(f"gain {float(opt.gain):.2f}×")
    fig.suptitle(f"Paper 000 Sec. IV ratchet: current-maximising potential, D = {args.sites}")
    _finish(fig, out / "ratchet_optimization.png", dpi=120)
    summary = {
        "sites": args.sites,
        "amplitude": args.amplitude,
        "hopping": args.hopping,
        "rate": args.rate,
        "steps": args.steps,
        "sawtooth_current": float(opt.sawtooth_current),
        "optimal_current": float(opt.current),
        "gain": float(opt.gain),
        "optimal_potential": np.asarray(opt.potential).tolist(),
        "history": history.tolist(),
        "seconds": seconds,
    }
    (out / "ratchet_optimum.json").write_text(json.dumps(summary, indent=1))
    print(
        f"sawtooth current {float(opt.sawtooth_current):.4e}, optimum {float(opt.current):.4e} "
        f"(gain {float(opt.gain):.2f}x) in {seconds:.1f} s"
    )
    print(f"wrote {out / 'ratchet_optimization.png'} and {out / 'ratchet_optimum.json'}")
    return 0


_PAPERS = {
    "000": "paper 000 Figs. 2-3 (2-D oscillator: δS = 0 surface, coarse-grainings), 5 (finite "
    "random reservoirs) and 7 (ratchet)",
    "001": "paper 001 Fig. 1: exact entropy production of a spin in a GOE reservoir",
    "002": "paper 002 Figs. 2(a-d) and 3: chain occupation profiles, Π_r and Π_sc vs L",
    "003": "paper 003 Sec. VI three-level currents vs δ, and the Onsager matrix (57)",
    "004": "paper 004 Figs. 3, 4, 5(a-c): transmission, C(t) exact vs EPA, ν∞ maps",
    "fcs": "current fluctuations of resonant tunnelling: Fano factor and c3/c1 closed forms "
    "(Chen & Ting 1991; Bagrets & Nazarov 2003), TUR ratio vs bias (coherent double dot < 2)",
}


def _figure_jobs(paper: str, resolution: int) -> list:
    """`(name, fn(out) -> summary)` for each figure group of a paper."""
    from . import _reproduce as r

    jobs = {
        "000": [
            ("figs2_3", r.oscillator_figures),
            ("fig5", r.oscillator_relaxation_figure),
            ("fig7", r.ratchet_figure),
        ],
        "001": [("fig1", r.spin_gorm_figure)],
        "002": [("figs2_3", r.chain_figures)],
        "003": [("sec6", r.fewlevel_figures)],
        "004": [("figs3_5", lambda out: r.junction_figures(out, resolution=resolution))],
        "fcs": [("resonant_tunnelling", r.fluctuation_figures)],
    }
    return jobs[paper]


def _print_scalars(summary: dict, prefix: str = "") -> None:
    """The key numbers of a figure summary (its scalars, nested dicts flattened)."""
    for key, value in summary.items():
        if isinstance(value, dict):
            _print_scalars(value, f"{prefix}{key}.")
        elif not isinstance(value, list):
            print(f"{prefix}{key}: {value}")


def _reproduce(args) -> int:
    import time

    from tqdm import tqdm

    papers = list(_PAPERS) if args.figure == "all" else [args.figure]
    jobs = {p: _figure_jobs(p, args.resolution) for p in papers}
    t0 = time.perf_counter()
    summaries: dict = {p: {} for p in papers}
    bar = tqdm(total=sum(map(len, jobs.values())), unit="figure", file=sys.stdout)
    for paper, figures in jobs.items():
        folder = f"paper{paper}" if paper.isdigit() else paper
        target = args.out / folder if len(papers) > 1 else args.out
        for name, fn in figures:
            bar.set_description(f"paper {paper} {name}")
            summaries[paper][name] = fn(target)
            bar.update()
        tqdm.write(f"paper {paper}: {_PAPERS[paper]} -> {target}")
    bar.close()
    if len(papers) == 1:
        _print_scalars(summaries[papers[0]])
    print(
        f"wrote {len(papers)} paper(s)' figures to {args.out} in {time.perf_counter() - t0:.1f} s"
    )
    return 0


def _optimize_junction(args) -> int:
    import json
    import time

    import numpy as np

    import jaxthermo as jt

    from ._reproduce import _finish, _pyplot

    plt = _pyplot()

    print(
        f"Paper 004 junction: maximise J^P_L over (δ, g); h={args.h}, Γ={args.gamma}, "
        f"Ω={args.bandwidth}, T={args.temperature}, μ_L={args.mu_left}, μ_R={args.mu_right}; "
        f"Adam, {args.steps} steps [{args.precision}] ...",
        flush=True,
    )
    t0 = time.perf_counter()
    opt = jt.optimize_junction_current(
        args.h,
        args.gamma,
        args.bandwidth,
        args.temperature,
        (args.mu_left, args.mu_right),
        detuning=args.detuning,
        tunnelling=args.tunnelling,
        steps=args.steps,
        learning_rate=args.learning_rate,
    )
    seconds = time.perf_counter() - t0
    history = np.asarray(opt.history)
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    ax.plot(np.arange(len(history)), history)
    ax.set(
        xlabel="Adam step",
        ylabel="particle current J^P_L (per unit time)",
        title=f"Paper 004 junction: optimum δ = {float(opt.detuning):.3g}, "
        f"g = {float(opt.tunnelling):.3g}",
    )
    _finish(fig, args.out / "junction_optimization.png", dpi=120)
    summary = {
        "h": args.h,
        "gamma": args.gamma,
        "bandwidth": args.bandwidth,
        "temperature": args.temperature,
        "chemical_potentials": [args.mu_left, args.mu_right],
        "optimal_detuning": float(opt.detuning),
        "optimal_tunnelling": float(opt.tunnelling),
        "optimal_current": float(opt.current),
        "start_current": float(opt.start_current),
        "history": history.tolist(),
        "seconds": seconds,
    }
    (args.out / "junction_optimum.json").write_text(json.dumps(summary, indent=1))
    print(
        f"start J^P = {float(opt.start_current):.4e}, optimum {float(opt.current):.4e} at "
        f"δ = {float(opt.detuning):.3g}, g = {float(opt.tunnelling):.3g} in {seconds:.1f} s"
    )
    print(
        f"wrote {args.out / 'junction_optimization.png'} and {args.out / 'junction_optimum.json'}"
    )
    return 0


def _optimize_precision(args) -> int:
    import json
    import time

    import jax
    import jax.numpy as jnp
    import numpy as np

    import jaxthermo as jt

    from ._reproduce import _finish, _pyplot

    plt = _pyplot()

    temps, mus = (args.temperature, args.temperature), (args.mu_left, args.mu_right)
    print(
        f"Coherent fermionic chain, L={args.sites}, leads T={args.temperature}, "
        f"μ=({args.mu_left}, {args.mu_right}), rate={args.rate}: minimise the TUR ratio "
        f"Q = σ c₂/c₁² over energies and hoppings; Adam, {args.steps} steps "
        f"[{args.precision}] ...",
        flush=True,
    )
    t0 = time.perf_counter()
    opt = jt.optimize_precision(
        args.sites, args.rate, temps, mus, steps=args.steps, learning_rate=args.learning_rate
    )
    seconds = time.perf_counter() - t0
    history = np.asarray(opt.history)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax1.plot(np.arange(len(history)), history, color="C0", label="coherent chain")
    ax1.axhline(2.0, color="k", ls="--", label="classical bound Q = 2")
    ax1.set(xlabel="Adam step", ylabel="TUR ratio Q = σ c₂/c₁²", title="convergence")
    ax1.legend()
    g = np.linspace(0.02, 3.0, 60)
    e = np.asarray(opt.energies)

    def q_of(hop):
        hops = jnp.full(args.sites - 1, hop)
        return jt.tur_ratio(jt.precision_chain(e, hops, args.rate, temps, mus), 0)

    ax2.plot(g, np.asarray(jax.vmap(q_of)(jnp.asarray(g))), color="C0")
    ax2.axhline(2.0, color="k", ls="--")
    ax2.set(xlabel="uniform hopping g (optimal energies)", ylabel="Q",
            title=f"optimum Q = {float(opt.tur):.3f}")  # fmt: skip
    fig.suptitle("Precision of a coherent conductor: the thermodynamic uncertainty ratio")
    _finish(fig, args.out / "precision_optimization.png", dpi=120)
    summary = {
        "sites": args.sites,
        "rate": args.rate,
        "temperature": args.temperature,
        "chemical_potentials": list(mus),
        "optimal_energies": np.asarray(opt.energies).tolist(),
        "optimal_hoppings": np.asarray(opt.hoppings).tolist(),
        "optimal_tur": float(opt.tur),
        "start_tur": float(opt.start_tur),
        "current": float(opt.current),
        "history": history.tolist(),
        "seconds": seconds,
    }
    (args.out / "precision_optimum.json").write_text(json.dumps(summary, indent=1))
    print(
        f"Q: start {float(opt.start_tur):.4f}, optimum {float(opt.tur):.4f} (classical bound 2) "
        f"in {seconds:.1f} s"
    )
    print(
        f"wrote {args.out / 'precision_optimization.png'} and {args.out / 'precision_optimum.json'}"
    )
    return 0


def _optimize_engine(args) -> int:
    import json
    import time

    import jax
    import jax.numpy as jnp
    import numpy as np

    import jaxthermo as jt

    from ._reproduce import _finish, _pyplot

    plt = _pyplot()
    ramp = 0.0 if args.model_kind == "harmonic" else args.ramp
    kw = dict(time_expansion=ramp, time_compression=ramp)
    numbers = (args.omega_hot, args.omega_cold, args.temperature_hot, args.temperature_cold,
               args.rate, args.rate, args.time, args.time)  # fmt: skip
    if args.model_kind == "harmonic":
        start = jt.models.HarmonicOttoEngine(*numbers, **kw)
    else:
        start = jt.models.TwoModeOttoEngine(*numbers, **kw, coupling=args.coupling)
    print(
        f"{type(start).__name__}: T_h={args.temperature_hot}, T_c={args.temperature_cold}, "
        f"rate={args.rate}; maximise the output power over stroke times and frequencies "
        f"(ω in [{args.omega_min}, {args.omega_max}]); Adam, {args.steps} steps "
        f"[{args.precision}] ...",
        flush=True,
    )
    t0 = time.perf_counter()
    opt = jt.optimize_engine(start, frequency_bounds=(args.omega_min, args.omega_max),
                             steps=args.steps, learning_rate=args.learning_rate)  # fmt: skip
    seconds = time.perf_counter() - t0
    history = np.asarray(opt.history)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax1.plot(np.arange(len(history)), history, color="C0")
    ax1.set(xlabel="Adam step", ylabel="output power −W/τ", title="convergence")
    for engine, label, color in ((start, "start", "0.6"), (opt.engine, "optimum", "C3")):
        ts = jnp.linspace(0.0, 1.0, 400) * engine.period
        cycle = jt.limit_cycle(engine, engine.period, ts, breakpoints=engine.breakpoints)
        freq = np.asarray(jax.vmap(engine.frequency)(ts))
        occ = np.asarray(cycle.covariance[:, 0, 0].real)
        ax2.plot(np.append(freq, freq[0]), np.append(occ, occ[0]), color=color, label=label)
    ax2.set(xlabel="frequency ω(t) of mode 0", ylabel="occupation ⟨a₀†a₀⟩",
            title=f"η = {float(opt.efficiency):.3f} at max power; "
            f"CA {float(opt.curzon_ahlborn):.3f}")  # fmt: skip
    ax2.legend()
    fig.suptitle(f"{type(start).__name__}: maximum power by gradient through the limit cycle")
    _finish(fig, args.out / "engine_optimization.png", dpi=120)
    names = ("omega_hot", "omega_cold", "time_hot", "time_cold", "time_expansion",
             "time_compression")  # fmt: skip
    summary = {
        "engine": type(start).__name__,
        "temperatures": [args.temperature_hot, args.temperature_cold],
        "rate": args.rate,
        "optimum": {n: float(getattr(opt.engine, n)) for n in names},
        "power": float(opt.power),
        "start_power": float(opt.start_power),
        "efficiency": float(opt.efficiency),
        "otto_efficiency": float(opt.otto),
        "curzon_ahlborn": float(opt.curzon_ahlborn),
        "history": history.tolist(),
        "seconds": seconds,
    }
    (args.out / "engine_optimum.json").write_text(json.dumps(summary, indent=1))
    print(
        f"power: start {float(opt.start_power):.5f}, optimum {float(opt.power):.5f}; efficiency "
        f"at maximum power {float(opt.efficiency):.4f} (Otto 1 − ω_c/ω_h = "
        f"{float(opt.otto):.4f}, Curzon–Ahlborn 1 − sqrt(T_c/T_h) = "
        f"{float(opt.curzon_ahlborn):.4f}) in {seconds:.1f} s"
    )
    print(f"wrote {args.out / 'engine_optimization.png'} and {args.out / 'engine_optimum.json'}")
    return 0


# `jaxthermo sweep MODEL`: each model's parameters (defaults) and the observables it writes.
_SWEEP_DEFAULTS = {
    "chain": dict(
        hopping=0.1, rate=0.05, probe_rate=0.0, occupation_left=1.0, occupation_right=2.0
    ),
    "ratchet": dict(rate=0.02, hopping=0.1, amplitude=0.5),
    "junction": dict(
        h=1.0,
        delta=0.5,
        g=0.5,
        gamma=0.05,
        bandwidth=10.0,
        temperature_left=0.05,
        temperature_right=0.05,
        mu_left=1.3,
        mu_right=0.7,
    ),  # fmt: skip
}


# Points per vmapped chunk: the junction's band quadrature holds ~100 MB per point.
_SWEEP_CHUNK = {"chain": 4096, "ratchet": 4096, "junction": 16}


def _sweep_function(model: str, sites: int):
    """The jit-able function of `{name: scalar}` that `jt.sweep` maps over the grid."""
    import jax.numpy as jnp

    import jaxthermo as jt

    defaults = _SWEEP_DEFAULTS[model]

    def full(point):
        return {**defaults, **point}

    if model == "chain":

        def fn(point):
            p = full(point)
            m = jt.models.chain(sites, **p)
            state = jt.steady_state(m, throw=False)
            pi = jt.wigner_entropy_production(m, state)
            return {
                "particle_current_left": jt.currents(m, state).particle[0],
                "pi_real_baths": jnp.sum(pi[:2]),
                "pi_probes": jnp.sum(pi[2:]),
                "result": state.result,
            }

    elif model == "ratchet":

        def fn(point):
            p = full(point)
            potential = jt.models.sawtooth_potential(sites, p["amplitude"])
            m = jt.models.ratchet(potential, p["hopping"], p["rate"])
            state = jt.steady_state(m, throw=False)
            return {
                "ring_current": jt.models.ratchet_current(m, state.covariance),
                "result": state.result,
            }

    else:

        def fn(point):
            p = full(point)
            m = jt.models.junction(
                p["h"], p["delta"], p["g"], p["gamma"], p["bandwidth"],
                jnp.stack([p["temperature_left"], p["temperature_right"]]),
                jnp.stack([p["mu_left"], p["mu_right"]]),
            )  # fmt: skip
            state = jt.steady_state(m, throw=False)  # exact C(∞); Landauer currents
            cur = jt.currents(m, state)
            return {
                "particle_current_left": cur.particle[0],
                "heat_current_left": cur.heat[0],
                "asymptotic_non_markovianity": jt.junction.asymptotic_non_markovianity(
                    m, throw=False
                ),
                "result": state.result,
            }

    return fn


def _parse_param(text: str) -> tuple[str, tuple[float, float, int]]:
    name, sep, spec = text.partition("=")
    parts = spec.split(":")
    if not sep or not name or len(parts) != 3:
        raise argparse.ArgumentTypeError(f"expected name=start:stop:num, got {text!r}")
    try:
        start, stop, num = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected name=start:stop:num with numbers, got {text!r}"
        ) from None
    if num < 1:
        raise argparse.ArgumentTypeError(f"num must be >= 1 in {text!r}")
    return name, (start, stop, num)


def _sweep(args) -> int:
    import json

    import jax.numpy as jnp
    import numpy as np

    import jaxthermo as jt

    defaults = _SWEEP_DEFAULTS[args.model]
    axes = {}
    for name, (start, stop, num) in args.param:
        if name not in defaults:
            raise ValueError(
                f"--param: {args.model} has no parameter {name!r}; "
                f"choose from {', '.join(defaults)}"
            )
        if name in axes:
            raise ValueError(f"--param: {name!r} given twice")
        axes[name] = jnp.linspace(start, stop, num)
    chunk = args.chunk_size or _SWEEP_CHUNK[args.model]
    result = jt.sweep(
        _sweep_function(args.model, args.sites), axes, chunk_size=chunk, path=args.out / "chunks"
    )
    values = {k: v for k, v in result.values.items() if k != "result"}
    arrays = {f"axis_{k}": np.asarray(v) for k, v in axes.items()}
    arrays.update({k: np.asarray(v) for k, v in values.items()})
    arrays["result"] = np.asarray(result.results)
    np.savez(args.out / f"sweep_{args.model}.npz", **arrays)
    summary = {
        "model": args.model,
        "sites": args.sites if args.model != "junction" else None,
        "axes": {k: [float(v[0]), float(v[-1]), int(v.shape[0])] for k, v in axes.items()},
        "fixed": {k: v for k, v in defaults.items() if k not in axes},
        "points_per_second": result.points_per_second,
        "failed_points": result.failed,
        "failures": result.failures,
        "range": {k: [float(np.nanmin(v)), float(np.nanmax(v))] for k, v in values.items()},
    }
    (args.out / f"sweep_{args.model}.json").write_text(json.dumps(summary, indent=1))
    for key, (lo, hi) in summary["range"].items():
        print(f"{key}: min {lo:.6g}, max {hi:.6g}")
    if result.failed:
        print(f"{result.failed} points failed (NaN in the outputs; codes in 'result'):")
        for message, count in result.failures.items():
            print(f"  {count}: {message.splitlines()[0]}")
    print(f"wrote {args.out / f'sweep_{args.model}.npz'} ({int(np.prod(result.shape))} points)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    g = common.add_argument_group("global options")
    g.add_argument(
        "--precision", choices=("float32", "float64"), default="float64",
        help="floating-point precision (default float64)",
    )  # fmt: skip
    g.add_argument(
        "--device", choices=("cpu", "gpu"), default="cpu",
        help="where JAX computes (default cpu; gpu needs a CUDA jaxlib and a GPU)",
    )  # fmt: skip
    g.add_argument("--out", default="jaxthermo-results", help="output folder")

    parser = _Parser(
        prog="jaxthermo",
        description="Exact, differentiable non-equilibrium thermodynamics of open quantum systems.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "reproduce",
        parents=[common],
        help="recompute a paper's figures (PNG + JSON of the numbers)",
        description="Recompute the figures of one paper, or of all five, into --out "
        "(one sub-folder per paper with `all`). "
        + "; ".join(f"{k}: {v}" for k, v in _PAPERS.items()),
    )
    p.add_argument("figure", choices=(*_PAPERS, "all"), help="paper number, fcs, or all")
    p.add_argument(
        "--resolution", type=_positive_int, default=64,
        help="grid size of paper 004's Fig. 5 maps (default 64)",
    )  # fmt: skip
    p.set_defaults(func=_reproduce)

    adam = _Parser(add_help=False)
    a = adam.add_argument_group("optimiser (Adam)")
    a.add_argument("--steps", type=_positive_int, default=300, help="Adam steps (default 300)")
    a.add_argument("--learning-rate", type=float, default=0.02, help="Adam step (default 0.02)")

    p = sub.add_parser("optimize", help="run an optax optimisation on a built-in model")
    models = p.add_subparsers(dest="model", required=True)
    r = models.add_parser(
        "ratchet",
        parents=[common, adam],
        help="maximise the paper-000 ratchet current over its potential (fixed amplitude)",
    )
    r.add_argument("--sites", type=_positive_int, default=16, help="ring sites D (default 16)")
    r.add_argument("--amplitude", type=float, default=0.5, help="sawtooth V (default 0.5)")
    r.add_argument("--hopping", type=float, default=0.1, help="hopping h (default 0.1)")
    r.add_argument("--rate", type=float, default=0.02, help="reservoir rate r (default 0.02)")
    r.set_defaults(func=_optimize_ratchet)
    j = models.add_parser(
        "junction",
        parents=[common, adam],
        help="maximise the paper-004 junction's particle current over detuning δ and tunnelling g",
    )
    j.add_argument("--h", type=float, default=1.0, help="mean level h (default 1)")
    j.add_argument("--gamma", type=float, default=0.05, help="reservoir width Γ (default 0.05)")
    j.add_argument("--bandwidth", type=float, default=10.0, help="half-bandwidth Ω (default 10)")
    j.add_argument("--temperature", type=float, default=0.05, help="both baths' T (default 0.05)")
    j.add_argument("--mu-left", type=float, default=1.3, help="μ_L (default 1.3)")
    j.add_argument("--mu-right", type=float, default=0.7, help="μ_R (default 0.7)")
    j.add_argument("--detuning", type=float, default=0.2, help="initial δ (default 0.2)")
    j.add_argument("--tunnelling", type=float, default=0.05, help="initial g (default 0.05)")
    j.set_defaults(func=_optimize_junction)
    q = models.add_parser(
        "precision",
        parents=[common, adam],
        help="minimise the TUR ratio Q = σ c₂/c₁² of a coherent fermionic chain (Q < 2 is "
        "impossible classically)",
    )
    q.add_argument("--sites", type=_positive_int, default=2, help="chain sites L (default 2)")
    q.add_argument("--rate", type=float, default=1.0, help="lead rate γ (default 1)")
    q.add_argument("--temperature", type=float, default=1.0, help="both leads' T (default 1)")
    q.add_argument("--mu-left", type=float, default=2.0, help="μ_L (default 2)")
    q.add_argument("--mu-right", type=float, default=-2.0, help="μ_R (default −2)")
    q.set_defaults(func=_optimize_precision, learning_rate=0.03)
    e = models.add_parser(
        "engine",
        parents=[common, adam],
        help="maximise the output power of a harmonic (or two-mode) Otto engine over its stroke "
        "times and frequencies; efficiency at maximum power vs Curzon–Ahlborn",
    )
    e.add_argument("--engine", dest="model_kind", choices=("harmonic", "two-mode"),
                   default="harmonic", help="single mode (sudden ramps) or two coupled modes "
                   "(finite ramps, quantum friction); default harmonic")  # fmt: skip
    e.add_argument("--temperature-hot", type=float, default=10.0, help="T_h (default 10)")
    e.add_argument("--temperature-cold", type=float, default=2.0, help="T_c (default 2)")
    e.add_argument("--rate", type=float, default=1.0, help="both baths' rate γ (default 1)")
    e.add_argument("--omega-hot", type=float, default=1.5, help="initial ω_h (default 1.5)")
    e.add_argument("--omega-cold", type=float, default=1.0, help="initial ω_c (default 1)")
    e.add_argument("--omega-min", type=float, default=0.5, help="lower ω bound (default 0.5)")
    e.add_argument("--omega-max", type=float, default=2.0, help="upper ω bound (default 2)")
    e.add_argument("--time", type=float, default=1.0, help="initial isochore times (default 1)")
    e.add_argument("--ramp", type=float, default=0.5,
                   help="initial ramp times, two-mode engine (default 0.5)")  # fmt: skip
    e.add_argument("--coupling", type=float, default=0.3,
                   help="mode coupling g, two-mode engine (default 0.3)")  # fmt: skip
    e.set_defaults(func=_optimize_engine, learning_rate=0.05, steps=200)

    p = sub.add_parser(
        "sweep",
        parents=[common],
        help="evaluate a built-in model over a parameter grid (jt.sweep: vmapped, chunked)",
        description="Parameters (defaults): "
        + "; ".join(
            f"{m}: " + ", ".join(f"{k}={v}" for k, v in d.items())
            for m, d in _SWEEP_DEFAULTS.items()
        ),
    )
    p.add_argument("model", choices=tuple(_SWEEP_DEFAULTS), help="built-in model")
    p.add_argument(
        "--param", type=_parse_param, action="append", required=True, metavar="NAME=START:STOP:NUM",
        help="a grid axis (repeat for a multi-dimensional grid)",
    )  # fmt: skip
    p.add_argument(
        "--sites", type=_positive_int, default=8, help="sites (chain, ratchet; default 8)"
    )
    p.add_argument(
        "--chunk-size", type=_positive_int, default=None,
        help="points per vmapped chunk (default: chain/ratchet 4096, junction 16)",
    )  # fmt: skip
    p.set_defaults(func=_sweep)

    p = sub.add_parser(
        "chain", parents=[common], help="solve and print the NESS of the paper-002 harmonic chain"
    )
    p.add_argument("--sites", type=_positive_int, default=8, help="number of sites L (default 8)")
    p.add_argument("--hopping", type=float, default=0.1, help="hopping λ (default 0.1)")
    p.add_argument("--rate", type=float, default=0.05, help="bath rate γ (default 0.05)")
    p.add_argument("--frequency", type=float, default=1.0, help="site frequency ω (default 1)")
    p.add_argument("--n-left", type=float, default=1.0, help="left bath occupation n_1 (default 1)")
    p.add_argument(
        "--n-right", type=float, default=2.0, help="right bath occupation n_L (default 2)"
    )
    p.set_defaults(func=_chain)
    return parser


def _setup(args) -> None:
    """Apply the global options: precision, device, a writable output folder."""
    from pathlib import Path

    import jax

    jax.config.update("jax_enable_x64", args.precision == "float64")
    try:
        devices = jax.devices(args.device)
    except RuntimeError:
        raise ValueError(f"--device {args.device}: JAX sees no {args.device} device") from None
    jax.config.update("jax_default_device", devices[0])
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as e:
        raise ValueError(f"--out {out}: cannot write there ({e.strerror or e})") from None
    args.out = out


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _setup(args)
        return args.func(args)
    except (ValueError, TypeError, OSError) as e:
        print(f"jaxthermo: error: {e}", file=sys.stderr)
        return 2
