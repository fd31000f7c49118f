"""Lyapunov solvers: `jaxthermo.lyapunov.BartelsStewart()`, `Eigen()`, `Sign()`,
`Kronecker()`, `ScipyReference()`, `Auto()` (the default), and their base class."""

from ._lyapunov import (
    AbstractLyapunovSolver as AbstractLyapunovSolver,
    Auto as Auto,
    BartelsStewart as BartelsStewart,
    Eigen as Eigen,
    Kronecker as Kronecker,
    ScipyReference as ScipyReference,
    Sign as Sign,
    relative_residual as relative_residual,
)
