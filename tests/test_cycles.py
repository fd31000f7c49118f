"""Driven cycles (issue 17): jt.solve_discrete_lyapunov, jt.limit_cycle and
jt.cycle_thermodynamics against brute-force integration over many periods (written here in
NumPy/SciPy from the physics, not from the library), the closed forms of the Otto engines, the
first and second laws, gradients, sweeps and error paths."""

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg as sla
from hypothesis import given, settings, strategies as st
from jax.test_util import check_grads
from scipy.integrate import solve_ivp

import jaxthermo as jt
from jaxthermo.models import (
    HarmonicOttoEngine,
    ModulatedNetwork,
    QubitOttoEngine,
    TwoModeOttoEngine,
)


def bose(w, t):
    return 1.0 / math.expm1(w / t)


@eqx.filter_jit
def _cycle(engine, ts=None, **kw):
    """`limit_cycle` of an engine, compiled once per engine structure (as a user would)."""
    return jt.limit_cycle(engine, engine.period, ts, breakpoints=engine.breakpoints, **kw)


@eqx.filter_jit
def _thermo(engine, **kw):
    return jt.cycle_thermodynamics(engine, engine.period, breakpoints=engine.breakpoints, **kw)


# ------------------------------------------------------------------------------------------
# X = A X A† + Q
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_discrete_lyapunov_matches_scipy(dtype):
    rng = np.random.default_rng(3)
    n = 6
    a = rng.normal(size=(n, n)) + (1j * rng.normal(size=(n, n)) if dtype is np.complex128 else 0)
    a = 0.9 * a / np.max(np.abs(np.linalg.eigvals(a)))  # spectral radius 0.9
    b = rng.normal(size=(n, n)) + (1j * rng.normal(size=(n, n)) if dtype is np.complex128 else 0)
    q = b @ b.conj().T
    x = jt.solve_discrete_lyapunov(jnp.asarray(a), jnp.asarray(q))
    np.testing.assert_allclose(x, sla.solve_discrete_lyapunov(a, q), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(a @ np.asarray(x) @ a.conj().T + q, x, atol=1e-10)
    check_grads(
        lambda a, q: jt.solve_discrete_lyapunov(a, q),
        (jnp.asarray(a), jnp.asarray(q)),
        order=1,
        modes=["fwd", "rev"],
        atol=1e-6,
        rtol=1e-6,
        eps=1e-6,
    )


def test_discrete_lyapunov_errors():
    a = jnp.diag(jnp.array([0.5, 1.0]))
    q = jnp.eye(2)
    with pytest.raises(RuntimeError, match="eigenvalue of modulus >= 1"):
        jt.solve_discrete_lyapunov(a, q)
    _, result, _ = jt.lyapunov.discrete_lyapunov_solve(a, q)
    assert result == jt.RESULTS.not_schur_stable
    with pytest.raises(ValueError, match="same shape"):
        jt.solve_discrete_lyapunov(jnp.eye(2), jnp.eye(3))


# ------------------------------------------------------------------------------------------
# Brute force: the covariance equation dC/dt = −i[H, C] − {G/2, C} + F (C_ij = ⟨a_j† a_i⟩),
# integrated stroke by stroke with SciPy over as many periods as it takes to converge.
# ------------------------------------------------------------------------------------------


def _covariance_rhs(hamiltonian, baths):
    """`baths(t) -> [(mode, rate, temperature)]`; occupation at H_kk (the local default)."""

    def rhs(t, y):
        h = hamiltonian(t)
        n = h.shape[0]
        c = y.reshape(n, n)
        g = np.zeros(n)
        f = np.zeros(n)
        for k, rate, temp in baths(t):
            g[k] += rate
            f[k] += rate * bose(h[k, k].real, temp)
        return (
            -1j * (h @ c - c @ h) - 0.5 * (g[:, None] * c + c * g[None, :]) + np.diag(f)
        ).ravel()

    return rhs


def _brute_force_cycle(rhs, n, boundaries, ts, trace_one=False):
    """The periodic state of the linear ODE `dy/dt = rhs(t, y)` (`y` = vec of an n × n matrix)
    by brute force: each stroke integrated separately by scipy's DOP853 (rtol 1e-12,
    atol 1e-14; the baths jump at the boundaries), the one-period map `y ↦ M y + b` built
    column by column from n² + 1 integrations, its fixed point solved densely,
    `(I − M) y = b` (with `trace_one`: a trace-preserving map, whose fixed points are fixed by
    `Tr y = 1`); then one more period, saved at `ts`, must return to it."""

    def one_period(c, ts=None):
        out = {}
        for lo, hi in zip(boundaries[:-1], boundaries[1:], strict=True):
            inside = None if ts is None else [t for t in ts if lo <= t < hi] + [hi]
            sol = solve_ivp(
                rhs, (lo, hi), c, method="DOP853", rtol=1e-12, atol=1e-14, t_eval=inside
            )
            if ts is not None:
                out.update({t: sol.y[:, i] for i, t in enumerate(sol.t[:-1])})
            c = sol.y[:, -1]  # (with t_eval, the last saved point: hence hi in t_eval)
        return c, out

    b, _ = one_period(np.zeros(n * n, complex))
    m = np.stack([one_period(e)[0] - b for e in np.eye(n * n, dtype=complex)], axis=1)
    a, target = np.eye(n * n) - m, b
    if trace_one:
        a, target = np.vstack([a, np.eye(n).reshape(1, -1)]), np.append(b, 1.0)
    fixed = np.linalg.lstsq(a, target, rcond=None)[0]
    end, saved = one_period(fixed, ts)
    assert np.max(np.abs(end - fixed)) < 1e-10, "brute force: no periodic state"
    return np.stack([saved[t].reshape(n, n) for t in ts])


def _otto_frequency(t, wh, wc, th, te, tc, tk):
    if t < th:
        return wh
    if t < th + te:
        return wh + (wc - wh) * (t - th) / te
    if t < th + te + tc or tk == 0:
        return wc
    return wc + (wh - wc) * (t - th - te - tc) / tk


def test_two_mode_engine_with_ramps_equals_brute_force():
    p = dict(
        omega_hot=2.0,
        omega_cold=1.0,
        temperature_hot=3.0,
        temperature_cold=0.5,
        rate_hot=0.7,
        rate_cold=0.9,
        time_hot=1.5,
        time_cold=1.2,
        time_expansion=0.8,
        time_compression=0.6,
    )
    g, wb = 0.3, 1.4
    engine = TwoModeOttoEngine(**p, coupling=g, omega_b=wb)
    th, te, tc, tk = p["time_hot"], p["time_expansion"], p["time_cold"], p["time_compression"]
    period = th + te + tc + tk
    assert float(engine.period) == pytest.approx(period)

    def ham(t):
        w = _otto_frequency(t, p["omega_hot"], p["omega_cold"], th, te, tc, tk)
        return np.array([[w, g], [g, wb]], complex)

    def baths(t):
        if t < th:
            return [(0, p["rate_hot"], p["temperature_hot"])]
        if th + te <= t < th + te + tc:
            return [(0, p["rate_cold"], p["temperature_cold"])]
        return []

    ts = [0.0, 0.4, th, th + 0.5, th + te, th + te + 1.0, period - 0.3]
    bounds = [0.0, th, th + te, th + te + tc, period]
    expected = _brute_force_cycle(_covariance_rhs(ham, baths), 2, bounds, ts)
    cycle = _cycle(engine, jnp.array(ts))
    assert cycle.result == jt.RESULTS.successful
    np.testing.assert_allclose(cycle.covariance, expected, atol=1e-9)
    # periodicity and ts taken modulo the period
    again = _cycle(engine, jnp.array(ts) + 2 * period)
    np.testing.assert_allclose(again.covariance, cycle.covariance, atol=1e-12)
    # the first law closes in the global picture (to 1e-10), with diffrax on the ramps
    thermo = _thermo(engine, picture="global")
    assert abs(float(thermo.first_law_residual)) < 1e-10
    assert float(thermo.work) < 0 < float(thermo.heat[0])


def test_modulated_network_equals_brute_force():
    net = ModulatedNetwork([1.0, 1.2, 0.9], 0.3, 0.4, 2.5, [2.0, 0.4], [0.8, 0.6])
    period = 2.5

    def ham(t):
        w = np.array([1.0 + 0.4 * math.sin(2 * math.pi * t / period), 1.2, 0.9])
        h = np.diag(w).astype(complex)
        h[0, 1] = h[1, 0] = h[1, 2] = h[2, 1] = 0.3
        return h

    def baths(t):
        return [(0, 0.8, 2.0), (2, 0.6, 0.4)]

    ts = [0.0, 0.3, 1.1, 2.0]
    expected = _brute_force_cycle(_covariance_rhs(ham, baths), 3, [0.0, period], ts)
    cycle = _cycle(net, jnp.array(ts))
    np.testing.assert_allclose(cycle.covariance, expected, atol=1e-9)
    thermo = _thermo(net, picture="global")
    assert abs(float(thermo.first_law_residual)) < 1e-10


# ------------------------------------------------------------------------------------------
# The harmonic Otto engine: closed forms
# ------------------------------------------------------------------------------------------


OTTO = dict(
    omega_hot=2.0,
    omega_cold=1.0,
    temperature_hot=4.0,
    temperature_cold=0.5,
    rate_hot=0.6,
    rate_cold=0.8,
    time_hot=1.3,
    time_cold=0.9,
)


def _otto_closed_form(wh, wc, th_, tc_, gh, gc, tauh, tauc):
    """Fixed point of n_A = n_h + (n_B − n_h) x, n_B = n_c + (n_A − n_c) y (sudden ramps
    keep the occupation)."""
    nh, nc = bose(wh, th_), bose(wc, tc_)
    x, y = math.exp(-gh * tauh), math.exp(-gc * tauc)
    na = (nh * (1 - x) + x * nc * (1 - y)) / (1 - x * y)
    nb = nc + (na - nc) * y
    return nh, nc, na, nb


def test_sudden_otto_engine_closed_forms():
    engine = HarmonicOttoEngine(**OTTO)
    o = OTTO
    nh, nc, na, nb = _otto_closed_form(
        o["omega_hot"],
        o["omega_cold"],
        o["temperature_hot"],
        o["temperature_cold"],
        o["rate_hot"],
        o["rate_cold"],
        o["time_hot"],
        o["time_cold"],
    )
    ts = jnp.array([0.0, 0.5, 1.3 - 1e-9, 1.3 + 0.4, 2.2 - 1e-9])
    cycle = jt.limit_cycle(
        engine, engine.period, ts, breakpoints=engine.breakpoints, method=jt.ExactPropagator()
    )
    n = np.asarray(cycle.covariance[:, 0, 0].real)
    hot = lambda t: nh + (nb - nh) * math.exp(-o["rate_hot"] * t)  # noqa: E731
    cold = lambda t: nc + (na - nc) * math.exp(-o["rate_cold"] * t)  # noqa: E731
    np.testing.assert_allclose(n, [nb, hot(0.5), na, cold(0.4), nb], rtol=1e-8)
    thermo = _thermo(engine)
    wh, wc = o["omega_hot"], o["omega_cold"]
    np.testing.assert_allclose(thermo.work, (wc - wh) * (na - nb), rtol=1e-12)
    np.testing.assert_allclose(thermo.heat, [wh * (na - nb), -wc * (na - nb)], rtol=1e-12)
    np.testing.assert_allclose(thermo.particles, [na - nb, nb - na], rtol=1e-12)
    np.testing.assert_allclose(thermo.efficiency, 1 - wc / wh, rtol=1e-12)
    np.testing.assert_allclose(thermo.power, -thermo.work / engine.period, rtol=1e-14)
    assert abs(float(thermo.first_law_residual)) < 1e-12
    sigma = -(wh * (na - nb)) / o["temperature_hot"] + wc * (na - nb) / o["temperature_cold"]
    np.testing.assert_allclose(thermo.entropy_production, sigma, rtol=1e-12)
    assert float(thermo.entropy_production) > 0
    # the default method takes the same exact route (the engine declares constant strokes)
    default = _thermo(engine)
    np.testing.assert_allclose(default.work, thermo.work, rtol=1e-14)


def test_quasi_static_otto_limit_and_slow_ramps():
    # strokes much longer than 1/γ: n_A → n_h, n_B → n_c, W → (ω_c − ω_h)(n_h − n_c)
    slow = HarmonicOttoEngine(**{**OTTO, "time_hot": 60.0, "time_cold": 60.0})
    thermo = _thermo(slow)
    wh, wc = OTTO["omega_hot"], OTTO["omega_cold"]
    nh, nc = bose(wh, OTTO["temperature_hot"]), bose(wc, OTTO["temperature_cold"])
    np.testing.assert_allclose(thermo.work, (wc - wh) * (nh - nc), rtol=1e-12)
    # a single mode's drive commutes with itself: a finite-time ramp changes nothing but time
    ramped = HarmonicOttoEngine(**OTTO, time_expansion=0.7, time_compression=0.4)
    sudden = HarmonicOttoEngine(**OTTO)
    tr = _thermo(ramped)
    ts = _thermo(sudden)
    np.testing.assert_allclose(tr.work, ts.work, rtol=1e-9)
    np.testing.assert_allclose(tr.heat, ts.heat, rtol=1e-9)
    np.testing.assert_allclose(tr.power * ramped.period, ts.power * sudden.period, rtol=1e-9)


def test_two_mode_engine_has_friction():
    """[H(t), H(t')] ≠ 0: unlike the single mode (where ramps change nothing), the work per
    cycle depends on the ramp durations and approaches its adiabatic value only for slow
    ramps; the first law still closes (global picture) through the diffrax strokes."""

    @jax.jit
    def thermo(ramp):
        e = TwoModeOttoEngine(**OTTO, time_expansion=ramp, time_compression=ramp)
        return jt.cycle_thermodynamics(e, e.period, breakpoints=e.breakpoints, picture="global")

    out = {ramp: thermo(ramp) for ramp in (0.5, 15.0, 50.0)}
    work = {ramp: float(o.work) for ramp, o in out.items()}
    assert abs(work[0.5] - work[15.0]) > 1e-2
    assert abs(work[15.0] - work[50.0]) < abs(work[0.5] - work[15.0]) / 5
    for o in out.values():
        assert abs(float(o.first_law_residual)) < 1e-10
        assert float(o.work) < 0


# ------------------------------------------------------------------------------------------
# The qubit Otto engine against a dense density-matrix integration
# ------------------------------------------------------------------------------------------


def test_qubit_otto_engine_against_dense_integration():
    p = dict(
        omega_hot=3.0,
        omega_cold=1.5,
        temperature_hot=2.5,
        temperature_cold=0.4,
        strength_hot=0.05,
        strength_cold=0.07,
        time_hot=2.0,
        time_cold=1.5,
        time_expansion=0.5,
        time_compression=0.0,  # one unitary ramp (ODE), one sudden quench
    )
    engine = QubitOttoEngine(**p)
    th, te, tc, tk = p["time_hot"], p["time_expansion"], p["time_cold"], p["time_compression"]
    period = th + te + tc + tk
    sz = np.diag([1.0, -1.0]).astype(complex)
    lower = np.array([[0, 0], [1, 0]], complex)  # |g⟩⟨e| with |e⟩ = (1, 0)

    def rhs(t, y):
        w = _otto_frequency(t, p["omega_hot"], p["omega_cold"], th, te, tc, tk)
        rho = y.reshape(2, 2)
        out = -1j * (0.5 * w * (sz @ rho - rho @ sz))
        if t < th or th + te <= t < th + te + tc:
            j, temp = (
                (p["strength_hot"], p["temperature_hot"])
                if t < th
                else (p["strength_cold"], p["temperature_cold"])
            )
            nb = bose(w, temp)
            for op, rate in (
                (lower, 2 * math.pi * j * (nb + 1)),
                (lower.conj().T, 2 * math.pi * j * nb),
            ):
                out += rate * (
                    op @ rho @ op.conj().T - 0.5 * (op.conj().T @ op @ rho + rho @ op.conj().T @ op)
                )
        return out.ravel()

    bounds = sorted({0.0, th, th + te, th + te + tc, period})
    ts = [0.0, 1.0, th + 0.2, th + te + 0.5, period - 0.1]
    expected = _brute_force_cycle(rhs, 2, bounds, ts, trace_one=True)
    cycle = _cycle(engine, jnp.array(ts))
    assert cycle.result == jt.RESULTS.successful
    np.testing.assert_allclose(cycle.density_matrix, expected, atol=1e-9)
    # closed forms: excited population after each isochore, Q_h = ω_h (p_A − p_B), η = 1 − ω_c/ω_h
    thermo = _thermo(engine)
    pb = expected[0][0, 0].real
    pa = expected[2][0, 0].real  # after the hot stroke (populations are frozen on the ramp)
    np.testing.assert_allclose(thermo.heat[0], p["omega_hot"] * (pa - pb), rtol=1e-8)
    np.testing.assert_allclose(thermo.efficiency, 1 - p["omega_cold"] / p["omega_hot"], rtol=1e-9)
    assert abs(float(thermo.first_law_residual)) < 1e-10
    assert float(thermo.entropy_production) > 0


# ------------------------------------------------------------------------------------------
# Second law over random piecewise-constant protocols (local picture)
# ------------------------------------------------------------------------------------------


class _Piecewise(eqx.Module):
    """Three strokes of a 2-mode bosonic network, each with its own H and bath rates."""

    hamiltonians: jax.Array  # (3, 2, 2)
    rates: jax.Array  # (3, 2)
    temperatures: jax.Array  # (2,)
    times: jax.Array  # (3,)
    constant_strokes = (True, True, True)

    @property
    def breakpoints(self):
        return (self.times[0], self.times[0] + self.times[1])

    @property
    def period(self):
        return jnp.sum(self.times)

    def __call__(self, t):
        k = jnp.sum(t >= jnp.cumsum(self.times)[:2])
        rates = self.rates[k]
        return jt.QuadraticModel(
            self.hamiltonians[k],
            [
                jt.BosonBath(0, rates[0], self.temperatures[0]),
                jt.BosonBath(1, rates[1], self.temperatures[1]),
            ],
        )


@eqx.filter_jit
def _piecewise_thermo(protocol, picture):
    return jt.cycle_thermodynamics(
        protocol,
        protocol.period,
        breakpoints=protocol.breakpoints,
        picture=picture,
        method=jt.ExactPropagator(),
    )


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_second_law_over_random_protocols(seed):
    rng = np.random.default_rng(seed)
    hs = []
    for _ in range(3):
        d = rng.uniform(0.3, 3.0, 2)
        g = rng.uniform(-0.8, 0.8) * (1 + 1j * rng.uniform(-1, 1))
        hs.append([[d[0], g], [np.conj(g), d[1]]])
    rates = rng.uniform(0.0, 1.5, (3, 2)) * (rng.uniform(size=(3, 2)) < 0.7)
    rates[0, 0] = max(rates[0, 0], 0.2)  # some bath is on somewhere
    protocol = _Piecewise(
        jnp.asarray(hs),
        jnp.asarray(rates),
        jnp.asarray(rng.uniform(0.2, 5.0, 2)),
        jnp.asarray(rng.uniform(0.1, 3.0, 3)),
    )
    local = _piecewise_thermo(protocol, "local")
    assert local.result == jt.RESULTS.successful
    assert float(local.entropy_production) >= -1e-12
    glob = _piecewise_thermo(protocol, "global")
    assert abs(float(glob.first_law_residual)) < 1e-10


# ------------------------------------------------------------------------------------------
# No unique cycle, gradients, sweeps
# ------------------------------------------------------------------------------------------


def test_no_bath_ever_on_has_no_unique_cycle():
    engine = HarmonicOttoEngine(**{**OTTO, "rate_hot": 0.0, "rate_cold": 0.0})
    with pytest.raises(RuntimeError, match="no unique periodic steady state"):
        jt.limit_cycle(engine, engine.period, breakpoints=engine.breakpoints)
    out = jt.cycle_thermodynamics(
        engine, engine.period, breakpoints=engine.breakpoints, throw=False
    )
    assert out.result == jt.RESULTS.no_unique_cycle
    assert np.isnan(float(out.work))
    qubit = QubitOttoEngine(2.0, 1.0, 2.0, 0.5, 0.0, 0.0, 1.0, 1.0)
    cycle = jt.limit_cycle(qubit, qubit.period, breakpoints=qubit.breakpoints, throw=False)
    assert cycle.result == jt.RESULTS.no_unique_cycle
    # one bath switched on for part of the cycle is enough (instantaneous models need not be)
    half = HarmonicOttoEngine(**{**OTTO, "rate_cold": 0.0})
    assert jt.limit_cycle(half, half.period, breakpoints=half.breakpoints).result == (
        jt.RESULTS.successful
    )


def test_power_gradients():
    def power(time_hot, omega_cold, rate_hot):
        e = HarmonicOttoEngine(
            **{**OTTO, "time_hot": time_hot, "omega_cold": omega_cold, "rate_hot": rate_hot}
        )
        return jt.cycle_thermodynamics(e, e.period, breakpoints=e.breakpoints).power

    power = jax.jit(power)
    args = (jnp.array(1.3, float), jnp.array(1.0, float), jnp.array(0.6, float))  # strong types
    check_grads(power, args, order=1, modes=["rev"], atol=1e-7, rtol=1e-6)
    # the closed form's derivative in τ_h (an independent check of the implicit rule)
    o = OTTO

    def closed(tau_h):
        _, _, na, nb = _otto_closed_form(
            o["omega_hot"],
            o["omega_cold"],
            o["temperature_hot"],
            o["temperature_cold"],
            o["rate_hot"],
            o["rate_cold"],
            tau_h,
            o["time_cold"],
        )
        return (o["omega_hot"] - o["omega_cold"]) * (na - nb) / (tau_h + o["time_cold"])

    h = 1e-6
    fd = (closed(1.3 + h) - closed(1.3 - h)) / (2 * h)
    np.testing.assert_allclose(jax.grad(power)(*args), fd, rtol=1e-7)


def test_power_gradient_through_a_ramp():
    """Through a diffrax stroke (the compression ramp of the two-mode engine, which does not
    commute with itself) and the fixed point, in the ramp duration and the coupling."""

    def power(time_compression, coupling):
        e = TwoModeOttoEngine(**OTTO, time_compression=time_compression, coupling=coupling)
        return jt.cycle_thermodynamics(e, e.period, breakpoints=e.breakpoints).power

    check_grads(
        jax.jit(power),
        (jnp.array(0.5, float), jnp.array(0.3, float)),  # (strong types: one compile)
        order=1,
        modes=["rev"],
        atol=1e-6,
        rtol=1e-5,
    )


def test_power_sweep_and_vmap():
    def power(point):
        e = HarmonicOttoEngine(
            **{**OTTO, "time_hot": point["time_hot"], "omega_cold": point["omega_cold"]}
        )
        return jt.cycle_thermodynamics(e, e.period, breakpoints=e.breakpoints, throw=False).power

    axes = {"time_hot": jnp.array([0.5, 1.3, 3.0]), "omega_cold": jnp.array([0.8, 1.0])}
    swept = jt.sweep(power, axes, chunk_size=4, progress=False)
    o = OTTO
    for i, th in enumerate([0.5, 1.3, 3.0]):
        for j, wc in enumerate([0.8, 1.0]):
            _, _, na, nb = _otto_closed_form(
                o["omega_hot"],
                wc,
                o["temperature_hot"],
                o["temperature_cold"],
                o["rate_hot"],
                o["rate_cold"],
                th,
                o["time_cold"],
            )
            expected = (o["omega_hot"] - wc) * (na - nb) / (th + o["time_cold"])
            np.testing.assert_allclose(swept.values[i, j], expected, rtol=1e-12)


# ------------------------------------------------------------------------------------------
# Bad input
# ------------------------------------------------------------------------------------------


def test_bad_protocols_are_clear_errors():
    engine = HarmonicOttoEngine(**OTTO)
    with pytest.raises(TypeError, match="`protocol` must be a callable"):
        jt.limit_cycle(engine(0.0), 1.0)
    with pytest.raises(ValueError, match="`period` must be a finite number > 0"):
        jt.limit_cycle(engine, 0.0, breakpoints=engine.breakpoints)
    with pytest.raises(ValueError, match="`breakpoints` must be sorted"):
        jt.limit_cycle(engine, engine.period, breakpoints=(1.0, 0.5))
    with pytest.raises(ValueError, match="`breakpoints` must be sorted"):
        jt.limit_cycle(engine, engine.period, breakpoints=(5.0,))
    with pytest.raises(TypeError, match="`breakpoints` must be a tuple"):
        jt.limit_cycle(engine, engine.period, breakpoints=1.0)
    with pytest.raises(TypeError, match="must return a jaxthermo.QuadraticModel"):
        jt.limit_cycle(lambda t: jnp.eye(2), 1.0)
    bigger = lambda t: jt.QuadraticModel(jnp.eye(1 + (t > 0.5)), [jt.BosonBath(0, 1.0, 1.0)])  # noqa: E731
    with pytest.raises(ValueError, match="changes type, size, statistics or bath types"):
        jt.limit_cycle(bigger, 1.0, breakpoints=(0.5,))
    ramped = HarmonicOttoEngine(**OTTO, time_expansion=0.5, time_compression=0.5)
    with pytest.raises(ValueError, match="`constant_strokes` must be a tuple of 2 bools"):
        jt.limit_cycle(ramped, ramped.period, breakpoints=(ramped.breakpoints[0],))
    with pytest.raises(ValueError, match="`picture` must be 'local' or 'global'"):
        jt.cycle_thermodynamics(
            engine, engine.period, breakpoints=engine.breakpoints, picture="both"
        )
    with pytest.raises(ValueError, match="`ts` must be a 1-D array"):
        jt.limit_cycle(engine, engine.period, jnp.zeros((2, 2)), breakpoints=engine.breakpoints)
    # invalid model numbers name the argument
    cold = HarmonicOttoEngine(**{**OTTO, "temperature_cold": -1.0})
    with pytest.raises(ValueError, match="`temperature` must be > 0"):
        jt.limit_cycle(cold, cold.period, breakpoints=cold.breakpoints)
    with pytest.raises(RuntimeError, match="`temperature` must be > 0"):
        jax.jit(lambda e: jt.limit_cycle(e, e.period, breakpoints=e.breakpoints).covariance)(cold)
    # traced bad breakpoints give a result code, not a crash of the batch
    bad = jax.jit(
        lambda b: (
            jt.limit_cycle(
                lambda t: engine(t),
                engine.period,
                breakpoints=(b, 2.0),
                method=jt.ExactPropagator(),
                throw=False,
            ).result
        )
    )
    assert bad(jnp.array(2.1)) == jt.RESULTS.invalid_parameters


def test_protocols_outside_the_supported_classes():
    # a ramp with ExactPropagator: no ODE, a result code
    ramped = HarmonicOttoEngine(**OTTO, time_expansion=0.5, time_compression=0.5)
    bps = ramped.breakpoints
    with pytest.raises(RuntimeError, match="changes within a stroke"):
        jt.limit_cycle(
            lambda t: ramped(t), ramped.period, breakpoints=bps, method=jt.ExactPropagator()
        )

    # a few-level protocol that changes H_S while a field is on
    def driven_qubit(t):
        return jt.fewlevel.FewLevelModel(
            0.5 * (2.0 + 0.3 * jnp.sin(t)) * jnp.diag(jnp.array([1.0, -1.0])),
            [
                jt.fewlevel.BosonField(
                    jnp.array([[0.0, 1.0], [1.0, 0.0]]), jt.fewlevel.FlatSpectralDensity(0.05), 1.0
                )
            ],
        )

    with pytest.raises(RuntimeError, match="changes `H_S` while a field is switched on"):
        jt.limit_cycle(driven_qubit, 2 * jnp.pi)
    with pytest.raises(ValueError, match="Redfield"):
        qubit = QubitOttoEngine(2.0, 1.0, 2.0, 0.5, 0.05, 0.05, 1.0, 1.0)
        jt.limit_cycle(
            qubit, qubit.period, breakpoints=qubit.breakpoints, method=jt.fewlevel.Redfield()
        )


def test_the_docs_example_says_what_the_page_says():
    import re
    from pathlib import Path

    page = (Path(__file__).parent.parent / "docs" / "cycles.md").read_text()
    (block,) = re.findall(r"```python\n(.*?)```", page, flags=re.S)
    ns: dict = {}
    exec(block, ns)  # noqa: S102 - our own documentation
    thermo = ns["thermo"]
    np.testing.assert_allclose(thermo.efficiency, 0.5, rtol=1e-12)
    assert float(thermo.work) < 0
    assert ns["cycle"].covariance.shape == (101, 1, 1)
