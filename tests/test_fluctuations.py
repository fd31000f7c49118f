"""Counting statistics (current fluctuations): against the dense tilted Liouvillian in Fock
space (fermions exactly, bosons truncated with a convergence check), closed forms (one mode
between two baths), QuTiP's `countstat_current_noise`, fluctuation–dissipation at
equilibrium, the Gallavotti–Cohen symmetry, the classical TUR bound, the Levitov–Lesovik
formula, gradients, and the error paths."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import qutip
import scipy.linalg as sla
from hypothesis import given, settings, strategies as st
from jax.test_util import check_grads

import jaxthermo as jt

from .helpers import (
    dense_model,
    dense_steady_state,
    mode_operators,
    quadratic_jump_operators,
    random_hermitian,
    random_psd,
)


fl, jn = jt.fewlevel, jt.junction


# ---------------------------------------------------------------------------------------
# Dense references: the tilted Liouvillian and Rayleigh–Schrödinger cumulants
# ---------------------------------------------------------------------------------------


def _superoperator(jumps, d):
    """Σ_j conj(j) ⊗ j (column-stacked vec: the jump terms j ρ j†)."""
    out = np.zeros((d * d, d * d), complex)
    for j in jumps:
        j = j.toarray() if hasattr(j, "toarray") else np.asarray(j)
        out += np.kron(j.conj(), j)
    return out


def _dense_counting(model, bath, cutoff=None):
    """(L, J₊, J₋) of a quadratic model in Fock space: J₊ the counted bath's gain jumps, J₋ its
    loss jumps (superoperators)."""
    h = np.asarray(model.hamiltonian)
    g_all, f_all = (np.asarray(x) for x in model.dissipation())
    sign = model.sign
    loss_all = g_all + sign * f_all  # Λ⁻ = G ± Λ⁺
    ops, lv = dense_model(h, loss_all, f_all, model.statistics, cutoff)
    d = ops[0].shape[0]
    rates = model.bath_rates()[bath]
    n = model.size
    if isinstance(rates, jt.LocalRates):
        loss = np.zeros((n, n), complex)
        gain = np.zeros((n, n), complex)
        loss[rates.mode, rates.mode] = float(rates.loss)
        gain[rates.mode, rates.mode] = float(rates.gain)
    else:
        loss, gain = np.asarray(rates.loss), np.asarray(rates.gain)
    plus = quadratic_jump_operators(ops, np.zeros_like(gain), gain)
    minus = quadratic_jump_operators(ops, loss, np.zeros_like(loss))
    return lv.toarray(), _superoperator(plus, d), _superoperator(minus, d), d


def _leading(matrix):
    values = sla.eigvals(matrix)
    return values[np.argmax(values.real)].real


def _dense_cgf(lv, jp, jm, s):
    return _leading(lv + np.expm1(s) * jp + np.expm1(-s) * jm)


def _dense_cumulants(lv, jp, jm, d, order):
    """Rayleigh–Schrödinger cumulants of the leading eigenvalue of L + (eˢ−1)J₊ + (e⁻ˢ−1)J₋."""
    trace = np.eye(d).reshape(-1, order="F")
    rho0 = dense_steady_state(_sparse(lv)).reshape(-1, order="F")
    n = lv.shape[0]
    bordered = np.zeros((n + 1, n + 1), complex)
    bordered[:n, :n], bordered[:n, n], bordered[n, :n] = lv, rho0, trace
    lu = sla.lu_factor(bordered)
    tilted = [(jp + (-1) ** m * jm) / math.factorial(m) for m in range(1, order + 1)]
    rhos, lam = [rho0], []
    for k in range(1, order + 1):
        lam.append(sum(trace @ tilted[m - 1] @ rhos[k - m] for m in range(1, k + 1)))
        y = sum(lam[j - 1] * rhos[k - j] for j in range(1, k + 1)) - sum(
            tilted[m - 1] @ rhos[k - m] for m in range(1, k + 1)
        )
        rhos.append(sla.lu_solve(lu, np.concatenate([y, [0.0]]))[:n])
    return np.array([math.factorial(k + 1) * v.real for k, v in enumerate(lam)])


def _sparse(a):
    import scipy.sparse as sp

    return sp.csc_matrix(a)


def _random_model(seed, statistics, n, matrix_bath=True):
    rng = np.random.default_rng(seed)
    h = random_hermitian(rng, n, 0.5) + np.diag(rng.uniform(0.8, 1.6, n))
    bath = jt.FermionBath if statistics == "fermion" else jt.BosonBath
    temps = (0.4, 1.5) if statistics == "fermion" else (0.3, 0.9)
    baths = [
        bath(0, rng.uniform(0.1, 0.4), temps[0], 0.2),
        bath(n - 1, rng.uniform(0.1, 0.4), temps[1]),
    ]
    if matrix_bath:
        baths.append(jt.RateMatrixBath(0.05 * random_psd(rng, n), 0.02 * random_psd(rng, n)))
    return jt.QuadraticModel(h, baths, statistics)


# ---------------------------------------------------------------------------------------
# Quadratic models against the dense tilted Liouvillian
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("bath", [0, 2])
def test_fermions_cgf_and_cumulants_match_dense_tilted_liouvillian(n, bath):
    model = _random_model(n + 10 * bath, "fermion", n)
    lv, jp, jm, d = _dense_counting(model, bath)
    for s in (-0.9, -0.25, 0.4, 1.1):
        ours = float(jt.cumulant_generating_function(model, bath, s))
        assert ours == pytest.approx(_dense_cgf(lv, jp, jm, s), abs=1e-11)
    ours = np.asarray(jt.current_cumulants(model, bath, 4))
    np.testing.assert_allclose(ours, _dense_cumulants(lv, jp, jm, d, 4), rtol=1e-8, atol=1e-13)
    # c_1 is the mean current into the system
    assert ours[0] == pytest.approx(
        float(jt.currents(model, jt.steady_state(model)).particle[bath])
    )


def test_bosons_match_the_truncated_tilted_liouvillian_as_the_cutoff_grows():
    import scipy.sparse.linalg as spla

    rng = np.random.default_rng(3)
    h = random_hermitian(rng, 2, 0.5) + np.diag([1.0, 1.4])
    loss = 0.05 * random_psd(rng, 2)
    gain = 0.005 * random_psd(rng, 2)
    model = jt.QuadraticModel(h, [jt.BosonBath(0, 0.3, 0.35, 0.1), jt.BosonBath(1, 0.2, 0.2),
                                  jt.RateMatrixBath(loss, gain)])  # fmt: skip
    exact = np.asarray(jt.current_cumulants(model, 0, 3))
    errors = []
    for cutoff in (3, 5, 7):
        lv, jp, jm, d = _dense_counting(model, 0, cutoff)
        errors.append(np.max(np.abs(_dense_cumulants(lv, jp, jm, d, 3) - exact) / np.abs(exact)))
    assert errors[0] > 100 * errors[1] > 1e4 * errors[2], errors  # geometric in the cutoff
    assert errors[2] < 1e-9
    # λ(0.3) against the truncated tilted generator's eigenvalue next to it (shift-invert)
    ours = float(jt.cumulant_generating_function(model, 0, 0.3))
    tilted = _sparse(lv + np.expm1(0.3) * jp + np.expm1(-0.3) * jm)
    near = spla.eigs(tilted, k=1, sigma=ours + 1e-4, return_eigenvectors=False)[0]
    assert near.real == pytest.approx(ours, rel=1e-8)


@pytest.mark.parametrize("statistics", ["boson", "fermion"])
def test_one_mode_between_two_baths_closed_form(statistics):
    """λ(s) = (γ/2)(1 ∓ sqrt(1 ∓ 4γ_Lγ_R x/γ²)), x = n_L(1 ± n_R)(eˢ − 1) + n_R(1 ± n_L)(e⁻ˢ − 1)
    (upper signs bosons), for the quanta from bath L."""
    gl, gr, w = 0.3, 0.5, 1.2
    temps, mus = (2.0, 0.7), (0.2, -0.1)
    bath = jt.BosonBath if statistics == "boson" else jt.FermionBath
    model = jt.QuadraticModel(jnp.array([[w]]), [bath(0, gl, temps[0], mus[0]),
                                                 bath(0, gr, temps[1], mus[1])])  # fmt: skip
    occ = jt.bose_einstein if statistics == "boson" else jt.fermi_dirac
    nl, nr = (float(occ(w, t, mu)) for t, mu in zip(temps, mus, strict=True))
    sigma, g = (1, -1)[statistics == "fermion"], gl + gr
    for s in (-1.0, -0.2, 0.3):
        x = nl * (1 + sigma * nr) * np.expm1(s) + nr * (1 + sigma * nl) * np.expm1(-s)
        closed = sigma * g / 2 * (1 - np.sqrt(1 - sigma * 4 * gl * gr * x / g**2))
        assert float(jt.cumulant_generating_function(model, 0, s)) == pytest.approx(
            closed, rel=1e-12
        )


def test_cgf_derivatives_are_the_cumulants_and_energy_counting():
    model = _random_model(7, "fermion", 2, matrix_bath=False)
    cgf = lambda s: jt.cumulant_generating_function(model, 0, s)  # noqa: E731
    derivatives, fn = [], cgf
    for _ in range(4):
        fn = jax.grad(fn)
        derivatives.append(float(jax.jit(fn)(0.0)))  # each derivative one compiled program
    np.testing.assert_allclose(derivatives, jt.current_cumulants(model, 0, 4), rtol=1e-9)
    # energy: each quantum carries the bath frequency ω (local picture)
    omega = float(model.hamiltonian[0, 0].real)
    e = np.asarray(jt.current_cumulants(model, 0, 3, quantity="energy"))
    p = np.asarray(jt.current_cumulants(model, 0, 3))
    np.testing.assert_allclose(e, p * omega ** np.arange(1, 4), rtol=1e-12)
    assert e[0] == pytest.approx(float(jt.currents(model, jt.steady_state(model)).energy[0]))


@pytest.mark.parametrize("statistics", ["boson", "fermion"])
def test_equilibrium_odd_cumulants_vanish_and_fluctuation_dissipation(statistics):
    """Equal baths (common T, μ and frequency): c_1 = c_3 = 0 and c_2 = 2 L_PP (Green–Kubo,
    affinities β_αμ_α dimensionless; L from jt.onsager_coefficients)."""
    h = jnp.array([[1.0, 0.2], [0.2, 1.3]])
    bath = jt.BosonBath if statistics == "boson" else jt.FermionBath
    mu = 0.1 if statistics == "boson" else 0.4

    def make(t, m):
        return jt.QuadraticModel(h, [bath(0, 0.3, t[0], m[0], frequency=1.15),
                                     bath(1, 0.2, t[1], m[1], frequency=1.15)])  # fmt: skip

    model = make(jnp.array([0.8, 0.8]), jnp.array([mu, mu]))
    c = np.asarray(jt.current_cumulants(model, 0, 4))
    np.testing.assert_allclose(c[[0, 2]], 0.0, atol=1e-14)
    ons = jt.onsager_coefficients(make, jnp.array([0.8, 0.8]), jnp.array([mu, mu]),
                                  second_order=False)  # fmt: skip
    assert c[1] == pytest.approx(2 * float(ons.linear[1, 1]), rel=1e-9)  # [J^E, J^P] order
    e = np.asarray(jt.current_cumulants(model, 0, 2, quantity="energy"))
    assert e[1] == pytest.approx(2 * float(ons.linear[0, 0]), rel=1e-9)


def test_gallavotti_cohen_symmetry():
    """Two baths exchanging quanta of one frequency through a chain: one affinity
    A = β_1(ω − μ_1) − β_0(ω − μ_0) for the quanta from bath 0; λ(s) = λ(−s − A)."""
    h = jnp.array([[1.0, 0.15, 0.0], [0.15, 1.0, 0.1], [0.0, 0.1, 1.0]])
    temps, mus = (1.4, 0.6), (0.3, -0.2)
    model = jt.QuadraticModel(h, [jt.FermionBath(0, 0.2, temps[0], mus[0]),
                                  jt.FermionBath(2, 0.1, temps[1], mus[1])])  # fmt: skip
    a = (1.0 - mus[1]) / temps[1] - (1.0 - mus[0]) / temps[0]
    for s in (-1.5, -0.4, 0.2, 0.9):
        assert abs(float(jt.gallavotti_cohen_residual(model, 0, a, s))) < 1e-13
    assert abs(float(jt.gallavotti_cohen_residual(model, 0, a + 0.3, 0.2))) > 1e-6


# ---------------------------------------------------------------------------------------
# Few-level models
# ---------------------------------------------------------------------------------------


def _fewlevel(seed, d=3):
    rng = np.random.default_rng(seed)
    e = np.sort(rng.uniform(0, 2.0, d))
    a = rng.normal(size=(d, d))
    return jt.models.multilevel(jnp.asarray(e), jnp.asarray(a + a.T), jnp.array([0.5, 1.7]),
                                spectral_density=fl.FlatSpectralDensity(0.02))  # fmt: skip


def _fewlevel_dense(model, field, method):
    """(L, J_abs, J_em) from QuTiP-style jump operators built here from the eigenbasis
    (independent of the library's superoperators): column-stacked vec."""
    table = fl.transitions(model)
    basis = np.asarray(table.basis)
    c = np.asarray(table.amplitude[field] * np.sqrt(table.rate[field]))
    bohr = np.asarray(table.bohr)
    h_q, c_ops = jt.to_qutip(model)
    lv = qutip.liouvillian(h_q, c_ops).full()
    d = table.energies.shape[0]
    emit, absorb = [], []
    for f in np.unique(np.round(bohr[np.abs(c) > 0], 9)):
        mask = (np.abs(c) > 0) & (np.abs(bohr - f) < 1e-9)
        op = basis @ np.where(mask, c, 0.0) @ basis.conj().T
        (emit if f > 0 else absorb).append(op)
    return lv, _superoperator(absorb, d), _superoperator(emit, d), d, h_q, c_ops, emit, absorb


@pytest.mark.parametrize("method", [fl.Secular(), fl.Pauli()], ids=["secular", "pauli"])
def test_fewlevel_cumulants_match_dense_tilted_liouvillian(method):
    model = _fewlevel(1)
    lv, jp, jm, d, *_ = _fewlevel_dense(model, 0, method)
    ours = np.asarray(jt.current_cumulants(model, 0, 4, method=method))
    np.testing.assert_allclose(ours, _dense_cumulants(lv, jp, jm, d, 4), rtol=1e-8)
    for s in (-0.7, 0.5):
        assert float(jt.cumulant_generating_function(model, 0, s, method=method)) == pytest.approx(
            _dense_cgf(lv, jp, jm, s), rel=1e-9
        )
    assert ours[0] == pytest.approx(float(jt.currents(model, jt.steady_state(model)).particle[0]))
    with pytest.raises(ValueError, match="no jump unravelling"):
        jt.current_cumulants(model, 0, 2, method=fl.Redfield())


def test_noise_against_qutip_countstat_current_noise():
    """c_2 and S(ω) of QuTiP's countstat_current_noise (MacDonald formula, dense) for a
    few-level model and a fermionic quadratic model (its Fock-space operators from to_qutip)."""
    omegas = np.array([0.0, 0.05, 0.4, 2.0])
    model = _fewlevel(2)
    lv, _, _, _, h_q, c_ops, emit, absorb = _fewlevel_dense(model, 0, fl.Secular())
    i_plus = sum(qutip.sprepost(o, o.dag()) for o in (qutip.Qobj(x) for x in absorb))
    i_minus = sum(qutip.sprepost(o, o.dag()) for o in (qutip.Qobj(x) for x in emit))
    l_q = qutip.liouvillian(h_q, c_ops)
    current, noise, _ = qutip.countstat_current_noise(
        l_q, [], wlist=omegas, rhoss=qutip.steadystate(h_q, c_ops), J_ops=[i_plus + i_minus],
        I_ops=[i_plus - i_minus],
    )  # fmt: skip
    ours = np.asarray(jt.noise_spectrum(model, 0, omegas))
    np.testing.assert_allclose(ours, np.asarray(noise).reshape(-1), rtol=1e-7)
    c = np.asarray(jt.current_cumulants(model, 0, 2))
    assert c[0] == pytest.approx(float(np.asarray(current).reshape(-1)[0]), rel=1e-8)
    assert c[1] == pytest.approx(ours[0], rel=1e-10)

    quad = _random_model(4, "fermion", 2, matrix_bath=False)
    h_f, c_f = jt.to_qutip(quad)
    ops = mode_operators(2, "fermion")
    k = quad.baths[0].mode
    rates = quad.bath_rates()[0]
    a = qutip.Qobj(ops[k].toarray(), dims=h_f.dims)
    gain = float(rates.gain) * qutip.sprepost(a.dag(), a)
    loss = float(rates.loss) * qutip.sprepost(a, a.dag())
    _, noise_q, _ = qutip.countstat_current_noise(
        qutip.liouvillian(h_f, c_f), [], wlist=omegas, rhoss=qutip.steadystate(h_f, c_f),
        J_ops=[gain + loss], I_ops=[gain - loss],
    )  # fmt: skip
    np.testing.assert_allclose(
        jt.noise_spectrum(quad, 0, omegas), np.asarray(noise_q).reshape(-1), rtol=1e-7
    )


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_classical_pauli_models_obey_the_tur(seed):
    """Barato–Seifert: Markovian jump processes have Q = σ c_2/c_1² >= 2."""
    model = _fewlevel(seed, d=4)
    q = float(jt.tur_ratio(model, 0, method=fl.Pauli()))
    assert q >= 2 - 1e-9


# ---------------------------------------------------------------------------------------
# The junction: Levitov–Lesovik
# ---------------------------------------------------------------------------------------


def test_levitov_lesovik_resonant_level_and_markov_limit():
    """A Lorentzian level at large bias: the LL cumulants tend to those of the Markovian
    single-level master equation (the classic equivalence), the Fano factor to
    (Γ_L² + Γ_R²)/(Γ_L + Γ_R)² (Chen & Ting 1991)."""
    gl, gr, eps = 0.02, 0.05, 0.1
    transmission = lambda w: gl * gr / ((w - eps) ** 2 + (gl + gr) ** 2 / 4)  # noqa: E731
    bias = 200.0
    ll = np.asarray(jn.levitov_lesovik_cumulants(transmission, (1e-3, 1e-3), (bias, -bias), 3,
                                                 panels=20_000))  # fmt: skip
    quad = jt.QuadraticModel(jnp.array([[eps]]), [jt.FermionBath(0, gl, 1e-3, bias),
                                                  jt.FermionBath(0, gr, 1e-3, -bias)])  # fmt: skip
    markov = np.asarray(jt.current_cumulants(quad, 0, 3))
    np.testing.assert_allclose(ll, markov, rtol=2e-3)  # Lorentzian tails beyond the bias window
    assert ll[1] / ll[0] == pytest.approx((gl**2 + gr**2) / (gl + gr) ** 2, rel=2e-3)


def test_junction_counting_is_levitov_lesovik_with_its_transmission():
    m = jt.models.junction(1.0, 0.1, 0.5, 0.05, 10.0, (0.05, 0.08), (1.3, 0.7))
    ours = np.asarray(jt.current_cumulants(m, 0, 3))
    assert ours[0] == pytest.approx(
        float(jt.currents(m, jt.steady_state(m)).particle[0]), rel=1e-12
    )
    probability = lambda w: 2 * jnp.pi * jn.transmission(m, w)  # noqa: E731
    ll = jn.levitov_lesovik_cumulants(probability, (0.05, 0.08), (1.3, 0.7), 3, panels=4000)
    ll = np.asarray(ll)
    np.testing.assert_allclose(ours, ll, rtol=1e-6)
    np.testing.assert_allclose(jt.current_cumulants(m, 1, 3), ours * np.array([-1, 1, -1]))
    # equal temperatures: Gallavotti–Cohen with A = β(μ_L − μ_R)
    eq = jt.models.junction(1.0, 0.1, 0.5, 0.05, 10.0, 0.05, (1.3, 0.7))
    for s in (-1.0, 0.4):
        assert abs(float(jt.gallavotti_cohen_residual(eq, 0, (1.3 - 0.7) / 0.05, s))) < 1e-10
    assert float(jt.tur_ratio(eq, 0)) > 0
    with pytest.raises(ValueError, match="EPA"):
        jt.current_cumulants(m, 0, 2, method=jn.EPA())


# ---------------------------------------------------------------------------------------
# Gradients, vmap, errors
# ---------------------------------------------------------------------------------------


def test_gradients_of_noise_fano_and_tur():
    h0 = jnp.array([[1.0, 0.2], [0.2, 1.3]])

    def make(p):
        h = h0.at[0, 1].set(p[0]).at[1, 0].set(p[0])
        return jt.QuadraticModel(h, [jt.FermionBath(0, p[1], p[2], p[3]),
                                     jt.FermionBath(1, 0.2, 0.5, -0.2)])  # fmt: skip

    def c2(p):
        return jt.current_cumulants(make(p), 0, 2)[1]

    def noise_fano_and_tur(p):
        c = jt.current_cumulants(make(p), 0, 2)
        return jnp.stack([c[1], c[1] / c[0], jt.tur_ratio(make(p), 0)])

    p = jnp.array([0.2, 0.3, 1.4, 0.5])  # H_01, rate, temperature, chemical potential
    # the three observables as one vector: one compiled program per mode, not three
    check_grads(jax.jit(noise_fano_and_tur), (p,), order=1, modes=("fwd", "rev"), atol=1e-6,
                rtol=1e-5)  # fmt: skip
    check_grads(jax.jit(lambda s: jt.cumulant_generating_function(make(p), 0, s)),
                (jnp.array(0.3, float),), order=2)  # fmt: skip
    batch = jax.jit(jax.vmap(c2))(jnp.stack([p, p.at[1].set(0.4)]))
    assert batch.shape == (2,) and batch[0] != batch[1]


def test_bad_input():
    model = _random_model(0, "fermion", 2)
    with pytest.raises(ValueError, match="`bath` must be in \\[0, 3\\)"):
        jt.current_cumulants(model, 5)
    with pytest.raises(ValueError, match="`order` must be an int >= 1"):
        jt.current_cumulants(model, 0, 0)
    with pytest.raises(ValueError, match="`quantity` must be"):
        jt.current_cumulants(model, 0, quantity="charge")
    with pytest.raises(ValueError, match="has no frequency"):
        jt.current_cumulants(model, 2, quantity="energy")  # a RateMatrixBath
    with pytest.raises(TypeError, match="`bath` must be a Python int"):
        jax.jit(lambda b: jt.current_cumulants(model, b))(0)
    probes = jt.models.chain(3, 0.1, 0.05, temperature_left=1.0, temperature_right=2.0,
                             probe_rate=0.01)  # fmt: skip
    with pytest.raises(ValueError, match="ProbeBath"):
        jt.current_cumulants(probes, 0)
    spin = jt.models.spin_gorm(4)
    with pytest.raises(TypeError, match="no counting statistics"):
        jt.current_cumulants(spin, 0)
    with pytest.raises(Exception, match="`temperature` must be > 0"):
        jax.jit(lambda t: jt.current_cumulants(
            jt.QuadraticModel(jnp.eye(1), [jt.FermionBath(0, 0.1, t)]), 0))(-1.0)  # fmt: skip


def test_the_docs_example_runs_and_says_what_the_page_says():
    """docs/fluctuations.md's example: the Fano factor of a strongly biased level equals
    (Γ_L² + Γ_R²)/(Γ_L + Γ_R)² and Q >= 2."""
    import re
    from pathlib import Path

    page = (Path(__file__).parent.parent / "docs" / "fluctuations.md").read_text()
    (block,) = re.findall(r"```python\n(.*?)```", page, flags=re.S)
    ns: dict = {}
    exec(block, ns)  # noqa: S102 - our own documentation
    c = np.asarray(ns["c"])
    np.testing.assert_allclose(c[1] / c[0], 0.3**2 + 0.7**2, rtol=1e-9)
    assert float(ns["jt"].tur_ratio(ns["level"], 0)) >= 2.0
    assert np.isfinite(float(ns["dq"]))
