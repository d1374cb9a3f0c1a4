"""Newton's method for smooth minimization, with adaptive damping and a line search.

Seed 004 minimizes ``g(x) = exp(x) - log(x)`` by Newton's root-finding update
applied to the derivative, ``x <- x - g'(x) / g''(x)``. In ``n`` dimensions the
update solves the Newton system ``H d = -g`` for the gradient ``g`` and the
Hessian ``H``. :class:`NewtonOptimizer` runs exactly that update whenever it is
safe, and adds only what makes it reliable on any twice-differentiable function.
Each iteration has four stages, each one private function below:

1. Evaluate ``g`` and ``H`` at ``x_k``. Stop when ``max|g| <= tol`` and ``H``
   has no negative curvature (``_curvature``, ``_is_psd``); for a function
   declared convex, when ``max|g| <= tol``, without evaluating ``H``. At a stationary
   point that is a saddle or a maximum, step along the eigenvector of the most
   negative eigenvalue instead (``_negative_curvature_step``).
2. Solve for a descent direction (``_newton_step``, ``_solve_damped``): the
   plain Newton system ``H d = -g`` by Cholesky first; when ``H`` is not
   positive definite, the damped system ``(H + lam I) d = -g``, the
   Levenberg-Marquardt damping ``lam`` being multiplied by ``damping_factor``
   until the Cholesky factorization succeeds. When ``hess`` returns a
   ``LinearOperator`` the damped system is solved matrix-free by conjugate
   gradients (``_solve_cg``), and a CG solution without positive curvature
   raises ``lam`` the same way. Every direction must satisfy ``g @ d < 0``.
3. Search along ``d`` by Armijo backtracking that tries the full step ``t = 1``
   first (``_backtrack``), so that near a minimum with a positive definite
   Hessian the iterates are exactly Newton's. A trial point where ``f`` is not
   finite (outside its domain) is a failed trial. If the search fails, ``lam``
   is raised and stage 2 repeated. A damped step accepted at ``t = 1`` was
   shortened by the damping rather than by the quadratic model, so it is doubled
   while ``f`` keeps decreasing (``_expand``).
4. Remember the damping (``_remember_damping``): the next damped solve starts
   from the last ``lam``, divided by ``damping_factor`` after a full step.
"""

import warnings
from collections import namedtuple

import numpy as np
from scipy.linalg import LinAlgError, cho_factor, cho_solve, eigh
from scipy.optimize import OptimizeResult
from scipy.sparse import issparse
from scipy.sparse.linalg import (
    ArpackNoConvergence,
    LinearOperator,
    aslinearoperator,
    eigsh,
)
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Integral, Interval, Real, StrOptions

from . import _progress as progress

# A LinearOperator Hessian of at most this size is materialized (n products
# with H) to read its spectrum exactly; larger ones go through Lanczos (eigsh).
_MAX_DENSE_SPECTRUM = 64
# Restarts allowed to Lanczos on a larger one: a few hundred products with H,
# so that the curvature test costs a handful of Newton iterations, not more.
_LANCZOS_RESTARTS = 20
# How many times the damping may be raised within one iteration.
_MAX_DAMPING_RAISES = 60

_MESSAGES = {
    0: "Optimization terminated successfully.",
    1: "Maximum number of iterations reached before the gradient test passed.",
    2: "No further progress possible: the line search failed for every damping, "
    "or the gradient or Hessian is not finite.",
    3: "Stopped by the callback.",
}

# An accepted step: the new point and objective, the step size t and damping.
_Step = namedtuple("_Step", ["x", "fun", "step_size", "damping"])
# Smallest eigenvalue of H with its eigenvector, and the largest |eigenvalue|.
_Curvature = namedtuple("_Curvature", ["smallest", "vector", "largest"])


