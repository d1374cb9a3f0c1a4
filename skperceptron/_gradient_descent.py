"""Gradient descent: the course notes' update ``θ ← θ − α ∇J(θ)``, epoch after epoch.

Optimizer layer: it sees a callable and arrays, never ``X``, ``y`` or an
estimator. An epoch is one full-batch update (``batch_size=None``) or one
pass of shuffled minibatch updates (``batch_size=k``; ``k=1`` is the notes'
per-sample update). With ``accelerated=True`` an epoch is one full-batch
step of Nesterov's accelerated gradient instead (:class:`_Nesterov`). The
step ``α`` is one number or one per coordinate, ``θⱼ ← θⱼ − αⱼ ∂J/∂θⱼ``.

After every epoch the full objective and its gradient are evaluated. When
to stop:

- full-batch steps stop when the gradient vanishes, ``max|∇J| ≤ tol``: a
  slow epoch of a deterministic method is not a converged one;
- minibatch steps are noisy: they stop when the objective has not improved
  by ``tol`` for ``n_iter_no_change`` epochs (or on the gradient test), and
  return the parameters of the lowest objective seen;
- with a validation score (early stopping), when that score has not
  improved by ``tol`` for ``n_iter_no_change`` epochs, returning the
  parameters of the best score (or on the gradient test);
- when the callback asks.

``ConvergenceWarning`` reports a run that ends at ``max_iter`` instead,
quoting the measured gradient and the remedy given by the caller. A
non-finite or exploding objective raises ``ValueError``. Every epoch is a
row of the verbose table, recorded as the history.
"""

import numpy as np
from scipy.optimize import OptimizeResult
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state, gen_batches

from . import _progress as progress
from ._warnings import warn

#: An objective this many times its starting value has exploded.
_EXPLOSION_FACTOR = 1e8
#: The result's ``status`` for each reason to stop, as ``NewtonOptimizer``'s:
#: 0 converged, 1 ``max_iter`` reached, 3 stopped by the callback.
_STATUS = {"gradient": 0, "no improvement": 0, None: 1, "callback": 3}


