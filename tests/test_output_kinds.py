"""Each loss is a kind of output: what an estimator returns from raw scores."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit, softmax

from skperceptron._loss import LOSSES, output_kind

RNG = np.random.RandomState(0)
Z1, Z3 = RNG.normal(scale=5, size=(20, 1)), RNG.normal(scale=5, size=(20, 3))


@pytest.mark.parametrize(
    "target_type, n_classes, kind",
    [
        ("continuous", 0, "continuous"),
        ("binary", 2, "binary"),
        ("binary", 1, "binary"),
        ("multiclass", 2, "binary"),  # two classes given to partial_fit
        ("multiclass", 3, "multiclass"),
        ("multilabel-indicator", 3, "multilabel"),
    ],
)
def test_output_kind(target_type, n_classes, kind):
    assert output_kind(target_type, n_classes) == kind


@pytest.mark.parametrize(
    "kind, Z, proba",
    [
        ("binary", Z1, np.hstack([1 - expit(Z1), expit(Z1)])),
        ("multiclass", Z3, softmax(Z3, axis=1)),
        ("multilabel", Z3, expit(Z3)),
    ],
)
def test_probabilities_and_their_logarithms(kind, Z, proba):
    loss = LOSSES[kind]
    assert_allclose(loss.predict_proba(Z), proba, rtol=1e-12, atol=1e-15)
    with np.errstate(divide="ignore"):
        expected = np.log(loss.predict_proba(Z))
    finite = np.isfinite(expected)
    assert_allclose(
        loss.predict_log_proba(Z)[finite], expected[finite], rtol=1e-9, atol=1e-15
    )
    assert np.all(np.isfinite(loss.predict_log_proba(Z * 1e3)))


def test_labels_stratification_and_separation():
    classes = np.array(["a", "b", "c"])
    assert_array_equal(
        LOSSES["binary"].labels(Z1, classes[:2]), np.where(Z1[:, 0] > 0, "b", "a")
    )
    assert_array_equal(
        LOSSES["multiclass"].labels(Z3, classes), classes[Z3.argmax(axis=1)]
    )
    assert_array_equal(LOSSES["multilabel"].labels(Z3, classes), (Z3 > 0) * 1)
    Y3 = np.eye(3)[Z3.argmax(axis=1)]
    assert LOSSES["multiclass"].separates(Z3, Y3)
    assert not LOSSES["multiclass"].separates(Z3, np.roll(Y3, 1, axis=1))
    assert_array_equal(LOSSES["multiclass"].stratify(Y3), Z3.argmax(axis=1))
    assert LOSSES["multilabel"].stratify(Y3) is None
    assert LOSSES["continuous"].bounded and not LOSSES["binary"].bounded
    s = np.arange(20.0)
    assert_allclose(LOSSES["multiclass"].class_weights(Y3, s), s @ Y3)
    Y1 = (Z1 > 0) * 1.0
    assert_allclose(
        LOSSES["binary"].class_weights(Y1, s), [s @ (1 - Y1[:, 0]), s @ Y1[:, 0]]
    )
