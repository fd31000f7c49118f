"""Lyapunov solvers (`jaxthermo.lyapunov`)."""

from ._auto import Auto as Auto
from ._bartels_stewart import BartelsStewart as BartelsStewart
from ._base import AbstractLyapunovSolver as AbstractLyapunovSolver
from ._common import relative_residual as relative_residual
from ._discrete import (
    discrete_lyapunov_solve as discrete_lyapunov_solve,
    schur_stable as schur_stable,
    solve_discrete_lyapunov as solve_discrete_lyapunov,
)
from ._eigen import Eigen as Eigen
from ._kronecker import Kronecker as Kronecker
from ._scipy import ScipyReference as ScipyReference
from ._sign import Sign as Sign
from ._solve import (
    LyapunovOperator as LyapunovOperator,
    lyapunov_operator as lyapunov_operator,
    lyapunov_solve as lyapunov_solve,
    shifted_drift as shifted_drift,
    solve_lyapunov as solve_lyapunov,
)
