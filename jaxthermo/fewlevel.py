"""Few-level systems between several fields (paper 003, Accardi & Imafuku): secular (Davies)
and Bloch–Redfield master equations, Pauli rate matrices, stationary states, micro-currents,
detailed-balance and local-KMS diagnostics, Onsager coefficients.

    import jaxthermo as jt
    fl = jt.fewlevel
    model = fl.FewLevelModel(h, [fl.BosonField(d, fl.FlatSpectralDensity(0.01), 1.0),
                                 fl.BosonField(d, fl.FlatSpectralDensity(0.01), 2.0)])
    state = fl.stationary_state(model)
    fl.micro_currents(model, state).particle  # J_{j,mn}, paper's sign (into field j)
"""

from ._fewlevel._diagnostics import (
    FieldCurrents as FieldCurrents,
    MicroCurrents as MicroCurrents,
    MicroOnsager as MicroOnsager,
    clausius_entropy_production as clausius_entropy_production,
    detailed_balance_matrix as detailed_balance_matrix,
    field_currents as field_currents,
    generator_energy_currents as generator_energy_currents,
    kolmogorov_violation as kolmogorov_violation,
    local_kms_residual as local_kms_residual,
    micro_currents as micro_currents,
    micro_onsager_coefficients as micro_onsager_coefficients,
    spohn_entropy_production as spohn_entropy_production,
    state_inverse_temperature as state_inverse_temperature,
)
from ._fewlevel._fields import (
    AbstractField as AbstractField,
    AbstractInverseTemperature as AbstractInverseTemperature,
    AbstractSpectralDensity as AbstractSpectralDensity,
    BosonField as BosonField,
    ConstantInverseTemperature as ConstantInverseTemperature,
    FermionField as FermionField,
    FlatSpectralDensity as FlatSpectralDensity,
    InterpolatedInverseTemperature as InterpolatedInverseTemperature,
    OhmicSpectralDensity as OhmicSpectralDensity,
    PolynomialInverseTemperature as PolynomialInverseTemperature,
)
from ._fewlevel._master import (
    FewLevelModel as FewLevelModel,
    StationaryState as StationaryState,
    Transitions as Transitions,
    evolve as evolve,
    liouvillian as liouvillian,
    pauli_rate_matrix as pauli_rate_matrix,
    stationary_state as stationary_state,
    transitions as transitions,
)


__all__ = [
    "FieldCurrents",
    "MicroCurrents",
    "MicroOnsager",
    "clausius_entropy_production",
    "detailed_balance_matrix",
    "field_currents",
    "generator_energy_currents",
    "kolmogorov_violation",
    "local_kms_residual",
    "micro_currents",
    "micro_onsager_coefficients",
    "spohn_entropy_production",
    "state_inverse_temperature",
    "AbstractField",
    "AbstractInverseTemperature",
    "AbstractSpectralDensity",
    "BosonField",
    "ConstantInverseTemperature",
    "FermionField",
    "FlatSpectralDensity",
    "InterpolatedInverseTemperature",
    "OhmicSpectralDensity",
    "PolynomialInverseTemperature",
    "FewLevelModel",
    "StationaryState",
    "Transitions",
    "evolve",
    "liouvillian",
    "pauli_rate_matrix",
    "stationary_state",
    "transitions",
]
