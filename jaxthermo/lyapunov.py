"""Lyapunov solvers: `jaxthermo.lyapunov.BartelsStewart()`, `Eigen()`, `Sign()`,
`Kronecker()`, `ScipyReference()`, `Auto()` (the default), and their base class."""

from ._lyapunov import (
    AbstractLyapunovSolver as AbstractLyapunovSolver,
    Auto as Auto,
    BartelsStewart as BartelsStewart,
    Eigen as Eigen,
    Kronecker as Kronecker,
    LyapunovOperator as LyapunovOperator,
    ScipyReference as ScipyReference,
    Sign as Sign,
    lyapunov_operator as lyapunov_operator,
    relative_residual as relative_residual,
)
from ._lyapunov._discrete import discrete_lyapunov_solve as discrete_lyapunov_solve
