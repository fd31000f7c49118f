"""Test helpers: random stable Lyapunov problems and an independent dense-density-matrix
(Fock space) brute force for quadratic Lindblad models."""

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla


# ---------------------------------------------------------------------------------------
# Random Lyapunov problems
# ---------------------------------------------------------------------------------------


def random_hermitian(rng, n, scale=1.0):
    a = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    return scale * (a + a.conj().T) / (2 * np.sqrt(max(n, 1)))


def random_psd(rng, n, rank=None):
    rank = n if rank is None else rank
    b = rng.normal(size=(n, rank)) + 1j * rng.normal(size=(n, rank))
    return b @ b.conj().T / max(rank, 1)


def physical_drift(rng, n):
    """W = -iH - G/2 with random Hermitian H and positive local damping (nearly normal)."""
    h = random_hermitian(rng, n)
    g = rng.uniform(0.1, 1.0, size=n)
    return -1j * h - 0.5 * np.diag(g)


def nonnormal_drift(rng, n, scale):
    """A unitarily rotated upper-triangular drift with strictly upper part of size `scale`:
    eigenvector condition numbers grow quickly with `scale`."""
    d = -rng.uniform(0.5, 1.5, n) + 1j * rng.normal(size=n)
    t = np.triu(rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n)), 1) * scale / np.sqrt(n)
    q, _ = np.linalg.qr(rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n)))
    return q @ (np.diag(d) + t) @ q.conj().T


def near_degenerate_drift(rng, n, splitting=1e-9):
    """Eigenvalues clustered in pairs split by `splitting` (a nearly defective spectrum)."""
    base = -rng.uniform(0.5, 1.5, (n + 1) // 2) + 1j * rng.normal(size=(n + 1) // 2)
    d = np.repeat(base, 2)[:n] + splitting * rng.normal(size=n)
    q, _ = np.linalg.qr(rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n)))
    t = np.triu(0.3 * (rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))), 1) / np.sqrt(n)
    return q @ (np.diag(d) + t) @ q.conj().T


def scipy_lyapunov(w, f):
    """Reference: X with W X + X W^H + F = 0."""
    return sla.solve_continuous_lyapunov(np.asarray(w), -np.asarray(f))


# ---------------------------------------------------------------------------------------
# Dense Fock-space brute force
# ---------------------------------------------------------------------------------------


def mode_operators(n_modes, statistics, cutoff=None):
    """Annihilation operators a_0 ... a_{L-1} as sparse matrices on the Fock space
    (fermions: Jordan–Wigner, dimension 2^L; bosons: truncated at `cutoff` levels per mode)."""
    if statistics == "fermion":
        lower = sp.csr_matrix(np.array([[0.0, 1.0], [0.0, 0.0]]))  # |0><1|
        z = sp.csr_matrix(np.diag([1.0, -1.0]))
        eye = sp.identity(2, format="csr")
        return [_kron_all([z] * j + [lower] + [eye] * (n_modes - j - 1)) for j in range(n_modes)]
    a = sp.csr_matrix(np.diag(np.sqrt(np.arange(1, cutoff)), 1))
    eye = sp.identity(cutoff, format="csr")
    return [_kron_all([eye] * j + [a] + [eye] * (n_modes - j - 1)) for j in range(n_modes)]


def _kron_all(factors):
    op = factors[0]
    for f in factors[1:]:
        op = sp.kron(op, f, format="csr")
    return op.astype(complex)


def quadratic_jump_operators(ops, loss, gain):
    """Jump operators of D[ρ] = Σ Λ⁻_ij (a_j ρ a_i† - ½{a_i† a_j, ρ}) + Σ Λ⁺_ij (a_i† ρ a_j - ...):
    Λ⁻ = Σ_m μ_m u_m u_m† gives L_m = √μ_m Σ_j conj(u_mj) a_j; Λ⁺ likewise with a†."""
    jumps = []
    for matrix, creation in ((loss, False), (gain, True)):
        vals, vecs = np.linalg.eigh(np.asarray(matrix))
        for m in range(len(vals)):
            if vals[m] <= 1e-14:
                continue
            u = vecs[:, m]
            if creation:
                op = sum(u[i] * ops[i].conj().T for i in range(len(ops)))
            else:
                op = sum(np.conj(u[j]) * ops[j] for j in range(len(ops)))
            jumps.append(np.sqrt(vals[m]) * op)
    return jumps


