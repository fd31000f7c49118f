"""Closed systems with finite reservoirs and the exact entropy production of paper 001
(Esposito, Lindenberg, Van den Broeck): quadratic systems from covariances, driven ones, and
the dense spin–GORM model with its Redfield limit. They evolve through the shared verb:

    import jaxthermo as jt
    cl = jt.closed
    system = cl.ClosedSystem(h_s, [cl.FiniteReservoir(h_r, b, temperature, mu)], "fermion")
    traj = jt.evolve(system, c_s0, ts)                 # Δ_iS (10), heat (9), currents, ...
    jt.evolve(cl.DrivenSystem(system, drive), c_s0, ts).work           # Eq. (19)
    spin = jt.models.spin_gorm(200, 0.1, 10.0, 0.1, jax.random.key(0))
    jt.evolve(spin, jnp.diag(jnp.array([0.0, 1.0])), ts).entropy_production
"""

from ._closed._arrowhead import arrowhead_eigh as arrowhead_eigh
from ._closed._quadratic import (
    ClosedSystem as ClosedSystem,
    ClosedTrajectory as ClosedTrajectory,
    DrivenSystem as DrivenSystem,
    DrivenTrajectory as DrivenTrajectory,
    Eigenbasis as Eigenbasis,
    FiniteReservoir as FiniteReservoir,
    ReservoirModes as ReservoirModes,
    direct_entropy_production as direct_entropy_production,
    effective_system_matrix as effective_system_matrix,
    free_energy_change as free_energy_change,
    full_covariance as full_covariance,
    system_relative_entropy_production as system_relative_entropy_production,
)
from ._closed._spin_gorm import (
    Redfield as Redfield,
    SpinGORM as SpinGORM,
    SpinTrajectory as SpinTrajectory,
    gorm_spectrum as gorm_spectrum,
    redfield as redfield,
    redfield_entropy_production as redfield_entropy_production,
)


__all__ = [
    "ClosedSystem",
    "ClosedTrajectory",
    "DrivenSystem",
    "DrivenTrajectory",
    "Eigenbasis",
    "FiniteReservoir",
    "ReservoirModes",
    "arrowhead_eigh",
    "direct_entropy_production",
    "effective_system_matrix",
    "free_energy_change",
    "full_covariance",
    "system_relative_entropy_production",
    "Redfield",
    "SpinGORM",
    "SpinTrajectory",
    "gorm_spectrum",
    "redfield",
    "redfield_entropy_production",
]
