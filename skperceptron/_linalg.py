"""Linear algebra of Newton's method: spectra, damped solves, curvature tests.

Optimizer layer, on arrays and :class:`~scipy.sparse.linalg.LinearOperator`
only. One family of eigenvalue routines, sharing one threshold,
``_MAX_DENSE_SPECTRUM``: a matrix known by its products and of at most that
size is materialized and decomposed exactly (``eigh``, ``eigvalsh``); a
larger one goes through Lanczos (``eigsh``) with a bounded number of
restarts. They share one relative tolerance too, ``sqrt(eps)``
(``_relative_tolerance``): curvature below it, relative to the largest, is
rounding.

- ``_curvature``: the smallest eigenvalue of a Hessian ``H`` with its
  eigenvector, and its largest ``|eigenvalue|``; ``_is_psd`` tells from them
  whether ``H`` is positive semi-definite up to ``sqrt(eps)``, relatively
  (the second-order necessary condition for a minimum).
- ``_Spectrum``: from ``H = Q diag(mu) Q^T``, the damped directions
  ``d(lam) = -(H + lam I)^{-1} g = -Q (Q^T g / (mu + lam))`` for every
  damping ``lam`` at once; ``_damping_for_radius`` picks the smallest
  ``lam`` above ``-mu_min`` whose step is no longer than a radius (Moré and
  Sorensen's trust-region step).
- ``_largest_eigenvalue``: ``λmax(R M R)`` for a diagonal ``R``, the scale
  of the safe steps of Jacobi-scaled gradient descent
  (:func:`skperceptron._scaling.jacobi_steps`).

The damped Newton system ``(H + lam I) d = -g`` is solved by Cholesky
(``_solve_damped``), whose failure, or a pivot below ``sqrt(eps)`` of its
diagonal entry (``_nearly_singular``), says that the matrix is not positive
definite; matrix-free by conjugate gradients (``_solve_cg``), whose search
directions check the curvature as they go. ``_scale``, ``||H g|| / ||g||``,
is the Hessian's magnitude along the gradient, which sets the first damping
and the first radius in the units of ``H``.
"""

from collections import namedtuple

import numpy as np
from scipy.linalg import LinAlgError, cho_factor, cho_solve, eigh, eigvalsh
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

#: A matrix given by its products (a LinearOperator, or a callable ``v ↦ M v``)
#: of at most this size is materialized (``n`` products) and its spectrum read
#: exactly by a dense eigensolver; larger ones go through Lanczos (eigsh). The
#: one threshold of every eigenvalue routine below.
_MAX_DENSE_SPECTRUM = 64
# Restarts allowed to Lanczos on a larger one: a few hundred products with H,
# so that the curvature test costs a handful of Newton iterations, not more.
_LANCZOS_RESTARTS = 20


def _relative_tolerance(dtype):
    """Return ``sqrt(eps)`` of ``dtype``, the one relative tolerance of the spectra.

    An eigenvalue (or Cholesky pivot) below ``sqrt(eps)`` times the largest
    (or its diagonal entry) is rounding: the curvature tests, the least
    damping and the nearly singular test all use it.
    """
    return np.sqrt(np.finfo(dtype).eps)


# Smallest eigenvalue of H with its eigenvector, and the largest |eigenvalue|.
_Curvature = namedtuple("_Curvature", ["smallest", "vector", "largest"])


def _curvature(H):
    """Smallest eigenvalue and eigenvector, and largest ``|eigenvalue|``, of ``H``.

    Dense Hessians, and LinearOperators of size at most ``_MAX_DENSE_SPECTRUM``
    (materialized by ``n`` products), use :func:`scipy.linalg.eigh`. Larger
    LinearOperators use Lanczos (:func:`scipy.sparse.linalg.eigsh`) on each end
    of the spectrum, with a bounded number of restarts, and give None if it
    does not converge.
    """
    n = H.shape[0]
    if isinstance(H, LinearOperator) and n <= _MAX_DENSE_SPECTRUM:
        H = H.matmat(np.eye(n, dtype=H.dtype))
    if not isinstance(H, LinearOperator):
        values, vectors = eigh(H)
        return _Curvature(values[0], vectors[:, 0], np.max(np.abs(values)))
    lanczos = {"k": 1, "tol": 1e-6, "ncv": min(n, 40), "maxiter": _LANCZOS_RESTARTS}
    try:
        smallest, vectors = eigsh(H, which="SA", **lanczos)
        largest, _ = eigsh(H, which="LA", **lanczos)
    except ArpackNoConvergence:
        return None
    top = max(abs(smallest[0]), abs(largest[0]))
    return _Curvature(smallest[0], vectors[:, 0], top)


