"""Every private scikit-learn name the package uses, imported here and only here.

scikit-learn keeps these names out of its public API and may move them in
any release; when it does, this module is the one place to mend. Supported:
scikit-learn 1.6 to 1.9 (``tests/test_compat.py`` checks each name).
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context as fit_context
from sklearn.utils._param_validation import (
    Interval,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call as check_partial_fit_first_call,
)
from sklearn.utils.validation import _check_sample_weight

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # older releases have no callbacks

    class CallbackSupportMixin:
        """Stand-in for scikit-learn < 1.9: no ``set_callbacks``."""


__all__ = [
    "CallbackSupportMixin",
    "Integral",
    "Interval",
    "Real",
    "StrOptions",
    "callback_context",
    "check_partial_fit_first_call",
    "check_sample_weight",
    "fit_context",
    "has_callbacks",
    "validate_parameter_constraints",
]


def check_sample_weight(sample_weight, X, **kwargs):
    """Return scikit-learn's checked ``sample_weight``, refusing all-zero weights.

    scikit-learn refuses weights that are all zero from release 1.7 on; with
    1.6 they would divide by zero, so they are refused here for every release.
    """
    sample_weight = _check_sample_weight(sample_weight, X, **kwargs)
    if not np.any(sample_weight):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return sample_weight


def callback_context(estimator, max_subtasks):
    """Return the root callback context of a fit of at most ``max_subtasks`` steps.

    None without ``sklearn.callback`` (scikit-learn < 1.9).
    """
    if not hasattr(estimator, "_init_callback_context"):
        return None
    return estimator._init_callback_context(max_subtasks=max_subtasks)


def has_callbacks(estimator):
    """Tell whether callbacks were set on ``estimator`` (``set_callbacks``)."""
    return bool(getattr(estimator, "_skl_callbacks", None))
