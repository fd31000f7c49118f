"""QuTiP interop: `jt.to_qutip` models solved by QuTiP's own `steadystate`/`mesolve` agree
with jaxthermo; few-level models accept `qutip.Qobj`; states convert back; `.to_numpy()`."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import qutip

import jaxthermo as jt

from .helpers import random_hermitian, random_psd


fl = jt.fewlevel


def _quadratic(statistics, rng, n=3):
    bath = jt.FermionBath if statistics == "fermion" else jt.BosonBath
    h = random_hermitian(rng, n, 0.4) + np.diag(np.linspace(1.0, 1.6, n))
    baths = [bath(0, 0.3, 0.8, 0.2), bath(n - 1, 0.2, 2.0, -0.1)]
    baths.append(jt.RateMatrixBath(0.05 * random_psd(rng, n), 0.02 * random_psd(rng, n)))
    return jt.QuadraticModel(h, baths, statistics)


def test_fermions_round_trip_exactly():
    model = _quadratic("fermion", np.random.default_rng(0))
    h, c_ops = jt.to_qutip(model)
    assert h.dims == [[2, 2, 2], [2, 2, 2]]
    rho = qutip.steadystate(h, c_ops)
    c = jt.covariance_from_qutip(rho, "fermion")
    np.testing.assert_allclose(c, jt.steady_state(model).covariance, atol=1e-10)


def test_bosons_converge_with_the_cutoff():
    rng = np.random.default_rng(1)
    h = random_hermitian(rng, 2, 0.3) + np.diag([1.0, 1.3])
    model = jt.QuadraticModel(h, [jt.BosonBath(0, 0.3, 0.6), jt.BosonBath(1, 0.2, 1.0)])
    exact = np.asarray(jt.steady_state(model).covariance)
    errors = []
    for cutoff in (4, 8, 14):
        h_q, c_ops = jt.to_qutip(model, cutoff=cutoff)
        rho = qutip.steadystate(h_q, c_ops)
        errors.append(np.max(np.abs(jt.covariance_from_qutip(rho, "boson", cutoff) - exact)))
    assert errors[0] > 10 * errors[1] > 100 * errors[2]
    assert errors[2] < 1e-6


def test_fewlevel_round_trip_with_degenerate_bohr_frequencies_and_qobj_input():
    """Two qubits as `qutip.Qobj` (tensor dims kept), equal splittings (degenerate Bohr
    frequencies): QuTiP's steady state of `to_qutip`'s secular jump operators equals
    `jt.steady_state`, and the state converts back with its dims."""
    sz, sm = qutip.sigmaz(), qutip.destroy(2)
    eye = qutip.qeye(2)
    h = (
        0.5 * qutip.tensor(sz, eye)
        + 0.5 * qutip.tensor(eye, sz)
        + 0.1 * (qutip.tensor(sm.dag(), sm) + qutip.tensor(sm, sm.dag()))
    )
    d1 = qutip.tensor(sm + sm.dag(), eye)
    d2 = qutip.tensor(eye, sm + sm.dag())
    model = fl.FewLevelModel(
        h,
        [
            fl.BosonField(d1, fl.FlatSpectralDensity(0.01), 0.6),
            fl.BosonField(d2, fl.FlatSpectralDensity(0.02), 1.5),
        ],
    )
    state = jt.steady_state(model)
    h_q, c_ops = jt.to_qutip(model)
    rho = qutip.steadystate(h_q, c_ops)
    np.testing.assert_allclose(rho.full(), state.density_matrix, atol=1e-10)
    back = state.to_qutip()
    assert back.dims == [[2, 2], [2, 2]]
    assert (back - rho).norm() < 1e-9
    # dynamics: QuTiP's mesolve with the same operators
    rho0 = qutip.tensor(qutip.basis(2, 0), qutip.basis(2, 1)).proj()
    ts = np.array([0.0, 3.0, 40.0])
    traj = jt.evolve(model, rho0, jnp.asarray(ts))
    ref = qutip.mesolve(h_q, rho0, ts, c_ops, options={"atol": 1e-12, "rtol": 1e-10}).states
    for ours, theirs in zip(traj.to_qutip(), ref, strict=True):
        assert (ours - theirs).norm() < 1e-8


def test_to_numpy_on_every_result_module():
    model = _quadratic("boson", np.random.default_rng(2))
    state = jt.steady_state(model).to_numpy()
    assert isinstance(state.covariance, np.ndarray)
    traj = jt.evolve(model, np.eye(3) * 0.5, jnp.array([0.0, 1.0])).to_numpy()
    assert isinstance(traj.covariance, np.ndarray) and traj.covariance.shape == (2, 3, 3)
    flows = jt.currents(model, jt.steady_state(model)).to_numpy()
    assert isinstance(flows.heat, np.ndarray)
    junction = jt.steady_state(jt.models.junction()).to_numpy()
    assert isinstance(junction.covariance, np.ndarray)


def test_conversion_errors():
    chain = jt.models.chain(3, 0.1, 0.05, temperature_left=1.0, temperature_right=2.0,
                            probe_rate=0.01)  # fmt: skip
    with pytest.raises(ValueError, match="ProbeBath"):
        jt.to_qutip(chain, cutoff=3)
    with pytest.raises(ValueError, match="`cutoff`"):
        jt.to_qutip(_quadratic("boson", np.random.default_rng(3)))
    m = jt.models.junction(1.0, 0.0, 0.5, 0.01, 10.0, 0.01, (0.9, 1.1))
    with pytest.raises(ValueError, match="negative eigenvalue"):
        jt.to_qutip(jt.junction.quadratic_model(m))  # non-Markovian Λ±
    with pytest.raises(TypeError, match="QuadraticModel or a fewlevel.FewLevelModel"):
        jt.to_qutip(m)
    with pytest.raises(ValueError, match="`hamiltonian` must be Hermitian"):
        fl.FewLevelModel(qutip.sigmap(), [fl.BosonField(qutip.sigmax(), fl.FlatSpectralDensity(0.1),
                                                        1.0)])  # fmt: skip


def test_evolve_accepts_qobj_and_vmaps():
    beta = fl.PolynomialInverseTemperature(jnp.array([1.0, 0.4]))
    model = jt.models.three_level(jnp.array([0.0, 1.0, 2.6]), beta)
    rho0 = qutip.Qobj(np.diag([1.0, 0.0, 0.0]))
    traj = jt.evolve(model, rho0, jnp.array([0.0, 50.0]))
    np.testing.assert_allclose(traj.density_matrix[0], np.diag([1.0, 0.0, 0.0]), atol=1e-15)
    batch = jax.vmap(
        lambda t: jt.evolve(model, jnp.diag(jnp.array([1.0, 0, 0])), t).density_matrix
    )(jnp.array([[0.0, 1.0], [0.0, 2.0]]))
    assert batch.shape == (2, 2, 3, 3)
