"""jaxthermo: exact, differentiable, batched non-equilibrium thermodynamics of open quantum
systems in JAX.

Conventions (ħ = k_B = 1): `C_ij = ⟨a_j† a_i⟩`; `dC/dt = W C + C W† + F` with
`W = -iH - G/2`; currents are positive when they flow from a bath into the system.
Enable float64 for physics (`jax.config.update("jax_enable_x64", True)`); jaxthermo never
changes global JAX settings on import.
"""

from . import lyapunov as lyapunov, models as models
from ._baths import (
    AbstractBath as AbstractBath,
    AbstractThermalBath as AbstractThermalBath,
    BosonBath as BosonBath,
    FermionBath as FermionBath,
    RateMatrixBath as RateMatrixBath,
    bose_einstein as bose_einstein,
    fermi_dirac as fermi_dirac,
    occupation_temperature as occupation_temperature,
)
from ._dynamics import (
    ODE as ODE,
    AbstractEvolutionMethod as AbstractEvolutionMethod,
    Evolution as Evolution,
    ExactPropagator as ExactPropagator,
    SteadyState as SteadyState,
    evolve as evolve,
    steady_state as steady_state,
)
from ._lyapunov import solve_lyapunov as solve_lyapunov
from ._quadratic import QuadraticModel as QuadraticModel
from ._solution import RESULTS as RESULTS


__version__ = "0.1.0"
