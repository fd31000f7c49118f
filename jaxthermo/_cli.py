"""The `jaxthermo` command."""

import argparse
import sys


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 2:
        raise argparse.ArgumentTypeError("must be an integer >= 2")
    return value


def _chain(args) -> int:
    import jax

    jax.config.update("jax_enable_x64", args.precision == "float64")
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
    from pathlib import Path

    import jax

    jax.config.update("jax_enable_x64", args.precision == "float64")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    import jaxthermo as jt

    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as e:
        raise OSError(f"cannot write to --out {out}: {e.strerror or e}") from None
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
    fig.tight_layout()
    fig.savefig(out / "ratchet_optimization.png", dpi=120)
    plt.close(fig)
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


def _reproduce(args) -> int:
    import time
    from pathlib import Path

    import jax

    jax.config.update("jax_enable_x64", True)
    from ._reproduce import junction_figures, spin_gorm_figure

    t0 = time.perf_counter()
    out = Path(args.out)
    if args.paper == "004":
        summary = junction_figures(out, resolution=args.resolution)
    else:
        summary = spin_gorm_figure(out)
    for key, value in summary.items():
        print(f"{key}: {value}")
    print(f"wrote paper-{args.paper} figures to {out} in {time.perf_counter() - t0:.1f} s")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jaxthermo",
        description="Exact, differentiable non-equilibrium thermodynamics of open quantum systems.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("chain", help="solve and print the NESS of the paper-002 harmonic chain")
    p.add_argument("--sites", type=_positive_int, default=8, help="number of sites L (default 8)")
    p.add_argument("--hopping", type=float, default=0.1, help="hopping λ (default 0.1)")
    p.add_argument("--rate", type=float, default=0.05, help="bath rate γ (default 0.05)")
    p.add_argument("--frequency", type=float, default=1.0, help="site frequency ω (default 1)")
    p.add_argument("--n-left", type=float, default=1.0, help="left bath occupation n_1 (default 1)")
    p.add_argument(
        "--n-right", type=float, default=2.0, help="right bath occupation n_L (default 2)"
    )
    p.add_argument("--precision", choices=("float32", "float64"), default="float64")
    p.set_defaults(func=_chain)

    p = sub.add_parser("optimize", help="run an optax optimisation on a built-in model")
    models = p.add_subparsers(dest="model", required=True)
    r = models.add_parser(
        "ratchet",
        help="maximise the paper-000 ratchet current over its potential (fixed amplitude)",
    )
    r.add_argument("--sites", type=_positive_int, default=16, help="ring sites D (default 16)")
    r.add_argument("--amplitude", type=float, default=0.5, help="sawtooth V (default 0.5)")
    r.add_argument("--hopping", type=float, default=0.1, help="hopping h (default 0.1)")
    r.add_argument("--rate", type=float, default=0.02, help="reservoir rate r (default 0.02)")
    r.add_argument("--steps", type=_positive_int, default=300, help="Adam steps (default 300)")
    r.add_argument("--learning-rate", type=float, default=0.02, help="Adam step (default 0.02)")
    r.add_argument("--out", default="jaxthermo-results", help="output folder")
    r.add_argument("--precision", choices=("float32", "float64"), default="float64")
    r.set_defaults(func=_optimize_ratchet)

    p = sub.add_parser("reproduce", help="reproduce a paper's figures (PNG + JSON)")
    p.add_argument(
        "paper",
        choices=("001", "004"),
        help="paper: 001 (spin-GORM entropy production, Fig. 1) or 004 (junction, Figs. 3-5)",
    )
    p.add_argument("--resolution", type=_positive_int, default=128, help="Fig. 5 grid size")
    p.add_argument("--out", default="jaxthermo-results", help="output folder")
    p.set_defaults(func=_reproduce)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError, OSError) as e:
        print(f"jaxthermo: error: {e}", file=sys.stderr)
        return 2
