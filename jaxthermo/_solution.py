"""Result codes shared by every jaxthermo solver.

`RESULTS` extends lineax's result enumeration (itself used by optimistix and diffrax), so a
result from a jaxthermo solver reads like one from the rest of the ecosystem.
"""

import lineax as lx


class RESULTS(lx.RESULTS):  # pyright: ignore[reportGeneralTypeIssues]
    """Result codes of jaxthermo's solvers (extends `lineax.RESULTS`).

    `RESULTS[result]` gives the human-readable message of a result item.
    """

    not_hurwitz = (
        "The drift matrix `W = -iH - G/2` is not Hurwitz (some eigenvalue has real part >= 0 "
        "within numerical tolerance), so the model has no unique steady state. Usually a "
        "mode, or a combination of modes, has no path to any bath (a 'dark' mode), or a "
        "bosonic gain rate exceeds the loss rate."
    )
    sign_not_hurwitz = (
        "The matrix-sign iteration converged, but not to -I: the drift matrix `W` has "
        "eigenvalues with positive real part, so the Lyapunov equation cannot be solved by "
        "the sign function (and there is no steady state)."
    )