class GradientDescent:
    """Minimize ``fun(θ, batch) -> (J, ∇J)`` by (minibatch) gradient descent.

    Parameters
    ----------
    learning_rate : float or ndarray of shape (n_params,)
        The step ``α`` of ``θ ← θ − α ⊙ ∇J(θ)``: one for all coordinates, or
        one per coordinate.
    max_iter : int
        Maximum number of epochs.
    tol : float
        Full-batch steps: the largest ``max|∇J|`` that counts as converged.
        Minibatch steps and validation scores: the minimum improvement of
        the objective (or score) per epoch.
    n_iter_no_change : int
        Epochs without such improvement before minibatch steps (or a
        validation score) stop.
    batch_size : int or None
        Rows per update; ``None`` for one full-batch update per epoch.
    shuffle : bool
        Whether to shuffle the rows before each epoch of minibatches.
    random_state : int, RandomState instance or None
        Seeds the shuffling.
    verbose : int
        Print one line per epoch when positive.
    accelerated : bool, default=False
        Take full-batch Nesterov steps (:class:`_Nesterov`) instead of the
        plain update; ``batch_size`` and ``shuffle`` are then unused.
    precondition : callable, default=None
        ``precondition(g)``: the direction to step along instead of the
        gradient ``g`` itself (``θ ← θ − α ⊙ precondition(∇J)``).
    """

    def __init__(
        self,
        learning_rate,
        *,
        max_iter,
        tol,
        n_iter_no_change,
        batch_size=None,
        shuffle=True,
        random_state=None,
        verbose=0,
        accelerated=False,
        precondition=None,
    ):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.random_state = random_state
        self.verbose = verbose
        self.accelerated = accelerated
        self.precondition = precondition

    def minimize(
        self,
        fun,
        x0,
        n_samples,
        *,
        validation_score=None,
        incremental=False,
        callback=None,
        advice=None,
    ):
        """Run up to ``max_iter`` epochs from ``x0``.

        Parameters
        ----------
        fun : callable
            ``fun(θ, batch)`` returns ``(J, ∇J)`` on the rows ``batch``
            (``None`` for all rows).
        x0 : ndarray of shape (n_params,)
            Starting point; not modified.
        n_samples : int
            Number of rows, to form minibatches.
        validation_score : callable, default=None
            ``validation_score(θ)``, higher is better. When given, it decides
            when to stop (besides the gradient test), and the best
            parameters seen are returned.
        incremental : bool, default=False
            True for a step of an incremental fit (``partial_fit``): no
            ``ConvergenceWarning`` at ``max_iter``, and no check that the run
            ends below where it started.
        callback : callable, default=None
            ``callback(intermediate_result)`` is called after each epoch with
            an :class:`~scipy.optimize.OptimizeResult` holding ``x``, ``fun``
            and ``nit`` (the epoch). Raising ``StopIteration`` stops the
            descent there, without ``ConvergenceWarning``.
        advice : callable, default=None
            ``advice()`` returns what to do when ``max_iter`` ends the run,
            for its ``ConvergenceWarning``; called only then.

        Returns
        -------
        result : OptimizeResult
            ``x``, ``fun``, ``jac``: the point returned, ``J`` and ``∇J``
            there; ``nit``: the epochs run; ``status``: 0 converged (the
            gradient test passed, or the objective or validation score
            stopped improving), 1 ``max_iter`` reached, 3 stopped by the
            callback; ``success`` (status 0) and ``message``. ``history``:
            the rows of the verbose table, from the starting point (epoch 0)
            to the last epoch, as a dict of arrays keyed by
            :data:`skperceptron._progress.KEYS` (the damping is NaN);
            ``history["objective"][1:]`` is ``J`` after each epoch.
            ``validation_scores``, the score after each epoch, only with
            ``validation_score``.
        """
        theta = np.array(x0, copy=True)
        rng = check_random_state(self.random_state)
        value, grad = fun(theta, None)
        minibatches = self._minibatches(n_samples)
        watch = _Watch(self.tol, self.n_iter_no_change, minibatches, validation_score)
        watch.start(theta, value, grad, test_start=not incremental)
        table = progress.Table(self.verbose)
        table.add(0, value, _max_abs(grad))
        nesterov = _Nesterov(theta) if self.accelerated else None
        epochs = range(1, self.max_iter + 1) if watch.reason is None else ()
        epoch = 0
        for epoch in epochs:
            with np.errstate(over="ignore", invalid="ignore"):  # checked below
                if nesterov is not None:
                    theta = nesterov.step(theta, grad, self._direction(grad))
                elif minibatches:
                    theta = self._minibatch_epoch(fun, theta, n_samples, rng)
                else:
                    theta = theta - self._direction(grad)
                value, grad = fun(theta, None)
            self._check_divergence(value, watch.initial_value, epoch)
            table.add(epoch, value, _max_abs(grad), self._step_column())
            watch.update(epoch, theta, value, grad)
            if progress.stopped_by(callback, x=theta, fun=value, nit=epoch):
                watch.reason = "callback"
            if watch.reason is not None:
                break
        if not incremental:
            if not (minibatches or validation_score is not None):
                self._check_ended_lower(value, watch.initial_value, epoch)
            if watch.reason is None:
                warn(self._unconverged_message(watch, advice), ConvergenceWarning)
            elif watch.noisy and watch.best_epoch == 0 and epoch > 0:
                warn(self._no_progress_message(watch), ConvergenceWarning)
        return watch.result(epoch, table.history())

    def _minibatches(self, n_samples):
        return (
            not self.accelerated
            and self.batch_size is not None
            and self.batch_size < n_samples
        )

    def _direction(self, grad):
        """``α ⊙ P(∇J)``: the step of one update."""
        if self.precondition is not None:
            grad = self.precondition(grad)
        return self.learning_rate * grad

    def _minibatch_epoch(self, fun, theta, n_samples, rng):
        """One pass of updates ``θ ← θ − α ∇J_batch(θ)`` over shuffled minibatches."""
        order = rng.permutation(n_samples) if self.shuffle else np.arange(n_samples)
        for rows in gen_batches(n_samples, self.batch_size):
            _, batch_grad = fun(theta, order[rows])
            theta = theta - self._direction(batch_grad)
        return theta

    def _step_column(self):
        """Return the verbose table's step: ``α`` if it is one number, else None."""
        return float(self.learning_rate) if np.ndim(self.learning_rate) == 0 else None

    def _describe_rate(self):
        if np.ndim(self.learning_rate) == 0:
            return f"learning_rate={float(self.learning_rate):.6g}"
        return (
            "learning_rate='auto' (steps of up to "
            f"{float(np.max(self.learning_rate)):.3g} per coordinate)"
        )

    def _check_divergence(self, value, initial_value, epoch):
        """Raise ``ValueError`` when the objective is non-finite or has exploded."""
        limit = _EXPLOSION_FACTOR * max(initial_value, np.finfo(np.float64).tiny)
        if not (np.isfinite(value) and value <= limit):
            self._raise_diverged(value, initial_value, epoch)

    def _check_ended_lower(self, value, initial_value, epoch):
        """Raise ``ValueError`` when full-batch steps end above where they started."""
        if value > initial_value:
            self._raise_diverged(value, initial_value, epoch)

    def _raise_diverged(self, value, initial_value, epoch):
        if np.ndim(self.learning_rate) == 0:
            remedy = (
                "Use a smaller learning_rate, or learning_rate='auto', which "
                "computes a safe step for each coordinate from the data."
            )
        else:
            remedy = (
                "The curvature grew beyond what the steps computed where the "
                "fit started allow: use a float learning_rate smaller than "
                "these steps, or solver='newton'."
            )
        raise ValueError(
            f"Gradient descent diverged at epoch {epoch} with "
            f"{self._describe_rate()}: the objective went from "
            f"{initial_value:.6g} to {value:.6g}. {remedy}"
        )

    def _no_progress_message(self, watch):
        return (
            f"No epoch of gradient descent with {self._describe_rate()} lowered "
            f"the objective below its starting value {watch.initial_value:.6g} "
            "(or raised the validation score): the starting parameters are "
            "returned. Use a smaller learning_rate."
        )

    def _unconverged_message(self, watch, advice):
        if watch.noisy:
            rule = (
                "the lowest objective had improved by more than "
                f"tol={self.tol:g} within the last {self.n_iter_no_change} epochs"
            )
            if watch.validation_scores:
                rule = (
                    "the validation score had improved by more than "
                    f"tol={self.tol:g} within the last "
                    f"{self.n_iter_no_change} epochs"
                )
            message = (
                f"Gradient descent reached max_iter={self.max_iter} epochs while "
                f"{rule}: the parameters returned are the best seen, at epoch "
                f"{watch.best_epoch} (J = {watch.best_value:.6g}, "
                f"max|∇J| = {_max_abs(watch.best_grad):.3g})."
            )
        else:
            message = (
                f"Gradient descent reached max_iter={self.max_iter} epochs before "
                f"max|∇J| fell to tol={self.tol:g}: it is "
                f"{_max_abs(watch.best_grad):.3g} (it was "
                f"{watch.initial_grad_norm:.3g} at the start)."
            )
            if _at_rounding_level(watch):  # more epochs would not help
                return (
                    f"{message} In float32 that is within 100 rounding errors of "
                    "the start's gradient: rounding, not the number of epochs, "
                    "may keep it there. Raise tol, or fit float64 data."
                )
        return f"{message} {advice() if advice else ''}".strip()


