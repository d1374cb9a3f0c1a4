"""TwoLayerNetClassifier: the seeds' update, curved boundaries, the contract."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_circles,
    make_classification,
    make_moons,
    make_multilabel_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelBinarizer, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skperceptron import SigmoidPerceptronClassifier
from skperceptron import _network as network
from skperceptron._loss import BinaryLogLoss, MultinomialLogLoss
from skperceptron._network import TwoLayerObjective
from skperceptron._two_layer import TwoLayerNetClassifier
from skperceptron.datasets import load_alien_moods

NO_STOP = dict(tol=0, n_iter_no_change=10**6)


def _classification(n_classes=3, n_samples=120, seed=0):
    X, y = make_classification(
        n_samples, n_features=5, n_informative=3, n_classes=n_classes,
        random_state=seed,
    )  # fmt: skip
    return StandardScaler().fit_transform(X), y


def _fit_quietly(estimator, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(*args, **kwargs)


# -- 1. one epoch is the seeds' update ---------------------------------------------


def _seed_network():
    """The 2-2-1 network's weights: w[j, k] input j -> hidden k, then w[k], b."""
    return (
        np.array([[0.5, -0.3], [-0.2, 0.4]]),
        np.array([0.1, -0.2]),
        np.array([0.7, -0.6]),
        0.05,
    )


def _seeds_update(X, y, rate):
    """Seed 001's update rules, each gradient averaged over the samples."""
    w, b_hidden, w_out, b_out = _seed_network()
    N = len(X)
    dw, db_hidden, dw_out, db_out = np.zeros((2, 2)), np.zeros(2), np.zeros(2), 0.0
    for x, target in zip(X, y, strict=True):
        z = [x[0] * w[0, k] + x[1] * w[1, k] + b_hidden[k] for k in range(2)]
        a = [1 / (1 + np.exp(-z_k)) for z_k in z]
        y_hat = 1 / (1 + np.exp(-(a[0] * w_out[0] + a[1] * w_out[1] + b_out)))
        for k in range(2):
            for j in range(2):
                dw[j, k] += (y_hat - target) * w_out[k] * a[k] * (1 - a[k]) * x[j] / N
            db_hidden[k] += (y_hat - target) * w_out[k] * a[k] * (1 - a[k]) / N
            dw_out[k] += (y_hat - target) * a[k] / N
        db_out += (y_hat - target) / N
    return (
        w - rate * dw,  # w_jk ← w_jk − α (ŷ − y) w_k a_k(1 − a_k) x_j
        b_hidden - rate * db_hidden,  # b_k ← b_k − α (ŷ − y) w_k a_k(1 − a_k)
        w_out - rate * dw_out,  # w_k ← w_k − α (ŷ − y) a_k
        b_out - rate * db_out,  # b ← b − α (ŷ − y)
    )


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_one_epoch_is_the_seeds_update(method):
    X, y = load_alien_moods(return_X_y=True)
    clf = TwoLayerNetClassifier(
        n_hidden=2, activation="sigmoid", alpha=0.0, learning_rate=0.5,
        max_iter=1, warm_start=True,
    )  # fmt: skip
    w, b_hidden, w_out, b_out = _seed_network()
    clf.coefs_ = [w, w_out[:, None]]
    clf.intercepts_ = [b_hidden, np.array([b_out])]
    if method == "fit":
        with pytest.warns(ConvergenceWarning):
            clf.fit(X, y)
    else:
        with warnings.catch_warnings():  # alpha=0 on separable data: warns
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.partial_fit(X, y, classes=[0, 1])

    w, b_hidden, w_out, b_out = _seeds_update(X, y, 0.5)
    assert_allclose(clf.coefs_[0], w, rtol=1e-12)
    assert_allclose(clf.intercepts_[0], b_hidden, rtol=1e-12)
    assert_allclose(clf.coefs_[1][:, 0], w_out, rtol=1e-12)
    assert_allclose(clf.intercepts_[1], [b_out], rtol=1e-12)
    assert clf.n_iter_ == 1


# -- 2. it learns ------------------------------------------------------------------


@pytest.mark.parametrize("load", [load_iris, load_wine, load_breast_cancer])
def test_default_pipeline_scores_well_in_cross_validation(load):
    X, y = load(return_X_y=True)
    model = make_pipeline(StandardScaler(), TwoLayerNetClassifier(random_state=0))
    assert cross_val_score(model, X, y, cv=5).mean() > 0.9


