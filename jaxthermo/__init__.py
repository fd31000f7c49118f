"""jaxthermo: exact, differentiable, batched non-equilibrium thermodynamics of open quantum
systems in JAX.

Conventions (ħ = k_B = 1): `C_ij = ⟨a_j† a_i⟩`; `dC/dt = W C + C W† + F` with
`W = -iH - G/2`; currents are positive when they flow from a bath into the system.
Enable float64 for physics (`jax.config.update("jax_enable_x64", True)`); jaxthermo never
changes global JAX settings on import.
"""

from . import (
    closed as closed,
    fewlevel as fewlevel,
    junction as junction,
    lyapunov as lyapunov,
    models as models,
)
from ._baths import (
    AbstractBath as AbstractBath,
    AbstractThermalBath as AbstractThermalBath,
    BosonBath as BosonBath,
    FermionBath as FermionBath,
    ProbeBath as ProbeBath,
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
from ._gaussian import (
    entropy as entropy,
    log_partition_function as log_partition_function,
    modular_hamiltonian as modular_hamiltonian,
    relative_entropy as relative_entropy,
    trace_product as trace_product,
    wigner_entropy as wigner_entropy,
)
from ._lyapunov import solve_lyapunov as solve_lyapunov
from ._observables import (
    Currents as Currents,
    OnsagerCoefficients as OnsagerCoefficients,
    bath_inverse_temperatures as bath_inverse_temperatures,
    bath_occupations as bath_occupations,
    currents as currents,
    entropy_production as entropy_production,
    entropy_rate as entropy_rate,
    mode_currents as mode_currents,
    onsager_coefficients as onsager_coefficients,
    wigner_entropy_flux as wigner_entropy_flux,
    wigner_entropy_production as wigner_entropy_production,
)
from ._optimize import (
    JunctionOptimization as JunctionOptimization,
    OptimizationResult as OptimizationResult,
    RatchetOptimization as RatchetOptimization,
    amplitude_potential as amplitude_potential,
    maximize as maximize,
    optimize_junction_current as optimize_junction_current,
    optimize_ratchet_potential as optimize_ratchet_potential,
)
from ._quadratic import QuadraticModel as QuadraticModel
from ._solution import RESULTS as RESULTS
from ._sweep import SweepResult as SweepResult, sweep as sweep


__version__ = "0.1.0"
