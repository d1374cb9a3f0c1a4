"""The private scikit-learn names of ``_compat``: present and doing their job."""

import ast
import pathlib

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_array_equal
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import InvalidParameterError

import skperceptron
from skperceptron import PerceptronRegressor, _compat

PACKAGE = pathlib.Path(skperceptron.__file__).parent


def _private_sklearn_imports(path):
    """Yield ``module.name`` for each private scikit-learn name ``path`` imports."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "sklearn"
        ):
            private_module = any(p.startswith("_") for p in node.module.split("."))
            for alias in node.names:
                if private_module or alias.name.startswith("_"):
                    yield f"{node.module}.{alias.name}"


def test_private_scikit_learn_names_are_imported_only_in_compat():
    found = {
        str(path.relative_to(PACKAGE)): list(_private_sklearn_imports(path))
        for path in PACKAGE.rglob("*.py")
        if path.name != "_compat.py"
    }
    assert {path: names for path, names in found.items() if names} == {}
    assert list(_private_sklearn_imports(PACKAGE / "_compat.py"))  # the scan works


class _Tiny(BaseEstimator):
    _parameter_constraints = {
        "size": [_compat.Interval(_compat.Integral, 1, None, closed="left")],
        "kind": [_compat.StrOptions({"a", "b"})],
    }

    def __init__(self, size=1, kind="a"):
        self.size = size
        self.kind = kind

    @_compat.fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        self.fitted_ = True
        return self


def test_fit_context_validates_the_constraints():
    assert _Tiny().fit().fitted_
    with pytest.raises(InvalidParameterError, match="size"):
        _Tiny(size=0).fit()
    with pytest.raises(InvalidParameterError, match="kind"):
        _Tiny(kind="c").fit()
    _compat.validate_parameter_constraints(
        _Tiny._parameter_constraints, {"size": 3, "kind": "b"}, caller_name="t"
    )
    with pytest.raises(InvalidParameterError):
        _compat.validate_parameter_constraints(
            _Tiny._parameter_constraints, {"size": 1.5, "kind": "b"}, caller_name="t"
        )


def test_sample_weight_and_partial_fit_helpers():
    X = np.zeros((3, 2), dtype=np.float32)
    weights = _compat.check_sample_weight(None, X, dtype=X.dtype)
    assert_array_equal(weights, np.ones(3, dtype=np.float32))
    assert weights.dtype == np.float32
    with pytest.raises(ValueError, match="(?i)negative"):
        _compat.check_sample_weight([1, -1, 1], X, ensure_non_negative=True)
    est = _Tiny()
    assert _compat.check_partial_fit_first_call(est, np.array([0, 1]))
    assert not _compat.check_partial_fit_first_call(est, None)


def test_callback_helpers_match_the_installed_release():
    reg = PerceptronRegressor()
    assert not _compat.has_callbacks(reg)
    context = _compat.callback_context(reg, 3)
    if hasattr(sklearn, "callback") or hasattr(reg, "set_callbacks"):
        assert context is not None
    else:  # scikit-learn < 1.9
        assert context is None
        assert not hasattr(reg, "set_callbacks")


def test_all_zero_sample_weights_are_refused_whatever_the_release():
    X = np.ones((3, 2))
    with pytest.raises(ValueError, match="non-zero"):
        _compat.check_sample_weight(np.zeros(3), X)
    with pytest.raises(ValueError, match="non-zero"):
        PerceptronRegressor().fit(X, [1.0, 2.0, 3.0], sample_weight=np.zeros(3))
