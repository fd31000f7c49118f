"""Few-level systems between several fields (paper 003, Accardi & Imafuku): secular (Davies)
and Bloch–Redfield master equations, Pauli rate matrices, micro-currents, detailed-balance and
local-KMS diagnostics, Onsager coefficients. Steady states, trajectories, currents and entropy
production come from the shared verbs:

    import jaxthermo as jt
    fl = jt.fewlevel
    model = fl.FewLevelModel(h, [fl.BosonField(d, fl.FlatSpectralDensity(0.01), 1.0),
                                 fl.BosonField(d, fl.FlatSpectralDensity(0.01), 2.0)])
    state = jt.steady_state(model)               # fl.Secular() by default
    jt.currents(model, state).energy             # per field, into the system
    fl.micro_currents(model, state).particle     # J_{j,mn}, paper's sign (into field j)
"""

from ._fewlevel._diagnostics import (
    MicroCurrents as MicroCurrents,
    MicroOnsager as MicroOnsager,
    clausius_entropy_production as clausius_entropy_production,
    detailed_balance_matrix as detailed_balance_matrix,
    kolmogorov_violation as kolmogorov_violation,
    liouvillian as liouvillian,
    local_kms_residual as local_kms_residual,
    micro_currents as micro_currents,
    micro_onsager_coefficients as micro_onsager_coefficients,
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
    SteadyState as SteadyState,
    Trajectory as Trajectory,
    spohn_entropy_production as spohn_entropy_production,
)
from ._fewlevel._methods import (
    AbstractFewLevelMethod as AbstractFewLevelMethod,
    Pauli as Pauli,
    Redfield as Redfield,
    Secular as Secular,
)
from ._fewlevel._transitions import (
    Transitions as Transitions,
    pauli_rate_matrix as pauli_rate_matrix,
    transitions as transitions,
)


__all__ = [
    "MicroCurrents",
    "MicroOnsager",
    "clausius_entropy_production",
    "detailed_balance_matrix",
    "kolmogorov_violation",
    "liouvillian",
    "local_kms_residual",
    "micro_currents",
    "micro_onsager_coefficients",
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
    "SteadyState",
    "Trajectory",
    "spohn_entropy_production",
    "AbstractFewLevelMethod",
    "Pauli",
    "Redfield",
    "Secular",
    "Transitions",
    "pauli_rate_matrix",
    "transitions",
]
