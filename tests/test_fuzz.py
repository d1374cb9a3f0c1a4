"""Property-based tests: every fit on awkward data succeeds cleanly or refuses.

For random shapes, per-column scales from 1e-8 to 1e8, duplicated, constant
and all-zero columns, one to three classes (or targets of any scale), random
non-negative sample weights (zeros included) and float32 or float64 input,
``fit`` must either

- succeed, with finite fitted parameters and valid ``predict`` (and
  ``predict_proba``) output, or
- raise a ``ValueError`` with a clear message,

and nothing else: no other exception, no NaN, no ``RuntimeWarning`` (numpy
overflow / invalid value / division by zero) and no warning other than
``ConvergenceWarning``. The inputs must not be mutated.

The examples are derandomized: the same examples run on every machine.
"""

import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skperceptron import (
    PerceptronRegressor,
    SigmoidPerceptronClassifier,
    TwoLayerNetClassifier,
)

ESTIMATORS = [PerceptronRegressor, SigmoidPerceptronClassifier, TwoLayerNetClassifier]
SOLVERS = ["gd", "newton"]
MAX_ITER = {"gd": 50, "newton": 20}

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: The refusals a fit may answer with. Anything else is a bug.
CLEAR_REFUSALS = [
    "at least 2 classes",  # one class (with positive weight)
    "diverged",  # gradient descent blew up; the message names a remedy
]
#: early_stopping's refusals: the package's own (naming the parameter), and
#: scikit-learn's train_test_split refusing data too small to split, as it
#: refuses MLPClassifier(early_stopping=True).
SPLIT_REFUSALS = [
    "early_stopping",  # the package's own refusal names the parameter
    "least populated class",
    "should be greater or equal to the number of classes",
    "the resulting train set will be empty",
]

# Per-column kinds: scaled values (twice as likely), a constant, zeros, or a
# copy of an earlier column.
COLUMN_KINDS = ["values", "values", "constant", "zeros", "duplicate"]

unit_floats = st.floats(-1.0, 1.0, allow_nan=False, width=64)
exponents = st.integers(-8, 8)  # scales 1e-8 ... 1e8


@st.composite
def fit_problems(draw, Estimator):
    """Draw ``(X, y, sample_weight)`` for ``Estimator``."""
    n_samples = draw(st.integers(1, 40), label="n_samples")
    n_features = draw(st.integers(1, 6), label="n_features")
    dtype = draw(st.sampled_from([np.float64, np.float32]), label="dtype")
    base = draw(arrays(np.float64, (n_samples, n_features), elements=unit_floats))
    columns = []
    for j in range(n_features):
        kind = draw(st.sampled_from(COLUMN_KINDS if j else COLUMN_KINDS[:4]))
        scale = 10.0 ** draw(exponents)
        if kind == "values":
            columns.append(base[:, j] * scale)
        elif kind == "constant":
            columns.append(np.full(n_samples, draw(unit_floats) * scale))
        elif kind == "zeros":
            columns.append(np.zeros(n_samples))
        else:
            columns.append(columns[draw(st.integers(0, j - 1))].copy())
    X = np.column_stack(columns).astype(dtype)

    if Estimator is PerceptronRegressor:
        y = draw(arrays(np.float64, n_samples, elements=unit_floats))
        y = (y * 10.0 ** draw(exponents)).astype(dtype)
    else:
        n_classes = draw(st.sampled_from([2, 3, 2, 3, 1]), label="n_classes")
        y = draw(arrays(np.int64, n_samples, elements=st.integers(0, n_classes - 1)))
        # Every class present (as far as n_samples allows): a single class
        # comes from n_classes=1, n_samples=1 or zero weights, not by chance.
        present = min(n_classes, n_samples)
        y[draw(st.permutations(range(n_samples)))[:present]] = np.arange(present)

    sample_weight = None
    if draw(st.booleans(), label="weighted"):
        weight_values = st.one_of(
            st.just(0.0), st.integers(1, 3).map(float), st.floats(0.0, 10.0)
        )
        sample_weight = draw(arrays(np.float64, n_samples, elements=weight_values))
        sample_weight = sample_weight.astype(dtype)  # may flush tiny weights to 0
        if not sample_weight.any():  # all-zero weights: refused by scikit-learn
            sample_weight[draw(st.integers(0, n_samples - 1))] = 1.0
    return X, y, sample_weight


def _estimator(Estimator, solver, data, **params):
    params = dict(solver=solver, max_iter=MAX_ITER[solver], random_state=0, **params)
    params["alpha"] = data.draw(st.sampled_from([1e-4, 0.0, 1.0]), label="alpha")
    # tol=0 runs every iteration: Newton then works on gradients at the
    # rounding level of the objective.
    params["tol"] = data.draw(st.sampled_from([1e-4, 0.0]), label="tol")
    if solver == "gd":
        params["batch_size"] = data.draw(
            st.sampled_from([None, 1, 5]), label="batch_size"
        )
    if Estimator is TwoLayerNetClassifier:
        params["n_hidden"] = data.draw(st.integers(2, 4), label="n_hidden")
        # Newton's method needs a smooth activation (see the docstring).
        activations = ["sigmoid", "tanh"] + (["relu"] if solver == "gd" else [])
        params["activation"] = data.draw(
            st.sampled_from(activations), label="activation"
        )
    return Estimator(**params)


