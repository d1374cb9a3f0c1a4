"""Fitted estimators survive pickle, joblib and skops, and go on learning."""

import copy
import pickle

import joblib
import numpy as np
import pytest
import skops.io as sio
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.preprocessing import StandardScaler
from skops.io.exceptions import UntrustedTypesFoundException

from skperceptron import (
    NewtonOptimizer,
    PerceptronRegressor,
    SigmoidPerceptronClassifier,
    TwoLayerNetClassifier,
)


def _data(kind):
    if kind == "binary-float32":
        X, y = _data("binary")
        return X.astype(np.float32), y
    if kind == "regression":
        X, y = make_regression(60, 4, noise=5.0, random_state=0)
        return StandardScaler().fit_transform(X), y
    n_classes = 3 if kind == "multiclass" else 2
    X, y = make_classification(
        60,
        4,
        n_informative=3,
        n_redundant=0,
        n_classes=n_classes,
        random_state=0,
    )
    X = StandardScaler().fit_transform(X)
    if kind == "multilabel":
        y = np.column_stack([y, X[:, 0] > 0, X[:, 1] + X[:, 2] > 0]).astype(int)
    return X, y


NET = dict(n_hidden=3, random_state=0, max_iter=2000)
CASES = {
    "regressor-gd": (PerceptronRegressor(), "regression"),
    "regressor-newton": (PerceptronRegressor(solver="newton"), "regression"),
    "sigmoid-binary-gd": (SigmoidPerceptronClassifier(), "binary"),
    "sigmoid-binary-newton": (
        SigmoidPerceptronClassifier(solver="newton"),
        "binary",
    ),
    "sigmoid-binary-float32": (SigmoidPerceptronClassifier(), "binary-float32"),
    "sigmoid-multiclass-gd": (SigmoidPerceptronClassifier(), "multiclass"),
    "sigmoid-multiclass-newton": (
        SigmoidPerceptronClassifier(solver=NewtonOptimizer(tol=1e-6)),
        "multiclass",
    ),
    "net-binary-gd": (TwoLayerNetClassifier(**NET), "binary"),
    "net-binary-newton": (
        TwoLayerNetClassifier(solver="newton", **NET),
        "binary",
    ),
    "net-multiclass-gd": (TwoLayerNetClassifier(**NET), "multiclass"),
    "net-multiclass-newton": (
        TwoLayerNetClassifier(solver="newton", **NET),
        "multiclass",
    ),
    "net-multilabel-gd": (TwoLayerNetClassifier(**NET), "multilabel"),
    "net-multilabel-newton": (
        TwoLayerNetClassifier(solver="newton", **NET),
        "multilabel",
    ),
}


def _skops_round_trip(estimator):
    data = sio.dumps(estimator)
    untrusted = sio.get_untrusted_types(data=data)
    # Only the package's own classes need trusting: everything they hold is
    # made of NumPy, scikit-learn and builtin types that skops trusts already.
    assert untrusted
    assert all(name.startswith("skperceptron.") for name in untrusted), untrusted
    return sio.loads(data, trusted=untrusted)


def _pickle_round_trip(estimator, tmp_path):
    return pickle.loads(pickle.dumps(estimator))


def _joblib_round_trip(estimator, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(estimator, path)
    return joblib.load(path)


ROUND_TRIPS = {
    "pickle": _pickle_round_trip,
    "joblib": _joblib_round_trip,
    "skops": lambda estimator, tmp_path: _skops_round_trip(estimator),
}


def _assert_same(a, b, where="estimator"):
    """Equal values of equal types, arrays bit for bit with the same dtype."""
    assert type(a) is type(b), where
    if isinstance(a, np.ndarray | np.generic):
        assert a.dtype == b.dtype, where
        assert_array_equal(a, b, strict=True, err_msg=where)
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            _assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif hasattr(a, "__dict__"):
        _assert_same(vars(a), vars(b), f"{where}.__dict__")
    else:
        assert a == b, where


def _assert_same_outputs(a, b, X, y):
    """``b`` answers exactly as ``a`` does, through every prediction method."""
    methods = ("predict", "predict_proba", "predict_log_proba", "decision_function")
    for method in methods:
        if hasattr(a, method):
            _assert_same(getattr(b, method)(X), getattr(a, method)(X), method)
    _assert_same(b.score(X, y), a.score(X, y), "score")


def _without_timings(estimator):
    """Fitted state, less wall-clock timings, which differ between any two runs."""
    state = dict(vars(estimator))
    if "history_" in state:
        state["history_"] = {k: v for k, v in state["history_"].items() if k != "time"}
    return state


def _parameters(estimator):
    """All weights and biases, raveled into one vector."""
    if hasattr(estimator, "coefs_"):
        arrays = estimator.coefs_ + estimator.intercepts_
    else:
        arrays = [estimator.coef_, estimator.intercept_]
    return np.concatenate([np.ravel(a) for a in arrays])


@pytest.fixture(scope="module")
def fitted():
    """Each case fitted once, with its training data."""
    models = {}
    for name, (estimator, kind) in CASES.items():
        X, y = _data(kind)
        models[name] = (clone(estimator).fit(X, y), X, y)
    return models


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
@pytest.mark.parametrize("case", CASES)
def test_round_trip_keeps_fitted_model(fitted, case, round_trip, tmp_path):
    model, X, y = fitted[case]
    loaded = ROUND_TRIPS[round_trip](model, tmp_path)

    assert loaded is not model
    _assert_same(vars(loaded), vars(model))
    _assert_same(loaded.get_params(deep=True), model.get_params(deep=True))
    _assert_same_outputs(model, loaded, X, y)


# Three warm-started epochs are meant to stop short of convergence: what is
# compared is that both copies take exactly the same steps.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
@pytest.mark.parametrize("case", CASES)
def test_loaded_model_continues_like_original(fitted, case, round_trip, tmp_path):
    model, X, y = fitted[case]
    loaded = ROUND_TRIPS[round_trip](model, tmp_path)
    original = copy.deepcopy(model)  # leave the fixture's copy alone
    # One epoch (one Newton iteration) on other rows, in another order.
    X_new, y_new = X[::-1][:40], y[::-1][:40]

    for est in (original, loaded):
        est.partial_fit(X_new, y_new)
    _assert_same(_without_timings(loaded), _without_timings(original))
    _assert_same_outputs(original, loaded, X, y)
    assert loaded.n_iter_ == model.n_iter_ + 1

    for est in (original, loaded):
        est.set_params(warm_start=True, max_iter=3).fit(X_new, y_new)
    _assert_same(_without_timings(loaded), _without_timings(original))
    _assert_same_outputs(original, loaded, X, y)
    assert not np.array_equal(_parameters(loaded), _parameters(model)), (
        "continuing from the loaded model left its parameters unchanged"
    )


def test_skops_needs_only_the_package_types():
    """What skops reports untrusted: the package's own classes, nothing else."""
    model = SigmoidPerceptronClassifier(solver=NewtonOptimizer(tol=1e-6))
    model.fit(*_data("multiclass"))
    expected = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in (SigmoidPerceptronClassifier, NewtonOptimizer)
    ]
    assert sorted(sio.get_untrusted_types(data=sio.dumps(model))) == sorted(expected)
    with pytest.raises(UntrustedTypesFoundException):
        sio.loads(sio.dumps(model))
