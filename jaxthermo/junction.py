"""The exactly solvable two-site fermionic junction of paper 004 ("Non-additive dissipation
in open quantum networks"): exact NESS, Landauer currents, exact and EPA dynamics, the
time-local master equation, asymptotic rate matrices `Λ±`, their non-additive
decomposition and the asymptotic non-Markovianity `ν∞`.

    import jaxthermo as jt
    jn = jt.junction
    model = jt.models.junction(h=1.0, delta=0.0, g=0.5, gamma=0.01, bandwidth=10.0,
                               temperatures=0.05, chemical_potentials=(1.1, 0.5))
    jn.stationary_correlation(model)        # Eq. (32), ours (transpose of the paper's)
    jn.landauer_currents(model).particle    # Eq. (43), (J_L, J_R) into the system
    jn.asymptotic_non_markovianity(model)   # Eq. (82) with the rates (55)

Band integrals use a peak-aware Gauss–Legendre rule (`quadrature`): ~1e-10 relative
accuracy against `scipy.integrate.quad`, jit-able, vmappable, differentiable.
"""

from ._junction._master import (
    BathRates as BathRates,
    Decomposition as Decomposition,
    RateMatrices as RateMatrices,
    SecondLaw as SecondLaw,
    asymptotic_non_markovianity as asymptotic_non_markovianity,
    asymptotic_rates as asymptotic_rates,
    canonical_rates as canonical_rates,
    decomposition as decomposition,
    non_markovianity as non_markovianity,
    quadratic_model as quadratic_model,
    second_law as second_law,
)
from ._junction._model import (
    Junction as Junction,
    energy_distribution as energy_distribution,
    hilbert_distribution as hilbert_distribution,
    leading_levels as leading_levels,
    levels as levels,
    newns_spectral_density as newns_spectral_density,
    noise_matrix as noise_matrix,
    occupations as occupations,
    quadrature as quadrature,
    rotation as rotation,
    shifted_levels as shifted_levels,
    site_hamiltonian as site_hamiltonian,
    spectral_density as spectral_density,
    splitting as splitting,
    to_site_basis as to_site_basis,
    transmission as transmission,
)
from ._junction._solution import (
    JunctionCurrents as JunctionCurrents,
    TimeLocalGenerator as TimeLocalGenerator,
    Trajectory as Trajectory,
    boundary_currents as boundary_currents,
    epa_pole as epa_pole,
    evolve as evolve,
    landauer_currents as landauer_currents,
    propagator as propagator,
    stationary_correlation as stationary_correlation,
)


__all__ = [
    "BathRates",
    "Decomposition",
    "RateMatrices",
    "SecondLaw",
    "asymptotic_non_markovianity",
    "asymptotic_rates",
    "canonical_rates",
    "decomposition",
    "non_markovianity",
    "quadratic_model",
    "second_law",
    "Junction",
    "energy_distribution",
    "hilbert_distribution",
    "leading_levels",
    "levels",
    "newns_spectral_density",
    "noise_matrix",
    "occupations",
    "quadrature",
    "rotation",
    "shifted_levels",
    "site_hamiltonian",
    "spectral_density",
    "splitting",
    "to_site_basis",
    "transmission",
    "JunctionCurrents",
    "TimeLocalGenerator",
    "Trajectory",
    "boundary_currents",
    "epa_pole",
    "evolve",
    "landauer_currents",
    "propagator",
    "stationary_correlation",
]
