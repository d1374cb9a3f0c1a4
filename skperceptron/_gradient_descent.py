"""Gradient descent: the seeds' update ``θ ← θ − α ∇J(θ)``, epoch after epoch.

Optimizer layer: it sees a callable and arrays, never ``X``, ``y`` or an
estimator. An epoch is one full-batch update (``batch_size=None``) or one
pass of shuffled minibatch updates (``batch_size=k``; ``k=1`` is the seeds'
per-sample update). With ``accelerated=True`` an epoch is one full-batch
step of Nesterov's accelerated gradient instead (:class:`_Nesterov`).
After every epoch the full objective is recorded; the
fit stops when it has improved by less than ``tol`` for ``n_iter_no_change``
consecutive epochs (or, with a validation score, when that score has not
improved by ``tol``, or when the callback asks), warns when ``max_iter``
epochs end unconverged and raises when the objective diverges. Every epoch
is a row of the verbose table, recorded as the history.
"""

import warnings

import numpy as np
from scipy.optimize import OptimizeResult
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state, gen_batches

from . import _progress as progress

#: An objective this many times its starting value has exploded.
_EXPLOSION_FACTOR = 1e8


class GradientDescent:
    """Minimize ``fun(θ, batch) -> (J, ∇J)`` by (minibatch) gradient descent.

    Parameters
    ----------
    learning_rate : float
        The step size α of ``θ ← θ − α ∇J(θ)``.
    max_iter : int
        Maximum number of epochs.
    tol : float
        Minimum improvement of the objective (or validation score) per epoch.
    n_iter_no_change : int
        Number of consecutive epochs without such improvement before stopping.
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

    def minimize(
        self,
        fun,
        x0,
        n_samples,
        *,
        validation_score=None,
        incremental=False,
        callback=None,
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
            when to stop, and the best parameters seen are returned.
        incremental : bool, default=False
            True for a step of an incremental fit (``partial_fit``): no
            ``ConvergenceWarning`` at ``max_iter``, and no check that the run
            ends below where it started.
        callback : callable, default=None
            ``callback(intermediate_result)`` is called after each epoch with
            an :class:`~scipy.optimize.OptimizeResult` holding ``x``, ``fun``
            and ``nit`` (the epoch). Raising ``StopIteration`` stops the
            descent there, without ``ConvergenceWarning``.

        Returns
        -------
        result : OptimizeResult
            ``x``, ``fun``, ``jac``, ``nit``, ``success``, ``message``,
            ``loss_curve`` (``J`` after each epoch), ``validation_scores``
            and ``history``: the rows of the verbose table, from the starting
            point (epoch 0) to the last epoch, as a dict of arrays keyed by
            :data:`skperceptron._progress.KEYS` (the damping is NaN).
        """
        theta = np.array(x0, copy=True)
        rng = check_random_state(self.random_state)
        value, grad = fun(theta, None)
        stopper = _Stopper(self.tol, self.n_iter_no_change, validation_score)
        table = progress.Table(self.verbose)
        table.add(0, value, _max_abs(grad))
        initial_value = value
        nesterov = _Nesterov(theta) if self.accelerated else None
        for epoch in range(1, self.max_iter + 1):
            with np.errstate(over="ignore", invalid="ignore"):  # checked below
                if nesterov is None:
                    theta = self._epoch(fun, theta, grad, n_samples, rng)
                else:
                    theta = nesterov.step(theta, grad, self.learning_rate)
                value, grad = fun(theta, None)
            _check_divergence(value, initial_value, epoch, self.learning_rate)
            table.add(epoch, value, _max_abs(grad), self.learning_rate)
            stop = stopper.update(value, theta)
            if progress.stopped_by(callback, x=theta, fun=value, nit=epoch):
                stopper.stopped_by_callback = stop = True
            if stop:
                break
        if not incremental:
            _check_ended_lower(value, initial_value, epoch, self.learning_rate)
            if not (stopper.converged or stopper.stopped_by_callback):
                _warn_unconverged(self.tol, self.max_iter)
        return stopper.result(theta, value, grad, epoch, table.history())

    def _epoch(self, fun, theta, grad, n_samples, rng):
        """One epoch of updates ``θ ← θ − α ∇J(θ)`` (grad: ∇J at θ, full batch)."""
        if self.batch_size is None or self.batch_size >= n_samples:
            return theta - self.learning_rate * grad
        order = rng.permutation(n_samples) if self.shuffle else np.arange(n_samples)
        for rows in gen_batches(n_samples, self.batch_size):
            _, batch_grad = fun(theta, order[rows])
            theta -= self.learning_rate * batch_grad
        return theta


