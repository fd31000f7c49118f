"""Closed systems with finite reservoirs (paper 001 thermodynamics from covariances): exact
identities, the relative-entropy definition (10) by direct evaluation, dense density
matrices for a tiny case, and the approach to the Markovian entropy production."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg as sla
from jax.test_util import check_grads

import jaxthermo as jt
from jaxthermo._closed._arrowhead import arrowhead_matrix

from .helpers import gaussian_density_matrix, mode_operators, random_hermitian


DOWN = jnp.diag(jnp.array([0.0, 1.0]))  # the spin |↓⟩⟨↓| (σ_z = diag(1, −1)), paper 001


cl = jt.closed


def _random_closed(seed, statistics="fermion", s=2, m=6, temps=(0.7, 1.6), mus=(0.2, -0.3)):
    rng = np.random.default_rng(seed)
    reservoirs = []
    for t, mu in zip(temps, mus, strict=True):
        h = random_hermitian(rng, m) + (2.5 if statistics == "boson" else 0.0) * np.eye(m)
        b = 0.3 * (rng.normal(size=(s, m)) + 1j * rng.normal(size=(s, m)))
        reservoirs.append(cl.FiniteReservoir(h, b, t, mu))
    hs = random_hermitian(rng, s) + (2.5 if statistics == "boson" else 0.0) * np.eye(s)
    return cl.ClosedSystem(hs, reservoirs, statistics)


@pytest.mark.parametrize("statistics", ["fermion", "boson"])
def test_identities(statistics):
    system = _random_closed(0, statistics)
    cs0 = np.diag([0.9, 0.1]) if statistics == "fermion" else np.diag([1.5, 0.2])
    ts = jnp.linspace(0.0, 20.0, 41)
    tr = jt.evolve(system, cs0, ts, cl.Eigenbasis(reservoir_entropies=True))
    # energy conservation (19)-(22): <H_s> + Σ<H_r> + <V> constant
    total = tr.system_energy + tr.reservoir_energy.sum(1) + tr.interaction_energy
    np.testing.assert_allclose(total, total[0], atol=1e-11)
    # particle conservation
    n_s = jnp.real(jnp.trace(tr.covariance, axis1=1, axis2=2))
    np.testing.assert_allclose(
        n_s + tr.reservoir_number.sum(1), n_s[0] + tr.reservoir_number[0].sum(), atol=1e-11
    )
    # (10) equals the relative entropy of the full covariances, at several times
    for k in (5, 20, 40):
        c = cl.full_covariance(system, cs0, ts[k])
        # reservoir energies and numbers (one from weights, the last from the conserved
        # totals) against the blocks of the full covariance
        for r, (block, res) in enumerate(zip(system.slices()[1:], system.reservoirs, strict=True)):
            c_rr = c[block, block]
            np.testing.assert_allclose(
                tr.reservoir_energy[k, r], jnp.real(jnp.trace(res.hamiltonian @ c_rr)), atol=1e-10
            )
            np.testing.assert_allclose(
                tr.reservoir_number[k, r], jnp.real(jnp.trace(c_rr)), atol=1e-10
            )
        np.testing.assert_allclose(
            tr.entropy_production[k], cl.direct_entropy_production(system, c), atol=1e-10
        )
        # total entropy conserved
        np.testing.assert_allclose(
            jt.entropy(c, statistics),
            jt.entropy(cl.full_covariance(system, cs0, 0.0), statistics),
            atol=1e-10,
        )
    assert np.all(tr.entropy_production >= -1e-12)
    assert tr.entropy_production[0] == pytest.approx(0.0, abs=1e-12)
    # (16) S_c <= 0 and (18) Δ_iS >= -S_c, the gap being Σ D[ρ_r(t) ‖ ρ_r^eq] (17)
    assert np.all(tr.correlation_entropy <= 1e-12)
    assert np.all(tr.entropy_production + tr.correlation_entropy >= -1e-12)


def test_reservoirs_kept_thermal_give_minus_correlation_entropy():
    """With ρ_r(t) = ρ_r^eq exactly (here: reservoir modes that do not evolve, i.e. zero
    coupling and a system already thermal), Δ_iS = −S_c = 0; generically the gap (17) is
    the reservoirs' relative entropy, checked here for one reservoir directly."""
    system = _random_closed(1, s=2, m=5, temps=(0.9,), mus=(0.1,))
    cs0 = np.diag([0.8, 0.3])
    ts = jnp.array([0.0, 3.0, 9.0])
    tr = jt.evolve(system, cs0, ts, cl.Eigenbasis(reservoir_entropies=True))
    blocks = system.slices()
    for k, t in enumerate(ts):
        c = cl.full_covariance(system, cs0, t)
        cr = c[blocks[1], blocks[1]]
        d_r = jt.relative_entropy(cr, system.thermal_covariance(system.reservoirs[0]), "fermion")
        np.testing.assert_allclose(
            tr.entropy_production[k] + tr.correlation_entropy[k], d_r, atol=1e-10
        )


