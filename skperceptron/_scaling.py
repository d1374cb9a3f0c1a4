"""Standardized coordinates: the parameters the same model has on standardized inputs.

Math layer. Gradient descent with one scalar step moves as slowly as the worst
scaled, or the least centred, feature allows. The solvers therefore work on
``φ``, the parameters that the same model has when its inputs are
standardized, ``x̂ⱼ = (xⱼ − mⱼ)/sⱼ`` (weighted mean ``mⱼ`` and standard
deviation ``sⱼ`` of the training rows, as :class:`~sklearn.preprocessing.
StandardScaler` computes them)::

    x·w + b = x̂·φ_w + φ_b     with     wⱼ = φⱼ / sⱼ,   b = φ_b − Σⱼ mⱼ φⱼ / sⱼ

that is ``θ = T φ``, applied to every column of the first block of
parameters, ``[W; b]`` (``(n_features + 1) × n_columns``, row-major at the start
of ``θ``): the linear models' weights and intercepts, or the network's
hidden layer ``[W1; b1]``. The other parameters (the network's ``W2``, ``b2``)
are the same in both coordinates. ``X`` itself is never changed: ``J(Tφ)`` is
computed from ``X`` and ``θ``. By the chain rule the gradient is ``Tᵀ∇J``::

    ∂J/∂φⱼ = (∂J/∂wⱼ − mⱼ ∂J/∂b) / sⱼ = Σᵢ δᵢ x̂ᵢⱼ,     ∂J/∂φ_b = ∂J/∂b

the course notes' gradient ``Σᵢ δᵢ xᵢⱼ`` for the centred and scaled inputs, and
the Hessian is ``TᵀHT``. A constant column (all training rows equal) keeps
``sⱼ = 1`` and its exact value as ``mⱼ``, so that its ``x̂ⱼ`` is exactly 0; so
does a column whose variance is within the rounding of its mean (the test of
:class:`~sklearn.preprocessing.StandardScaler`), with ``sⱼ = 1``. A feature
whose standard deviation is below ``√alpha`` (the L2 penalty) is scaled by
``√alpha``: its penalty then bounds its curvature (:meth:`Standardization.from_data`).
"""

import functools

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator
from sklearn.utils import gen_batches
from sklearn.utils.sparsefuncs import mean_variance_axis

from ._blocks import BLOCK_BYTES, sum_over_rows, sum_row_blocks
from ._linalg import _largest_eigenvalue


