"""Limit cycles of periodically driven open systems and their thermodynamics (issue 17)."""

from ._core import (
    CycleThermodynamics as CycleThermodynamics,
    cycle_thermodynamics as cycle_thermodynamics,
    limit_cycle as limit_cycle,
)