def test_alternative_definition_eq27():
    """(25) differs from (10) by −β(⟨V⟩_t − ⟨V⟩_0) (Eq. (27), ERRATA's sign)."""
    system = _random_closed(2, s=2, m=6, temps=(0.5,), mus=(0.0,))
    cs0 = np.diag([1.0, 0.0])
    tr = jt.evolve(system, cs0, jnp.linspace(0, 15, 16))
    alt = cl.system_relative_entropy_production(system, tr)
    beta = 1 / 0.5
    np.testing.assert_allclose(
        tr.entropy_production - alt,
        -beta * (tr.interaction_energy - tr.interaction_energy[0]),
        atol=1e-10,
    )


def _fock_hamiltonian(h, ops):
    n = len(ops)
    return sum(h[i, j] * (ops[i].conj().T @ ops[j]).toarray() for i in range(n) for j in range(n))


def _dense_relative_entropy(a, b):
    """Tr[a (ln a − ln b)] by eigendecompositions (0 ln 0 = 0; supp a ⊂ supp b)."""
    la, va = np.linalg.eigh(a)
    lb, vb = np.linalg.eigh(b)
    keep = la > 1e-300
    first = np.sum(la[keep] * np.log(la[keep]))
    log_b = (vb * np.log(np.where(lb > 1e-300, lb, 1.0))[None, :]) @ vb.conj().T
    return float(first - np.real(np.trace(a @ log_b)))


def test_gaussian_route_matches_dense_density_matrices():
    """System 1 mode + reservoir 3 modes, fermions, exactly in Fock space (16 states)."""
    rng = np.random.default_rng(3)
    hr = random_hermitian(rng, 3)
    b = 0.4 * (rng.normal(size=(1, 3)) + 1j * rng.normal(size=(1, 3)))
    system = cl.ClosedSystem(np.array([[0.3]]), [cl.FiniteReservoir(hr, b, 0.8, 0.1)], "fermion")
    cs0 = np.array([[0.95]])
    t = 4.0
    tr = jt.evolve(system, cs0, jnp.array([0.0, t]))
    tr = jax.tree_util.tree_map(lambda x: x[1:] if jnp.ndim(x) else x, tr)  # the time t
    ops = mode_operators(4, "fermion")
    h = np.asarray(system.total_hamiltonian())
    c0 = np.asarray(system.product_covariance(cs0))
    rho0 = gaussian_density_matrix(c0, ops, "fermion")
    u = sla.expm(-1j * t * _fock_hamiltonian(h, ops))
    rho = u @ rho0 @ u.conj().T
    c = cl.full_covariance(system, cs0, t)
    rho_ref = gaussian_density_matrix(  # ρ_s(t) ⊗ ρ_r^eq
        np.asarray(system.product_covariance(c[:1, :1])), ops, "fermion"
    )
    np.testing.assert_allclose(
        tr.entropy_production[0], _dense_relative_entropy(rho, rho_ref), atol=1e-9
    )


# --------------------------------------------------------------------------------------------
# Driven closed systems (paper 001, Sec. 3.3)
# --------------------------------------------------------------------------------------------


def _drive_both(system, amplitude=0.6, frequency=0.9):
    """h_s(t) and the coupling V(t) both modulated."""
    h0, b0 = jnp.asarray(system.hamiltonian), jnp.asarray(system.reservoirs[0].coupling)
    rot = jnp.diag(jnp.arange(h0.shape[0], dtype=float) + 1.0)

    def drive(t):
        h = h0 + amplitude * jnp.sin(frequency * t) * rot
        return h, (b0 * (1.0 + 0.5 * jnp.sin(0.5 * frequency * t) ** 2),)

    return drive