class _Nesterov:
    """Nesterov's accelerated gradient, restarted when its momentum goes uphill.

    From the point ``θ`` where the gradient was taken, a plain step gives
    ``x⁺ = θ − α ∇J(θ)``; the next point adds momentum,
    ``θ⁺ = x⁺ + β (x⁺ − x)`` with ``β = (k − 1)/(k + 2)`` growing towards 1
    (FISTA's sequence). When the step and the momentum disagree,
    ``∇J(θ)ᵀ(x⁺ − x) > 0``, the momentum is dropped and ``k`` starts again at 1
    (the gradient restart scheme of O'Donoghue & Candès, "Adaptive restart
    for accelerated gradient schemes", 2015): no extra evaluation, and no
    momentum parameter to tune. The first step is the plain one. A restart
    may raise ``J`` for an epoch; the run stops on the gradient only.
    """

    def __init__(self, theta):
        self.x = np.array(theta, copy=True)
        self.k = 1

    def step(self, theta, grad, step):
        """Return the next point ``θ⁺`` from ``θ``, ``∇J(θ)`` and the plain step.

        ``step`` is ``α ∇J(θ)`` (or its preconditioned form); the restart test
        takes the gradient itself, whatever the metric of the step.
        """
        x_next = theta - step
        if np.vdot(grad, x_next - self.x) > 0:  # restart
            self.k = 1
        beta = (self.k - 1) / (self.k + 2)
        self.k += 1
        theta = x_next + beta * (x_next - self.x)
        self.x = x_next
        return theta


