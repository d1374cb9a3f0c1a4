"""Searches in parallel (loky, Dask) and partial_fit over data on disk."""

import warnings

import joblib
import numpy as np
import pytest
from distributed import Client, LocalCluster, get_task_stream
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from skperceptron import (
    PerceptronRegressor,
    SigmoidPerceptronClassifier,
    TwoLayerNetClassifier,
)


def _data(kind, n_samples):
    if kind == "regression":
        X, y = make_regression(n_samples, 5, noise=10.0, random_state=0)
    else:
        X, y = make_classification(
            n_samples, 5, n_informative=3, n_classes=3, random_state=0
        )
    return StandardScaler().fit_transform(X), y


# max_iter is high enough for learning_rate=0.01 to converge on this data.
ESTIMATORS = {
    "regressor": (PerceptronRegressor(max_iter=3000), "regression"),
    "sigmoid": (SigmoidPerceptronClassifier(max_iter=3000), "multiclass"),
    "net": (
        TwoLayerNetClassifier(n_hidden=4, random_state=0, max_iter=3000, tol=1e-3),
        "multiclass",
    ),
}
GRID = [{"learning_rate": [0.01, 0.1, 1.0, "auto"]}, {"solver": ["newton"]}]
N_CANDIDATES = 5
CV = 5


def _search(name, n_jobs):
    estimator, kind = ESTIMATORS[name]
    X, y = _data(kind, 150)
    return GridSearchCV(clone(estimator), GRID, cv=CV, n_jobs=n_jobs).fit(X, y)


def _assert_same_search(search, reference):
    results, expected = search.cv_results_, reference.cv_results_
    assert len(expected["mean_test_score"]) == N_CANDIDATES
    assert np.all(np.isfinite(expected["mean_test_score"]))
    assert_array_equal(results["mean_test_score"], expected["mean_test_score"])
    for split in range(CV):
        key = f"split{split}_test_score"
        assert_array_equal(results[key], expected[key])
    assert_array_equal(results["rank_test_score"], expected["rank_test_score"])
    assert search.best_params_ == reference.best_params_
    assert search.best_score_ == reference.best_score_


@pytest.fixture(scope="module")
def serial_searches():
    return {name: _search(name, n_jobs=1) for name in ESTIMATORS}


@pytest.fixture(scope="module")
def dask_client():
    # Worker processes rather than threads: scikit-learn sets each task's
    # warning filters with warnings.catch_warnings, which is not thread-safe.
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@pytest.mark.parametrize("name", ESTIMATORS)
def test_grid_search_on_loky_matches_serial(name, serial_searches):
    with joblib.parallel_config(backend="loky"):
        search = _search(name, n_jobs=-1)
    _assert_same_search(search, serial_searches[name])


@pytest.mark.parametrize("name", ESTIMATORS)
def test_grid_search_on_dask_matches_serial(name, serial_searches, dask_client):
    with get_task_stream(dask_client) as tasks:
        with joblib.parallel_config(backend="dask"):
            search = _search(name, n_jobs=-1)
    _assert_same_search(search, serial_searches[name])
    workers = set(dask_client.scheduler_info()["workers"])
    ran_on = {task["worker"] for task in tasks.data}
    assert ran_on and ran_on <= workers, "the search did not run on the cluster"


def _partial_fit_passes(estimator, X, y, n_passes=10, chunk=50):
    """Several passes of partial_fit over consecutive chunks of rows."""
    kwargs = {}
    if not isinstance(estimator, PerceptronRegressor):
        kwargs["classes"] = np.unique(y)
    for _ in range(n_passes):
        for start in range(0, len(X), chunk):
            rows = slice(start, start + chunk)
            estimator.partial_fit(X[rows], y[rows], **kwargs)
    return estimator


@pytest.mark.parametrize("name", ESTIMATORS)
def test_partial_fit_over_memory_mapped_chunks(name, tmp_path):
    estimator, kind = ESTIMATORS[name]
    X, y = _data(kind, 400)
    np.save(tmp_path / "X.npy", X)
    y_file = np.memmap(tmp_path / "y.dat", dtype=y.dtype, mode="w+", shape=y.shape)
    y_file[:] = y
    y_file.flush()
    del y_file
    X_disk = np.load(tmp_path / "X.npy", mmap_mode="r")
    y_disk = np.memmap(tmp_path / "y.dat", dtype=y.dtype, mode="r", shape=y.shape)
    assert isinstance(X_disk, np.memmap) and not X_disk.flags.writeable

    from_disk = _partial_fit_passes(clone(estimator), X_disk, y_disk)
    in_memory = _partial_fit_passes(clone(estimator), X, y)

    assert from_disk.n_iter_ == in_memory.n_iter_ == 10 * 8
    if name == "net":
        for got, expected in zip(
            from_disk.coefs_ + from_disk.intercepts_,
            in_memory.coefs_ + in_memory.intercepts_,
            strict=True,
        ):
            assert_array_equal(got, expected, strict=True)
    else:
        assert_array_equal(from_disk.coef_, in_memory.coef_, strict=True)
        assert_array_equal(from_disk.intercept_, in_memory.intercept_, strict=True)
    assert from_disk.loss_curve_ == in_memory.loss_curve_

    # as good as as many full-batch epochs on the whole data
    fitted = clone(estimator).set_params(max_iter=from_disk.n_iter_)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted.fit(X, y)
    tolerance = 0.01 if name == "regressor" else 0.05
    assert from_disk.score(X, y) >= fitted.score(X, y) - tolerance