def test_driven_without_drive_is_evolve_closed():
    system = _random_closed(4, s=2, m=5, temps=(0.7,), mus=(0.1,))
    cs0 = np.diag([0.9, 0.2])
    ts = jnp.linspace(0.0, 12.0, 13)
    tr = jt.evolve(cl.DrivenSystem(system, lambda t: system.hamiltonian), cs0, ts)
    ref = jt.evolve(system, cs0, ts)
    np.testing.assert_allclose(tr.entropy_production, ref.entropy_production, atol=1e-9)
    np.testing.assert_allclose(tr.heat, ref.heat, atol=1e-9)
    np.testing.assert_allclose(tr.work, 0.0, atol=1e-14)


@pytest.mark.parametrize("statistics", ["fermion", "boson"])
def test_driven_work_and_free_energy_eq24(statistics):
    """Driven h_s(t) and V(t), one reservoir: the work integrated as ∫Tr[ḣρ] (19) equals the
    change of the total energy ⟨H(t)⟩_t − ⟨H(0)⟩_0; T·Δ_iS = W − ΔF (24) with Δ_iS ≥ 0 at all
    times and equal to the relative entropy (10) of the full final state; the first law (22)."""
    system = _random_closed(5, statistics, s=2, m=6, temps=(0.8,), mus=(0.0,))
    cs0 = np.diag([0.9, 0.1]) if statistics == "fermion" else np.diag([1.2, 0.3])
    ts = jnp.linspace(0.0, 15.0, 31)
    tr = jt.evolve(cl.DrivenSystem(system, _drive_both(system)), cs0, ts)
    total = tr.system_energy + tr.interaction_energy + tr.reservoir_energy[:, 0]
    np.testing.assert_allclose(tr.work, total - total[0], atol=1e-8)
    assert abs(float(tr.work[-1])) > 0.05  # the drive does work
    np.testing.assert_allclose(tr.internal_energy_change, tr.work + tr.heat[:, 0], atol=1e-8)
    temperature = 0.8
    np.testing.assert_allclose(
        temperature * tr.entropy_production,
        tr.work - cl.free_energy_change(system, tr),
        atol=1e-8,
    )
    assert np.all(tr.entropy_production >= -1e-10)
    np.testing.assert_allclose(
        tr.entropy_production[-1],
        cl.direct_entropy_production(system, tr.final_covariance),
        atol=1e-8,
    )


def test_driven_matches_dense_density_matrices():
    """System 1 mode + reservoir 3 modes (fermions, 16 Fock states), driven h_s(t) and V(t):
    ρ(t) from a dense time-dependent Liouville–von Neumann integration (scipy DOP853); the
    work ⟨H(t)⟩_t − ⟨H(0)⟩_0 and Δ_iS = D[ρ(t) ‖ ρ_s(t) ⊗ ρ_r^eq] (10) by definition."""
    from scipy.integrate import solve_ivp

    rng = np.random.default_rng(6)
    hr = random_hermitian(rng, 3)
    b = 0.4 * (rng.normal(size=(1, 3)) + 1j * rng.normal(size=(1, 3)))
    system = cl.ClosedSystem(np.array([[0.3]]), [cl.FiniteReservoir(hr, b, 0.6, 0.1)], "fermion")
    drive = _drive_both(system)
    cs0, t1 = np.array([[0.95]]), 6.0
    tr = jt.evolve(cl.DrivenSystem(system, drive), cs0, jnp.array([0.0, t1]))

    ops = mode_operators(4, "fermion")
    pairs = np.array([[(ops[i].conj().T @ ops[j]).toarray() for j in range(4)] for i in range(4)])

    compiled_drive = jax.jit(drive)  # evaluated at every step of the dense integration

    def fock_h(t):  # Σ h_ij(t) a_i† a_j
        h_s, (b_t,) = compiled_drive(t)
        h = np.asarray(system.total_hamiltonian()).copy()
        h[:1, :1], h[:1, 1:], h[1:, :1] = h_s, b_t, np.conj(b_t).T
        return np.einsum("ij,ijab->ab", h, pairs)

    rho0 = gaussian_density_matrix(np.asarray(system.product_covariance(cs0)), ops, "fermion")

    def rhs(t, y):
        h, y = fock_h(t), y.reshape(16, 16)
        return (-1j * (h @ y - y @ h)).ravel()

    sol = solve_ivp(rhs, (0.0, t1), rho0.ravel(), method="DOP853", rtol=1e-11, atol=1e-13)
    rho = sol.y[:, -1].reshape(16, 16)
    work = np.real(np.trace(fock_h(t1) @ rho) - np.trace(fock_h(0.0) @ rho0))
    c = np.asarray(tr.final_covariance)
    rho_ref = gaussian_density_matrix(
        np.asarray(system.product_covariance(c[:1, :1])), ops, "fermion"
    )  # noqa: E501
    assert float(tr.work[-1]) == pytest.approx(work, abs=1e-8)
    assert float(tr.entropy_production[-1]) == pytest.approx(
        _dense_relative_entropy(rho, rho_ref), abs=1e-8
    )


