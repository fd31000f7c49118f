"""Lyapunov solvers against scipy.linalg.solve_continuous_lyapunov, residuals, failure
reporting, implicit gradients, vmap."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

import jaxthermo as jt
from jaxthermo import lyapunov as ly
from jaxthermo._lyapunov import lyapunov_solve

from .helpers import (
    force_unrolled,
    near_degenerate_drift,
    nonnormal_drift,
    physical_drift,
    random_psd,
    scipy_lyapunov,
)


SOLVERS = {
    "bartels_stewart": ly.BartelsStewart(),
    "eigen": ly.Eigen(),
    "sign": ly.Sign(),
    "kronecker": ly.Kronecker(),
    "scipy": ly.ScipyReference(),
    "auto": ly.Auto(),
}
SIZES = [1, 2, 3, 7, 16, 64, 200, 512]


def _problem(kind, n, seed):
    rng = np.random.default_rng(seed)
    if kind == "physical":
        w = physical_drift(rng, n)
    elif kind == "nonnormal":
        w = nonnormal_drift(rng, n, scale=1.0)
    else:
        w = near_degenerate_drift(rng, n)
    return w, random_psd(rng, n)


def _cases(sizes):
    """(solver, n) pairs; Kronecker (an n² x n² dense LU) only for n <= 16."""
    return [(name, n) for name in sorted(SOLVERS) for n in sizes if name != "kronecker" or n <= 16]


@pytest.mark.parametrize(("name", "n"), _cases(SIZES))
def test_random_physical_problems(name, n):
    w, f = _problem("physical", n, seed=n)
    x, result, stats = jax.jit(lambda w, f: lyapunov_solve(w, f, SOLVERS[name]))(w, f)
    assert result == jt.RESULTS.successful
    ref = scipy_lyapunov(w, f)
    assert np.linalg.norm(x - ref) <= 1e-10 * np.linalg.norm(ref)
    assert ly.relative_residual(jnp.asarray(w), x, jnp.asarray(f)) <= 1e-13


@pytest.mark.parametrize("kind", ["nonnormal", "near_degenerate"])
@pytest.mark.parametrize(("name", "n"), _cases([2, 5, 16, 64]))
def test_hard_spectra(name, n, kind):
    w, f = _problem(kind, n, seed=100 + n)
    x, result, _ = lyapunov_solve(w, f, SOLVERS[name])
    assert result == jt.RESULTS.successful
    assert ly.relative_residual(jnp.asarray(w), x, jnp.asarray(f)) <= 1e-12
    ref = scipy_lyapunov(w, f)
    assert np.linalg.norm(x - ref) <= 1e-8 * np.linalg.norm(ref)


def test_eigen_switches_to_schur_when_eigenvectors_are_ill_conditioned():
    rng = np.random.default_rng(7)
    w = nonnormal_drift(rng, 30, scale=4.0)
    f = random_psd(rng, 30)
    guarded = lyapunov_solve(w, f, ly.Eigen())
    unguarded = lyapunov_solve(w, f, ly.Eigen(fallback=None))
    assert guarded[2]["eigenvector_condition"] > 1e3
    res_guarded = ly.relative_residual(jnp.asarray(w), guarded[0], jnp.asarray(f))
    res_unguarded = ly.relative_residual(jnp.asarray(w), unguarded[0], jnp.asarray(f))
    assert res_guarded <= 1e-14
    # The eigenvector route alone is much less accurate here: the switch is what saves it.
    assert res_unguarded > 100 * res_guarded


def test_sign_reports_iterations_and_converges_quadratically():
    w, f = _problem("physical", 32, seed=3)
    x, result, stats = lyapunov_solve(w, f, ly.Sign())
    assert result == jt.RESULTS.successful
    assert 3 <= int(stats["num_steps"]) <= 30


def test_sign_says_when_it_did_not_converge():
    # An eigenvalue 1e-10 from the imaginary axis needs ~35 Newton steps; allow 8.
    w = np.diag([-1.0 + 0.3j, -1e-10 + 1.0j, -0.5 - 2.0j])
    f = np.eye(3)
    _, result, stats = lyapunov_solve(w, f, ly.Sign(max_steps=8))
    assert result == jt.RESULTS.max_steps_reached
    assert int(stats["num_steps"]) == 8
    with pytest.raises(RuntimeError, match="maximum number of solver steps"):
        jt.solve_lyapunov(w, f, ly.Sign(max_steps=8))
    # With enough steps the same problem is solved.
    x, result, _ = lyapunov_solve(w, f, ly.Sign())
    assert result == jt.RESULTS.successful
    np.testing.assert_allclose(x, scipy_lyapunov(w, f), rtol=1e-8)


def test_sign_on_an_imaginary_eigenvalue_never_converges():
    w = np.diag([-1.0 + 0.0j, 0.7j])  # a dark mode: the sign function is undefined
    _, result, _ = lyapunov_solve(w, np.eye(2), ly.Sign(max_steps=50))
    assert result == jt.RESULTS.max_steps_reached


def test_sign_rejects_unstable_drift():
    w = np.diag([-1.0 + 0.2j, 0.5 - 1.0j])
    _, result, _ = lyapunov_solve(w, np.eye(2), ly.Sign())
    assert result == jt.RESULTS.sign_not_hurwitz


def test_direct_solvers_solve_non_hurwitz_lyapunov_equations():
    # The Lyapunov equation itself is uniquely solvable whenever λ_i + conj(λ_j) != 0.
    w = np.diag([-1.0 + 0.2j, 0.5 - 1.0j])
    f = random_psd(np.random.default_rng(0), 2)
    for name in ("bartels_stewart", "eigen", "kronecker", "scipy"):
        x, result, stats = lyapunov_solve(w, f, SOLVERS[name])
        assert result == jt.RESULTS.successful
        np.testing.assert_allclose(x, scipy_lyapunov(w, f), atol=1e-12)
        assert stats["spectral_abscissa"] == pytest.approx(0.5)


def test_singular_operator_is_reported():
    w = np.diag([-1.0 + 0.0j, 0.7j])
    with pytest.raises(RuntimeError, match="non-finite"):
        jt.solve_lyapunov(w, np.eye(2), ly.Eigen(fallback=None))


def test_kronecker_refuses_large_systems():
    with pytest.raises(ValueError, match="too large"):
        jt.solve_lyapunov(-np.eye(40), np.eye(40), ly.Kronecker())


@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_implicit_gradients_all_orders_and_modes(name):
    rng = np.random.default_rng(11)
    w = jnp.asarray(nonnormal_drift(rng, 4, scale=0.5))
    f = jnp.asarray(random_psd(rng, 4))
    solver = SOLVERS[name]
    check_grads(
        jax.jit(lambda w, f: jt.solve_lyapunov(w, f, solver)),
        (w, f),
        order=2,
        modes=("fwd", "rev"),
    )


def test_gradient_of_a_real_loss_matches_finite_differences_large():
    rng = np.random.default_rng(5)
    n = 40
    w = jnp.asarray(physical_drift(rng, n))
    f = jnp.asarray(random_psd(rng, n))
    direction = jnp.asarray(physical_drift(rng, n))

    def loss(t, solver):
        x = jt.solve_lyapunov(w + t * direction, f, solver)
        return jnp.real(jnp.sum(x * jnp.conj(x))) + jnp.real(jnp.trace(x))

    for solver in (ly.BartelsStewart(), ly.Eigen(), ly.Sign()):
        g = float(jax.grad(loss)(0.0, solver))
        h = 1e-5
        fd = float((loss(h, solver) - loss(-h, solver)) / (2 * h))
        assert g == pytest.approx(fd, rel=1e-6)


@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_vmap_matches_loop(name):
    rng = np.random.default_rng(21)
    ws = jnp.stack([jnp.asarray(physical_drift(rng, 5)) for _ in range(4)])
    fs = jnp.stack([jnp.asarray(random_psd(rng, 5)) for _ in range(4)])
    solver = SOLVERS[name]
    batched = jax.jit(jax.vmap(lambda w, f: jt.solve_lyapunov(w, f, solver)))(ws, fs)
    for i in range(4):
        np.testing.assert_allclose(batched[i], scipy_lyapunov(ws[i], fs[i]), atol=1e-12)


@pytest.mark.parametrize("n", [5, 10, 11])
def test_small_batched_bartels_stewart_paths(n, monkeypatch):
    """Under vmap, n <= UNROLLED_MAX_SIZE takes the unrolled elementwise triangular solve
    (n = 11: the blocked sweep): general and Hermitian right-hand sides, partly batched
    arguments and nested vmap all agree with scipy."""
    rng = np.random.default_rng(n)
    ws = jnp.stack([jnp.asarray(nonnormal_drift(rng, n, scale=0.7)) for _ in range(6)])
    bs = jnp.stack(
        [jnp.asarray(rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))) for _ in range(6)]
    )
    solver = ly.BartelsStewart()
    unrolled = force_unrolled(monkeypatch)  # the unrolled path at batch 6

    def solve(w, b, hermitian=False):
        state = solver.init(w)
        compute = solver.compute_hermitian if hermitian else solver.compute
        return compute(state, b)[0]

    general = jax.jit(jax.vmap(solve))(ws, bs)
    herm = jax.jit(jax.vmap(lambda w, b: solve(w, b, True)))(ws, bs)
    for i in range(6):
        np.testing.assert_allclose(general[i], scipy_lyapunov(ws[i], -bs[i]), atol=1e-11)
        bh = 0.5 * (bs[i] + bs[i].conj().T)
        np.testing.assert_allclose(herm[i], scipy_lyapunov(ws[i], -bh), atol=1e-11)
        np.testing.assert_allclose(herm[i], herm[i].conj().T, atol=1e-13)
    assert bool(unrolled) == (n <= 10)
    if n != 5:
        return  # partly batched arguments and nested vmap once, where compiling is cheap
    one_w = jax.jit(jax.vmap(solve, in_axes=(None, 0)))(ws[0], bs)
    one_b = jax.jit(jax.vmap(solve, in_axes=(0, None)))(ws, bs[0])
    nested = jax.jit(jax.vmap(jax.vmap(solve)))(ws.reshape(2, 3, n, n), bs.reshape(2, 3, n, n))
    for i in range(6):
        np.testing.assert_allclose(one_w[i], scipy_lyapunov(ws[0], -bs[i]), atol=1e-11)
        np.testing.assert_allclose(one_b[i], scipy_lyapunov(ws[i], -bs[0]), atol=1e-11)
    np.testing.assert_allclose(nested.reshape(6, n, n), general, atol=1e-12)
    assert unrolled  # the unrolled solve was traced


@pytest.mark.parametrize(("n", "block"), [(11, None), (23, 5), (64, 16), (100, None)])
def test_hermitian_blocked_sweep(n, block):
    """`compute_hermitian` above the unrolled size: the sweep solves block rows I <= J only
    and copies the rest (padding included: 23 = 5 blocks of 5, padded), alone and under vmap."""
    rng = np.random.default_rng(n)
    ws = jnp.stack([jnp.asarray(nonnormal_drift(rng, n, scale=0.7)) for _ in range(2)])
    bs = jnp.stack(
        [jnp.asarray(rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))) for _ in range(2)]
    )
    solver = ly.BartelsStewart(block=block)

    def solve(w, b):
        return solver.compute_hermitian(solver.init(w), b)[0]

    batched = jax.jit(jax.vmap(solve))(ws, bs)
    for i in range(2):
        ref = scipy_lyapunov(ws[i], -0.5 * (bs[i] + bs[i].conj().T))
        scale = np.max(np.abs(ref))
        np.testing.assert_allclose(batched[i], ref, atol=1e-12 * scale)
        np.testing.assert_allclose(jax.jit(solve)(ws[i], bs[i]), ref, atol=1e-12 * scale)


def test_batched_gradients_of_small_solves(monkeypatch):
    """vmap of forward- and reverse-mode derivatives through the batched small path."""
    unrolled = force_unrolled(monkeypatch)
    rng = np.random.default_rng(3)
    ws = jnp.stack([jnp.asarray(nonnormal_drift(rng, 6, scale=0.5)) for _ in range(2)])
    fs = jnp.stack([jnp.asarray(random_psd(rng, 6)) for _ in range(2)])
    check_grads(
        jax.jit(jax.vmap(lambda w, f: jt.solve_lyapunov(w, f))),
        (ws, fs),
        order=1,
        modes=("fwd", "rev"),
    )
    assert unrolled


def test_real_inputs_give_real_solution():
    x = jt.solve_lyapunov(jnp.array([[-1.0]]), jnp.array([[2.0]]))
    assert not jnp.iscomplexobj(x)
    np.testing.assert_allclose(x, [[1.0]])


@pytest.mark.parametrize("name", ["bartels_stewart", "eigen", "sign", "kronecker"])
def test_float32(name):
    w, f = _problem("physical", 12, seed=4)
    solver = SOLVERS[name]
    x = jt.solve_lyapunov(jnp.asarray(w, jnp.complex64), jnp.asarray(f, jnp.complex64), solver)
    assert x.dtype == jnp.complex64
    ref = scipy_lyapunov(w, f)
    assert np.linalg.norm(x - ref) <= 1e-4 * np.linalg.norm(ref)


def test_bad_arguments():
    with pytest.raises(ValueError, match="`drift` must be a square matrix"):
        jt.solve_lyapunov(jnp.ones((2, 3)), jnp.ones((2, 2)))
    with pytest.raises(ValueError, match="same shape"):
        jt.solve_lyapunov(-jnp.eye(2), jnp.eye(3))
    with pytest.raises(TypeError, match="`solver` must be an AbstractLyapunovSolver"):
        jt.solve_lyapunov(-jnp.eye(2), jnp.eye(2), solver="eigen")


def test_matmul_helper_matches_direct_products():
    """`_linalg.matmul` (Gauss's three real products above GAUSS_MIN_WORK, two real products
    for complex × real) equals `@` to rounding, normwise, on both sides of the threshold."""
    from jaxthermo._linalg import GAUSS_MIN_WORK, matmul

    rng = np.random.default_rng(3)
    for m, k, n in ((5, 7, 3), (96, 96, 96), (32, 600, 40)):
        a = rng.normal(size=(m, k)) + 1j * rng.normal(size=(m, k))
        b = rng.normal(size=(k, n)) + 1j * rng.normal(size=(k, n))
        for x, y in ((a, b), (a, b.real), (a.real, b), (a.real, b.real)):
            got = np.asarray(matmul(jnp.asarray(x), jnp.asarray(y)))
            ref = x @ y
            assert got.dtype == ref.dtype
            assert np.linalg.norm(got - ref) <= 1e-14 * np.linalg.norm(x) * np.linalg.norm(y)
    assert 96**3 >= GAUSS_MIN_WORK > 5 * 7 * 3  # both branches above were exercised
