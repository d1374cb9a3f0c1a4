"""The problem Newton's method solves: the caller's callables, checked.

Optimizer layer. :class:`_Problem` wraps ``fun``, ``grad`` and ``hess`` so
that the optimizer works on flat 1-D arrays of one dtype (float32 kept,
anything else float64) while the callables receive ``x`` in the shape of
``x0``. It counts the calls, checks the type and shape of what each returns
(``_check_x0``, ``_check_scalar``, ``_check_array``), turns a sparse Hessian
into a :class:`~scipy.sparse.linalg.LinearOperator`, and uses a dense Hessian
through its symmetric part ``(H + H^T) / 2``, which has the same quadratic
form, warning when ``H`` is not symmetric to ``sqrt(eps)`` relative to its
largest entry.
"""

import numpy as np
from scipy.sparse import issparse
from scipy.sparse.linalg import LinearOperator, aslinearoperator

from ._warnings import warn


class _Problem:
    """The caller's callables on flat 1-D arrays of one dtype, counting calls.

    Checks ``x0`` and what each callable returns, and passes ``x`` to them in
    the shape of ``x0``.
    """

    def __init__(self, fun, grad, hess, x0):
        self._fun, self._grad, self._hess = fun, grad, hess
        self.start, self.shape, self.dtype = _check_x0(x0)
        self.scalar = self.shape == ()
        self.n = self.start.size
        self.nfev = self.njev = self.nhev = 0
        self._warned_asymmetry = False

    def unflatten(self, x):
        """Return ``x`` in the caller's shape: a scalar if ``x0`` was one."""
        return x[0] if self.scalar else x.reshape(self.shape).copy()

    def fun(self, x):
        """Objective at ``x``; numpy's warnings outside its domain are silenced."""
        self.nfev += 1
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            value = self._fun(self.unflatten(x))
        return _check_scalar(value)

    def grad(self, x):
        """Gradient at ``x``, shape (n,)."""
        self.njev += 1
        g = _check_array(self._grad(self.unflatten(x)), "grad", self._grad_shapes())
        return g.astype(self.dtype, copy=False).reshape(-1)

    def hess(self, x):
        """Hessian at ``x``: an array of shape (n, n), or a LinearOperator."""
        self.nhev += 1
        H = self._hess(self.unflatten(x))
        n = self.n
        if issparse(H) or isinstance(H, LinearOperator):
            if H.shape != (n, n):
                raise ValueError(
                    f"hess(x) must return a matrix or LinearOperator of shape "
                    f"({n}, {n}) for x0 of {n} variables, got shape {H.shape}."
                )
            return aslinearoperator(H) if issparse(H) else H
        H = _check_array(H, "hess", self._hess_shapes())
        H = H.astype(self.dtype, copy=False).reshape(n, n)
        return self._symmetric(H)

    def _grad_shapes(self):
        shapes = [self.shape, (self.n,)] + ([(), (1,)] if self.n == 1 else [])
        return list(dict.fromkeys(shapes))

    def _hess_shapes(self):
        shapes = [(self.n, self.n), self.shape + self.shape]
        return list(dict.fromkeys(shapes + ([(), (1,)] if self.n == 1 else [])))

    def _symmetric(self, H):
        """``(H + H^T) / 2``; a UserWarning once if ``H`` is far from symmetric."""
        if np.array_equal(H, H.T):
            return H
        with np.errstate(invalid="ignore", over="ignore"):
            asymmetry = float(np.max(np.abs(H - H.T)))
            size = float(np.max(np.abs(H)))
        tolerance = np.sqrt(np.finfo(self.dtype).eps) * size
        if asymmetry > tolerance and not self._warned_asymmetry:
            self._warned_asymmetry = True
            warn(
                "NewtonOptimizer: hess(x) returned a matrix that is not "
                f"symmetric: max|H - H.T| = {asymmetry:.3g}, "
                f"{asymmetry / size:.3g} of max|H|. A Hessian is symmetric; "
                "check hess against the gradient (finite differences of grad), "
                "e.g. a transposed block or a missing term. Its symmetric part "
                "(H + H.T) / 2 is used.",
                UserWarning,
            )
        return (H + H.T) / 2


def _check_x0(x0):
    """Return ``x0`` flattened in its working dtype, its shape, and that dtype."""
    array = np.asarray(x0)
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"x0 must be a real number or an array of real numbers, got {array.dtype}."
        )
    if array.size == 0:
        raise ValueError(f"x0 is empty (shape {array.shape}); give a starting point.")
    dtype = np.float32 if array.dtype == np.float32 else np.float64
    x = np.array(array, dtype=dtype).reshape(-1)
    if not np.all(np.isfinite(x)):
        bad = np.flatnonzero(~np.isfinite(x))
        raise ValueError(
            f"x0 must be finite; it holds {x[bad[0]]} at flat index {bad[0]} "
            f"({bad.size} non-finite value(s) in all)."
        )
    return x, array.shape, dtype


def _check_scalar(value):
    """Return ``fun``'s value as a float, or say what is wrong with it."""
    if value is None:
        raise TypeError("fun(x) returned None; it must return the objective, a float.")
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"fun(x) must return a real number (a float), got {type(value).__name__}."
        )
    if array.size != 1:
        raise ValueError(
            f"fun(x) must return a scalar (a float), got an array of shape "
            f"{array.shape}."
        )
    return float(array.reshape(()))


def _check_array(value, name, shapes):
    """Return ``value`` as a real array of one of ``shapes``, or say what is wrong."""
    expected = " or ".join(str(shape) for shape in shapes)
    what = "the gradient" if name == "grad" else "the Hessian"
    if value is None:
        raise TypeError(
            f"{name}(x) returned None; it must return {what}, an array of shape "
            f"{expected}."
        )
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{name}(x) must return {what} as an array of real numbers of shape "
            f"{expected}, got {type(value).__name__} of dtype {array.dtype}."
        )
    if array.shape not in shapes:
        raise ValueError(
            f"{name}(x) must return {what} as an array of shape {expected}, got "
            f"shape {array.shape}."
        )
    return array