def test_driven_bad_input():
    system = _random_closed(7, s=2, m=3, temps=(0.7, 1.2), mus=(0.0, 0.0))
    ts = jnp.linspace(0.0, 1.0, 3)
    with pytest.raises(TypeError, match="`drive`"):
        cl.DrivenSystem(system, system.hamiltonian)
    with pytest.raises(ValueError, match=r"`drive\(t\)` must return the system Hamiltonian"):
        cl.DrivenSystem(system, lambda t: jnp.eye(3) * t)
    with pytest.raises(ValueError, match="couplings must be one array per reservoir"):
        cl.DrivenSystem(system, lambda t: (system.hamiltonian, (jnp.ones((2, 3)),)))
    with pytest.raises(ValueError, match="strictly increasing"):
        jt.evolve(cl.DrivenSystem(system, lambda t: system.hamiltonian), np.eye(2) * 0.5, ts[::-1])
    with pytest.raises(ValueError, match="exactly one reservoir"):
        cl.free_energy_change(system, None)  # checked before the trajectory is read


def test_bad_input():
    with pytest.raises(ValueError, match="temperature"):
        cl.FiniteReservoir(np.eye(2), np.ones((1, 2)), 0.0)
    with pytest.raises(ValueError, match="coupling"):
        cl.FiniteReservoir(np.eye(2), np.ones((1, 3)), 1.0)
    with pytest.raises(ValueError, match="rows"):
        cl.ClosedSystem(np.eye(2), [cl.FiniteReservoir(np.eye(2), np.ones((1, 2)), 1.0)])
    system = _random_closed(0)
    with pytest.raises(ValueError, match="one reservoir temperature"):
        cl.system_relative_entropy_production(
            system, jt.evolve(system, np.eye(2) * 0.5, jnp.array([1.0]))
        )


def test_effective_system_matrix_is_the_reduced_state():
    """Paper 000 (43): K_eff⁻¹ = C_s for the closed-system state at any time."""
    system = jt.models.random_reservoir_oscillator(jax.random.key(0), sites=8)
    c = cl.full_covariance(system, jnp.eye(2) * 1000.0, 150.0)
    np.testing.assert_allclose(
        jnp.linalg.inv(cl.effective_system_matrix(c, 2)), c[:2, :2], rtol=1e-9
    )


# --------------------------------------------------------------------------------------------
# Spin–GORM (paper 001, Sec. 4)
# --------------------------------------------------------------------------------------------


def _dense_spin_check(model, t):
    """ρ(t) = U ρ(0) U† as a dense 2N × 2N matrix; Δ_iS by definition (10) with logm."""
    h = np.asarray(model.hamiltonian())
    n = h.shape[0] // 2
    p = np.asarray(model.reservoir_populations())
    rho0 = np.kron(np.diag([0.0, 1.0]), np.diag(p))
    u = sla.expm(-1j * t * h)
    rho = u @ rho0 @ u.conj().T
    rho_s = np.einsum("aibi->ab", rho.reshape(2, n, 2, n))
    ref = np.kron(rho_s, np.diag(p))
    return rho_s, _dense_relative_entropy(rho, ref)


