"""check_gradient: the hand-derived gradients agree with finite differences."""

import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skperceptron import (
    PerceptronRegressor,
    SigmoidPerceptronClassifier,
    TwoLayerNetClassifier,
    check_gradient,
)
from skperceptron._loss import LOSSES
from skperceptron._network import TwoLayerObjective
from skperceptron._objective import LinearObjective

from ._numdiff import numerical_gradient

N_SAMPLES, N_FEATURES, N_HIDDEN = 60, 4, 3


def _data(target, seed=0):
    """Standardized ``X`` with some exact zeros, ``y`` and integer weights."""
    rng = np.random.RandomState(seed)
    if target == "multilabel":
        X, y = make_multilabel_classification(
            N_SAMPLES, n_features=N_FEATURES, n_classes=3, random_state=seed
        )
    else:
        n_classes = 3 if target == "multiclass" else 2
        X, y = make_classification(
            N_SAMPLES, n_features=N_FEATURES, n_informative=3, n_redundant=0,
            n_classes=n_classes, random_state=seed,
        )  # fmt: skip
    X = StandardScaler().fit_transform(X)
    X[rng.uniform(size=X.shape) < 0.2] = 0.0  # some sparsity
    if target == "continuous":
        y = X @ rng.normal(size=N_FEATURES) + 0.3 * rng.normal(size=N_SAMPLES) + 2
    weights = rng.randint(0, 4, size=N_SAMPLES).astype(float)
    return X, y, weights


def _network(**params):
    return TwoLayerNetClassifier(n_hidden=N_HIDDEN, random_state=0, **params)


# (name, estimator factory, target)
CASES = [
    ("regressor", PerceptronRegressor, "continuous"),
    ("classifier-binary", SigmoidPerceptronClassifier, "binary"),
    ("classifier-multiclass", SigmoidPerceptronClassifier, "multiclass"),
    ("network-binary", _network, "binary"),
    ("network-multiclass", _network, "multiclass"),
    ("network-multilabel", _network, "multilabel"),
    ("network-tanh", lambda **p: _network(activation="tanh", **p), "multiclass"),
    ("network-relu", lambda **p: _network(activation="relu", **p), "multiclass"),
]
CASE_IDS = [case[0] for case in CASES]


def _fit(factory, target, solver="gd", sparse=False, alpha=0.01, **params):
    X, y, weights = _data(target)
    if sparse:
        X = sp.csr_matrix(X)
    estimator = factory(solver=solver, alpha=alpha, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y, sample_weight=weights)
    return estimator, X, y, weights


def _parameters(estimator, theta):
    """The fitted attributes that ``theta`` stands for, in the documented layout."""
    d = estimator.n_features_in_
    if isinstance(estimator, TwoLayerNetClassifier):
        h, K = estimator.n_hidden, estimator.n_outputs_
        sizes = np.cumsum([d * h, h, h * K])
        W1, b1, W2, b2 = np.split(theta, sizes)
        return [W1.reshape(d, h), b1, W2.reshape(h, K), b2]
    K = theta.size // (d + 1)
    W, b = theta[: d * K].reshape(d, K), theta[d * K :]
    return [W.T, b]


def _fitted(estimator):
    """The fitted attributes, in the order of :func:`_parameters`."""
    if isinstance(estimator, TwoLayerNetClassifier):
        (W1, W2), (b1, b2) = estimator.coefs_, estimator.intercepts_
        return [W1, b1, W2, b2]
    coef = np.reshape(estimator.coef_, (-1, estimator.n_features_in_))
    return [coef, np.ravel(estimator.intercept_)]


# -- 1. correct gradients pass -----------------------------------------------------


# Newton's method is for smooth activations: no relu network with it.
FITTED = [
    pytest.param(factory, target, solver, id=f"{name}-{solver}")
    for name, factory, target in CASES
    for solver in ("gd", "newton")
    if not (name == "network-relu" and solver == "newton")
]


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize(("factory", "target", "solver"), FITTED)
def test_fitted_models_pass(factory, target, solver, sparse):
    short = {"tol": 1e-3} if solver == "gd" else {}  # gd: stop short of the minimum
    estimator, X, y, weights = _fit(factory, target, solver, sparse, **short)

    near = check_gradient(estimator, X, y, weights, theta="perturbed", random_state=0)
    at_fit = check_gradient(estimator, X, y, weights)

    assert near.relative_error < 1e-6
    assert np.linalg.norm(near.gradient) > 1e-3  # a point where the check bites
    assert at_fit.max_abs_error < 1e-8
    if solver == "gd":  # stopped by tol, short of the minimum: g is not noise
        assert at_fit.relative_error < 1e-6
    assert_array_equal(at_fit.coordinates, np.arange(at_fit.theta.size))
    for param, fitted in zip(
        _parameters(estimator, at_fit.theta), _fitted(estimator), strict=True
    ):
        assert_array_equal(param, fitted)