class NewtonOptimizer(BaseEstimator):
    """Minimize a smooth function by Newton's method with damping and line search.

    The seeds' Newton update ``x <- x - f'(x) / f''(x)``, written for any number
    of variables as the system ``H d = -g``, made reliable by documented stages:
    a Cholesky solve of the Newton system, Levenberg-Marquardt damping
    ``(H + lam I) d = -g`` when ``H`` is not positive definite, Armijo
    backtracking that tries the full Newton step first, and an escape along
    negative curvature from saddle points and maxima. The Hessian may be a
    dense array or a :class:`~scipy.sparse.linalg.LinearOperator` (matrix-free,
    solved by conjugate gradients). The stages are described in the docstring
    of the module ``skperceptron._newton``.

    The class derives from :class:`~sklearn.base.BaseEstimator` only for
    ``get_params``, ``set_params``, ``clone`` and its repr.

    Parameters
    ----------
    tol : float, default=1e-8
        Stop when the largest absolute gradient component ``max|g|`` is at most
        ``tol`` and the Hessian has no negative curvature there.

    max_iter : int, default=100
        Maximum number of iterations.

    armijo : float, default=1e-4
        Sufficient-decrease constant ``c`` of the Armijo condition
        ``f(x + t d) <= f(x) + c t g @ d``.

    max_line_search : int, default=10
        Maximum number of step halvings, and of step doublings, per line search.

    initial_damping : float, default=1e-3
        First damping tried when the Hessian is not positive definite, relative
        to the Hessian's scale ``||H g|| / ||g||``.

    damping_factor : float, default=10.0
        The damping is multiplied by this factor when the damped matrix is not
        positive definite or the line search fails, and divided by it after a
        full step.

    cg_maxiter : int or None, default=None
        Maximum conjugate-gradient iterations per damped solve when ``hess``
        returns a ``LinearOperator``; None means ``10 * n``.

    damping : {"as-needed", "levenberg-marquardt"}, default="as-needed"
        ``"as-needed"``: the plain Newton system is tried first at every
        iteration, damping only when ``H`` is not positive definite or the
        line search fails (pure Newton steps, quadratic convergence, on convex
        problems). ``"levenberg-marquardt"``: every step is damped, starting
        from ``initial_damping`` and adapted (divided by ``damping_factor``
        after a full step, multiplied after a failure): steps grow from
        gradient-like to Newton-like as the model earns trust, which keeps
        non-convex fits (neural networks) near where they start.

    verbose : int, default=0
        When positive, print a header and one line per iterate: iteration,
        objective, ``max|g|``, step size, damping and elapsed seconds.

    See Also
    --------
    scipy.optimize.minimize : Its ``"trust-exact"`` and ``"Newton-CG"`` methods
        are the closest relatives; they report success at a stationary point
        of any kind.

    Notes
    -----
    Convergence is quadratic near a minimizer with a positive definite Hessian,
    where the full step is always accepted and no damping is used, and linear
    near a minimizer with a singular Hessian (Powell's singular function).

    ``success`` means that the gradient test passed and that the Hessian at the
    end point is positive semi-definite up to a relative tolerance: its
    smallest eigenvalue is at least ``-sqrt(eps) * max|eigenvalue|``, the
    second-order necessary condition for a minimum. A stationary point with
    negative curvature is never reported: the optimizer steps away from it. A
    stationary point with a singular positive semi-definite Hessian, such as
    ``x = 0`` for ``f(x) = x**3``, cannot be told from a minimum by second-order
    information and counts as a success. ``positive_definite`` reports the
    sufficient condition of a strict local minimum.

    References
    ----------
    J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., Springer,
    2006: sections 3.1 (backtracking), 3.4 (Newton's method with Hessian
    modification) and 7.1 (inexact Newton steps by conjugate gradients).

    Examples
    --------
    Seed 004: minimize ``g(x) = exp(x) - log(x)`` from ``x0 = 0.05``. The seed
    rounds each iterate to three decimals before the next step, hence its
    ``x3 = 0.320`` where the exact iteration gives 0.3205.

    >>> import numpy as np
    >>> from skperceptron._newton import NewtonOptimizer
    >>> result = NewtonOptimizer().minimize(
    ...     lambda x: np.exp(x) - np.log(x),
    ...     0.05,
    ...     grad=lambda x: np.exp(x) - 1 / x,
    ...     hess=lambda x: np.exp(x) + 1 / x**2,
    ... )
    >>> np.round(result.iterates[:7], 3)
    array([0.05 , 0.097, 0.183, 0.321, 0.477, 0.558, 0.567])
    >>> round(float(result.x), 4), result.success, result.positive_definite
    (0.5671, True, True)
    """

    _parameter_constraints: dict = {
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "armijo": [Interval(Real, 0, 1, closed="neither")],
        "max_line_search": [Interval(Integral, 1, None, closed="left")],
        "initial_damping": [Interval(Real, 0, None, closed="neither")],
        "damping_factor": [Interval(Real, 1, None, closed="neither")],
        "cg_maxiter": [Interval(Integral, 1, None, closed="left"), None],
        "damping": [StrOptions({"as-needed", "levenberg-marquardt"})],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        tol=1e-8,
        max_iter=100,
        armijo=1e-4,
        max_line_search=10,
        initial_damping=1e-3,
        damping_factor=10.0,
        cg_maxiter=None,
        damping="as-needed",
        verbose=0,
    ):
        self.tol = tol
        self.max_iter = max_iter
        self.armijo = armijo
        self.max_line_search = max_line_search
        self.initial_damping = initial_damping
        self.damping_factor = damping_factor
        self.cg_maxiter = cg_maxiter
        self.damping = damping
        self.verbose = verbose

    def minimize(self, fun, x0, grad, hess, *, callback=None, convex=False):
        """Minimize ``fun`` from ``x0``.

        Parameters
        ----------
        fun : callable
            ``fun(x) -> float``, the objective. It may return ``nan`` or
            ``inf`` outside its domain; such points are never accepted.

        x0 : float or array-like of shape (n,)
            Starting point. float32 input is kept (and computed in) float32;
            anything else is computed in float64.

        grad : callable
            ``grad(x)``, the gradient: a scalar when ``x0`` is a scalar, else
            an array of shape (n,).

        hess : callable
            ``hess(x)``, the Hessian: a scalar when ``x0`` is a scalar, else an
            array of shape (n, n) or a
            :class:`~scipy.sparse.linalg.LinearOperator` (or sparse matrix),
            for which the damped Newton system is solved by conjugate gradients.

        callback : callable, default=None
            ``callback(intermediate_result)`` is called at each new iterate
            with an :class:`~scipy.optimize.OptimizeResult` holding ``x``,
            ``fun`` and ``nit`` (the iterations done). Raising
            ``StopIteration`` stops the optimization.

        convex : bool, default=False
            Whether ``fun`` is known to be convex. Every stationary point of a
            convex function is a minimum, so the run then stops as soon as
            the gradient test passes, without evaluating the Hessian there
            (one Hessian fewer per run); ``positive_definite`` and
            ``min_eigenvalue`` are then None.

        Returns
        -------
        result : scipy.optimize.OptimizeResult
            With the fields:

            - ``x``, ``fun``, ``jac``: the end point, the objective and the
              gradient there (scalars when ``x0`` is a scalar).
            - ``nit``: number of iterations; ``nfev``, ``njev``, ``nhev``:
              number of evaluations of ``fun``, ``grad`` and ``hess``.
            - ``success``: the gradient test passed and the Hessian at ``x``
              is positive semi-definite (see Notes of the class).
            - ``status``: 0 converged; 1 ``max_iter`` reached; 2 no further
              progress possible (the line search failed for every damping, or
              the gradient or Hessian is not finite); 3 stopped by
              ``callback``. ``message`` says the same in words.
            - ``iterates``: ``x_0, ..., x_nit``, shape (nit + 1,) for a scalar
              ``x0``, else (nit + 1, n).
            - ``fun_history``, ``grad_norm_history``: the objective and
              ``max|g|`` at each iterate, shape (nit + 1,).
            - ``damping``, ``step_sizes``: the damping ``lam`` (0.0 for the
              plain Newton system and for a step along negative curvature) and
              the line-search step ``t`` of each iteration, shape (nit,).
            - ``history``: the rows of the verbose table, one per iterate, as
              a dict of arrays of shape (nit + 1,): ``"iter"``,
              ``"objective"``, ``"grad_norm"`` (``max|g|``), ``"step"`` and
              ``"damping"`` (NaN at ``x0``) and ``"time"`` (seconds since the
              start), recorded whether or not ``verbose`` is set.
            - ``positive_definite``: whether the Hessian at ``x`` is positive
              definite, i.e. ``x`` is a strict local minimum, from its smallest
              eigenvalue (``scipy.linalg.eigh``; Lanczos for a LinearOperator
              larger than 64). None if Lanczos did not converge, and for such
              a LinearOperator when the run did not converge (its spectrum
              would cost more than the run), and when ``convex=True`` ended
              it at a stationary point (not evaluated).
            - ``min_eigenvalue``: that smallest eigenvalue, or None.

        Warns
        -----
        ConvergenceWarning
            When the run ends with status 1 or 2.
        """
        self._validate_params()
        scalar = np.ndim(x0) == 0
        dtype = np.float32 if np.asarray(x0).dtype == np.float32 else np.float64
        problem = _Problem(fun, grad, hess, scalar=scalar, dtype=dtype)
        x = np.array(x0, dtype=dtype).reshape(-1)
        f = problem.fun(x)
        if not np.isfinite(f):
            raise ValueError(f"fun(x0) = {f} is not finite; start inside its domain.")

        history = _History(self.verbose)
        remembered_damping = 0.0
        curvature = None
        for nit in range(self.max_iter + 1):
            g = problem.grad(x)
            history.record_point(x, f, g)
            stationary = np.max(np.abs(g)) <= self.tol
            H = None if convex and stationary else problem.hess(x)
            if nit > 0 and _stopped_by(callback, problem.unflatten(x), f, nit):
                status = 3
                break
            if H is None:  # a minimum of a convex function
                status = 0
                break
            if not _all_finite(g, H):
                status = 2
                break
            if stationary:
                curvature = _curvature(H)
                if curvature is None or _is_psd(curvature, dtype):
                    status = 0
                    break
            if nit == self.max_iter:
                status = 1
                break
            if stationary:  # a saddle point or a maximum
                step = _negative_curvature_step(
                    problem.fun, x, f, g, curvature, self.armijo, self.max_line_search
                )
            else:
                step = self._newton_step(problem.fun, x, f, g, H, remembered_damping)
            if step is None:
                status = 2
                break
            remembered_damping = _remember_damping(
                remembered_damping, step, self.damping_factor
            )
            history.record_step(step)
            x, f = step.x, step.fun
        if status != 0 and H is not None:
            curvature = _curvature(H) if _all_finite(H) and _is_small(H) else None
        return self._result(problem, history, status, curvature)

    def _newton_step(self, fun, x, f, g, H, remembered_damping):
        """Stages 2 and 3: a (damped) Newton direction, then a line search along it.

        The plain Newton system is tried first; then the damping climbs from
        ``max(remembered_damping, initial_damping * scale)`` by
        ``damping_factor`` until the damped matrix is positive definite, the
        direction is a descent direction and the line search succeeds. None if
        no step can change ``x`` any more.
        """
        if self.damping == "levenberg-marquardt":
            first_damping = remembered_damping or self.initial_damping * _scale(H, g)
        else:
            first_damping = max(remembered_damping, self.initial_damping * _scale(H, g))
        plain_first = self.damping == "as-needed"
        for damping in _damping_ladder(first_damping, self.damping_factor, plain_first):
            d = _solve_damped(H, g, damping, self.cg_maxiter)
            if d is None or not g @ d < 0:
                continue
            if np.array_equal(x + d, x):
                return None
            # Levenberg–Marquardt judges the full damped step only: a failure
            # raises the damping instead of shortening the step.
            trials = 1 if not plain_first else self.max_line_search
            found = _backtrack(fun, x, f, d, g @ d, self.armijo, trials)
            if found is None:
                continue
            t, f_new = found
            if damping > 0 and t == 1:
                t, f_new = _expand(
                    fun, x, f, d, g @ d, self.armijo, self.max_line_search, f_new
                )
            return _Step(x + t * d, f_new, t, damping)
        return None

    def _result(self, problem, history, status, curvature):
        """Assemble the OptimizeResult; warn when the run did not converge."""
        message = _MESSAGES[status]
        if status in (1, 2):
            message += (
                f" max|grad| = {history.grad_norms[-1]:.3g} after "
                f"{len(history.steps)} iterations, tol={self.tol}, "
                f"max_iter={self.max_iter}. Increase max_iter, or tol if the "
                "gradient cannot get smaller in this floating-point precision."
            )
            warnings.warn(
                f"NewtonOptimizer: {message}", ConvergenceWarning, stacklevel=3
            )
        iterates, steps = np.array(history.iterates), history.steps
        smallest = None if curvature is None else float(curvature.smallest)
        return OptimizeResult(
            x=problem.unflatten(iterates[-1]),
            fun=history.fun[-1],
            jac=problem.unflatten(history.last_grad),
            nit=len(steps),
            nfev=problem.nfev,
            njev=problem.njev,
            nhev=problem.nhev,
            success=status == 0,
            status=status,
            message=message,
            iterates=iterates[:, 0] if problem.scalar else iterates,
            fun_history=np.array(history.fun),
            grad_norm_history=np.array(history.grad_norms),
            damping=np.array([step.damping for step in steps], dtype=float),
            step_sizes=np.array([step.step_size for step in steps], dtype=float),
            history=history.table.history(),
            positive_definite=None if smallest is None else smallest > 0,
            min_eigenvalue=smallest,
        )