def test_spin_gorm_matches_dense_evolution():
    model = jt.models.spin_gorm(6, 0.1, 10.0, 0.3, jax.random.key(2))
    ts = jnp.array([0.0, 7.0, 40.0])
    tr = jt.evolve(model, DOWN, ts)
    for k, t in enumerate(np.asarray(ts)):
        rho_s, d = _dense_spin_check(model, t)
        np.testing.assert_allclose(tr.density_matrix[k], rho_s, atol=1e-12)
        np.testing.assert_allclose(tr.entropy_production[k], d, atol=1e-9)
    h_s = 0.05 * np.asarray(tr.sigma_z)
    total = h_s + tr.reservoir_energy + tr.interaction_energy
    np.testing.assert_allclose(total, total[0], atol=1e-12)  # (19)-(22)
    beta = 10.0  # (27) with ERRATA's sign
    np.testing.assert_allclose(
        tr.entropy_production - tr.alternative_entropy_production,
        -beta * (tr.interaction_energy - tr.interaction_energy[0]),
        atol=1e-10,
    )


def test_spin_gorm_fig1():
    """Δ = 0.1, β = 10, λ = 0.1. Small N: Δ_iS ≥ 0 but not monotone (recurrences); large N:
    the early decay follows Redfield (30) and (10), (25) settle. Measured (see the note):
    at N = 400 ⟨σ_z⟩(60) within 0.02 of Redfield, late ⟨σ_z⟩ ≈ −0.60 vs Redfield −0.462."""
    ts = jnp.linspace(0.0, 600.0, 121)
    small = jt.evolve(jt.models.spin_gorm(20, key=jax.random.key(1)), DOWN, ts)
    assert np.all(small.entropy_production >= -1e-12)
    assert np.any(np.diff(np.asarray(small.entropy_production)) < -1e-3)  # oscillations
    model = jt.models.spin_gorm(400, key=jax.random.key(1))
    large = jt.evolve(model, DOWN, ts)
    rf = cl.redfield(model)
    redfield_sz = rf.equilibrium + (-1 - rf.equilibrium) * jnp.exp(-rf.rate * ts)
    early = ts <= 60
    assert np.max(np.abs(large.sigma_z[early] - redfield_sz[early])) < 0.03
    assert np.all(large.entropy_production >= -1e-12)
    late = ts >= 300
    # (10) − (25) = −β Δ⟨V⟩ stays finite at λ = 0.1 (≈ 0.07 here): reported, not assumed 0
    gap = np.asarray(large.entropy_production - large.alternative_entropy_production)[late]
    assert 0.0 < gap.mean() < 0.2
    assert np.std(np.asarray(large.entropy_production)[late]) < 0.01


def test_alternative_definition_goes_negative_for_small_n_strong_coupling():
    """(25) negative at N = 4, λ = 0.3 (found by a scan over N, λ and 8 GOE draws); (10) not."""
    keys = jax.random.split(jax.random.key(0), 8)
    ts = jnp.linspace(0.0, 300.0, 301)
    run = jax.vmap(lambda k: jt.evolve(jt.models.spin_gorm(4, 0.1, 10.0, 0.3, k), DOWN, ts))
    tr = run(keys)
    assert np.min(tr.alternative_entropy_production) < -0.3
    assert np.min(tr.entropy_production) > -1e-12


def test_redfield_spectrum_detailed_balance():
    """α̃(−ω) = e^{−βω} α̃(ω) for the flat band (so ⟨σ_z⟩_eq = −tanh(βΔ/2)), and α̃ matches a
    finite-N average of Eq. (32)'s Fourier transform, binned."""
    beta, omega = 10.0, 0.1
    a_pos = cl.gorm_spectrum(omega, beta)
    np.testing.assert_allclose(
        cl.gorm_spectrum(-omega, beta), np.exp(-beta * omega) * a_pos, rtol=1e-12
    )
    model = jt.models.spin_gorm(6, key=jax.random.key(0))
    np.testing.assert_allclose(cl.redfield(model).equilibrium, -np.tanh(0.5), rtol=1e-12)
    # finite N: α̃(ω) ≈ 2π Σ_ij p_i |R_ij|² δ(ω − (ε_j − ε_i)), binned over [ω ± 0.05]
    n = 1500
    m = jt.models.spin_gorm(n, key=jax.random.key(3))
    p = np.asarray(m.reservoir_populations())
    r2 = np.asarray(m.coupling_matrix) ** 2
    gaps = np.asarray(m.energies)[None, :] - np.asarray(m.energies)[:, None]
    window = np.abs(gaps - omega) < 0.05
    estimate = 2 * np.pi * np.sum(p[:, None] * r2 * window) / 0.1
    np.testing.assert_allclose(estimate, a_pos, rtol=0.05)


