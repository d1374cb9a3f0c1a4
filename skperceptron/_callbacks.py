"""scikit-learn's callbacks (``set_callbacks``, scikit-learn >= 1.9) around a fit.

Estimator layer. A fit is a task whose subtasks are its epochs or Newton
iterations. Older releases have no ``sklearn.callback``: the estimators then
have no ``set_callbacks`` and :class:`FitCallbacks` does nothing.
"""

from ._compat import callback_context, has_callbacks


class FitCallbacks:
    """Report a fit and each of its iterations to the estimator's callbacks.

    With ``sklearn.callback`` (scikit-learn >= 1.9), the fit is the root task
    of the estimator's callback context, begun here and ended by
    :meth:`close`; each epoch or Newton iteration is a subtask. When the
    estimator has callbacks, a subtask begins at the optimizer's first
    evaluation of the objective that iteration (:meth:`evaluating`) and ends
    at the new iterate, from the optimizer's callback
    (:meth:`iteration_end`), which hands the callbacks the estimator at that
    iterate (``fitted_estimator``) and stops the optimizer when one of their
    ``on_fit_task_end`` returns True. Without ``sklearn.callback`` it does
    nothing.

    Parameters
    ----------
    estimator : BaseGradientEstimator
        The estimator being fitted.
    max_iter : int
        The most iterations the fit may run.
    task_name : str
        The name of the iterations' subtasks.
    X, y : array-like
        The data given to ``fit``, passed on to the callbacks.
    metadata : dict or None, default=None
        ``{"sample_weight": ...}`` when ``fit`` was given sample weights.
    """

    def __init__(self, estimator, max_iter, task_name, *, X, y, metadata=None):
        self.estimator, self.task_name = estimator, task_name
        self.data = {"X": X, "y": y, "metadata": metadata}
        self.context = self.iteration = None
        self.context = callback_context(estimator, max_iter)
        if self.context is not None:
            self.context.call_on_fit_task_begin(estimator=estimator, **self.data)
        self.active = self.context is not None and has_callbacks(estimator)

    def evaluating(self, fun):
        """Return ``fun``, made to begin an iteration when none is under way."""
        if not self.active:
            return fun

        def evaluate(*args):
            if self.iteration is None:
                self.iteration = self.context.subcontext(task_name=self.task_name)
                self.iteration.call_on_fit_task_begin(
                    estimator=self.estimator, **self.data
                )
            return fun(*args)

        return evaluate

    def iteration_end(self, problem):
        """Return the optimizer's ``callback``, None when there are no callbacks.

        ``problem`` is the standardized objective: the optimizer's ``x`` is
        ``φ``, whose model parameters are ``θ = Tφ``.
        """
        if not self.active:
            return None

        def end(intermediate_result):
            def attributes():
                return self.estimator._fitted_attributes(
                    problem.objective, problem.to_model(intermediate_result.x)
                )

            iteration, self.iteration = self.iteration, None
            if iteration.call_on_fit_task_end(
                estimator=self.estimator,
                reconstruction_attributes=attributes,
                **self.data,
            ):
                raise StopIteration

        return end

    def close(self):
        """End an iteration left unfinished (a failed step), then the fit."""
        if self.iteration is not None:
            self.iteration.call_on_fit_task_end(estimator=self.estimator)
        if self.context is not None:
            self.context.call_on_fit_task_end(
                estimator=self.estimator, reconstruction_attributes={}, **self.data
            )


def callback_metadata(sample_weight):
    """Return the callbacks' metadata: the sample weights, if ``fit`` had any."""
    return None if sample_weight is None else {"sample_weight": sample_weight}
