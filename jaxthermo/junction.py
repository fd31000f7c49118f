"""The exactly solvable two-site fermionic junction of paper 004 ("Non-additive dissipation
in open quantum networks"): exact NESS, Landauer currents, exact and EPA dynamics, the
time-local master equation, asymptotic rate matrices `Λ±`, their non-additive
decomposition and the asymptotic non-Markovianity `ν∞`.

    import jaxthermo as jt
    jn = jt.junction
    model = jt.models.junction(h=1.0, delta=0.0, g=0.5, gamma=0.01, bandwidth=10.0,
                               temperatures=0.05, chemical_potentials=(1.1, 0.5))
    jt.steady_state(model).covariance       # Eq. (32), ours (transpose of the paper's)
    jt.currents(model, jt.steady_state(model)).particle   # Landauer (43), (J_L, J_R)
    jt.steady_state(model, jn.EPA())        # the asymptotic EPA master equation
    jn.asymptotic_non_markovianity(model)   # Eq. (82) with the rates (55)

Band integrals use a peak-aware Gauss–Legendre rule (`Quadrature`): ~1e-10 relative
accuracy against `scipy.integrate.quad`, jit-able, vmappable, differentiable.
"""

from ._junction._counting import levitov_lesovik_cumulants as levitov_lesovik_cumulants
from ._junction._junction import (
    EPA as EPA,
    AbstractJunctionMethod as AbstractJunctionMethod,
    Exact as Exact,
    Junction as Junction,
    SteadyState as SteadyState,
    Trajectory as Trajectory,
    asymptotic_non_markovianity as asymptotic_non_markovianity,
    asymptotic_rates as asymptotic_rates,
    boundary_currents as boundary_currents,
    decomposition as decomposition,
    epa_pole as epa_pole,
    landauer_currents as landauer_currents,
    propagator as propagator,
    quadratic_model as quadratic_model,
    second_law as second_law,
)
from ._junction._master import (
    BathRates as BathRates,
    Decomposition as Decomposition,
    RateMatrices as RateMatrices,
    SecondLaw as SecondLaw,
    canonical_rates as canonical_rates,
    non_markovianity as non_markovianity,
)
from ._junction._model import (
    energy_distribution as energy_distribution,
    hilbert_distribution as hilbert_distribution,
    leading_levels as leading_levels,
    levels as levels,
    newns_spectral_density as newns_spectral_density,
    noise_matrix as noise_matrix,
    occupations as occupations,
    rotation as rotation,
    shifted_levels as shifted_levels,
    site_hamiltonian as site_hamiltonian,
    spectral_density as spectral_density,
    splitting as splitting,
    to_site_basis as to_site_basis,
    transmission as transmission,
)
from ._junction._quadrature import Quadrature as Quadrature, band_nodes as band_nodes
from ._junction._solution import TimeLocalGenerator as TimeLocalGenerator


__all__ = [
    "EPA",
    "AbstractJunctionMethod",
    "Exact",
    "Junction",
    "SteadyState",
    "Trajectory",
    "asymptotic_non_markovianity",
    "asymptotic_rates",
    "boundary_currents",
    "decomposition",
    "epa_pole",
    "landauer_currents",
    "levitov_lesovik_cumulants",
    "propagator",
    "quadratic_model",
    "second_law",
    "BathRates",
    "Decomposition",
    "RateMatrices",
    "SecondLaw",
    "canonical_rates",
    "non_markovianity",
    "energy_distribution",
    "hilbert_distribution",
    "leading_levels",
    "levels",
    "newns_spectral_density",
    "noise_matrix",
    "occupations",
    "rotation",
    "shifted_levels",
    "site_hamiltonian",
    "spectral_density",
    "splitting",
    "to_site_basis",
    "transmission",
    "Quadrature",
    "band_nodes",
    "TimeLocalGenerator",
]