class _Problem:
    """The caller's callables on flat 1-D arrays of one dtype, counting calls."""

    def __init__(self, fun, grad, hess, *, scalar, dtype):
        self._fun, self._grad, self._hess = fun, grad, hess
        self.scalar, self.dtype = scalar, dtype
        self.nfev = self.njev = self.nhev = 0

    def unflatten(self, x):
        """Return ``x`` in the caller's shape: a scalar if ``x0`` was one."""
        return x[0] if self.scalar else x.copy()

    def fun(self, x):
        """Objective at ``x``; numpy's warnings outside its domain are silenced."""
        self.nfev += 1
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            return float(self._fun(self.unflatten(x)))

    def grad(self, x):
        """Gradient at ``x``, shape (n,)."""
        self.njev += 1
        return np.asarray(self._grad(self.unflatten(x)), dtype=self.dtype).reshape(-1)

    def hess(self, x):
        """Hessian at ``x``: an array of shape (n, n), or a LinearOperator."""
        self.nhev += 1
        H = self._hess(self.unflatten(x))
        if issparse(H):
            return aslinearoperator(H)
        if isinstance(H, LinearOperator):
            return H
        return np.asarray(H, dtype=self.dtype).reshape(x.size, x.size)


class _History:
    """Iterates, objective values, gradient norms and steps; the verbose table."""

    def __init__(self, verbose):
        self.iterates, self.fun, self.grad_norms, self.steps = [], [], [], []
        self.last_grad = None
        self.table = progress.Table(verbose)

    def record_point(self, x, f, g):
        """Record the next iterate with its objective and gradient."""
        self.iterates.append(x.copy())
        self.fun.append(f)
        self.grad_norms.append(float(np.max(np.abs(g))))
        self.last_grad = g
        step = damping = None
        if self.steps:
            step, damping = self.steps[-1].step_size, self.steps[-1].damping
        self.table.add(len(self.steps), f, self.grad_norms[-1], step, damping)

    def record_step(self, step):
        """Record the accepted step that leads to the next iterate."""
        self.steps.append(step)


