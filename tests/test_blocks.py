"""Row blocks shared among threads: the same sums, within the thread budget."""

import multiprocessing
import threading

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from threadpoolctl import threadpool_limits

from skperceptron import _blocks
from skperceptron._blocks import blas_threads, sum_row_blocks
from skperceptron._loss import BinaryLogLoss, HalfSquaredError, MultinomialLogLoss
from skperceptron._network import TwoLayerObjective
from skperceptron._objective import LinearObjective

BLOCK_ROWS = 1000
N_SAMPLES = 16_507  # 17 blocks of the linear objective, more of the network


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Blocks of 1000 rows of 4 float64 features (fewer for the network)."""
    monkeypatch.setattr(_blocks, "BLOCK_BYTES", BLOCK_ROWS * 4 * 8)


def _objective(loss, n_outputs, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(N_SAMPLES, 4))
    if isinstance(loss, HalfSquaredError):
        Y = rng.normal(size=(N_SAMPLES, 1))
    else:
        Y = np.eye(n_outputs)[rng.randint(0, n_outputs, N_SAMPLES)]
        Y = Y[:, 1:] if n_outputs == 2 else Y
    objective = LinearObjective(loss, X, Y, rng.uniform(0, 2, N_SAMPLES), 0.1)
    return objective, rng.normal(size=objective.n_params)


def _unblocked(objective, theta):
    """``J``, ``∇J`` and ``∇²J`` from whole-array formulas (module doc)."""
    W, b = objective.unpack(theta)
    X, s = objective.X, objective.sample_weight / objective.sample_weight.sum()
    Z = X @ W + b
    losses, error = objective.loss.loss_gradient(Z, objective.Y)
    value = s @ losses + 0.5 * objective.alpha * np.sum(W**2)
    delta = s[:, None] * error
    grad = objective.pack(X.T @ delta + objective.alpha * W, delta.sum(axis=0))
    X1 = np.hstack([X, np.ones((len(X), 1))])
    A = objective.loss.hessian_weights(Z) * s[:, None, None]
    H = np.einsum("ij,ikm,il->jklm", X1, A, X1).reshape(theta.size, theta.size)
    n_weights = W.size
    H[np.arange(n_weights), np.arange(n_weights)] += objective.alpha
    return value, grad, H


LOSSES = [(HalfSquaredError(), 1), (BinaryLogLoss(), 2), (MultinomialLogLoss(), 3)]


@pytest.mark.parametrize("loss, n_outputs", LOSSES)
@pytest.mark.parametrize("threads", [1, 2])
def test_blocked_passes_equal_the_whole_array_formulas(loss, n_outputs, threads):
    objective, theta = _objective(loss, n_outputs)
    with threadpool_limits(limits=threads, user_api="blas"):
        value, grad = objective.value_and_gradient(theta)
        H = objective.hessian(theta)
    expected_value, expected_grad, expected_H = _unblocked(objective, theta)
    assert value == pytest.approx(expected_value, rel=1e-13)
    assert_allclose(grad, expected_grad, rtol=1e-11, atol=1e-15)
    assert_allclose(H, expected_H, rtol=1e-11, atol=1e-15)


@pytest.mark.parametrize("loss, n_outputs", LOSSES)
def test_threaded_passes_are_deterministic(loss, n_outputs):
    objective, theta = _objective(loss, n_outputs)
    with threadpool_limits(limits=2, user_api="blas"):
        first = objective.value_and_gradient(theta), objective.hessian(theta)
        second = objective.value_and_gradient(theta), objective.hessian(theta)
    assert first[0][0] == second[0][0]
    assert_array_equal(first[0][1], second[0][1])
    assert_array_equal(first[1], second[1])


def test_blocks_are_shared_among_the_allowed_threads():
    seen = set()

    def terms(rows):
        seen.add(threading.get_ident())
        return (np.arange(rows.start, rows.stop).sum(),)

    (total,) = sum_row_blocks(terms, N_SAMPLES, BLOCK_ROWS, n_threads=2)
    assert total == N_SAMPLES * (N_SAMPLES - 1) // 2
    assert len(seen) == 2
    seen.clear()
    sum_row_blocks(terms, N_SAMPLES, BLOCK_ROWS, n_threads=1)
    assert seen == {threading.get_ident()}


@pytest.mark.parametrize(
    "n_samples, n_threads, expected_threads",
    [
        (N_SAMPLES, 2, 2),
        (BLOCK_ROWS + 1, 2, 2),
        (BLOCK_ROWS, 2, 1),
        (7, 2, 1),
    ],
)
def test_blocks_cover_the_rows_evenly_with_no_more_threads_than_blocks(
    n_samples, n_threads, expected_threads
):
    blocks = []  # (thread, rows)

    def terms(rows):
        blocks.append((threading.get_ident(), rows))
        return (rows.stop - rows.start,)

    (total,) = sum_row_blocks(terms, n_samples, BLOCK_ROWS, n_threads=n_threads)
    assert total == n_samples
    blocks.sort(key=lambda block: block[1].start)
    starts = [rows.start for _, rows in blocks]
    stops = [rows.stop for _, rows in blocks]
    assert starts[0] == 0 and stops[-1] == n_samples and starts[1:] == stops[:-1]
    sizes = np.diff([0, *stops])
    assert sizes.max() <= BLOCK_ROWS
    runs = {}
    for thread, rows in blocks:
        runs.setdefault(thread, []).append(rows.stop - rows.start)
    assert len(runs) == expected_threads
    for sizes_of_run in runs.values():
        assert max(sizes_of_run) - min(sizes_of_run) <= 1  # even blocks


def test_thread_budget_follows_threadpool_limits():
    with threadpool_limits(limits=1, user_api="blas"):
        assert blas_threads() == 1
    with threadpool_limits(limits=2, user_api="blas"):
        assert blas_threads() == 2


def _threaded_sum(queue):
    with threadpool_limits(limits=2, user_api="blas"):
        queue.put(
            sum_row_blocks(lambda rows: (rows.stop - rows.start,), N_SAMPLES, 1000)
        )


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="no fork here"
)
def test_a_forked_child_gets_its_own_threads():
    """A child forked after the threads started does not wait on its parent's."""
    with threadpool_limits(limits=2, user_api="blas"):
        sum_row_blocks(lambda rows: (1,), N_SAMPLES, BLOCK_ROWS)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_threaded_sum, args=(queue,))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    assert queue.get(timeout=1) == [N_SAMPLES]