class Standardization:
    """The map ``θ = T φ`` from standardized coordinates (see the module doc).

    Parameters
    ----------
    mean, scale : ndarray of shape (n_features,)
        ``mⱼ`` and ``sⱼ > 0`` of each feature.
    n_columns : int
        Columns of the first block ``[W; b]`` of the parameters.
    spread : ndarray of shape (n_features,)
        The weighted mean of ``x̂ⱼ²``: 1 for a standardized feature, less for
        one scaled by ``√alpha``, 0 for a constant one (``x̂ⱼ = 0``).
    """

    def __init__(self, mean, scale, n_columns, spread):
        self.mean = np.asarray(mean, dtype=np.float64)
        self.scale = np.asarray(scale, dtype=np.float64)
        self.n_columns = n_columns
        self.spread = np.asarray(spread, dtype=np.float64)
        self.constant = self.spread == 0
        self.n_features = self.mean.size
        self._size = (self.n_features + 1) * n_columns

    @classmethod
    def from_data(cls, X, sample_weight, n_columns, alpha=0.0):
        """Standardize the features of the rows of positive weight of ``X``.

        A feature whose standard deviation is below ``√alpha`` is scaled by
        ``√alpha`` instead: the penalty ``(alpha/2)wⱼ²``, not the data, then
        sets the curvature along ``φⱼ``, and ``√alpha`` keeps it at 1 (on
        standardized coordinates it would be ``alpha/sⱼ²``, without bound).

        Raises
        ------
        ValueError
            When the squares of ``X`` overflow float64, so that no
            standard deviation (and no curvature) can be computed.
        """
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        mean, variance, constant = _weighted_mean_variance(X, sample_weight)
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(variance))):
            largest = _largest_magnitude(X)
            raise ValueError(
                f"X holds values as large as {largest:.3g}, whose squares overflow "
                "float64: no curvature, and no safe step, can be computed from "
                "them. Scale the features first (e.g. with StandardScaler, or "
                "divide X by a constant)."
            )
        constant |= _within_rounding(variance, mean, np.count_nonzero(sample_weight))
        scale = np.where(constant, 1.0, np.maximum(np.sqrt(variance), np.sqrt(alpha)))
        spread = np.where(constant, 0.0, variance / scale**2)
        return cls(mean, scale, n_columns, spread)

    # -- vectors (or the columns of a matrix) of parameters --------------------

    def _rows(self, v):
        """Return the first block of ``v`` (or of each column of ``v``) by rows."""
        head = v[: self._size]
        return head.reshape(self.n_features + 1, self.n_columns, *v.shape[1:])

    def _cast(self, v):
        return self.mean.astype(v.dtype), self.scale.astype(v.dtype)

    def to_model(self, phi):
        """Return ``θ = T φ``: ``wⱼ = φⱼ / sⱼ``, ``b = φ_b − Σⱼ mⱼ wⱼ``."""
        theta = np.array(phi, copy=True)
        rows = self._rows(theta)
        mean, scale = self._cast(theta)
        rows[:-1] /= _column(scale, rows)
        rows[-1] -= np.tensordot(mean, rows[:-1], axes=1)
        return theta

    def to_standard(self, theta):
        """Return ``φ = T⁻¹θ``: ``φⱼ = sⱼ wⱼ``, ``φ_b = b + Σⱼ mⱼ wⱼ``."""
        phi = np.array(theta, copy=True)
        rows = self._rows(phi)
        mean, scale = self._cast(phi)
        rows[-1] += np.tensordot(mean, rows[:-1], axes=1)
        rows[:-1] *= _column(scale, rows)
        return phi

    def gradient(self, grad):
        """Return ``Tᵀ g``, the gradient by ``φ`` of a gradient ``g`` by ``θ``.

        ``(gⱼ − mⱼ g_b) / sⱼ`` for the weights, ``g_b`` for the intercepts.
        """
        out = np.array(grad, copy=True)
        rows = self._rows(out)
        mean, scale = self._cast(out)
        rows[:-1] -= _column(mean, rows) * rows[-1]
        rows[:-1] /= _column(scale, rows)
        return out

    def model_direction(self, grad):
        """Return ``T⁻¹T⁻ᵀ g``: the change of ``φ`` that changes ``θ`` by ``T⁻ᵀg``.

        For ``g = Tᵀ∇θJ``, the gradient by ``φ``, it is the change of ``φ``
        that changes ``θ`` by ``∇θJ``: a step of gradient descent on ``θ``,
        written in standardized coordinates.
        """
        out = np.array(grad, copy=True)
        rows = self._rows(out)
        mean, scale = self._cast(out)
        rows[:-1] *= _column(scale, rows)  # T⁻ᵀ: sⱼ gⱼ + mⱼ g_b
        rows[:-1] += _column(mean, rows) * rows[-1]
        rows[-1] += np.tensordot(mean, rows[:-1], axes=1)  # T⁻¹: sⱼ vⱼ, v_b + m·v
        rows[:-1] *= _column(scale, rows)
        return out

    def matrix(self, H):
        """Return ``TᵀHT`` for a symmetric ``H``: dense array or LinearOperator."""
        if isinstance(H, LinearOperator):
            return LinearOperator(
                H.shape,
                matvec=lambda v: self.gradient(H @ self.to_model(np.ravel(v))),
                dtype=H.dtype,
            )
        M = self.gradient(self.gradient(H).T)
        M += M.T
        M *= 0.5  # exactly symmetric, as H is
        return M

    def standardized_rows(self, X):
        """Return ``x̂ = (x − m)/s`` of the rows ``X`` (dense float64)."""
        X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
        return (X - self.mean) / self.scale

    def sum_blocks(self, terms, X):
        """Return the sum over row blocks of ``terms(x̂, rows)`` (a tuple of arrays).

        ``x̂`` is the block ``(X[rows] − m)/s``, dense float64: the blocks are
        standardized one at a time (no copy of ``X``), on the threads of
        :func:`~skperceptron._blocks.sum_row_blocks`.
        """

        def block_terms(rows):
            return terms(self.standardized_rows(X[rows]), rows)

        return sum_row_blocks(block_terms, X.shape[0], self._block_rows())

    def max_over_rows(self, values, X, sample_weight):
        """Return the largest ``values(x̂, rows)`` over the rows of positive weight.

        ``values`` returns one number per row of the standardized block ``x̂``
        of the rows ``rows`` (indices into ``X``).
        """
        rows = np.flatnonzero(sample_weight > 0)
        top = -np.inf
        for batch in gen_batches(rows.size, self._block_rows()):
            block = rows[batch]
            top = max(top, float(values(self.standardized_rows(X[block]), block).max()))
        return top

    def _block_rows(self):
        """Rows per standardized block: :data:`~skperceptron._blocks.BLOCK_BYTES`."""
        return max(1, BLOCK_BYTES // (8 * (self.n_features + 1)))

    def standardized_product(self, X, v):
        """Return ``X̂ v`` with ``X̂ = [x̂, 1]``, from ``X`` (dense or sparse)."""
        w = v[:-1] / self.scale
        return np.asarray(X @ w).ravel() + (v[-1] - self.mean @ w)

    def standardized_transpose_product(self, X, u):
        """Return ``X̂ᵀ u`` with ``X̂ = [x̂, 1]``, from ``X`` (dense or sparse)."""
        total = u.sum()
        return np.append(
            (np.asarray(X.T @ u).ravel() - self.mean * total) / self.scale, total
        )


def _column(values, rows):
    """``values`` shaped to scale the feature rows of ``rows`` (one per row)."""
    return values.reshape((-1,) + (1,) * (rows.ndim - 1))


def _weighted_mean_variance(X, sample_weight):
    """Weighted mean and variance of each column (float64), and the constant ones.

    A constant column (equal on every row of positive weight) gets its exact
    value as its mean, so that ``x − m`` is exactly 0 there. Dense ``X``: one
    pass over the rows, about a row of positive weight ``x_r``: with
    ``S₁ = Σᵢ cᵢ(xᵢ − x_r)`` and ``S₂ = Σᵢ cᵢ(xᵢ − x_r)²``, ``m = x_r + S₁`` and
    ``v = S₂ − S₁²``, whose rounding error is ``eps · S₂`` (a few ulps of
    ``v`` unless ``x_r`` lies many standard deviations from ``m``: then a
    second pass about ``m``); ``S₂`` is exactly 0 for a constant column only.
    """
    if sp.issparse(X):
        with np.errstate(over="ignore", invalid="ignore"):
            mean, variance = mean_variance_axis(
                X.astype(np.float64), axis=0, weights=sample_weight
            )
        constant, value = _constant_sparse_columns(X, sample_weight)
        mean[constant] = value[constant]
        return mean, variance, constant
    Y = np.empty((X.shape[0], 0))
    reference = np.asarray(X[np.argmax(sample_weight > 0)], dtype=np.float64)

    def about(center):
        def terms(X, _, c):
            with np.errstate(over="ignore", invalid="ignore"):
                shifted = X - center
                return c @ shifted, c @ np.square(shifted, out=shifted)

        return terms

    shift, spread = sum_over_rows(about(reference), X, Y, sample_weight)
    mean = reference + shift
    with np.errstate(over="ignore", invalid="ignore"):
        variance = np.maximum(spread - np.square(shift), 0.0)
        inaccurate = spread > _SHIFTED_ACCURACY * variance
    if np.any(inaccurate & (spread > 0)):
        _, variance = sum_over_rows(about(mean), X, Y, sample_weight)
    return mean, variance, spread == 0


#: ``S₂ / v`` above which the shifted sums lose more than ~8 digits of ``v``.
_SHIFTED_ACCURACY = 1e8


def _constant_sparse_columns(X, sample_weight):
    """Return the columns of sparse ``X`` constant on rows of positive weight."""
    X = sp.csr_array(X)[np.flatnonzero(sample_weight > 0)]
    low = X.min(axis=0).toarray().ravel()
    high = X.max(axis=0).toarray().ravel()
    return low == high, high.astype(np.float64)


def _within_rounding(variance, mean, n_samples):
    """Columns whose variance is within the rounding of their mean: constant.

    The test of :class:`~sklearn.preprocessing.StandardScaler`: such a
    column varies by less than its own rounding error, and scaling it by
    ``1/sⱼ`` would magnify that error without bound.
    """
    eps = np.finfo(np.float64).eps
    return variance <= n_samples * eps * variance + (n_samples * mean * eps) ** 2


def _largest_magnitude(X):
    data = X.data if sp.issparse(X) else X
    return float(np.max(np.abs(data))) if data.size else 0.0


class StandardizedObjective:
    """An objective as a function of the standardized coordinates ``φ``, ``θ = Tφ``.

    ``J(Tφ)``, its gradient ``Tᵀ∇J`` and its Newton matrix ``TᵀMT``, for the
    optimizers; the objective itself stays a function of ``θ``.

    Parameters
    ----------
    objective : LinearObjective or TwoLayerObjective
        The objective, a function of the model's parameters ``θ``.
    n_columns : int
        Columns of the first block ``[W; b]`` of ``θ``.
    """

    def __init__(self, objective, n_columns):
        self.objective = objective
        self.n_columns = n_columns
        self.n_samples = objective.n_samples
        self.n_params = objective.n_params
        self.convex = objective.convex

    @functools.cached_property
    def standardization(self):
        """The map ``T``, from the objective's rows, computed at its first use."""
        objective = self.objective
        return Standardization.from_data(
            objective.X, objective.sample_weight, self.n_columns, objective.alpha
        )

    def to_model(self, phi):
        """Return the model's parameters ``θ = Tφ``."""
        return self.standardization.to_model(phi)

    def to_standard(self, theta):
        """Return the standardized coordinates ``φ = T⁻¹θ``."""
        return self.standardization.to_standard(theta)

    def value_and_gradient(self, phi, batch=None):
        """Return ``J(Tφ)`` and its gradient by ``φ``, ``Tᵀ∇J(Tφ)``."""
        value, grad = self.objective.value_and_gradient(self.to_model(phi), batch)
        return value, self.standardization.gradient(grad)

    def __call__(self, phi, batch=None):
        """Alias of :meth:`value_and_gradient`, the optimizers' interface."""
        return self.value_and_gradient(phi, batch)

    def newton_matrix(self, phi):
        """Return ``TᵀMT``, ``M`` the objective's Newton matrix at ``Tφ``."""
        return self.standardization.matrix(
            self.objective.newton_matrix(self.to_model(phi))
        )

    def decision(self, phi, X):
        """Return the raw output scores of other rows ``X`` at ``θ = Tφ``."""
        return self.objective.decision(self.to_model(phi), X)

    def model_direction(self, grad):
        """Return the change of ``φ`` that changes ``θ`` by ``∇θJ`` (``g = ∇φJ``)."""
        return self.standardization.model_direction(grad)

    def steps(self, phi, per_sample=False):
        """Return per-coordinate steps of gradient descent on ``φ``."""
        return self.objective.standardized_steps(
            self.to_model(phi), self.standardization, per_sample
        )


def jacobi_steps(diagonal, curvature, top=None):
    """Return the steps ``αⱼ = 1 / (λ Dⱼⱼ)`` of a Jacobi-scaled safe descent.

    ``M`` is a bound of the curvature of ``J`` (``∇²J ⪯ M``) and ``D`` its
    diagonal. With ``λ = λmax(D^-½ M D^-½)``, the step matrix
    ``P = D⁻¹/λ`` has ``P^½ M P^½ ⪯ I``, so that every update
    ``φ ← φ − P∇J`` decreases ``J``: gradient descent with one step per
    coordinate, each scaled to its own curvature. Coordinates of zero
    curvature (a constant feature without penalty, whose gradient is 0) get
    the step 0; ``D`` is floored (:func:`floor_curvature`).

    Parameters
    ----------
    diagonal : ndarray of shape (n,)
        ``D``, non-negative.
    curvature : ndarray of shape (n, n) or callable
        ``M``, or ``v ↦ M v``.
    top : float, default=None
        ``λ`` when already known (a per-sample bound); computed if None.

    Returns
    -------
    steps : ndarray of shape (n,)
    """
    diagonal = floor_curvature(diagonal)
    active = diagonal > 0
    root = np.zeros_like(diagonal)
    root[active] = 1 / np.sqrt(diagonal[active])
    if top is None:
        top = _largest_eigenvalue(curvature, root)
    steps = np.zeros_like(diagonal)
    steps[active] = 1 / (top * diagonal[active])
    return steps


def floor_curvature(diagonal):
    """Return ``D`` with its positive entries at least ``eps · max(D)``.

    A curvature that many orders below the largest is rounding (a row of
    subnormal weight, say), and its step ``1/D`` would overflow; zeros, the
    coordinates that do not move, stay zero.
    """
    diagonal = np.asarray(diagonal, dtype=np.float64)
    floor = np.finfo(np.float64).eps * diagonal.max(initial=0.0)
    return np.where(diagonal > 0, np.maximum(diagonal, floor), 0.0)


def inverse_curvature(diagonal):
    """Return ``1/D`` where ``D > 0``, and 0 where ``D = 0``."""
    return np.divide(1.0, diagonal, out=np.zeros_like(diagonal), where=diagonal > 0)
