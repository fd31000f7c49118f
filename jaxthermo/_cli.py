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
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError, OSError) as e:
        print(f"jaxthermo: error: {e}", file=sys.stderr)
        return 2
