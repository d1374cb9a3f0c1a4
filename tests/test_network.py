"""The network's hand-derived derivatives equal the seeds' and numerical ones."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from scipy.sparse.linalg import LinearOperator
from scipy.special import expit

import skperceptron._network as network
from skperceptron._loss import BinaryLogLoss, MultinomialLogLoss
from skperceptron._network import ACTIVATIONS, TwoLayerObjective
from skperceptron.datasets import load_alien_moods

from ._numdiff import numerical_gradient, numerical_jacobian

ACTIVATION_NAMES = ["sigmoid", "tanh", "relu"]
TARGETS = ["binary", "multiclass", "multilabel"]
# (weighted, alpha): plain, integer weights with zeros, penalty, both.
SETTINGS = [(False, 0.0), (True, 0.0), (False, 0.3), (True, 0.3)]


def _problem(target, activation, weighted=False, alpha=0.0, n_samples=30, seed=0):
    """A small network objective and a parameter vector away from relu's kinks."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4))
    if target == "binary":
        loss, Y = BinaryLogLoss(), rng.randint(0, 2, size=(n_samples, 1)) * 1.0
    elif target == "multiclass":
        loss, Y = MultinomialLogLoss(), np.eye(3)[rng.randint(0, 3, size=n_samples)]
    else:
        loss, Y = BinaryLogLoss(), rng.randint(0, 2, size=(n_samples, 3)) * 1.0
    s = rng.randint(0, 4, size=n_samples) * 1.0 if weighted else np.ones(n_samples)
    objective = TwoLayerObjective(loss, X, Y, s, alpha, 5, activation)
    theta = rng.normal(size=objective.n_params)
    W1, b1, _, _ = objective.unpack(theta)
    assert np.abs(X @ W1 + b1).min() > 1e-4  # no relu kink within the step
    return objective, theta


# -- 1. the seeds' 2-2-1 network ----------------------------------------------


def test_gradient_is_the_seeds_formulas_on_the_alien_data():
    """Seed 001's per-sample derivatives, averaged over the four sentences."""
    X, y = load_alien_moods(return_X_y=True)
    objective = TwoLayerObjective(
        BinaryLogLoss(), X, y[:, None] * 1.0, np.ones(4), 0.0, 2, "sigmoid"
    )
    w = np.array([[0.5, -0.3], [-0.2, 0.4]])  # w[j, k]: input j -> hidden k
    b_hidden = np.array([0.1, -0.2])
    w_out = np.array([0.7, -0.6])  # w[k]: hidden k -> output
    b_out = 0.05
    theta = objective.pack(w, b_hidden, w_out, [b_out])

    N = len(X)
    dw, db_hidden, dw_out, db_out = np.zeros((2, 2)), np.zeros(2), np.zeros(2), 0.0
    loss = 0.0
    for x, target in zip(X, y, strict=True):
        z = [x[0] * w[0, k] + x[1] * w[1, k] + b_hidden[k] for k in range(2)]
        a = [1 / (1 + np.exp(-z_k)) for z_k in z]
        y_hat = 1 / (1 + np.exp(-(a[0] * w_out[0] + a[1] * w_out[1] + b_out)))
        loss += (-target * np.log(y_hat) - (1 - target) * np.log(1 - y_hat)) / N
        for k in range(2):
            for j in range(2):  # ∂L/∂w_jk = (ŷ − y)·w_k·a_k(1 − a_k)·x_j
                dw[j, k] += (y_hat - target) * w_out[k] * a[k] * (1 - a[k]) * x[j] / N
            # ∂L/∂b_k = (ŷ − y)·w_k·a_k(1 − a_k)
            db_hidden[k] += (y_hat - target) * w_out[k] * a[k] * (1 - a[k]) / N
            dw_out[k] += (y_hat - target) * a[k] / N  # ∂L/∂w_k = (ŷ − y)·a_k
        db_out += (y_hat - target) / N  # ∂L/∂b = ŷ − y

    value, grad = objective.value_and_gradient(theta)

    assert value == pytest.approx(loss, rel=1e-12)
    assert_allclose(grad, objective.pack(dw, db_hidden, dw_out, [db_out]), rtol=1e-12)