def liouvillian(hamiltonian, jumps):
    """Sparse Liouvillian on column-stacked vec(ρ): vec(AρB) = (B^T ⊗ A) vec(ρ)."""
    d = hamiltonian.shape[0]
    eye = sp.identity(d, format="csr")
    lv = -1j * (sp.kron(eye, hamiltonian) - sp.kron(hamiltonian.T, eye))
    for j in jumps:
        jdj = (j.conj().T @ j).tocsr()
        lv = lv + sp.kron(j.conj(), j) - 0.5 * sp.kron(eye, jdj) - 0.5 * sp.kron(jdj.T, eye)
    return lv.tocsc()


def dense_model(h, loss, gain, statistics, cutoff=None):
    """(ops, Liouvillian) of the quadratic model Ĥ = Σ H_ij a_i† a_j with rate matrices."""
    n = h.shape[0]
    ops = mode_operators(n, statistics, cutoff)
    ham = sum(h[i, j] * (ops[i].conj().T @ ops[j]) for i in range(n) for j in range(n))
    return ops, liouvillian(sp.csr_matrix(ham), quadratic_jump_operators(ops, loss, gain))


def dense_steady_state(lv):
    """The steady state of a Liouvillian (one equation replaced by the trace condition).
    Dense LU up to d² = 4096 (sparse LU can fill in catastrophically on these matrices)."""
    d2 = lv.shape[0]
    d = int(round(np.sqrt(d2)))
    b = np.zeros(d2, complex)
    b[0] = 1.0
    trace_row = np.eye(d).reshape(1, d2, order="F")
    if d2 <= 4096:
        a = np.vstack([trace_row, lv[1:, :].toarray()])
        rho = np.linalg.solve(a, b)
    else:
        a = sp.vstack([sp.csr_matrix(trace_row), lv[1:, :]]).tocsc()
        rho = spla.spsolve(a, b)
    rho = rho.reshape(d, d, order="F")
    return 0.5 * (rho + rho.conj().T)


def dense_evolve(lv, rho0, times):
    d = rho0.shape[0]
    out = spla.expm_multiply(
        lv,
        rho0.reshape(-1, order="F"),
        start=times[0],
        stop=times[-1],
        num=len(times),
        endpoint=True,
    )
    return [v.reshape(d, d, order="F") for v in out]


def correlation_matrix(rho, ops):
    """C_ij = Tr[ρ a_j† a_i] (jaxthermo's convention)."""
    n = len(ops)
    return np.array(
        [[np.trace(rho @ (ops[j].conj().T @ ops[i]).toarray()) for j in range(n)] for i in range(n)]
    )


def gaussian_density_matrix(c, ops, statistics):
    """The Gaussian (number-conserving) state with correlation matrix C: ρ ∝ exp(-Σ K_ij a_i†a_j)
    with K = ln(1 + 1/C) (bosons) or ln(1/C - 1) (fermions). (Diagonalising K = U κ U†,
    a_i = Σ_m U_im b_m gives ⟨a_j† a_i⟩ = (U f(κ) U†)_ij = f(K)_ij, no transpose.)"""
    n = len(ops)
    vals, vecs = np.linalg.eigh(np.asarray(c))
    if statistics == "boson":
        k = vecs @ np.diag(np.log1p(1 / vals)) @ vecs.conj().T
    else:
        k = vecs @ np.diag(np.log(1 / vals - 1)) @ vecs.conj().T
    gen = sum(k[i, j] * (ops[i].conj().T @ ops[j]).toarray() for i in range(n) for j in range(n))
    rho = sla.expm(-gen)
    return rho / np.trace(rho)


def force_unrolled(monkeypatch):
    """Make BartelsStewart take its unrolled small solve under any vmap; returns the list that
    records each trace of it (so a test can check the path really ran)."""
    from jaxthermo._lyapunov import _bartels_stewart as bs

    calls = []
    original = bs._hermitian_unrolled
    monkeypatch.setattr(bs, "UNROLLED_MIN_BATCH", 1)
    monkeypatch.setattr(bs, "_hermitian_unrolled", lambda t, c: calls.append(1) or original(t, c))
    return calls