def test_gradient_descent_end_point_passes_unperturbed():
    """Away from a minimum the current parameters are themselves a good point."""
    X, y, weights = _data("multiclass")
    net = _network(max_iter=5)
    with pytest.warns(ConvergenceWarning):
        net.fit(X, y, sample_weight=weights)
    result = check_gradient(net, X, y, weights)
    assert np.linalg.norm(result.gradient) > 1e-2
    assert result.relative_error < 1e-6


def test_matches_the_reference_differences_of_the_objective():
    """The gradient is the objective's; the differences are the test suite's."""
    estimator, X, y, weights = _fit(_network, "multiclass")
    result = check_gradient(estimator, X, y, weights, theta="perturbed", random_state=0)
    Y = np.eye(3)[y]
    objective = TwoLayerObjective(
        LOSSES[estimator._output], X, Y, weights, 0.01, N_HIDDEN, "sigmoid"
    )
    assert_allclose(result.gradient, objective(result.theta)[1], rtol=1e-12)
    assert_allclose(
        result.numerical_gradient,
        numerical_gradient(objective.value, result.theta),
        rtol=1e-5,
        atol=1e-9,
    )


def test_float32_model_is_checked_in_float64():
    X, y, weights = _data("binary")
    X32 = X.astype(np.float32)
    net = _network().fit(X32, y, sample_weight=weights)
    assert net.coefs_[0].dtype == np.float32
    result = check_gradient(net, X32, y, weights, theta="perturbed", random_state=0)
    assert result.theta.dtype == np.float64
    assert result.relative_error < 1e-6


