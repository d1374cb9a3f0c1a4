"""Newton's method for smooth minimization, with adaptive damping and a line search.

Seed 004 minimizes ``g(x) = exp(x) - log(x)`` by Newton's root-finding update
applied to the derivative, ``x <- x - g'(x) / g''(x)``. In ``n`` dimensions the
update solves the Newton system ``H d = -g`` for the gradient ``g`` and the
Hessian ``H``. :class:`NewtonOptimizer` runs exactly that update whenever it is
safe, and adds only what makes it reliable on any twice-differentiable function.
Each iteration has four stages, each one private function, here or in the
modules ``_linalg`` (spectra, damped solves, curvature tests),
``_line_search`` (Armijo backtracking, expansion, negative curvature) and
``_problem`` (the caller's callables, checked):

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

import numpy as np
from scipy.optimize import OptimizeResult
from scipy.sparse.linalg import LinearOperator
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning

from . import _progress as progress
from ._compat import Integral, Interval, Real, StrOptions
from ._linalg import (
    _curvature,
    _is_psd,
    _is_small,
    _norm,
    _scale,
    _solve_damped,
    _Spectrum,
)
from ._line_search import (
    _backtrack,
    _decrement,
    _expand,
    _model_exact,
    _negative_curvature_step,
    _Step,
    _sufficient_decrease,
    _ulps,
)
from ._problem import _Problem
from ._warnings import warn

# How many times the damping may be raised, or the radius cut, per iteration.
_MAX_DAMPING_RAISES = 60
# A failed spectral trial divides the radius by this; a full step accepted
# at the first trial sets the next radius to this times its length. These
# are the factors of scipy's trust-region methods.
_RADIUS_CUT, _RADIUS_GROWTH = 4.0, 2.0


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
            - ``history``: the rows of the verbose table, one per iterate
              ``x_0, ..., x_nit``, as a dict of arrays of shape (nit + 1,),
              recorded whether or not ``verbose`` is set: ``"iter"``,
              ``"objective"`` (``fun`` at each iterate), ``"grad_norm"``
              (``max|g|``), ``"step"`` (the step size ``t`` that led to the
              iterate), ``"damping"`` (the damping ``lam`` of that step: 0.0
              for the plain Newton system and for a step along negative
              curvature), both NaN at ``x0``, and ``"time"`` (seconds since
              the start). The same columns as gradient descent's.
            - ``iterates``: ``x_0, ..., x_nit``, shape ``(nit + 1,) +
              x0.shape``.
            - ``decrements``: the Newton decrement ``-g @ d / 2`` of each
              iteration's direction, shape (nit,).
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
        _, fun, grad_norm, *_ = history.table.rows[-1]
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
            fun=fun,
            jac=problem.unflatten(history.last_grad),
            nit=len(steps),
            nfev=problem.nfev,
            njev=problem.njev,
            nhev=problem.nhev,
            success=status == 0,
            status=status,
            message=message,
            iterates=iterates.reshape((len(iterates), *problem.shape)),
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


class _History:
    """Iterates and steps; the verbose table holds everything else.

    The table's rows (:class:`skperceptron._progress.Table`) are the one
    record of the objective, ``max|g|``, step size and damping of each
    iterate.
    """

    def __init__(self, verbose):
        self.iterates, self.steps = [], []
        self.last_grad = None
        self.table = progress.Table(verbose)

    def record_point(self, x, f, g):
        """Record the next iterate with its objective and gradient."""
        self.iterates.append(x.copy())
        self.last_grad = g
        step = damping = None
        if self.steps:
            step, damping = self.steps[-1].step_size, self.steps[-1].damping
        self.table.add(len(self.steps), f, _max_abs(g), step, damping)

    def record_step(self, step):
        """Record the accepted step that leads to the next iterate."""
        self.steps.append(step)


def _max_abs(g):
    """Return ``max|g|`` as a float (nan if ``g`` holds nan)."""
    return float(np.max(np.abs(g)))


def _all_finite(*arrays):
    """Tell whether no dense array among ``arrays`` holds nan or inf."""
    return all(
        isinstance(a, LinearOperator) or bool(np.all(np.isfinite(a))) for a in arrays
    )


def _stopped_by(callback, x, f, nit):
    """Call ``callback`` at the new iterate; True if it raised StopIteration."""
    return progress.stopped_by(callback, x=x, fun=f, nit=nit)


# Stage 2: the (damped) Newton direction (its linear algebra: ``_linalg``).


def _damping_ladder(first_damping, factor, plain_first):
    """Yield 0 (the plain system) if asked, then ``first_damping * factor**k``."""
    if plain_first:
        yield 0.0
    for k in range(_MAX_DAMPING_RAISES):
        yield first_damping * factor**k


def _radius_after(radius, length, trial):
    """Stage 4: the radius after a spectral step of ``length`` at ``trial``."""
    if trial == 0:
        return max(radius, _RADIUS_GROWTH * length)
    return length


# Stage 4: the damping memory (stage 3, the line search: ``_line_search``).


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
