"""Newton's method for smooth minimization, with adaptive damping and a line search.

Seed 004 minimizes ``g(x) = exp(x) - log(x)`` by Newton's root-finding update
applied to the derivative, ``x <- x - g'(x) / g''(x)``. In ``n`` dimensions the
update solves the Newton system ``H d = -g`` for the gradient ``g`` and the
Hessian ``H``. :class:`NewtonOptimizer` runs exactly that update whenever it is
safe, and adds only what makes it reliable on any twice-differentiable function.
Each iteration has four stages, each one private function below:

1. Evaluate ``g`` and ``H`` at ``x_k`` and test for convergence. The run
   stops when ``max|g| <= tol``, the Newton decrement ``-g @ d / 2`` is at
   most ``tol``, and ``H`` has no negative curvature (``_curvature``,
   ``_is_psd``). The decrement is that of the last step's direction ``d``
   (``g`` and ``d`` of the previous iterate), as in scikit-learn's
   newton-cholesky solver. It is that of the Newton direction at ``x_k``
   (``_current_decrement``) at ``x_0``, and after a full Newton step whose
   decrease of ``f`` was its decrement to six digits (``_model_exact``: the
   quadratic model was exact, as for a quadratic ``f``, whose minimum that
   step reached), so that such a step is not followed by another. For a
   function declared convex, ``H`` is not evaluated when both tests pass on
   the last step's decrement, or after such an exact step on the decrement
   of the Newton direction at ``x_k`` computed with the last ``H``. When no
   step changes ``x`` any more at a stationary point, the decrement there
   decides. At a stationary point that is a saddle or a maximum, step along
   the eigenvector of the most negative eigenvalue instead
   (``_negative_curvature_step``).
2. Solve for a descent direction (``_newton_step``). The plain Newton system
   ``H d = -g`` is solved by Cholesky first; a pivot below ``sqrt(eps)`` of
   its diagonal entry makes ``H`` count as not positive definite
   (``_nearly_singular``). When a dense ``H`` is not positive definite, its
   spectrum ``H = Q diag(mu) Q^T`` (``eigh``) gives the damped directions
   ``d(lam) = -(H + lam I)^{-1} g`` for every damping ``lam`` at once
   (``_Spectrum``): ``lam`` is the smallest one above ``-mu_min`` whose step
   is no longer than a radius ``r`` (Moré and Sorensen's choice, solved on
   the spectrum by ``_damping_for_radius``). An eigenvector of negative
   curvature orthogonal to ``g``, which no damped direction can reach (a
   symmetry of ``f`` keeps the iterates in a subspace), is added to ``d``.
   Otherwise (a ``LinearOperator``, ``damping="levenberg-marquardt"``, or a
   positive definite ``H`` whose Newton step failed the line search), the
   Levenberg-Marquardt damping ``lam`` climbs by ``damping_factor`` until
   ``(H + lam I) d = -g`` can be solved with ``H + lam I`` positive definite:
   by Cholesky (``_solve_damped``), or matrix-free by conjugate gradients
   (``_solve_cg``). Every direction must satisfy ``g @ d < 0``.
3. Search for a sufficient decrease (Armijo), full step first, so that near
   a minimum with a positive definite Hessian the iterates are exactly
   Newton's. Along a plain or laddered direction the step ``t d`` is halved
   (``_backtrack``); along the spectral directions the radius is divided by 4
   instead, each trial a more damped step turned towards ``-g``
   (``_spectral_step``). A trial point where ``f`` is not finite (outside its
   domain) is a failed trial. A damped step accepted in full was shortened
   by the damping rather than by the quadratic model, so it is doubled while
   ``f`` keeps decreasing (``_expand``).
4. Remember the damping and the radius (``_Memory``, ``_remember_damping``,
   ``_radius_after``): the next ladder starts from the last ``lam``,
   divided by ``damping_factor`` after a full step; the next radius is twice
   the last spectral step after a full step, that step's length otherwise.
"""

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

from . import _progress as progress
from ._compat import Integral, Interval, Real, StrOptions
from ._warnings import warn