def _chain_entropy_rate(gamma, sites, window):
    """Slope of the exact Δ_iS(t) for one fermionic level (ε = 0.3) between two M-site
    tight-binding chains (hopping Ω/2 = 1, end coupling √(ΓΩ)/2, as paper 004), fitted over
    `window` (after the 1/Γ transient, before the recurrence time 2M/Ω)."""
    omega = 2.0
    chain = -0.5 * omega * (np.eye(sites, k=1) + np.eye(sites, k=-1))
    b = np.zeros((1, sites))
    b[0, 0] = 0.5 * np.sqrt(gamma * omega)
    reservoirs = [cl.FiniteReservoir(chain, b, 0.4, 0.5), cl.FiniteReservoir(chain, b, 0.2, -0.2)]
    system = cl.ClosedSystem(np.array([[0.3]]), reservoirs, "fermion")
    ts = jnp.concatenate([jnp.zeros(1), jnp.linspace(*window, 21)])  # the initial state at 0
    tr = jt.evolve(system, np.array([[0.5]]), ts)
    return np.polyfit(np.asarray(ts[1:]), np.asarray(tr.entropy_production[1:]), 1)[0]


def _markov_entropy_rate(gamma):
    """Local Markovian model of the same level: two fermionic baths with the golden-rule rate
    2πJ_N(ε) = Γ√(1 − ε²/Ω²) each; σ = −Σ β_α J^Q_α (Gaussian-thermodynamics issue)."""
    rate = gamma * np.sqrt(1 - (0.3 / 2.0) ** 2)
    model = jt.QuadraticModel(
        np.array([[0.3]]),
        [jt.FermionBath(0, rate, 0.4, 0.5), jt.FermionBath(0, rate, 0.2, -0.2)],
    )
    return float(jt.entropy_production(model, jt.steady_state(model).covariance))


def test_exact_entropy_production_rate_approaches_markovian_sigma():
    """Weak coupling, long chains: dΔ_iS/dt → σ_Markov; the error shrinks with Γ."""
    errors = []
    for gamma, sites in ((0.08, 160), (0.02, 600)):
        exact = _chain_entropy_rate(gamma, sites, (8.0 / gamma, 0.9 * sites))
        markov = _markov_entropy_rate(gamma)
        errors.append(abs(exact / markov - 1))
    assert errors[1] < errors[0]
    assert errors[1] < 0.05


@pytest.mark.parametrize("statistics", ["boson", "fermion"])
def test_reservoir_given_in_its_eigenbasis_is_the_same_system(statistics):
    """Issue 16: a reservoir given by its mode energies (1-D `hamiltonian`: no eigh of `h_r`,
    diagonal thermal state, block-wise `V† C(0) V`) is the same closed system as the
    tight-binding chain it diagonalises: every quantity of paper 001 agrees, for two
    reservoirs (the first one's energy from eigenbasis weights, the last from the totals) and
    with reservoir entropies."""
    m = 30
    chain = -0.5 * (np.eye(m, k=1) + np.eye(m, k=-1)) + 1.5 * np.eye(m)
    energies, modes = np.linalg.eigh(chain)
    b1 = np.zeros((2, m))
    b1[0, 0] = 0.15
    b2 = np.zeros((2, m))
    b2[1, 0], b2[0, 3] = 0.1, 0.05
    h_s = np.array([[1.2, 0.05], [0.05, 1.6]])
    mu = 0.3 if statistics == "boson" else 1.4
    site = cl.ClosedSystem(h_s, [cl.FiniteReservoir(chain, b1, 0.7, mu),
                                 cl.FiniteReservoir(chain, b2, 1.9, mu)], statistics)  # fmt: skip
    eig = cl.ClosedSystem(h_s, [cl.FiniteReservoir(energies, b1 @ modes, 0.7, mu),
                                cl.FiniteReservoir(energies, b2 @ modes, 1.9, mu)],
                          statistics)  # fmt: skip
    assert eig.reservoirs[0].diagonal and not site.reservoirs[0].diagonal
    ts = jnp.linspace(0.0, 40.0, 9)
    method = cl.Eigenbasis(reservoir_entropies=True)
    cs0 = np.diag([0.9, 0.1])
    a, b = jt.evolve(site, cs0, ts, method), jt.evolve(eig, cs0, ts, method)
    assert float(jnp.max(a.entropy_production)) > 1e-3  # something happens
    for name in ("covariance", "system_entropy", "reservoir_energy", "reservoir_number",
                 "interaction_energy", "heat", "entropy_production", "reservoir_entropy",
                 "correlation_entropy"):  # fmt: skip
        np.testing.assert_allclose(getattr(b, name), getattr(a, name), atol=1e-11, err_msg=name)
    np.testing.assert_allclose(b.currents.heat, a.currents.heat, atol=1e-12)
    with pytest.raises(ValueError, match="1-D mode energies"):
        cl.FiniteReservoir(np.ones((2, 2, 2)), np.ones((1, 2)), 1.0)