@pytest.mark.parametrize(
    "make",
    [
        lambda: make_moons(200, noise=0.1, random_state=0),
        lambda: make_circles(200, factor=0.5, noise=0.05, random_state=0),
    ],
    ids=["moons", "circles"],
)
def test_learns_curved_boundaries_a_perceptron_cannot(make):
    X, y = make()
    net = make_pipeline(StandardScaler(), TwoLayerNetClassifier(random_state=0))
    line = make_pipeline(StandardScaler(), SigmoidPerceptronClassifier())
    assert net.fit(X, y).score(X, y) > 0.95
    assert line.fit(X, y).score(X, y) < 0.9


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_newton_trains_smooth_networks(activation):
    """solver="newton" uses the exact Hessian of :mod:`_network`."""
    X, y = make_moons(200, noise=0.1, random_state=0)
    clf = TwoLayerNetClassifier(
        activation=activation, solver="newton", random_state=0
    ).fit(X, y)
    assert clf.score(X, y) > 0.97
    assert clf.n_iter_ < 200
    assert np.all(np.diff(clf.loss_curve_) <= 0)  # Armijo: the objective decreases


def _noisy_moons():
    X, y = make_moons(200, noise=0.25, random_state=0)
    return StandardScaler().fit_transform(X), y


def test_nesterov_trains_further_than_plain_descent_in_as_many_epochs():
    X, y = _noisy_moons()
    fits = {
        solver: _fit_quietly(
            TwoLayerNetClassifier(
                n_hidden=8, solver=solver, max_iter=300, tol=0, random_state=0
            ),
            X,
            y,
        )
        for solver in ("gd", "nesterov")
    }
    assert fits["gd"].n_iter_ == fits["nesterov"].n_iter_ == 300
    assert fits["nesterov"].loss_curve_[-1] < 0.8 * fits["gd"].loss_curve_[-1]


@pytest.mark.parametrize(("n_hidden", "seed"), [(4, 0), (8, 3)])
def test_newton_reaches_lbfgs_loss_in_fewer_iterations(n_hidden, seed):
    """The acceptance test: a stationary point, L-BFGS's loss, fewer iterations.

    From the same start as ``MLPClassifier(solver="lbfgs")``, whose
    ``loss_`` is our ``J`` when its ``alpha`` is ours times ``n``.
    """
    X, y = _noisy_moons()
    alpha, h = 1e-3, n_hidden
    rng = np.random.RandomState(seed)
    W1, b1, W2, b2 = (rng.uniform(-1, 1, size) for size in [(2, h), h, (h, 1), 1])
    mlp = MLPClassifier(
        (h,), activation="logistic", solver="lbfgs", alpha=alpha * len(X),
        max_iter=1, random_state=seed,
    )  # fmt: skip
    _fit_quietly(mlp, X, y)  # sets the fitted attributes; then its start is ours
    mlp.coefs_, mlp.intercepts_ = [W1.copy(), W2.copy()], [b1.copy(), b2.copy()]
    mlp.set_params(warm_start=True, max_iter=10_000, tol=1e-12).fit(X, y)
    ours = TwoLayerNetClassifier(
        n_hidden=h, solver="newton", tol=1e-8, alpha=alpha, warm_start=True
    )
    ours.coefs_, ours.intercepts_ = [W1.copy(), W2.copy()], [b1.copy(), b2.copy()]
    ours.fit(X, y)

    objective = TwoLayerObjective(
        BinaryLogLoss(), X, y[:, None] * 1.0, np.ones(len(X)), alpha, h, "sigmoid"
    )
    theirs = objective.pack(*_parameters(mlp))  # the same attribute names
    assert objective.value(theirs) == pytest.approx(mlp.loss_, rel=1e-10)
    value, grad = objective(objective.pack(*_parameters(ours)))
    assert np.abs(grad).max() < 1e-6
    assert value == pytest.approx(ours.loss_curve_[-1], rel=1e-12)
    assert value <= 1.01 * mlp.loss_
    assert ours.n_iter_ < mlp.n_iter_


def _parameters(clf):
    return clf.coefs_[0], clf.intercepts_[0], clf.coefs_[1], clf.intercepts_[1]