# A LinearOperator Hessian of at most this size is materialized (n products
# with H) to read its spectrum exactly; larger ones go through Lanczos (eigsh).
_MAX_DENSE_SPECTRUM = 64
# Restarts allowed to Lanczos on a larger one: a few hundred products with H,
# so that the curvature test costs a handful of Newton iterations, not more.
_LANCZOS_RESTARTS = 20
# How many times the damping may be raised, or the radius cut, per iteration.
_MAX_DAMPING_RAISES = 60
# A failed spectral trial divides the radius by this; a full step accepted
# at the first trial sets the next radius to this times its length. These
# are the factors of scipy's trust-region methods.
_RADIUS_CUT, _RADIUS_GROWTH = 4.0, 2.0

# An accepted step: the new point and objective, the step size t, the damping,
# the Newton decrement -g @ d / 2 of its direction d, and whether it was a full
# plain Newton step whose decrease of f was the decrement, to six digits: the
# quadratic model was exact along it (a quadratic f).
_Step = namedtuple("_Step", ["x", "fun", "step_size", "damping", "decrement", "exact"])
# Smallest eigenvalue of H with its eigenvector, and the largest |eigenvalue|.
_Curvature = namedtuple("_Curvature", ["smallest", "vector", "largest"])


class NewtonOptimizer(BaseEstimator):
    """Minimize a smooth function by Newton's method with damping and line search.

    The seeds' Newton update ``x <- x - f'(x) / f''(x)``, written for any number
    of variables as the system ``H d = -g``, made reliable by documented stages:
    a Cholesky solve of the Newton system; when ``H`` is not positive
    definite, damped directions ``(H + lam I) d = -g`` whose damping is read
    from the spectrum of ``H``; Armijo backtracking that tries the full
    Newton step first; and an escape along negative curvature from saddle
    points and maxima. The Hessian may be a dense array or a
    :class:`~scipy.sparse.linalg.LinearOperator` (matrix-free, solved by
    conjugate gradients). The stages are described in the docstring of the
    module ``skperceptron._newton``.

    The class derives from :class:`~sklearn.base.BaseEstimator` only for
    ``get_params``, ``set_params``, ``clone`` and its repr.

    Parameters
    ----------
    tol : float, default=1e-8
        Stop when the largest absolute gradient component ``max|g|`` is at
        most ``tol``, the Newton decrement ``-g @ d / 2`` of the last Newton
        direction ``d`` (the decrease of ``f`` the quadratic model predicts
        along it) is at most ``tol`` too, and the Hessian has no negative
        curvature there. The decrement is the second test of scikit-learn's
        ``newton-cholesky`` solver: on a flat objective a small gradient can
        still leave a large decrease to come, and the decrement, in the units
        of ``f``, tells. It is that of the last step's direction; at ``x0``,
        and after a full Newton step that decreased ``f`` by exactly its
        decrement (a quadratic ``f``: that step reached the minimum), that of
        the Newton direction at the current point.

    max_iter : int, default=100
        Maximum number of iterations.

    armijo : float, default=1e-4
        Sufficient-decrease constant ``c`` of the Armijo condition
        ``f(x + t d) <= f(x) + c t g @ d``.

    max_line_search : int, default=10
        Maximum number of step halvings, and of step doublings, per line search.

    initial_damping : float, default=1e-3
        First damping of the damping ladder, relative to the Hessian's scale
        ``||H g|| / ||g||``. The ladder serves a ``LinearOperator`` Hessian,
        ``damping="levenberg-marquardt"``, and a positive definite Hessian
        whose Newton step failed the line search; a dense Hessian that is not
        positive definite takes its damping from its spectrum instead.

    damping_factor : float, default=10.0
        The damping of the ladder is multiplied by this factor when the damped
        matrix is not positive definite or the line search fails, and divided
        by it after a full step.

    cg_maxiter : int or None, default=None
        Maximum conjugate-gradient iterations per damped solve when ``hess``
        returns a ``LinearOperator``; None means ``10 * n``.

    damping : {"as-needed", "levenberg-marquardt"}, default="as-needed"
        ``"as-needed"``: the plain Newton system is tried first at every
        iteration, damping only when ``H`` is not positive definite or the
        line search fails (pure Newton steps, quadratic convergence, on convex
        problems). ``"levenberg-marquardt"``: every step is damped by the
        ladder, starting from ``initial_damping`` and adapted (divided by
        ``damping_factor`` after a full step, multiplied after a failure):
        steps grow from gradient-like to Newton-like as the model earns
        trust, which keeps non-convex fits (neural networks) near where they
        start.

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

    Where a dense ``H`` is not positive definite, the direction is the step
    of Moré and Sorensen's trust-region method, computed on the spectrum of
    ``H`` (one ``eigh`` per such iteration): the damping is the smallest
    ``lam > -mu_min`` whose step ``-(H + lam I)^{-1} g`` is no longer than a
    radius remembered from the previous steps (at first ``||g||^2 / ||H g||``,
    the length of a gradient step on the Hessian's scale). Instead of
    halving that step, a failed trial cuts the radius, so that the trials
    turn from the Newton-like direction towards the gradient. A damping only
    just above ``-mu_min``, the textbook eigenvalue modification, gives steps
    far too long along the eigenvector of ``mu_min``; a damping set from the
    size of ``H`` alone is, on nearly singular problems, many orders of
    magnitude more than the negative curvature needs.

    A dense Hessian is used through its symmetric part ``(H + H^T) / 2``,
    which has the same quadratic form; one that is not symmetric to
    ``sqrt(eps)`` relative to its largest entry is warned about.

    ``success`` means that the gradient and decrement tests passed and that
    the Hessian at the end point is positive semi-definite up to a relative
    tolerance: its smallest eigenvalue is at least ``-sqrt(eps) *
    max|eigenvalue|``, the second-order necessary condition for a minimum. A
    stationary point with negative curvature is never reported: the optimizer
    steps away from it. A stationary point with a singular positive
    semi-definite Hessian, such as ``x = 0`` for ``f(x) = x**3``, cannot be
    told from a minimum by second-order information and counts as a success.
    ``positive_definite`` reports the sufficient condition of a strict local
    minimum.

    References
    ----------
    J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., Springer,
    2006: sections 3.1 (backtracking), 3.4 (Newton's method with Hessian
    modification), 4.3 (the trust-region step from the spectrum) and 7.1
    (inexact Newton steps by conjugate gradients).

    J. J. Moré and D. C. Sorensen, "Computing a trust region step", SIAM
    Journal on Scientific and Statistical Computing 4(3), 553-572, 1983.

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
            ``fun(x) -> float``, the objective (an array holding a single
            value is accepted too). It may return ``nan`` or ``inf`` outside
            its domain; such points are never accepted.

        x0 : float or array-like
            Starting point, finite and not empty. ``x`` is passed to the
            callables, and returned, in the shape of ``x0``; internally it
            is flattened (in C order) to ``n`` variables. float32 input is
            kept (and computed in) float32; anything else is computed in
            float64.

        grad : callable
            ``grad(x)``, the gradient: a scalar when ``x0`` is a scalar, else
            an array of the shape of ``x0`` (or of shape (n,)).

        hess : callable
            ``hess(x)``, the Hessian: a scalar when ``x0`` is a scalar, else an
            array of shape (n, n) (or the shape of ``x0`` twice) or a
            :class:`~scipy.sparse.linalg.LinearOperator` (or sparse matrix)
            of shape (n, n), for which the damped Newton system is solved by
            conjugate gradients.

        callback : callable, default=None
            ``callback(intermediate_result)`` is called at each new iterate
            with an :class:`~scipy.optimize.OptimizeResult` holding ``x``,
            ``fun`` and ``nit`` (the iterations done). Raising
            ``StopIteration`` stops the optimization.

        convex : bool, default=False
            Whether ``fun`` is known to be convex. Every stationary point of a
            convex function is a minimum, so the run then stops as soon as
            the gradient and decrement tests pass, without evaluating the
            Hessian there (one Hessian fewer per run, except when the
            decrement is computed at that point: at ``x0``, and after a full
            Newton step on a quadratic); ``positive_definite`` and
            ``min_eigenvalue`` are then None.

        Returns
        -------
        result : scipy.optimize.OptimizeResult
            With the fields:

            - ``x``, ``fun``, ``jac``: the end point, the objective and the
              gradient there (``x`` and ``jac`` in the shape of ``x0``).
            - ``nit``: number of iterations; ``nfev``, ``njev``, ``nhev``:
              number of evaluations of ``fun``, ``grad`` and ``hess``.
            - ``success``: the gradient and decrement tests passed and the
              Hessian at ``x`` is positive semi-definite (see Notes of the
              class).
            - ``status``: 0 converged; 1 ``max_iter`` reached; 2 no further
              progress possible (no step decreased ``f``, or the gradient or
              Hessian is not finite); 3 stopped by ``callback``. ``message``
              says which, what was measured and what to do.
            - ``iterates``: ``x_0, ..., x_nit``, shape ``(nit + 1,) +
              x0.shape``.
            - ``fun_history``, ``grad_norm_history``: the objective and
              ``max|g|`` at each iterate, shape (nit + 1,).
            - ``damping``, ``step_sizes``, ``decrements``: the damping ``lam``
              (0.0 for the plain Newton system and for a step along negative
              curvature), the step ``t`` and the Newton decrement ``-g @ d /
              2`` of each iteration's direction, shape (nit,).
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
              it at a stationary point.
            - ``min_eigenvalue``: that smallest eigenvalue, or None.

        Raises
        ------
        ValueError
            When ``x0`` is empty or not finite, ``fun(x0)`` is not finite, or
            a callable returns an array of the wrong shape.

        TypeError
            When ``x0`` is not real, or a callable returns None or something
            that is not a real number or array.

        Warns
        -----
        ConvergenceWarning
            When the run ends with status 1 or 2, with the result's message.

        UserWarning
            When ``hess`` returns a dense matrix that is not symmetric.
        """
        self._validate_params()
        problem = _Problem(fun, grad, hess, x0)
        x = problem.start
        f = problem.fun(x)
        if not np.isfinite(f):
            raise ValueError(f"fun(x0) = {f} is not finite; start inside its domain.")

        history = _History(self.verbose)
        memory = _Memory()
        curvature = H = last = None
        for nit in range(self.max_iter + 1):
            g = problem.grad(x)
            history.record_point(x, f, g)
            stationary = _max_abs(g) <= self.tol
            decrement = np.inf if last is None else last.decrement
            if convex and stationary and last is not None and last.exact:
                # The last step's quadratic model was exact: its Hessian
                # gives the decrement here, without a new one.
                decrement = self._current_decrement(H, g)
            small = decrement <= self.tol
            H = None if convex and stationary and small else problem.hess(x)
            if nit > 0 and _stopped_by(callback, problem.unflatten(x), f, nit):
                status = 3
                break
            if H is None:  # a minimum of a convex function
                status = 0
                break
            if not _all_finite(g, H):
                status = 2
                break
            if stationary and not small and (last is None or last.exact):
                decrement = self._current_decrement(H, g)
            curvature = _curvature(H) if stationary and not convex else None
            psd = curvature is None or _is_psd(curvature, problem.dtype)
            if stationary and decrement <= self.tol and psd:
                status = 0
                break
            if nit == self.max_iter:
                status = 1
                break
            if stationary and not psd:  # a saddle point or a maximum
                step = _negative_curvature_step(
                    problem.fun, x, f, g, curvature, self.armijo, self.max_line_search
                )
            else:
                step = self._newton_step(problem.fun, x, f, g, H, memory)
            if step is None:
                # Stationary, and no step changes x or decreases f: converged
                # if the decrease still predicted here is below tol, or below
                # what f can resolve (with tol = 0, say, at g = 0).
                if stationary and psd:
                    decrement = self._current_decrement(H, g)
                resolved = max(self.tol, _ulps(f, problem.dtype))
                converged = stationary and psd and decrement <= resolved
                status = 0 if converged else 2
                break
            memory.damping = _remember_damping(
                memory.damping, step, self.damping_factor
            )
            history.record_step(step)
            last = step
            x, f = step.x, step.fun
        if status != 0 and H is not None and curvature is None:
            curvature = _curvature(H) if _all_finite(H) and _is_small(H) else None
        return self._result(problem, history, status, curvature, H, decrement)

    def _current_decrement(self, H, g):
        """Return the Newton decrement ``-g @ d / 2`` at the current iterate.

        ``d`` solves the first solvable system of the damping ladder, the
        plain one first; 0 where ``g = 0``.
        """
        if not np.any(g):
            return 0.0
        ladder = _damping_ladder(
            self.initial_damping * _scale(H, g), self.damping_factor, True
        )
        for damping in ladder:
            d = _solve_damped(H, g, damping, self.cg_maxiter)
            if d is not None:
                return _decrement(g, d)
        return np.inf

    def _newton_step(self, fun, x, f, g, H, memory):
        """Stages 2 and 3: a (damped) Newton direction, then a search along it.

        The plain Newton system first (``"as-needed"``). Then, for a dense
        ``H`` that is not positive definite, the spectral directions
        (:meth:`_spectral_step`); otherwise the damping ladder, from
        ``max(memory.damping, initial_damping * scale)`` (from
        ``memory.damping`` alone, when set, with
        ``"levenberg-marquardt"``) by ``damping_factor``, until the damped
        matrix is positive definite, the direction is a descent direction and
        the line search succeeds. None if no step can change ``x`` any more.
        """
        levenberg_marquardt = self.damping == "levenberg-marquardt"
        if not levenberg_marquardt:
            d = _solve_damped(H, g, 0.0, self.cg_maxiter)
            if d is not None and g @ d < 0:
                step = self._line_search(fun, x, f, g, d, 0.0, self.max_line_search)
                if step is not None or np.array_equal(x + d, x):
                    return step
            if d is None and not isinstance(H, LinearOperator):
                return self._spectral_step(fun, x, f, g, H, memory)
        scale = self.initial_damping * _scale(H, g)
        if levenberg_marquardt:
            first_damping = memory.damping or scale
        else:
            first_damping = max(memory.damping, scale)
        # Levenberg–Marquardt judges the full damped step only: a failure
        # raises the damping instead of shortening the step.
        trials = 1 if levenberg_marquardt else self.max_line_search
        for damping in _damping_ladder(first_damping, self.damping_factor, False):
            d = _solve_damped(H, g, damping, self.cg_maxiter)
            if d is None or not g @ d < 0:
                continue
            if np.array_equal(x + d, x):
                return None
            step = self._line_search(fun, x, f, g, d, damping, trials)
            if step is not None:
                return step
        return None

    def _line_search(self, fun, x, f, g, d, damping, trials):
        """Stage 3 along ``d``: Armijo backtracking; a full damped step doubled."""
        slope = g @ d
        found = _backtrack(fun, x, f, d, slope, self.armijo, trials)
        if found is None:
            return None
        t, f_new = found
        if damping > 0 and t == 1:
            t, f_new = _expand(
                fun, x, f, d, slope, self.armijo, self.max_line_search, f_new
            )
        decrement = _decrement(g, d)
        exact = damping == 0 and t == 1 and _model_exact(f, f_new, decrement, x.dtype)
        return _Step(x + t * d, f_new, t, damping, decrement, exact)

    def _spectral_step(self, fun, x, f, g, H, memory):
        """Stages 2 and 3 for a dense ``H`` that is not positive definite.

        Trial ``k`` is the damped direction whose damping keeps it within the
        radius ``r / 4**k`` (:class:`_Spectrum`); the first that satisfies
        the Armijo condition is taken, and doubled (``_expand``) if it was the
        first trial. The radius ``r`` is ``memory.radius``, at first
        ``||g||^2 / ||H g||``, and is updated by the step taken. None if no
        trial decreases ``f`` before the trials stop changing ``x``.
        """
        spectrum = _Spectrum(H, g)
        if memory.radius is None:
            memory.radius = _norm(g) / _scale(H, g)
        radius = memory.radius
        for trial in range(_MAX_DAMPING_RAISES):
            damping, d = spectrum.direction(radius)
            d = d.astype(x.dtype)
            slope = g @ d
            x_new = x + d
            if np.array_equal(x_new, x):
                return None
            if slope < 0 and np.all(np.isfinite(x_new)):
                f_new = fun(x_new)
                if _sufficient_decrease(
                    f, f_new, 1.0, slope, self.armijo, 0.0, x.dtype
                ):
                    t = 1.0
                    if trial == 0:
                        t, f_new = _expand(
                            fun, x, f, d, slope, self.armijo, self.max_line_search,
                            f_new,
                        )  # fmt: skip
                    memory.radius = _radius_after(radius, t * _norm(d), trial)
                    return _Step(x + t * d, f_new, t, damping, _decrement(g, d), False)
            radius = min(radius, _norm(d)) / _RADIUS_CUT
        return None

    def _result(self, problem, history, status, curvature, H, decrement):
        """Assemble the OptimizeResult; warn when the run did not converge."""
        grad_norm = history.grad_norms[-1]
        message = _message(
            status,
            nit=len(history.steps),
            grad_norm=grad_norm,
            tol=self.tol,
            max_iter=self.max_iter,
            decrement=decrement,
            curvature=curvature,
            psd=curvature is None or _is_psd(curvature, problem.dtype),
            gradient_finite=bool(np.all(np.isfinite(history.last_grad))),
            hessian_finite=H is None or _all_finite(H),
            dtype=problem.dtype,
        )
        if status in (1, 2):
            warn(f"NewtonOptimizer: {message}", ConvergenceWarning)
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
            iterates=iterates.reshape((len(iterates), *problem.shape)),
            fun_history=np.array(history.fun),
            grad_norm_history=np.array(history.grad_norms),
            damping=np.array([step.damping for step in steps], dtype=float),
            step_sizes=np.array([step.step_size for step in steps], dtype=float),
            decrements=np.array([step.decrement for step in steps], dtype=float),
            history=history.table.history(),
            positive_definite=None if smallest is None else smallest > 0,
            min_eigenvalue=smallest,
        )