def _all_finite(*arrays):
    """Tell whether no dense array among ``arrays`` holds nan or inf."""
    return all(
        isinstance(a, LinearOperator) or bool(np.all(np.isfinite(a))) for a in arrays
    )


def _stopped_by(callback, x, f, nit):
    """Call ``callback`` at the new iterate; True if it raised StopIteration."""
    return progress.stopped_by(callback, x=x, fun=f, nit=nit)


# Stage 1: curvature at a stationary point.


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
    tolerance = np.sqrt(np.finfo(dtype).eps) * curvature.largest
    return curvature.smallest >= -tolerance


def _negative_curvature_step(fun, x, f, g, curvature, armijo, max_trials):
    """Leave a saddle point or a maximum along the most negative curvature.

    Backtracks along the unit eigenvector ``v`` of the smallest eigenvalue
    ``mu < 0``, oriented downhill, with the second-order Armijo condition
    ``f(x + t v) <= f(x) + c (t g @ v + t**2 mu / 2)``. None if it fails.
    """
    v = curvature.vector.astype(x.dtype)
    if g @ v > 0:
        v = -v
    found = _backtrack(fun, x, f, v, g @ v, armijo, max_trials, curvature.smallest)
    if found is None:
        return None
    t, f_new = found
    return _Step(x + t * v, f_new, t, 0.0)