class _Nesterov:
    """Nesterov's accelerated gradient, restarted when its momentum goes uphill.

    From the point ``θ`` where the gradient was taken, a plain step gives
    ``x⁺ = θ − α ∇J(θ)``; the next point adds momentum,
    ``θ⁺ = x⁺ + β (x⁺ − x)`` with ``β = (k − 1)/(k + 2)`` growing towards 1
    (FISTA's sequence). When the step and the momentum disagree,
    ``∇J(θ)ᵀ(x⁺ − x) > 0``, the momentum is dropped and ``k`` starts again at 1
    (the gradient restart scheme of O'Donoghue & Candès, "Adaptive restart
    for accelerated gradient schemes", 2015): no extra evaluation, and no
    momentum parameter to tune. The first step is the plain one.
    """

    def __init__(self, theta):
        self.x = np.array(theta, copy=True)
        self.k = 1

    def step(self, theta, grad, learning_rate):
        """Return the next point ``θ⁺`` from ``θ`` and ``∇J(θ)``."""
        x_next = theta - learning_rate * grad
        if np.vdot(grad, x_next - self.x) > 0:  # restart
            self.k = 1
        beta = (self.k - 1) / (self.k + 2)
        self.k += 1
        theta = x_next + beta * (x_next - self.x)
        self.x = x_next
        return theta


class _Stopper:
    """scikit-learn's stopping rule on the objective or a validation score."""

    def __init__(self, tol, n_iter_no_change, validation_score):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.validation_score = validation_score
        self.best = np.inf
        self.best_theta = None
        self.no_improvement = 0
        self.converged = False
        self.stopped_by_callback = False
        self.loss_curve = []
        self.validation_scores = []

    def update(self, value, theta):
        """Record one epoch; return True when the fit should stop."""
        self.loss_curve.append(float(value))
        criterion = value
        if self.validation_score is not None:
            criterion = -self.validation_score(theta)  # lower is better
            self.validation_scores.append(-criterion)
        if criterion > self.best - self.tol:
            self.no_improvement += 1
        else:
            self.no_improvement = 0
        if criterion < self.best:
            self.best = criterion
            if self.validation_score is not None:
                self.best_theta = theta.copy()
        self.converged = self.no_improvement >= self.n_iter_no_change
        return self.converged

    def result(self, theta, value, grad, n_iter, history):
        if self.best_theta is not None:
            theta = self.best_theta
        if self.converged:
            message = "The objective stopped improving by tol."
        elif self.stopped_by_callback:
            message = "Stopped by the callback."
        else:
            message = "max_iter reached before convergence."
        return OptimizeResult(
            x=theta,
            fun=value,
            jac=grad,
            nit=n_iter,
            success=self.converged,
            message=message,
            loss_curve=self.loss_curve,
            validation_scores=self.validation_scores,
            history=history,
        )


def _max_abs(grad):
    """Return the largest absolute component of the gradient, ``max|∇J|``."""
    return float(np.max(np.abs(grad)))


def _check_divergence(value, initial_value, epoch, learning_rate):
    """Raise ``ValueError`` when the objective is non-finite or has exploded."""
    limit = _EXPLOSION_FACTOR * max(initial_value, np.finfo(np.float64).tiny)
    if not (np.isfinite(value) and value <= limit):
        _raise_diverged(value, initial_value, epoch, learning_rate)


def _check_ended_lower(value, initial_value, epoch, learning_rate):
    """Raise ``ValueError`` when a whole fit ends above where it started."""
    if value > initial_value:
        _raise_diverged(value, initial_value, epoch, learning_rate)


def _raise_diverged(value, initial_value, epoch, learning_rate):
    raise ValueError(
        f"Gradient descent diverged at epoch {epoch} with "
        f"learning_rate={learning_rate:.6g}: the objective went from "
        f"{initial_value:.6g} to {value:.6g}. Scale the features (e.g. with "
        "StandardScaler), use a smaller learning_rate, or use "
        "learning_rate='auto', which computes a safe step from the data."
    )


def _warn_unconverged(tol, max_iter):
    warnings.warn(
        f"Gradient descent reached max_iter={max_iter} epochs before the "
        f"objective stopped improving by tol={tol:g}. Increase max_iter, "
        "scale the features, or use solver='newton'.",
        ConvergenceWarning,
        stacklevel=4,
    )