def _is_small(H):
    """Tell whether ``H``'s spectrum is read exactly (dense or small operator)."""
    return not isinstance(H, LinearOperator) or H.shape[0] <= _MAX_DENSE_SPECTRUM


def _is_psd(curvature, dtype):
    """Tell whether ``H`` is positive semi-definite up to ``sqrt(eps)``, relatively."""
    tolerance = _relative_tolerance(dtype) * curvature.largest
    return curvature.smallest >= -tolerance


def _scale(H, g):
    """Return the Hessian's magnitude along the gradient, ``||H g|| / ||g||``.

    It sets the first damping in the units of ``H``; 1.0 when it is 0 or not
    finite. The ratio does not depend on the size of ``g``: it is computed for
    ``g / max|g|`` in float64, whose squared norms neither overflow (float32
    ``H g`` above 1.8e19) nor underflow (gradients below 1e-154) to 0.
    """
    g = np.asarray(g, dtype=np.float64)
    top = np.max(np.abs(g))
    if not 0 < top < np.inf:
        return 1.0
    g = g / top
    scale = float(np.linalg.norm(H @ g) / np.linalg.norm(g))
    return scale if 0 < scale < np.inf else 1.0


class _Spectrum:
    """The damped directions ``d(lam) = -(H + lam I)^{-1} g`` of a dense ``H``.

    From ``H = Q diag(mu) Q^T``: ``d(lam) = -Q (Q^T g / (mu + lam))``, for any
    ``lam`` at the cost of two products with ``Q``. The damping is at least
    ``floor = max(0, -mu_min) + sqrt(eps) max|mu|``, so that ``H + lam I`` is
    positive definite, and ``d`` is a descent direction, to rounding. Computed
    in float64.
    """

    def __init__(self, H, g):
        self.values, self.vectors = eigh(np.asarray(H, dtype=np.float64))
        self.gq = self.vectors.T @ np.asarray(g, dtype=np.float64)
        top = float(np.max(np.abs(self.values)))
        tolerance = _relative_tolerance(g.dtype)
        self.floor = max(-self.values[0], 0.0) + tolerance * top
        # Eigenvectors of negative curvature (beyond the PSD tolerance) on which
        # g has no component (to rounding): no damped direction moves along
        # them, however close to -mu_min the damping. A symmetry of f does
        # this: two interchangeable terms stay equal at every damped step,
        # in a subspace that may hold no minimum at all.
        unreached = (self.values < -tolerance * top) & (
            np.abs(self.gq) <= tolerance * _norm(g)
        )
        self.unreached = self.vectors[:, np.flatnonzero(unreached)[:1]]

    def direction(self, radius):
        """Return ``(lam, d)``: the least damping with ``||d(lam)|| <= radius``.

        The damped direction, plus (if any) the most negative eigenvector
        that ``g`` does not reach, of the same length (its sign fixed by its
        largest entry, positive).
        """
        damping = _damping_for_radius(self.values, self.gq, radius, self.floor)
        with np.errstate(over="ignore", invalid="ignore"):
            d = -(self.vectors @ (self.gq / (self.values + damping)))
        if self.unreached.size:
            u = self.unreached[:, 0]
            u = u if u[np.argmax(np.abs(u))] > 0 else -u
            d = d + _norm(d) * u
        return damping, d


def _damping_for_radius(values, gq, radius, floor):
    """Smallest ``lam >= floor`` with ``||gq / (values + lam)|| <= radius``.

    The step length ``||d(lam)||`` decreases with ``lam``; the root of
    ``1 / ||d(lam)|| = 1 / radius``, a nearly linear function of ``lam``
    (Moré and Sorensen), is found by Newton's method, safeguarded by
    bisection, to a relative step length of 1e-3. Norms are scaled, so that
    neither they nor the derivative overflow.
    """
    if not radius > 0:  # cut to nothing (or underflowed): no step at all
        return np.inf
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        if _norm(gq / (values + floor)) <= radius:
            return floor
        low = floor
        high = min(max(floor, -values[0]) + _norm(gq) / radius, np.finfo(float).max)
        damping = low
        for _ in range(100):
            w = gq / (values + damping)
            length = _norm(w)
            if abs(length - radius) <= 1e-3 * radius:
                break
            if length > radius:
                low = damping
            else:
                high = damping
            # d(1 / ||w||) / d lam = sum(u**2 / (values + lam)) / ||w||, u = w / ||w||
            u = w / length
            slope = np.sum(u * u / (values + damping)) / length
            newton = damping - (1 / length - 1 / radius) / slope
            damping = newton if low < newton < high else (low + high) / 2
    return float(damping)


