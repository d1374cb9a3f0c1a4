"""The public API's numpydoc docstrings agree with the code.

Every class and function of ``skperceptron.__all__`` and their public methods
pass :func:`numpydoc.validate.validate` (all its checks but a few of style),
and every fitted attribute an estimator sets is documented.
"""

import inspect
import re

import numpy as np
import pandas as pd
import pytest

import skperceptron

numpydoc_validate = pytest.importorskip("numpydoc.validate")
docscrape = pytest.importorskip("numpydoc.docscrape")

#: numpydoc checks left out: a name before the type of a single returned value
#: (``self : PerceptronRegressor``), and the optional sections.
IGNORED = {
    "RT02",  # the returned value is named
    "ES01",  # no extended summary
    "SA01",  # no See Also section
    "EX01",  # no Examples section
}

#: The checks the brief of this test names, which must never be ignored.
REQUIRED = {"GL08", "PR01", "PR02", "PR07", "RT01"}


def _own(member):
    function = member.fget if isinstance(member, property) else member
    return getattr(function, "__module__", "").startswith("skperceptron")


def _public_api():
    """Yield the import path of each public class, function and method."""
    for name in skperceptron.__all__:
        obj = getattr(skperceptron, name)
        yield f"skperceptron.{name}"
        if inspect.isclass(obj):
            for attr, member in inspect.getmembers(obj):
                if attr.startswith("_") or not _own(member):
                    continue
                if callable(member) or isinstance(member, property):
                    yield f"skperceptron.{name}.{attr}"


PUBLIC_API = sorted(_public_api())


def _errors(import_path):
    result = numpydoc_validate.validate(import_path)
    return [
        f"{import_path}: {code} {message}"
        for code, message in result["errors"]
        if code not in IGNORED
    ]


def test_required_checks_are_kept():
    assert not REQUIRED & IGNORED


def test_public_api_is_found():
    assert "skperceptron.TwoLayerNetClassifier.fit" in PUBLIC_API
    assert "skperceptron.SigmoidPerceptronClassifier.predict_proba" in PUBLIC_API
    assert "skperceptron.check_gradient" in PUBLIC_API


@pytest.mark.parametrize("import_path", PUBLIC_API)
def test_numpydoc(import_path):
    errors = _errors(import_path)
    assert not errors, "\n".join(errors)


def test_validation_fails_on_a_broken_docstring(monkeypatch):
    """The check sees an undocumented parameter (PR01) and an unknown one (PR02)."""
    cls = skperceptron.PerceptronRegressor
    broken = cls.__doc__.replace("    max_iter : int", "    max_iters : int", 1)
    monkeypatch.setattr(cls, "__doc__", broken)
    codes = {
        error.split(": ")[1].split()[0]
        for error in _errors("skperceptron.PerceptronRegressor")
    }
    assert {"PR01", "PR02"} <= codes


def _data(estimator):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    if isinstance(estimator, skperceptron.PerceptronRegressor):
        y = X.to_numpy() @ [1.0, -2.0, 0.5]
    else:
        y = np.arange(40) % 3
    return X, y


ESTIMATORS = [
    skperceptron.PerceptronRegressor,
    skperceptron.SigmoidPerceptronClassifier,
    skperceptron.TwoLayerNetClassifier,
]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize(
    "params",
    [
        {"max_iter": 5},
        {"max_iter": 5, "early_stopping": True},
        {"solver": "newton", "max_iter": 3},
    ],
    ids=["gd", "early_stopping", "newton"],
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_fitted_attributes_are_documented(cls, params):
    estimator = cls(random_state=0, **params)
    estimator.fit(*_data(estimator))
    fitted = {
        name
        for name in vars(estimator)
        if name.endswith("_") and not name.startswith("_")
    }
    documented = {entry.name for entry in docscrape.ClassDoc(cls)["Attributes"]}
    assert fitted, "the fit set no attributes"
    assert fitted <= documented, sorted(fitted - documented)


@pytest.mark.parametrize("import_path", PUBLIC_API)
def test_no_placeholder_is_left(import_path):
    """Every ``{name}`` line of the sources was rendered into its entries."""
    obj = skperceptron
    for name in import_path.split(".")[1:]:
        obj = getattr(obj, name)
    doc = inspect.getdoc(obj) or ""
    assert not re.search(r"^\s*\{\w+\}\s*$", doc, re.M), import_path
