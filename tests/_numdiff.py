"""Central finite differences, the reference for every hand-derived derivative.

Both are the package's one routine, :func:`skperceptron._check.central_differences`
(relative steps ``step · max(1, |θᵢ|)``), laid out as the tests read them.
"""

from skperceptron._check import central_differences


def numerical_gradient(fun, theta, step=1e-6):
    """Central differences of a scalar ``fun`` at ``theta`` (float64)."""
    return central_differences(fun, theta, epsilon=step)


def numerical_jacobian(fun, theta, step=1e-6):
    """Central differences of a vector ``fun``: rows are outputs."""
    return central_differences(fun, theta, epsilon=step).T