# --------------------------------------------------------------------------------------------
# One system mode: the arrowhead eigendecomposition (issue 16)
# --------------------------------------------------------------------------------------------


def _arrowhead_cases():
    rng = np.random.default_rng(11)
    d, z = rng.normal(size=40), rng.normal(size=40)  # couplings of both signs
    pairs = np.concatenate([d[:20], d[:20]])  # two identical leads: every pole doubly degenerate
    near = d.copy()
    near[1], near[2] = d[0] + 1e-13, d[0] + 1e-9
    weak = z.copy()
    weak[3], weak[7], weak[9] = 0.0, 1e-20, 1e-9
    return {
        "random": (0.3, d, z),
        "zero and tiny couplings": (0.3, d, weak),
        "identical leads": (0.3, pairs, z),
        "five-fold degenerate": (0.3, np.tile(d[:8], 5), z),
        "uncoupled": (0.3, d, 0 * z),
        "complex couplings": (0.3, d, z * np.exp(1j * rng.uniform(0, 2 * np.pi, 40))),
        "nearly degenerate poles": (0.3, near, z),
        "corner far outside": (1e3, d, z),
    }


@pytest.mark.parametrize("case", list(_arrowhead_cases()))
def test_arrowhead_eigh_against_dense(case):
    """Eigenvalues equal to LAPACK's, residual and orthogonality at rounding level, also where
    the Gu–Eisenstat deflation acts (zero couplings, degenerate poles)."""
    alpha, d, z = (jnp.asarray(x) for x in _arrowhead_cases()[case])
    lam, v = jax.jit(cl.arrowhead_eigh)(alpha, d, z)
    a = np.asarray(arrowhead_matrix(alpha, d, z))
    norm = np.linalg.norm(a, 2)
    np.testing.assert_allclose(lam, np.linalg.eigvalsh(a), rtol=0, atol=1e-14 * norm)
    assert np.linalg.norm(a @ v - v * lam[None, :]) <= 1e-14 * norm
    assert np.linalg.norm(np.conj(v.T) @ v - np.eye(41)) <= 1e-13
    assert np.iscomplexobj(v) == np.iscomplexobj(z)


def test_arrowhead_eigh_chain_reservoir_and_gradients():
    """A tight-binding reservoir of 500 modes (the benchmark's, smaller) and two identical
    copies of it; derivatives of gauge-invariant functions of (λ, V) by the custom JVP, checked
    numerically and against `jnp.linalg.eigh`'s."""
    m = 500
    k = np.arange(1, m + 1)
    d = -np.cos(np.pi * k / (m + 1))
    z = 0.1 * np.sqrt(2 / (m + 1)) * np.sin(np.pi * k / (m + 1))
    for dd, zz in ((d, z), (np.concatenate([d, d]), np.concatenate([z, z]))):
        lam, v = jax.jit(cl.arrowhead_eigh)(0.2, jnp.asarray(dd), jnp.asarray(zz))
        a = np.asarray(arrowhead_matrix(0.2, jnp.asarray(dd), jnp.asarray(zz)))
        np.testing.assert_allclose(lam, np.linalg.eigvalsh(a), atol=1e-14)
        assert np.max(np.abs(a @ v - v * lam[None, :])) < 1e-14
        assert np.max(np.abs(v.T @ v - np.eye(len(lam)))) < 1e-13

    def observable(eigh):  # propagator element and a spectral sum: independent of the gauge
        def fn(alpha, d, z):
            lam, v = eigh(alpha, d, z)
            u = (v * jnp.exp(-0.7j * lam)[None, :]) @ jnp.conj(v[0])
            return jnp.real(u[0]) + jnp.imag(u[3]) + jnp.sum(jnp.sin(lam))

        return fn

    rng = np.random.default_rng(5)
    point = (jnp.asarray(0.4), jnp.asarray(rng.normal(size=6)), jnp.asarray(rng.normal(size=6)))
    fn = observable(cl.arrowhead_eigh)
    check_grads(jax.jit(fn), point, order=1, modes=("fwd", "rev"))
    dense = observable(lambda a, d, z: jnp.linalg.eigh(arrowhead_matrix(a, d, z)))
    grads, dense_grads = (jax.jit(jax.grad(f, (0, 1, 2)))(*point) for f in (fn, dense))
    for ours, ref in zip(grads, dense_grads, strict=True):
        np.testing.assert_allclose(ours, ref, atol=1e-12)