class _Memory:
    """Stage 4: what one iteration leaves to the next.

    ``damping``: where the next damping ladder starts (0 before any).
    ``radius``: the step length the next spectral direction may take (None
    before the first).
    """

    def __init__(self):
        self.damping, self.radius = 0.0, None


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
        self.grad_norms.append(_max_abs(g))
        self.last_grad = g
        step = damping = None
        if self.steps:
            step, damping = self.steps[-1].step_size, self.steps[-1].damping
        self.table.add(len(self.steps), f, self.grad_norms[-1], step, damping)

    def record_step(self, step):
        """Record the accepted step that leads to the next iterate."""
        self.steps.append(step)


def _max_abs(g):
    """Return ``max|g|`` as a float (nan if ``g`` holds nan)."""
    return float(np.max(np.abs(g)))


def _norm(v):
    """Euclidean norm of ``v`` in float64, without overflow or underflow."""
    v = np.asarray(v, dtype=np.float64)
    top = np.max(np.abs(v))
    if not 0 < top < np.inf:
        return float(top)  # 0, inf or nan
    return float(top * np.linalg.norm(v / top))


def _decrement(g, d):
    """Newton decrement ``-g @ d / 2`` of the direction ``d``, in float64."""
    with np.errstate(over="ignore", invalid="ignore"):
        return float(-np.dot(g.astype(np.float64), d.astype(np.float64)) / 2)