def _solve_damped(H, g, damping, cg_maxiter):
    """Solve ``(H + damping I) d = -g``; None if that matrix is not positive definite.

    Dense ``H``: Cholesky factorization, whose failure is the test; for the
    plain system (``damping = 0``) a nearly singular ``H`` fails it too
    (:func:`_nearly_singular`). LinearOperator ``H``: conjugate gradients
    (:func:`_solve_cg`).
    """
    if isinstance(H, LinearOperator):
        return _solve_cg(H, g, damping, cg_maxiter)
    with np.errstate(over="ignore", invalid="ignore"):
        damped = H + damping * np.eye(g.size, dtype=g.dtype)
    if not np.all(np.isfinite(damped)):  # damping beyond the range of g.dtype
        return None
    try:
        factor = cho_factor(damped)
    except LinAlgError:
        return None
    if damping == 0 and _nearly_singular(factor[0], H):
        return None
    return cho_solve(factor, -g)


def _nearly_singular(cholesky, H):
    """Tell whether a Cholesky pivot of ``H`` is below ``sqrt(eps) * H[i, i]``.

    Pivot ``i`` is what remains of ``H[i, i]`` once the variables before it
    are eliminated: a tiny fraction says that variable ``i`` is, to rounding,
    a combination of the others (collinear features). Cholesky then succeeds
    or fails by the sign of rounding errors, and the Newton step moves along
    that combination by rounding error over rounding error. Relative to the
    diagonal, the test ignores the scaling of the variables.
    """
    pivots = np.diag(cholesky) ** 2
    return bool(np.any(pivots <= _relative_tolerance(H.dtype) * np.diag(H)))


def _solve_cg(H, g, damping, maxiter):
    """Inexact Newton direction by conjugate gradients, matrix-free.

    Solves ``(H + damping I) d = -g`` from ``d = 0`` to the relative residual
    ``min(0.5, sqrt(||g||))`` (superlinear convergence) or ``maxiter``
    iterations (``10 n`` if None). The curvature ``p @ (H + damping I) p`` of
    every search direction is checked, as in Nocedal and Wright's Newton-CG
    (algorithm 7.1): where it is not positive the matrix is not positive
    definite and the answer is None, so that the damping is raised, as a
    failed Cholesky factorization does for a dense ``H``. Also None when
    ``d`` is not finite.
    """
    maxiter = 10 * g.size if maxiter is None else maxiter
    target = min(0.5, float(np.sqrt(np.linalg.norm(g)))) * np.linalg.norm(g)
    d, residual = np.zeros_like(g), g.copy()  # residual = (H + damping I) d + g
    direction, squared = -g, g @ g
    for _ in range(maxiter):
        product = np.ravel(H @ direction) + damping * direction
        curvature = direction @ product
        if not curvature > 0:
            return None
        step = squared / curvature
        d += step * direction
        residual += step * product
        squared, previous = residual @ residual, squared
        if np.sqrt(squared) <= target:
            break
        direction = -residual + (squared / previous) * direction
    return d if np.all(np.isfinite(d)) else None


def _norm(v):
    """Euclidean norm of ``v`` in float64, without overflow or underflow."""
    v = np.asarray(v, dtype=np.float64)
    top = np.max(np.abs(v))
    if not 0 < top < np.inf:
        return float(top)  # 0, inf or nan
    return float(top * np.linalg.norm(v / top))


def _largest_eigenvalue(curvature, root):
    """``λmax(R M R)`` for ``R = diag(root)``; at least 1 (its diagonal is 1)."""
    n = root.size
    if not callable(curvature):
        N = root[:, None] * curvature * root[None, :]
        return max(1.0, float(eigvalsh(N, subset_by_index=[n - 1, n - 1])[0]))
    if n <= _MAX_DENSE_SPECTRUM:
        M = np.column_stack([curvature(e) for e in np.eye(n)])
        return _largest_eigenvalue(0.5 * (M + M.T), root)
    operator = LinearOperator(
        (n, n), matvec=lambda v: root * curvature(root * np.ravel(v)), dtype=float
    )
    v0 = np.random.RandomState(0).uniform(-1, 1, size=n)  # fixed: deterministic
    try:
        top = eigsh(
            operator, k=1, which="LA", v0=v0, tol=1e-3, return_eigenvectors=False
        )
    except ArpackNoConvergence:
        return float(np.count_nonzero(root))  # λmax ≤ trace: safe, if slow
    return max(1.0, 1.01 * float(top[0]))  # raised by 1% for Lanczos' tolerance