@pytest.mark.parametrize("statistics", ["fermion", "boson"])
def test_one_mode_between_identical_reservoirs_matches_full_covariance(statistics):
    """S = 1 (arrowhead route) between two identical reservoirs given as matrices (so every
    mode energy is doubly degenerate: deflation), at different temperatures: C_s(t), reservoir
    energies and numbers, currents, Δ_iS and the reservoir entropies against the dense full
    covariance `e^{−iht} C(0) e^{iht}`; and with one reservoir, both evaluation orders (ρ̃
    formed for many times, two row products for few) agree."""
    rng = np.random.default_rng(8)
    m = 12
    shift = 2.5 if statistics == "boson" else 0.0
    hr = random_hermitian(rng, m) + shift * np.eye(m)
    b = 0.3 * (rng.normal(size=(1, m)) + 1j * rng.normal(size=(1, m)))
    reservoirs = [cl.FiniteReservoir(hr, b, 0.6, 0.1), cl.FiniteReservoir(hr, b, 1.7, 0.2)]
    system = cl.ClosedSystem(np.array([[0.4 + shift]]), reservoirs, statistics)
    cs0 = np.array([[0.8]])
    ts = jnp.linspace(0.0, 15.0, 7)
    tr = jt.evolve(system, cs0, ts, cl.Eigenbasis(reservoir_entropies=True))
    assert float(jnp.max(tr.entropy_production)) > 1e-3
    for i in (2, 6):
        c = cl.full_covariance(system, cs0, ts[i])
        np.testing.assert_allclose(tr.covariance[i], c[:1, :1], atol=1e-12)
        flows = jt.currents(system, c)
        for got, ref in zip(jax.tree_util.tree_leaves(tr.currents),
                            jax.tree_util.tree_leaves(flows), strict=True):  # fmt: skip
            np.testing.assert_allclose(got[i], ref, atol=1e-12)
        for r, block in enumerate(system.slices()[1:]):
            c_rr = c[block, block]
            np.testing.assert_allclose(
                tr.reservoir_energy[i, r], jnp.real(jnp.trace(hr @ c_rr)), atol=1e-11
            )
            np.testing.assert_allclose(tr.reservoir_number[i, r], jnp.real(jnp.trace(c_rr)),
                                       atol=1e-11)  # fmt: skip
            np.testing.assert_allclose(tr.reservoir_entropy[i, r], jt.entropy(c_rr, statistics),
                                       atol=1e-10)  # fmt: skip
        np.testing.assert_allclose(
            tr.entropy_production[i], cl.direct_entropy_production(system, c), atol=1e-10
        )
    if statistics == "boson":
        return  # the two evaluation orders below do not depend on the statistics
    one = cl.ClosedSystem(np.array([[0.4 + shift]]), reservoirs[:1], statistics)
    few = jt.evolve(one, cs0, ts)  # 7 times < n = 13: no ρ̃
    many = jt.evolve(one, cs0, jnp.linspace(0.0, 15.0, 31))  # 31 > 13: ρ̃ formed
    np.testing.assert_allclose(few.entropy_production, many.entropy_production[::5], atol=1e-12)
    np.testing.assert_allclose(few.currents.heat, many.currents.heat[::5], atol=1e-12)