def test_feature_names_are_accepted():
    X, y, weights = _data("binary")
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(N_FEATURES)])
    clf = SigmoidPerceptronClassifier().fit(frame, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = check_gradient(clf, frame, y, theta="perturbed", random_state=0)
    assert result.relative_error < 1e-6


# -- 2. wrong gradients fail ---------------------------------------------------------


def _first_block(objective):
    """The number of entries of ``W`` (linear) or ``W1`` (network) in ``θ``."""
    if isinstance(objective, TwoLayerObjective):
        return objective.n_features * objective.n_hidden
    return objective.n_features * objective.n_outputs


@pytest.mark.parametrize(("name", "factory", "target"), CASES[:6], ids=CASE_IDS[:6])
def test_a_wrong_gradient_is_caught(monkeypatch, name, factory, target):
    """``∇W`` (``∇W1``) 1 % too large: the error is the size of the mistake."""
    estimator, X, y, weights = _fit(factory, target)
    before = check_gradient(estimator, X, y, weights, theta="perturbed", random_state=0)
    objective_class = (
        TwoLayerObjective if name.startswith("network") else LinearObjective
    )
    original = objective_class.value_and_gradient

    def wrong(self, theta, batch=None):
        value, gradient = original(self, theta, batch)
        gradient = gradient.copy()
        gradient[: _first_block(self)] *= 1.01
        return value, gradient

    monkeypatch.setattr(objective_class, "value_and_gradient", wrong)
    after = check_gradient(estimator, X, y, weights, theta="perturbed", random_state=0)

    assert before.relative_error < 1e-6
    assert after.relative_error > 1e-3
    mistake = after.gradient - before.gradient
    expected = np.linalg.norm(mistake) / np.linalg.norm(after.gradient)
    assert after.relative_error == pytest.approx(expected, rel=1e-3)
    assert_allclose(after.numerical_gradient, before.numerical_gradient)


def test_a_missing_penalty_is_caught_at_the_fitted_point(monkeypatch):
    """An error that does not vanish with the gradient shows even at a minimum."""
    estimator, X, y, weights = _fit(SigmoidPerceptronClassifier, "binary", "newton")
    original = LinearObjective.value_and_gradient

    def without_penalty(self, theta, batch=None):
        value, gradient = original(self, theta, batch)
        W, _ = self.unpack(theta)
        return value, gradient - self.pack(self.alpha * W, np.zeros(self.n_outputs))

    monkeypatch.setattr(LinearObjective, "value_and_gradient", without_penalty)
    assert check_gradient(estimator, X, y, weights).relative_error > 0.5


def test_a_relu_kink_shows_as_a_disagreement():
    """At a kink the differences average the one-sided derivatives."""
    X, y, _ = _data("multiclass")
    X[0] = 0.0  # an all-zero row: every hidden input is b1
    net = _network(activation="relu").fit(X, y)
    at_fit = check_gradient(net, X, y)
    theta = at_fit.theta.copy()
    b1 = slice(N_FEATURES * N_HIDDEN, (N_FEATURES + 1) * N_HIDDEN)
    theta[b1] = 0.0  # the zero row's hidden inputs sit on the kink

    on_kink = check_gradient(net, X, y, theta=theta)
    theta[b1] = 0.1
    off_kink = check_gradient(net, X, y, theta=theta)

    assert at_fit.relative_error < 1e-6
    assert on_kink.relative_error > 1e-4
    assert off_kink.relative_error < 1e-6


# -- 3. points, coordinates, steps ---------------------------------------------------


def test_given_theta_is_used_and_left_alone():
    estimator, X, y, weights = _fit(_network, "binary")
    theta = check_gradient(
        estimator, X, y, weights, theta="perturbed", random_state=0
    ).theta
    kept = theta.copy()
    result = check_gradient(estimator, X, y, weights, theta=list(theta))
    assert_array_equal(result.theta, kept)
    assert_array_equal(theta, kept)
    assert result.relative_error < 1e-6


def test_perturbed_point_is_reproducible_and_near_the_fit():
    estimator, X, y, weights = _fit(_network, "binary")
    current = check_gradient(estimator, X, y, weights).theta
    first, second, other = (
        check_gradient(estimator, X, y, weights, theta="perturbed", random_state=seed)
        for seed in (3, 3, 4)
    )
    assert_array_equal(first.theta, second.theta)
    assert_array_equal(first.gradient, second.gradient)
    assert not np.array_equal(first.theta, other.theta)
    relative_move = np.abs(first.theta - current) / np.maximum(1, np.abs(current))
    assert 0 < relative_move.max() < 0.6


def test_a_subset_of_coordinates():
    estimator, X, y, weights = _fit(_network, "multiclass")
    full = check_gradient(estimator, X, y, weights, theta="perturbed", random_state=0)
    n_params = full.theta.size
    subset = check_gradient(
        estimator, X, y, weights, theta=full.theta, n_coordinates=7, random_state=1
    )
    again = check_gradient(
        estimator, X, y, weights, theta=full.theta, n_coordinates=7, random_state=1
    )
    assert len(subset.coordinates) == len(np.unique(subset.coordinates)) == 7
    assert np.all(np.diff(subset.coordinates) > 0)
    assert subset.coordinates.max() < n_params
    assert_array_equal(subset.coordinates, again.coordinates)
    assert_allclose(subset.gradient, full.gradient[subset.coordinates])
    assert_allclose(
        subset.numerical_gradient, full.numerical_gradient[subset.coordinates]
    )
    assert subset.relative_error < 1e-6
    everything = check_gradient(
        estimator, X, y, weights, theta=full.theta, n_coordinates=n_params + 5
    )
    assert_array_equal(everything.coordinates, np.arange(n_params))


def test_epsilon_sets_the_step():
    """Exact for a quadratic at any step; for the network, error grows as h²."""
    estimator, X, y, weights = _fit(PerceptronRegressor, "continuous")
    big = check_gradient(
        estimator, X, y, weights, theta="perturbed", epsilon=0.1, random_state=0
    )
    assert big.relative_error < 1e-8
    net, X, y, weights = _fit(_network, "binary")
    errors = [
        check_gradient(
            net, X, y, weights, theta="perturbed", epsilon=eps, random_state=0
        ).relative_error
        for eps in (1e-2, 1e-1)
    ]
    assert 1e-8 < errors[0] < 1e-3
    assert errors[1] > 20 * errors[0]


# -- 4. nothing is modified ------------------------------------------------------------


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize(("name", "factory", "target"), CASES[:6], ids=CASE_IDS[:6])
def test_inputs_and_estimator_are_not_modified(name, factory, target, sparse):
    estimator, X, y, weights = _fit(factory, target, sparse=sparse)
    X_before = X.copy()
    y_before, weights_before = np.copy(y), weights.copy()
    state = joblib.hash(estimator)

    check_gradient(estimator, X, y, weights, theta="perturbed", random_state=0)

    if sparse:
        assert (X != X_before).nnz == 0
        assert_array_equal(X.indices, X_before.indices)
    else:
        assert_array_equal(X, X_before)
    assert_array_equal(y, y_before)
    assert_array_equal(weights, weights_before)
    assert joblib.hash(estimator) == state


# -- 5. errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "estimator",
    [PerceptronRegressor(), SigmoidPerceptronClassifier(), TwoLayerNetClassifier()],
)
def test_unfitted_estimator_raises(estimator):
    X, y, _ = _data("binary")
    with pytest.raises(NotFittedError, match="not fitted yet: check_gradient"):
        check_gradient(estimator, X, y)