def test_newton_leaves_the_zero_weights_saddle():
    """``W = 0`` with fitted intercepts is stationary; ``H`` shows it is a saddle.

    The Gauss–Newton matrix is positive semi-definite there, so Newton's
    method on it would report this start as a minimum.
    """
    X, y = _noisy_moons()
    b1, b2 = np.array([-1.0, -0.3, 0.4, 1.2]), np.array([0.0])  # ŷ = mean(y) = ½
    objective = TwoLayerObjective(
        BinaryLogLoss(), X, y[:, None] * 1.0, np.ones(len(X)), 1e-3, 4, "sigmoid"
    )
    start = objective.pack(np.zeros((2, 4)), b1, np.zeros((4, 1)), b2)
    assert np.abs(objective(start)[1]).max() < 1e-15
    assert np.linalg.eigvalsh(objective.gauss_newton(start))[0] >= 0
    assert np.linalg.eigvalsh(objective.hessian(start))[0] < 0

    clf = TwoLayerNetClassifier(n_hidden=4, solver="newton", alpha=1e-3)
    clf.set_params(warm_start=True)
    clf.coefs_ = [np.zeros((2, 4)), np.zeros((4, 1))]
    clf.intercepts_ = [b1.copy(), b2.copy()]
    clf.fit(X, y)

    assert clf.n_iter_ > 0
    assert clf.loss_curve_[-1] < 0.3 < np.log(2)
    assert clf.score(X, y) > 0.85


@pytest.mark.parametrize("n_classes", [2, 3])
def test_matrix_free_newton_reaches_the_dense_minimum(n_classes, monkeypatch):
    """Above the dense size, CG on R-operator products ``H v`` finds the same minimum.

    The start is the same; the CG steps are inexact and their damped matrix
    is often indefinite (CG then reports it, and the damping rises), so the
    paths differ, but both must end stationary at the same objective.
    """
    X, y = _classification(n_classes, n_samples=150, seed=1)
    clf = TwoLayerNetClassifier(
        n_hidden=3, solver="newton", tol=1e-8, alpha=1e-2, random_state=0
    )
    dense = clf.fit(X, y)
    dense_loss, dense_coefs = dense.loss_curve_[-1], [c.copy() for c in dense.coefs_]
    monkeypatch.setattr(network, "_MAX_DENSE_HESSIAN", 0)
    free = clf.fit(X, y)

    objective = TwoLayerObjective(
        BinaryLogLoss() if n_classes == 2 else MultinomialLogLoss(), X,
        LabelBinarizer().fit_transform(y) * 1.0, np.ones(len(X)), 1e-2, 3, "sigmoid",
    )  # fmt: skip
    value, grad = objective(objective.pack(*_parameters(free)))
    assert np.abs(grad).max() < 1e-6
    assert value == pytest.approx(dense_loss, rel=1e-6)
    if n_classes == 2:  # no shift invariance: the minimizer itself agrees
        assert_allclose(free.coefs_[1], dense_coefs[1], rtol=1e-3, atol=1e-4)


# -- 3. multilabel ---------------------------------------------------------------


def test_multilabel_targets():
    X, Y = make_multilabel_classification(
        n_samples=100, n_features=5, n_classes=3, random_state=0
    )
    clf = make_pipeline(StandardScaler(), TwoLayerNetClassifier(random_state=0))
    _fit_quietly(clf, X, Y)
    net = clf[-1]
    proba = clf.predict_proba(X)

    assert clf.predict(X).shape == Y.shape == proba.shape
    assert np.all((proba > 0) & (proba < 1))
    assert_array_equal(clf.predict(X), (proba > 0.5).astype(int))
    assert net.n_outputs_ == 3 and net.out_activation_ == "logistic"
    assert [W.shape for W in net.coefs_] == [(5, 16), (16, 3)]
    assert np.mean(clf.predict(X) == Y) > 0.85  # per-label accuracy


def test_output_units_per_target_type():
    X, y = _classification(3)
    multi = TwoLayerNetClassifier(random_state=0).fit(X, y)
    assert multi.n_outputs_ == 3 and multi.out_activation_ == "softmax"
    assert_allclose(multi.predict_proba(X).sum(axis=1), 1.0)
    binary = TwoLayerNetClassifier(random_state=0).fit(X, y == 1)
    assert binary.n_outputs_ == 1 and binary.out_activation_ == "logistic"
    assert [b.shape for b in binary.intercepts_] == [(16,), (1,)]
    assert_allclose(np.exp(binary.predict_log_proba(X)), binary.predict_proba(X))


# -- 4. randomness, warm start, partial_fit -------------------------------------


def test_random_state_makes_fits_reproducible():
    X, y = _classification()
    first = TwoLayerNetClassifier(random_state=0, max_iter=50)
    again = TwoLayerNetClassifier(random_state=0, max_iter=50)
    other = TwoLayerNetClassifier(random_state=1, max_iter=50)
    for clf in (first, again, other):
        _fit_quietly(clf, X, y)
    for W, W_again, W_other in zip(
        first.coefs_, again.coefs_, other.coefs_, strict=True
    ):
        assert_array_equal(W, W_again)
        assert not np.allclose(W, W_other)