def check_fit(estimator, X, y, sample_weight, refusals=CLEAR_REFUSALS):
    """Fit; assert a clean success or a clear refusal, and unmutated inputs."""
    copies = [None if a is None else a.copy() for a in (X, y, sample_weight)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # RuntimeWarning, and anything unexpected
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", ".*not used by solver", UserWarning)
        try:
            estimator.fit(X, y, sample_weight=sample_weight)
        except ValueError as error:
            clear = re.compile("|".join(map(re.escape, refusals)))
            assert clear.search(str(error)), f"unclear refusal: {error!r}"
        else:
            _check_fitted(estimator, X)

    for original, copy in zip((X, y, sample_weight), copies, strict=True):
        if original is not None:
            assert original.dtype == copy.dtype
            assert_array_equal(original, copy)


def _check_fitted(estimator, X):
    """Finite parameters; predictions of the right shape, labels and range."""
    if isinstance(estimator, TwoLayerNetClassifier):
        params = [*estimator.coefs_, *estimator.intercepts_]
    else:
        params = [estimator.coef_, estimator.intercept_]
    for param in params:
        assert np.all(np.isfinite(param)), f"non-finite fitted parameters: {params}"

    prediction = estimator.predict(X)
    assert prediction.shape == (X.shape[0],)
    if isinstance(estimator, PerceptronRegressor):
        assert np.all(np.isfinite(prediction)), prediction
        return
    assert np.all(np.isin(prediction, estimator.classes_)), prediction
    proba = estimator.predict_proba(X)
    assert proba.shape == (X.shape[0], len(estimator.classes_))
    assert not np.any(np.isnan(proba)), proba
    assert np.all((proba >= 0) & (proba <= 1)), proba
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@FUZZ
@given(data=st.data())
def test_fit_succeeds_cleanly_or_refuses(Estimator, solver, data):
    X, y, sample_weight = data.draw(fit_problems(Estimator), label="X, y, weights")
    check_fit(_estimator(Estimator, solver, data), X, y, sample_weight)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@FUZZ
@given(data=st.data())
def test_early_stopping_succeeds_cleanly_or_refuses(Estimator, data):
    """The same property through the validation split of ``early_stopping``.

    The split may leave the training or the validation part without a sample
    of positive weight: that too must end in a clear ``ValueError``.
    """
    X, y, sample_weight = data.draw(fit_problems(Estimator), label="X, y, weights")
    fraction = data.draw(st.sampled_from([0.1, 0.3, 0.5]), label="fraction")
    estimator = _estimator(
        Estimator, "gd", data, early_stopping=True, validation_fraction=fraction
    )
    check_fit(estimator, X, y, sample_weight, CLEAR_REFUSALS + SPLIT_REFUSALS)


# The smallest problems the properties above have failed on: kept as fixed
# examples, so that each stays covered whatever examples hypothesis draws.
_F32 = np.float32
_X4, _Y4 = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 1, 0, 1])
SHRUNK_FAILURES = {
    # ||H g||² overflows float32 in NewtonOptimizer's first damping.
    "newton-float32-large-x": (
        PerceptronRegressor(solver="newton"),
        np.array([[1e7]], dtype=_F32), np.array([1.0], dtype=_F32), None,
    ),
    "newton-float32-large-x-classifier": (
        SigmoidPerceptronClassifier(solver="newton"),
        np.array([[0.0], [1e7]], dtype=_F32), np.array([0, 1]), None,
    ),
    # ||g||² underflows to 0 (0/0) once the gradient is below 1e-154.
    "newton-tol0-tiny-gradient": (
        PerceptronRegressor(solver="newton", tol=0.0, max_iter=20),
        np.array([[1e-170]]), np.array([1e-170]), None,
    ),
    # Every damping fails in float32 rounding; the ladder passes float32's max.
    "newton-float32-damping-overflow": (
        PerceptronRegressor(solver="newton", tol=0.0, alpha=0.0, max_iter=20),
        np.array([[1e-11]], dtype=_F32), np.array([1e-17], dtype=_F32), None,
    ),
    # early_stopping's split leaves no positive weight in one of its parts.
    "early-stopping-weightless-validation": (
        PerceptronRegressor(early_stopping=True, random_state=0),
        np.array([[0.0], [0.0]]), np.array([0.0, 0.0]), np.array([1.0, 0.0]),
    ),
    "early-stopping-weightless-training": (
        SigmoidPerceptronClassifier(
            early_stopping=True, validation_fraction=0.5, random_state=1
        ),
        _X4, _Y4, np.array([0.0, 0.0, 1.0, 1.0]),
    ),
    "early-stopping-weightless-training-minibatch": (
        SigmoidPerceptronClassifier(
            early_stopping=True, validation_fraction=0.5, random_state=1,
            batch_size=1,
        ),
        _X4, _Y4, np.array([0.0, 0.0, 1.0, 1.0]),
    ),
    "early-stopping-weightless-training-network": (
        TwoLayerNetClassifier(
            early_stopping=True, validation_fraction=0.5, random_state=3,
            alpha=0.0, n_hidden=2,
        ),
        _X4, _Y4, np.array([1.0, 1.0, 0.0, 0.0]),
    ),
    # A validation part of subnormal total weight: R² overflows.
    "early-stopping-subnormal-validation-weight": (
        PerceptronRegressor(
            early_stopping=True, validation_fraction=0.5, random_state=0,
            learning_rate=1e-3, max_iter=5,
        ),
        np.zeros((4, 1)), np.array([5.0, 0.0, 5.0, 0.0]),
        np.array([1.0, 1e-310, 1.0, 1e-310]),
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", SHRUNK_FAILURES)
def test_shrunk_failures(name):
    estimator, X, y, sample_weight = SHRUNK_FAILURES[name]
    check_fit(clone(estimator), X, y, sample_weight, CLEAR_REFUSALS + SPLIT_REFUSALS)