def _network_objective(n_outputs, seed):
    """A tanh network of 3 hidden units on weighted rows, and a ``θ``."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(N_SAMPLES, 4))
    Y = np.eye(3)[rng.randint(0, 3, N_SAMPLES)][:, :n_outputs]
    loss = BinaryLogLoss() if n_outputs == 1 else MultinomialLogLoss()
    s = rng.uniform(0, 2, N_SAMPLES)
    objective = TwoLayerObjective(loss, X, Y, s, 0.1, n_hidden=3, activation="tanh")
    return objective, rng.normal(size=objective.n_params)


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("threads", [1, 2])
def test_network_blocked_pass_equals_the_whole_array_pass(n_outputs, threads):
    """All rows in blocks, against all rows at once (``batch`` = every row)."""
    objective, theta = _network_objective(n_outputs, seed=0)
    every_row = np.arange(N_SAMPLES)
    with threadpool_limits(limits=threads, user_api="blas"):
        value, grad = objective.value_and_gradient(theta)
        assert objective.value(theta) == pytest.approx(value, rel=1e-13)
    expected_value, expected_grad = objective.value_and_gradient(theta, every_row)
    assert value == pytest.approx(expected_value, rel=1e-13)
    assert_allclose(grad, expected_grad, rtol=1e-11, atol=1e-15)


@pytest.mark.parametrize("n_outputs", [1, 3])
def test_network_curvature_on_two_threads_equals_one(n_outputs):
    """Gauss–Newton and Hessian blocks shared among threads: the same sums."""
    objective, theta = _network_objective(n_outputs, seed=1)
    curvature = {}
    for threads in (1, 2):
        with threadpool_limits(limits=threads, user_api="blas"):
            curvature[threads] = objective.gauss_newton(theta), objective.hessian(theta)
    for one, two in zip(curvature[1], curvature[2], strict=True):
        assert_allclose(two, one, rtol=1e-12, atol=1e-15)
    for G, _ in curvature.values():  # BᵀB per block: exactly symmetric
        assert_array_equal(G, G.T)