def _ulps(f, dtype):
    """Return 8 ulps of ``f`` in ``dtype``: the rounding error of ``f`` allowed."""
    return 8 * np.finfo(dtype).eps * abs(f)


def _model_exact(f, f_new, decrement, dtype):
    """Tell whether ``f - f_new`` is ``decrement`` to 1e-6, rounding of ``f`` aside."""
    return bool(abs((f - f_new) - decrement) <= 1e-6 * decrement + 2 * _ulps(f, dtype))


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
    return _Step(x + t * v, f_new, t, 0.0, _decrement(g, v), False)


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
        eps = np.finfo(g.dtype).eps
        top = float(np.max(np.abs(self.values)))
        self.floor = max(-self.values[0], 0.0) + np.sqrt(eps) * top
        # Eigenvectors of negative curvature (beyond the PSD tolerance) on which
        # g has no component (to rounding): no damped direction moves along
        # them, however close to -mu_min the damping. A symmetry of f does
        # this: two interchangeable terms stay equal at every damped step,
        # in a subspace that may hold no minimum at all.
        tolerance = np.sqrt(eps)
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


def _radius_after(radius, length, trial):
    """Stage 4: the radius after a spectral step of ``length`` at ``trial``."""
    if trial == 0:
        return max(radius, _RADIUS_GROWTH * length)
    return length


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
    return bool(np.any(pivots <= np.sqrt(np.finfo(H.dtype).eps) * np.diag(H)))


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
    for _ in range(max_trials):
        trial = x + t * d
        if np.array_equal(trial, x):
            return None
        f_trial = fun(trial)
        if _sufficient_decrease(f, f_trial, t, slope, armijo, curvature, x.dtype):
            return t, f_trial
        t /= 2
    return None