@pytest.mark.parametrize(
    "estimator",
    [
        LogisticRegression(),
        make_pipeline(StandardScaler(), SigmoidPerceptronClassifier()),
        "estimator",
    ],
)
def test_other_estimators_raise(estimator):
    X, y, _ = _data("binary")
    if not isinstance(estimator, str):
        estimator.fit(X, y)
    with pytest.raises(TypeError, match="checks the estimators of skperceptron"):
        check_gradient(estimator, X, y)


def _with(X, y, weights, **changes):
    arguments = {"X": X, "y": y, "sample_weight": weights}
    arguments.update(changes)
    return arguments


INVALID = {
    "n_features": (lambda X, y, w: _with(X[:, :3], y, w), "features"),
    "n_samples": (lambda X, y, w: _with(X[:-1], y, w), "inconsistent numbers"),
    "nan": (lambda X, y, w: _with(np.where(X > 1, np.nan, X), y, w), "NaN"),
    "label": (lambda X, y, w: _with(X, np.where(y == 0, 7, y), w), r"labels \[7\]"),
    "indicator": (lambda X, y, w: _with(X, np.eye(2, dtype=int)[y], w), "multilabel"),
    "zero_weights": (lambda X, y, w: _with(X, y, np.zeros_like(w)), "non-zero"),
    "negative_weights": (lambda X, y, w: _with(X, y, -w), "Negative values"),
    "n_weights": (lambda X, y, w: _with(X, y, w[:-1]), "sample_weight"),
    "theta_shape": (
        lambda X, y, w: _with(X, y, w, theta=np.zeros(3)),
        r"theta must be a finite array of shape \(19,\)",
    ),
    "theta_inf": (
        lambda X, y, w: _with(X, y, w, theta=np.full(19, np.inf)),
        "non-finite",
    ),
    "theta_name": (lambda X, y, w: _with(X, y, w, theta="random"), "'theta'"),
    "n_coordinates": (
        lambda X, y, w: _with(X, y, w, n_coordinates=0),
        "'n_coordinates'",
    ),
    "epsilon_zero": (lambda X, y, w: _with(X, y, w, epsilon=0.0), "'epsilon'"),
    "epsilon_large": (lambda X, y, w: _with(X, y, w, epsilon=2.0), "'epsilon'"),
    "random_state": (
        lambda X, y, w: _with(X, y, w, random_state="seed"),
        "'random_state'",
    ),
}


@pytest.mark.parametrize(("change", "match"), INVALID.values(), ids=INVALID.keys())
def test_invalid_input_raises(change, match):
    estimator, X, y, weights = _fit(_network, "binary")
    with pytest.raises(ValueError, match=match):
        check_gradient(estimator, **change(X, y, weights))


def test_multilabel_network_checks_its_targets():
    estimator, X, Y, weights = _fit(_network, "multilabel")
    with pytest.raises(ValueError, match="fitted on a multilabel indicator"):
        check_gradient(estimator, X, Y[:, 0], weights)
    with pytest.raises(ValueError, match="y has 2 labels, but"):
        check_gradient(estimator, X, Y[:, :2], weights)


def test_classifier_refuses_multilabel_targets():
    estimator, X, y, weights = _fit(SigmoidPerceptronClassifier, "binary")
    with pytest.raises(ValueError):
        check_gradient(estimator, X, np.eye(2, dtype=int)[y], weights)


def test_invalid_hyperparameters_set_after_fit_raise():
    estimator, X, y, weights = _fit(SigmoidPerceptronClassifier, "binary")
    estimator.set_params(alpha=-1.0)
    with pytest.raises(InvalidParameterError, match="'alpha'"):
        check_gradient(estimator, X, y, weights)


def test_central_differences_of_quadratics_and_of_vector_functions():
    from skperceptron._check import central_differences

    rng = np.random.RandomState(0)
    A = rng.normal(size=(4, 4))
    A = A @ A.T
    b, theta = rng.normal(size=4), rng.normal(scale=30, size=4)
    gradient = central_differences(lambda t: 0.5 * t @ A @ t + b @ t, theta)
    assert_allclose(gradient, A @ theta + b, rtol=1e-8)
    assert_allclose(central_differences(lambda t: A @ t, theta), A.T, rtol=1e-9)
    some = central_differences(lambda t: A @ t, theta, coordinates=[2, 0])
    assert_allclose(some, A.T[[2, 0]], rtol=1e-9)
    before = theta.copy()
    central_differences(np.sum, theta)
    assert_array_equal(theta, before)
