"""Central finite differences, the reference for every hand-derived derivative."""

import numpy as np


def numerical_gradient(fun, theta, step=1e-6):
    """Central differences of a scalar ``fun`` at ``theta`` (float64)."""
    theta = np.asarray(theta, dtype=np.float64)
    grad = np.empty_like(theta)
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = step
        grad[k] = (fun(theta + e) - fun(theta - e)) / (2 * step)
    return grad


def numerical_jacobian(fun, theta, step=1e-6):
    """Central differences of a vector ``fun``: rows are outputs."""
    theta = np.asarray(theta, dtype=np.float64)
    columns = []
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = step
        columns.append((fun(theta + e) - fun(theta - e)) / (2 * step))
    return np.column_stack(columns)