class _Watch:
    """Decides when the descent stops, and keeps the point to return."""

    def __init__(self, tol, n_iter_no_change, minibatches, validation_score):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.validation_score = validation_score
        #: The objective is noisy (minibatches) or judged on held-out rows: the
        #: best point seen is returned, judged by the no-improvement rule.
        self.noisy = minibatches or validation_score is not None
        self.reason = None
        self.no_improvement = 0
        self.validation_scores = []

    def start(self, theta, value, grad, test_start=True):
        """Record the starting point; it may already pass the gradient test."""
        self.initial_value = value
        self.initial_grad_norm = _max_abs(grad)
        self.best_criterion = value if self.validation_score is None else np.inf
        self._keep(0, theta, value, grad)
        if test_start and self.initial_grad_norm <= self.tol:
            self.reason = "gradient"

    def _keep(self, epoch, theta, value, grad):
        self.best_epoch, self.best_theta = epoch, theta
        self.best_value, self.best_grad = value, grad

    def update(self, epoch, theta, value, grad):
        """Record one epoch; set ``reason`` when the descent should stop."""
        if not self.noisy:
            self._keep(epoch, theta, value, grad)
        else:
            criterion = value
            if self.validation_score is not None:
                criterion = -self.validation_score(theta)  # lower is better
                self.validation_scores.append(-criterion)
            if criterion > self.best_criterion - self.tol:
                self.no_improvement += 1
            else:
                self.no_improvement = 0
            if criterion < self.best_criterion:
                self.best_criterion = criterion
                self._keep(epoch, theta, value, grad)  # θ is never updated in place
            if self.no_improvement >= self.n_iter_no_change:
                self.reason = "no improvement"
        if _max_abs(grad) <= self.tol:
            if self.validation_score is None:  # else the best held-out point
                self._keep(epoch, theta, value, grad)
            self.reason = "gradient"

    def result(self, n_iter, history):
        messages = {
            "gradient": "The gradient test max|∇J| <= tol passed.",
            "no improvement": "The objective (or validation score) stopped "
            "improving by tol; the best parameters seen are returned.",
            "callback": "Stopped by the callback.",
            None: "max_iter reached before convergence.",
        }
        status = _STATUS[self.reason]
        result = OptimizeResult(
            x=self.best_theta,
            fun=self.best_value,
            jac=self.best_grad,
            nit=n_iter,
            status=status,
            success=status == 0,
            message=messages[self.reason],
            history=history,
        )
        if self.validation_scores:
            result.validation_scores = self.validation_scores
        return result


def _at_rounding_level(watch):
    """Tell whether a float32 gradient has fallen to near its rounding error.

    Computed in float32, ``max|∇J|`` carries a rounding error of about
    ``eps · max|∇J(θ₀)|`` (the size of the terms summed); within ``100`` of
    that, rounding, not the number of epochs, may be what keeps it above
    ``tol``.
    """
    if watch.best_grad.dtype != np.float32:
        return False
    noise = np.finfo(np.float32).eps * watch.initial_grad_norm
    return _max_abs(watch.best_grad) <= 100 * noise


def _max_abs(grad):
    """Return the largest absolute component of the gradient, ``max|∇J|``."""
    return float(np.max(np.abs(grad))) if np.size(grad) else 0.0