def _standardized_start(clf, X, y, seed=0):
    """The initial θ of ``clf`` on ``(X, y)`` and its standardized coordinates φ."""
    objective = TwoLayerObjective(
        MultinomialLogLoss(), X, np.eye(3)[y], np.ones(len(X)), 0.0, 16,
        clf.activation,
    )  # fmt: skip
    problem = objective.standardized()
    theta = clf._initial_theta(problem, False, np.random.RandomState(seed))
    return objective, theta, problem.to_standard(theta)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_initial_weights_follow_the_activation(activation):
    """Glorot (×4 for the sigmoid) or He bounds for standardized inputs."""
    X, y = _classification(n_samples=120)
    clf = TwoLayerNetClassifier(activation=activation)
    objective, _, phi = _standardized_start(clf, X, y)
    W1, b1, W2, b2 = objective.unpack(phi)
    gain = {"sigmoid": 4.0, "tanh": 1.0, "relu": None}[activation]
    if gain is None:
        bound1, bound2 = np.sqrt(6 / 5), np.sqrt(6 / 16)
        assert_allclose(b1, 0.0, atol=1e-12)
    else:
        bound1, bound2 = gain * np.sqrt(6 / 21), gain * np.sqrt(6 / 19)
        assert np.abs(b1).max() <= bound1 * (1 + 1e-12)
    assert np.abs(W1).max() <= bound1 * (1 + 1e-12)
    assert np.abs(W1).max() > 0.8 * bound1
    assert np.abs(W2).max() <= bound2 and np.abs(W2).max() > 0.8 * bound2
    # the draw depends on the shapes only, not on the number of samples
    _, _, fewer = _standardized_start(clf, X[:10], y[:10])
    assert_allclose(fewer, phi, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_initial_hidden_units_do_not_depend_on_the_units_of_the_features(activation):
    """On a·x + c the hidden units start exactly as on x: the draw is for x̂."""
    X, y = _classification(n_samples=120)
    a = np.array([1e3, 1e-3, 2.0, 1.0, 50.0])
    c = np.array([5e3, 0.0, -7.0, 1e2, 0.0])
    clf = TwoLayerNetClassifier(activation=activation)
    objective, theta, _ = _standardized_start(clf, X, y)
    moved, theta_moved, _ = _standardized_start(clf, X * a + c, y)
    W1, b1, _, _ = objective.unpack(theta)
    V1, c1, _, _ = moved.unpack(theta_moved)
    assert_allclose((X * a + c) @ V1 + c1, X @ W1 + b1, rtol=1e-6, atol=1e-8)
    # Without penalty, "auto" descent takes the same path on either: the fit
    # on raw features is the fit on standardized ones.
    raw = TwoLayerNetClassifier(
        activation=activation, alpha=0.0, random_state=0, max_iter=50
    )
    scaled = clone(raw)
    _fit_quietly(raw, X * a + c, y)
    _fit_quietly(scaled, X, y)
    assert_allclose(raw.loss_curve_, scaled.loss_curve_, rtol=1e-6)
    assert_allclose(raw.predict_proba(X * a + c), scaled.predict_proba(X), atol=1e-6)


def test_warm_start_continues_a_fit():
    # A fixed rate: "auto" estimates the curvature where each fit starts.
    X, y = _classification()
    params = dict(learning_rate=0.3, random_state=0, **NO_STOP)
    whole = _fit_quietly(TwoLayerNetClassifier(max_iter=20, **params), X, y)
    halves = TwoLayerNetClassifier(max_iter=10, warm_start=True, **params)
    _fit_quietly(_fit_quietly(halves, X, y), X, y)
    for a, b in zip(
        halves.coefs_ + halves.intercepts_,
        whole.coefs_ + whole.intercepts_,
        strict=True,
    ):
        assert_allclose(a, b, rtol=1e-12)
    assert halves.n_iter_ == 20 and len(halves.loss_curve_) == 20


def test_partial_fit_epochs_equal_fit():
    X, y = _classification()
    params = dict(learning_rate=0.3, random_state=0)
    fitted = _fit_quietly(TwoLayerNetClassifier(max_iter=10, **params, **NO_STOP), X, y)
    stepped = TwoLayerNetClassifier(**params)
    for _ in range(10):
        stepped.partial_fit(X, y, classes=[0, 1, 2])
    assert_allclose(stepped.coefs_[0], fitted.coefs_[0], rtol=1e-12)
    assert_allclose(stepped.loss_curve_, fitted.loss_curve_, rtol=1e-12)


def test_warm_start_from_parameters_of_the_wrong_shape_raises():
    X, y = _classification()
    clf = TwoLayerNetClassifier(warm_start=True, n_hidden=4)
    clf.coefs_ = [np.zeros((5, 4)), np.zeros((4, 3))]
    clf.intercepts_ = [np.zeros(4), np.zeros(3)]
    _fit_quietly(clf, X, y)  # the right shapes: accepted
    clf.coefs_ = [np.zeros((5, 8)), np.zeros((8, 3))]
    with pytest.raises(ValueError, match=r"coefs_ with shapes \[\(5, 8\), \(8, 3\)\]"):
        clf.fit(X, y)
    clf.coefs_ = np.zeros((5, 4))  # not a list of two arrays
    with pytest.raises(ValueError, match="Cannot continue from coefs_"):
        clf.fit(X, y)


# -- 5. model selection -------------------------------------------------------------


def test_grid_search_in_parallel():
    X, y = load_iris(return_X_y=True)
    model = make_pipeline(StandardScaler(), TwoLayerNetClassifier(random_state=0))
    grid = {
        "twolayernetclassifier__learning_rate": ["auto", 0.5],
        "twolayernetclassifier__n_hidden": [4, 16],
    }
    search = GridSearchCV(model, grid, cv=3, n_jobs=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_score_ > 0.9


# -- 6. invalid input, dtypes, sparse, weights ----------------------------------------


@pytest.mark.parametrize(
    "params",
    [{"n_hidden": 0}, {"n_hidden": 2.5}, {"activation": "softplus"}, {"alpha": -1.0}],
)
def test_invalid_parameters_raise(params):
    X, y = _classification()
    with pytest.raises(InvalidParameterError):
        TwoLayerNetClassifier(**params).fit(X, y)


def test_float32_in_float32_parameters():
    X, y = _classification()
    clf32 = TwoLayerNetClassifier(random_state=0).fit(X.astype(np.float32), y)
    clf64 = TwoLayerNetClassifier(random_state=0).fit(X, y)
    assert all(p.dtype == np.float32 for p in clf32.coefs_ + clf32.intercepts_)
    proba = clf32.predict_proba(X.astype(np.float32))
    assert_allclose(proba, clf64.predict_proba(X), atol=2e-3)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_matches_dense(fmt):
    X, y = _classification()
    X[np.abs(X) < 0.7] = 0.0
    dense = TwoLayerNetClassifier(random_state=0).fit(X, y)
    sparse = TwoLayerNetClassifier(random_state=0).fit(
        sp.csr_matrix(X).asformat(fmt), y
    )
    assert_allclose(sparse.coefs_[0], dense.coefs_[0], rtol=1e-8, atol=1e-12)
    assert_allclose(sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X))


def test_integer_sample_weight_is_repeating_rows():
    X, y = _classification(n_samples=60)
    weights = np.random.RandomState(0).randint(0, 4, size=len(X))
    weighted = TwoLayerNetClassifier(random_state=0, max_iter=200)
    repeated = TwoLayerNetClassifier(random_state=0, max_iter=200)
    _fit_quietly(weighted, X, y, sample_weight=weights)
    _fit_quietly(repeated, X.repeat(weights, 0), y.repeat(weights))
    assert_allclose(weighted.coefs_[0], repeated.coefs_[0], rtol=1e-8, atol=1e-12)
    assert weighted.n_iter_ == repeated.n_iter_


def test_minibatches_with_zero_weight_rows_stay_finite():
    X, y = _classification(n_samples=30)
    weights = np.zeros(len(X))
    weights[::5] = 1.0  # most size-2 minibatches carry no weight
    clf = TwoLayerNetClassifier(batch_size=2, max_iter=20, random_state=0)
    _fit_quietly(clf, X, y, sample_weight=weights)
    assert np.all(np.isfinite(clf.loss_curve_))


def test_early_stopping_does_not_stop_far_too_early():
    """On standardized digits the held-out loss keeps the network learning."""
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        StandardScaler().fit_transform(X), y, random_state=0
    )
    net = TwoLayerNetClassifier(early_stopping=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(X_train, y_train)
    assert net.score(X_test, y_test) > 0.93  # 0.72 when judged on accuracy