def test_pack_and_unpack_are_inverse_views():
    objective, theta = _problem("multiclass", "tanh")
    W1, b1, W2, b2 = objective.unpack(theta)
    assert (W1.shape, b1.shape, W2.shape, b2.shape) == ((4, 5), (5,), (5, 3), (3,))
    assert objective.n_params == 4 * 5 + 5 + 5 * 3 + 3
    assert_allclose(objective.pack(W1, b1, W2, b2), theta)
    W1[0, 1] = 42.0  # a view: writes through
    assert theta[1] == 42.0


# -- 2. backpropagation equals numerical derivatives -----------------------------


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(("weighted", "alpha"), SETTINGS)
def test_gradient_equals_numerical_derivative(activation, target, weighted, alpha):
    objective, theta = _problem(target, activation, weighted, alpha)

    value, grad = objective(theta)

    assert value == pytest.approx(objective.value(theta), rel=1e-12)
    expected = numerical_gradient(objective.value, theta)
    assert_allclose(grad, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_activation_derivatives_from_its_output(activation):
    z = np.linspace(-3, 3, 13) + 0.01  # avoids relu's kink at 0
    f = ACTIVATIONS[activation]
    a = f.forward(z.copy(), out=np.empty_like(z))
    numeric = (
        f.forward(z + 1e-6, out=np.empty_like(z))
        - f.forward(z - 1e-6, out=np.empty_like(z))
    ) / 2e-6
    assert_allclose(f.derivative(a), numeric, rtol=1e-6, atol=1e-9)
    if activation == "sigmoid":
        assert_allclose(a, expit(z))
    # f'' from the output too: the derivative of f'(f(z)) by z.
    a_plus = f.forward(z + 1e-6, out=np.empty_like(z))
    a_minus = f.forward(z - 1e-6, out=np.empty_like(z))
    numeric = (f.derivative(a_plus) - f.derivative(a_minus)) / 2e-6
    assert_allclose(f.second_derivative(a), numeric, rtol=1e-6, atol=1e-9)


def test_penalty_skips_the_intercepts():
    objective, _ = _problem("binary", "sigmoid", alpha=2.0)
    theta = np.zeros(objective.n_params)
    _, b1, _, b2 = objective.unpack(theta)
    b1[:], b2[:] = 3.0, 0.0  # A1 = σ(3), W2 = 0: every ŷ = ½, no penalty
    assert objective.value(theta) == pytest.approx(np.log(2))


def test_batch_objective_is_the_objective_of_the_rows():
    objective, theta = _problem("multiclass", "tanh", weighted=True, alpha=0.1)
    rows = np.array([3, 7, 8, 20])
    part = TwoLayerObjective(
        objective.loss,
        objective.X[rows],
        objective.Y[rows],
        objective.sample_weight[rows],
        0.1,
        5,
        "tanh",
    )
    for a, b in zip(objective(theta, rows), part(theta), strict=True):
        assert_allclose(a, b, rtol=1e-12)


def test_minibatch_of_zero_weight_rows_adds_only_the_penalty():
    objective, theta = _problem("binary", "relu", alpha=0.5)
    objective.sample_weight[:5] = 0.0
    value, grad = objective(theta, np.arange(5))
    W1, _, W2, _ = objective.unpack(theta)
    penalty = objective.pack(0.5 * W1, np.zeros(5), 0.5 * W2, np.zeros(1))
    assert value == pytest.approx(0.25 * (np.sum(W1**2) + np.sum(W2**2)))
    assert_allclose(grad, penalty)


# -- 3. the Gauss–Newton matrix and the exact Hessian ------------------------------


def _expected_gauss_newton(objective, theta):
    """``Σᵢ Jᵢᵀ cᵢAᵢ Jᵢ + alpha I_W`` with a numerical Jacobian of the scores."""
    K, p = objective.n_outputs, objective.n_params
    J = numerical_jacobian(lambda t: objective.decision(t, objective.X).ravel(), theta)
    J = J.reshape(objective.n_samples, K, p)
    A = objective.loss.hessian_weights(objective.decision(theta, objective.X))
    c = objective.sample_weight / objective.sample_weight.sum()
    G = np.einsum("ikp,i,ikm,imq->pq", J, c, A, J)
    W1, _, W2, _ = objective.unpack(np.arange(p))
    G[W1.ravel(), W1.ravel()] += objective.alpha
    G[W2.ravel(), W2.ravel()] += objective.alpha
    return G


def _dense(matrix, n):
    """A LinearOperator's matrix, from its products with the identity's columns."""
    return np.column_stack([matrix @ e for e in np.eye(n)])


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(("weighted", "alpha"), SETTINGS)
def test_gauss_newton_matrix_equals_its_definition(
    activation, target, weighted, alpha, monkeypatch
):
    objective, theta = _problem(target, activation, weighted, alpha)

    G = objective.gauss_newton(theta)

    assert isinstance(G, np.ndarray) and G.dtype == np.float64
    assert_allclose(G, _expected_gauss_newton(objective, theta), rtol=1e-6, atol=1e-9)
    assert_allclose(G, G.T, rtol=0, atol=0)
    assert np.linalg.eigvalsh(G)[0] >= -1e-12 * np.abs(G).max()

    # The matrix-free operator multiplies by the same matrix.
    monkeypatch.setattr(network, "_MAX_DENSE_HESSIAN", 0)
    operator = objective.gauss_newton(theta)
    assert isinstance(operator, LinearOperator)
    V = np.random.RandomState(1).normal(size=(objective.n_params, 3))
    for v in V.T:
        assert_allclose(operator @ v, G @ v, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(("weighted", "alpha"), SETTINGS)
def test_hessian_equals_numerical_jacobian_of_the_gradient(
    activation, target, weighted, alpha, monkeypatch
):
    """The exact Hessian, dense and matrix-free (R-operator), is ``∂∇J/∂θ``."""
    objective, theta = _problem(target, activation, weighted, alpha)

    H = objective.hessian(theta)

    assert isinstance(H, np.ndarray) and H.dtype == np.float64
    expected = numerical_jacobian(lambda t: objective(t)[1], theta)
    assert_allclose(H, expected, rtol=1e-6, atol=1e-8)
    assert_allclose(H, H.T, rtol=0, atol=1e-15)
    # It is not the Gauss–Newton matrix: the output error bends it.
    G = objective.gauss_newton(theta)
    assert np.abs(H - G).max() > 1e-3 * np.abs(G).max()

    monkeypatch.setattr(network, "_MAX_DENSE_HESSIAN", 0)
    operator = objective.hessian(theta)
    assert isinstance(operator, LinearOperator)
    V = np.random.RandomState(1).normal(size=(objective.n_params, 3))
    for v in V.T:
        assert_allclose(operator @ v, H @ v, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_hessian_is_indefinite_at_the_zero_weights_saddle(activation):
    """At ``W = 0`` the gradient of the weights vanishes: a saddle ``G`` hides.

    With the intercepts at their best values every ``∇W`` is zero; the
    cross terms ``W1``–``W2`` of ``H`` there are ``Σᵢ f'ₖ x̃ᵢⱼ δᵢₘ``, which
    make ``H`` indefinite while ``G`` stays positive semi-definite.
    """
    objective, _ = _problem("binary", activation, alpha=1e-3, n_samples=40)
    theta = np.zeros(objective.n_params)
    y_mean = objective.Y.mean()
    objective.unpack(theta)[3][:] = np.log(y_mean / (1 - y_mean))  # ŷ = mean(y)
    grad = objective(theta)[1]
    assert np.abs(grad).max() < 1e-12

    H, G = objective.hessian(theta), objective.gauss_newton(theta)

    assert_allclose(H, numerical_jacobian(lambda t: objective(t)[1], theta), atol=1e-8)
    assert np.linalg.eigvalsh(H)[0] < -1e-3
    assert np.linalg.eigvalsh(G)[0] >= -1e-12


def test_gauss_newton_and_hessian_are_built_in_blocks_of_rows(monkeypatch):
    objective, theta = _problem("multiclass", "sigmoid", weighted=True, alpha=0.1)
    whole = objective.gauss_newton(theta), objective.hessian(theta)
    block_rows = 7  # 30 rows in five blocks, the last one shorter
    monkeypatch.setattr(
        network, "_JACOBIAN_BLOCK_SIZE", block_rows * 3 * objective.n_params
    )
    assert_allclose(objective.gauss_newton(theta), whole[0], rtol=1e-12, atol=1e-15)
    assert_allclose(objective.hessian(theta), whole[1], rtol=1e-12, atol=1e-15)


def test_gauss_newton_equals_the_hessian_of_a_linear_output_layer():
    """Along the output weights Z is linear in θ: there G is the exact Hessian."""
    objective, theta = _problem("multiclass", "tanh", alpha=0.2)
    G = objective.gauss_newton(theta)
    H = objective.hessian(theta)
    start = objective.n_features * objective.n_hidden + objective.n_hidden
    assert_allclose(G[start:, start:], H[start:, start:], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("alpha", [0.0, 0.3])
@pytest.mark.parametrize("dense", [True, False])
def test_newton_matrix_removes_the_softmax_shift_invariance(alpha, dense, monkeypatch):
    # Enough rows of positive weight that only the shifts leave H singular.
    objective, theta = _problem("multiclass", "tanh", True, alpha, n_samples=80)
    if not dense:
        monkeypatch.setattr(network, "_MAX_DENSE_HESSIAN", 0)
    p = objective.n_params
    H = _dense(objective.hessian(theta), p)
    N = _dense(objective.newton_matrix(theta), p)
    grad = objective(theta)[1]

    shifts = []  # the same constant added to every class's output
    u = np.zeros(p)
    objective.unpack(u)[3][:] = 1.0  # intercepts b2
    shifts.append(u)
    if alpha == 0:  # and to every class's weight from one hidden unit
        for k in range(objective.n_hidden):
            u = np.zeros(p)
            objective.unpack(u)[2][k, :] = 1.0
            shifts.append(u)
    for u in shifts:
        assert_allclose(H @ u, 0.0, atol=1e-12)
        assert grad @ u == pytest.approx(0.0, abs=1e-12)

    # N is invertible where H is singular, and its Newton step is a Newton
    # step of H with no component along the shifts.
    assert np.linalg.matrix_rank(H) == p - len(shifts)
    assert np.linalg.matrix_rank(N) == p
    step = np.linalg.solve(N, -grad)
    assert_allclose(H @ step, -grad, rtol=1e-6, atol=1e-10)
    for u in shifts:
        assert step @ u == pytest.approx(0.0, abs=1e-8)


def test_newton_matrix_of_sigmoid_outputs_is_the_exact_hessian():
    objective, theta = _problem("multilabel", "sigmoid", alpha=0.1)
    assert_allclose(objective.newton_matrix(theta), objective.hessian(theta))


# -- 4. dtypes and sparse input ------------------------------------------------


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_float32_in_float32_out(activation):
    objective, theta = _problem("multiclass", activation, weighted=True, alpha=0.1)
    as32 = TwoLayerObjective(
        objective.loss,
        objective.X.astype(np.float32),
        objective.Y.astype(np.float32),
        objective.sample_weight.astype(np.float32),
        0.1,
        5,
        activation,
    )
    value, grad = as32(theta.astype(np.float32))
    assert value.dtype == np.float32 and grad.dtype == np.float32
    assert as32.decision(theta.astype(np.float32), as32.X).dtype == np.float32
    value64, grad64 = objective(theta)
    assert value == pytest.approx(value64, rel=1e-5)
    assert_allclose(grad, grad64, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("target", TARGETS)
def test_sparse_and_dense_agree(fmt, target):
    dense, theta = _problem(target, "tanh", weighted=True, alpha=0.1)
    X = dense.X.copy()
    X[np.abs(X) < 0.7] = 0.0
    dense.X = X
    sparse = TwoLayerObjective(
        dense.loss, sp.csr_matrix(X).asformat(fmt), dense.Y, dense.sample_weight,
        0.1, 5, "tanh",
    )  # fmt: skip
    for a, b in zip(dense(theta), sparse(theta), strict=True):
        assert_allclose(a, b, rtol=1e-12)
    rows = np.array([1, 4, 9])
    for a, b in zip(dense(theta, rows), sparse(theta, rows), strict=True):
        assert_allclose(a, b, rtol=1e-12)
    assert_allclose(sparse.gauss_newton(theta), dense.gauss_newton(theta), rtol=1e-12)
    assert_allclose(sparse.hessian(theta), dense.hessian(theta), rtol=1e-12)