def _sufficient_decrease(f, f_trial, t, slope, armijo, curvature, dtype):
    """Tell whether the step ``t`` passes the Armijo test, rounding included."""
    rounding = _ulps(f, dtype)
    sufficient = f + armijo * (t * slope + t * t * curvature / 2)
    if t == 1.0 and -slope <= rounding:  # a decrease f cannot resolve
        sufficient = f + rounding
    return bool(np.isfinite(f_trial) and f_trial <= sufficient)


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


# The result's message.


def _message(status, *, nit, grad_norm, tol, max_iter, decrement, curvature, psd,
             gradient_finite, hessian_finite, dtype):  # fmt: skip
    """Say how the run ended, what was measured, and what to do about it."""
    measured = f"max|grad| = {grad_norm:.3g}"
    after = f"after {nit} iteration{'s' if nit != 1 else ''}"
    half = "the Newton decrement -g @ d / 2"
    if status == 0:
        below = "<= tol" if decrement <= tol else "below the rounding error of f"
        return (
            f"Optimization terminated successfully: {measured} <= tol={tol} and "
            f"{half} = {_fmt(decrement)} {below} {after}."
        )
    if status == 3:
        return f"Stopped by the callback {after} ({measured})."
    if not gradient_finite or not hessian_finite:
        which = "gradient" if not gradient_finite else "Hessian"
        name = "grad" if not gradient_finite else "hess"
        return (
            f"No further progress possible: the {which} at the iterate reached "
            f"{after} is not finite (nan or inf). Check {name}(x) there: an "
            "overflow, a division by zero or a logarithm outside its domain."
        )
    saddle = (
        f"the Hessian has negative curvature there (smallest eigenvalue "
        f"{_fmt(None if curvature is None else curvature.smallest)}): a saddle "
        "point, a maximum or a kink"
    )
    if status == 1:
        if grad_norm > tol:
            return (
                f"Maximum number of iterations reached with {measured} > "
                f"tol={tol} {after}, max_iter={max_iter}. Increase max_iter."
            )
        if not psd:
            return (
                f"Maximum number of iterations reached (max_iter={max_iter}) "
                f"at a stationary point ({measured} <= tol={tol}) that is not "
                f"shown to be a minimum: {saddle}."
            )
        return (
            f"Maximum number of iterations reached (max_iter={max_iter}) with "
            f"{measured} <= tol={tol}, but {half} of the last step, "
            f"{_fmt(decrement)}, is above tol: f is flat here and may still "
            "decrease by about that much."
        )
    if grad_norm > tol:
        precision = "float32" if dtype == np.float32 else "float64"
        return (
            f"No further progress possible: no step could decrease f (the line "
            f"search failed for every damping) with {measured} > tol={tol} "
            f"{after}. Check the gradient against the function (finite "
            "differences of fun): a wrong gradient gives directions along which "
            "f does not decrease. Or raise tol, if the gradient cannot get "
            f"smaller in the {precision} precision of x"
            + (" (start from float64 for more)" if dtype == np.float32 else "")
            + "."
        )
    if not psd:
        return (
            f"No further progress possible: the end point is stationary "
            f"({measured} <= tol={tol}, {after}) but not shown to be a "
            f"minimum: {saddle}, and no step along it decreased f. A non-smooth "
            "function (such as a relu network) is not twice differentiable at "
            "its kinks, where its Hessian does not describe it."
        )
    return (
        f"No further progress possible: {measured} <= tol={tol} {after}, but "
        f"{half}, {_fmt(decrement)}, is above tol and no step along d decreased "
        "f. Check the Hessian against the gradient (finite differences of "
        "grad), or raise tol if f cannot resolve so small a decrease."
    )


def _fmt(value):
    """Format a measured number, or say it was not measured."""
    return "not computed" if value is None else f"{float(value):.3g}"
