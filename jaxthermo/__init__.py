"""jaxthermo: exact, differentiable, batched non-equilibrium thermodynamics of open quantum
systems in JAX.

One contract for every model family (`QuadraticModel`, `fewlevel.FewLevelModel`,
`junction.Junction`, the closed systems of `closed`): `steady_state`, `evolve`, `currents`,
`entropy_production`. Conventions (ħ = k_B = 1): `C_ij = ⟨a_j† a_i⟩`;
`dC/dt = W C + C W† + F` with `W = −iH − G/2`; currents are positive when they flow from a
bath into the system. Enable float64 for physics (`jax.config.update("jax_enable_x64",
True)`); jaxthermo never changes global JAX settings on import.
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
    BathParameters as BathParameters,
    BosonBath as BosonBath,
    FermionBath as FermionBath,
    LocalRates as LocalRates,
    MatrixRates as MatrixRates,
    ProbeBath as ProbeBath,
    RateMatrixBath as RateMatrixBath,
)
from ._checks import Check as Check
from ._contract import (
    AbstractModel as AbstractModel,
    AbstractSteadyState as AbstractSteadyState,
    AbstractTrajectory as AbstractTrajectory,
    Currents as Currents,
    currents as currents,
    entropy_production as entropy_production,
    evolve as evolve,
    steady_state as steady_state,
)
from ._counting import (
    AbstractCounting as AbstractCounting,
    AbstractCountingModel as AbstractCountingModel,
    cumulant_generating_function as cumulant_generating_function,
    current_cumulants as current_cumulants,
    gallavotti_cohen_residual as gallavotti_cohen_residual,
    noise_spectrum as noise_spectrum,
    tur_ratio as tur_ratio,
)
from ._cycles import (
    CycleThermodynamics as CycleThermodynamics,
    cycle_thermodynamics as cycle_thermodynamics,
    limit_cycle as limit_cycle,
)
from ._dynamics import (
    ExactPropagator as ExactPropagator,
    SteadyState as SteadyState,
    Trajectory as Trajectory,
)
from ._gaussian import (
    entropy as entropy,
    log_partition_function as log_partition_function,
    modular_hamiltonian as modular_hamiltonian,
    relative_entropy as relative_entropy,
    trace_product as trace_product,
    wigner_entropy as wigner_entropy,
)
from ._lyapunov import (
    solve_discrete_lyapunov as solve_discrete_lyapunov,
    solve_lyapunov as solve_lyapunov,
)
from ._observables import (
    bath_inverse_temperatures as bath_inverse_temperatures,
    bath_occupations as bath_occupations,
    entropy_rate as entropy_rate,
    mode_currents as mode_currents,
    wigner_entropy_flux as wigner_entropy_flux,
    wigner_entropy_production as wigner_entropy_production,
)
from ._ode import ODE as ODE, AbstractEvolutionMethod as AbstractEvolutionMethod
from ._optimize import OptimizationResult as OptimizationResult, maximize as maximize
from ._paper_optimizations import (
    EngineOptimization as EngineOptimization,
    JunctionOptimization as JunctionOptimization,
    PrecisionOptimization as PrecisionOptimization,
    RatchetOptimization as RatchetOptimization,
    amplitude_potential as amplitude_potential,
    optimize_engine as optimize_engine,
    optimize_junction_current as optimize_junction_current,
    optimize_precision as optimize_precision,
    optimize_ratchet_potential as optimize_ratchet_potential,
    precision_chain as precision_chain,
)
from ._quadratic import QuadraticModel as QuadraticModel
from ._qutip import covariance_from_qutip as covariance_from_qutip, to_qutip as to_qutip
from ._response import (
    OnsagerCoefficients as OnsagerCoefficients,
    onsager_coefficients as onsager_coefficients,
)
from ._solution import RESULTS as RESULTS, AbstractResult as AbstractResult
from ._statistics import (
    bose_einstein as bose_einstein,
    fermi_dirac as fermi_dirac,
    occupation_temperature as occupation_temperature,
)
from ._sweep import SweepResult as SweepResult, sweep as sweep


__version__ = "0.2.0"
