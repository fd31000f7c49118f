"""The examples of docs/extending.md run as written, and do what the page says: a user bath
through the bath protocol and a user model through `AbstractModel` work with every verb."""

import re
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest


PAGE = Path(__file__).parent.parent / "docs" / "extending.md"


def _blocks():
    return re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S)


def test_the_page_has_a_bath_and_a_model_example():
    blocks = _blocks()
    assert len(blocks) == 2
    assert "class OccupationBath(jt.AbstractBath)" in blocks[0]
    assert "class TwoState(jt.AbstractModel)" in blocks[1]


def test_user_bath_example():
    ns: dict = {}
    exec(_blocks()[0], ns)  # noqa: S102 - our own documentation
    jt = ns["jt"]
    model, state = ns["model"], ns["state"]
    reference = jt.QuadraticModel(
        model.hamiltonian,
        [jt.BosonBath(0, 0.05, float(1.0 / np.log1p(1 / 0.8))), jt.BosonBath(1, 0.05, 0.5)],
    )
    np.testing.assert_allclose(state.covariance, jt.steady_state(reference).covariance, rtol=1e-12)
    assert float(jt.entropy_production(model, state)) > 0
    assert np.isfinite(float(ns["grad"]))


def test_user_model_example():
    ns: dict = {}
    exec(_blocks()[1], ns)  # noqa: S102
    jt, bit = ns["jt"], ns["bit"]
    flows, sigma, traj = ns["flows"], ns["sigma"], ns["traj"]
    np.testing.assert_allclose(jnp.sum(flows.energy), 0.0, atol=1e-16)
    assert float(flows.energy[0]) > 0  # from the hot bath 0 into the system
    assert float(sigma) > 0
    np.testing.assert_allclose(traj.populations[0], [1.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(traj.populations[-1], jt.steady_state(bit).populations, atol=1e-6)
    assert float(ns["onsager"].linear[0, 0]) > 0  # thermal conductance
    with pytest.raises(TypeError, match="`entropy_production` is not defined for TwoState"):
        jt.entropy_production(bit, traj)
