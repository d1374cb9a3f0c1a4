"""The line search of Newton's method: Armijo backtracking, expansion, escape.

Optimizer layer. Along a descent direction ``d`` (``g @ d < 0``) a step ``t``
is accepted when it gives a sufficient decrease (Armijo),
``f(x + t d) <= f(x) + c t g @ d`` (``_sufficient_decrease``). The full step
``t = 1`` is tried first, so that near a minimum with a positive definite
Hessian the iterates are exactly Newton's; on failure it is halved
(``_backtrack``). A trial point where ``f`` is not finite (outside its
domain) is a failed trial. A damped step accepted in full was shortened by
the damping rather than by the quadratic model, so it is doubled while
``f`` keeps decreasing (``_expand``). Next to a minimum the predicted
decrease falls below the rounding error of ``f`` (``_ulps``), which Armijo
cannot see past: the full step is then taken unless it raises ``f`` by more
than that error.

At a stationary point that is a saddle or a maximum, the step follows the
eigenvector ``v`` of the most negative eigenvalue ``mu``, with the
second-order Armijo condition
``f(x + t v) <= f(x) + c (t g @ v + t**2 mu / 2)``
(``_negative_curvature_step``).

Each accepted step is a ``_Step``, which carries the Newton decrement
``-g @ d / 2`` of its direction (``_decrement``), the decrease of ``f`` the
quadratic model predicts, and whether the decrease was that, to six digits
(``_model_exact``: a quadratic ``f``).
"""

from collections import namedtuple

import numpy as np

# An accepted step: the new point and objective, the step size t, the damping,
# the Newton decrement -g @ d / 2 of its direction d, and whether it was a full
# plain Newton step whose decrease of f was the decrement, to six digits: the
# quadratic model was exact along it (a quadratic f).
_Step = namedtuple("_Step", ["x", "fun", "step_size", "damping", "decrement", "exact"])


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
