"""Closed systems with finite reservoirs and the exact entropy production of paper 001
(Esposito, Lindenberg, Van den Broeck): quadratic systems from covariances, and the dense
spin–GORM model with its Redfield limit.

    import jaxthermo as jt
    cl = jt.closed
    system = cl.ClosedSystem(h_s, [cl.FiniteReservoir(h_r, b, temperature, mu)], "fermion")
    traj = cl.evolve_closed(system, c_s0, times)      # Δ_iS (10), heat (9), S_c (14), ...
    spin = jt.models.spin_gorm(200, 0.1, 10.0, 0.1, jax.random.key(0))
    cl.evolve_spin_gorm(spin, times).entropy_production
"""

from ._closed import (
    ClosedSystem as ClosedSystem,
    ClosedTrajectory as ClosedTrajectory,
    DrivenTrajectory as DrivenTrajectory,
    FiniteReservoir as FiniteReservoir,
    direct_entropy_production as direct_entropy_production,
    effective_system_matrix as effective_system_matrix,
    evolve_closed as evolve_closed,
    evolve_driven as evolve_driven,
    free_energy_change as free_energy_change,
    full_covariance as full_covariance,
    system_relative_entropy_production as system_relative_entropy_production,
)
from ._spin_gorm import (
    Redfield as Redfield,
    SpinGORM as SpinGORM,
    SpinTrajectory as SpinTrajectory,
    evolve_spin_gorm as evolve_spin_gorm,
    gorm_spectrum as gorm_spectrum,
    redfield as redfield,
    redfield_entropy_production as redfield_entropy_production,
)


__all__ = [
    "ClosedSystem",
    "ClosedTrajectory",
    "DrivenTrajectory",
    "FiniteReservoir",
    "direct_entropy_production",
    "effective_system_matrix",
    "evolve_closed",
    "evolve_driven",
    "free_energy_change",
    "full_covariance",
    "system_relative_entropy_production",
    "Redfield",
    "SpinGORM",
    "SpinTrajectory",
    "evolve_spin_gorm",
    "gorm_spectrum",
    "redfield",
    "redfield_entropy_production",
]