# Stage 2: the (damped) Newton direction.


def _damping_ladder(first_damping, factor, plain_first):
    """Yield 0 (the plain system) if asked, then ``first_damping * factor**k``."""
    if plain_first:
        yield 0.0
    for k in range(_MAX_DAMPING_RAISES):
        yield first_damping * factor**k


def _scale(H, g):
    """Return the Hessian's magnitude along the gradient, ``||H g|| / ||g||``.

    It sets the first damping in the units of ``H``; 1.0 when it is 0 or not
    finite. The ratio does not depend on the size of ``g``: it is computed for
    ``g / max|g|`` in float64, whose squared norms neither overflow (float32
    ``H g`` above 1.8e19) nor underflow (gradients below 1e-154) to 0.
    """
    g = np.asarray(g, dtype=np.float64)
    g = g / np.max(np.abs(g))
    scale = float(np.linalg.norm(H @ g) / np.linalg.norm(g))
    return scale if 0 < scale < np.inf else 1.0


def _solve_damped(H, g, damping, cg_maxiter):
    """Solve ``(H + damping I) d = -g``; None if that matrix is not positive definite.

    Dense ``H``: Cholesky factorization, whose failure is the test.
    LinearOperator ``H``: conjugate gradients (:func:`_solve_cg`).
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
    return cho_solve(factor, -g)


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


# Stage 3: the line search.


def _backtrack(fun, x, f, d, slope, armijo, max_trials, curvature=0.0):
    """Armijo backtracking from the full step; ``(t, f(x + t d))`` or None.

    Accepts the first ``t`` in 1, 1/2, 1/4, ... at which ``f`` is finite and
    ``f(x + t d) <= f(x) + c (t slope + t**2 curvature / 2)``. ``curvature`` is
    0 along Newton directions: the plain Armijo condition. Next to a minimum
    the predicted decrease ``-slope`` falls below the rounding error of ``f``
    (a few ulps of ``f(x)``), which Armijo cannot see past: then the full step
    is taken unless it raises ``f`` by more than that error, so that the
    gradient test can still pass. None after ``max_trials`` failures, or when
    ``t d`` no longer changes ``x``.
    """
    t = 1.0
    rounding = 8 * np.finfo(x.dtype).eps * abs(f)
    for _ in range(max_trials):
        trial = x + t * d
        if np.array_equal(trial, x):
            return None
        f_trial = fun(trial)
        sufficient = f + armijo * (t * slope + t * t * curvature / 2)
        if t == 1.0 and -slope <= rounding:  # a decrease f cannot resolve
            sufficient = f + rounding
        if np.isfinite(f_trial) and f_trial <= sufficient:
            return t, f_trial
        t /= 2
    return None


def _expand(fun, x, f, d, slope, armijo, max_doublings, f_full):
    """Double an accepted damped step while Armijo holds and ``f`` decreases."""
    t, f_t = 1.0, f_full
    for _ in range(max_doublings):
        f_double = fun(x + 2 * t * d)
        sufficient = f + armijo * 2 * t * slope
        if not (np.isfinite(f_double) and f_double <= sufficient and f_double < f_t):
            break
        t, f_t = 2 * t, f_double
    return t, f_t


# Stage 4: the damping memory.


def _remember_damping(remembered, step, factor):
    """Start the next damped solve from the last damping, shrunk after a full step."""
    damping = step.damping if step.damping > 0 else remembered
    return damping / factor if step.step_size >= 1 else damping
