"""The two-layer network classifier: scikit-learn's contract around seed 001.

Estimator layer: the network's hooks for :mod:`skperceptron._base`. The
numbers come from :mod:`skperceptron._network`, the loop from
:mod:`skperceptron._gradient_descent`.
"""

import numpy as np

from ._base import BaseClassifier, fit_method
from ._compat import Integral, Interval, StrOptions
from ._docstrings import NETWORK, shared_docstring
from ._network import ACTIVATIONS, TwoLayerObjective, forward
from ._newton import NewtonOptimizer
from ._validation import check_init_list, check_init_params


@shared_docstring(NETWORK)
class TwoLayerNetClassifier(BaseClassifier):
    """Two-layer neural network classifier trained by hand-derived backpropagation.

    The seeds' ``2-2-1`` network (seeds 001 and 004) for any number of
    inputs, hidden units and classes: a hidden layer of ``n_hidden`` units
    ``a = f(X W1 + b1)`` and an output layer ``ŷ = σ(a W2 + b2)``, trained on
    the log-loss by gradient descent with the seeds' chain-rule gradients.
    Two classes use one sigmoid output unit (exactly the seeds' network),
    three or more a softmax unit per class, and a multilabel indicator ``y``
    one sigmoid unit per label.

    Parameters
    ----------
    n_hidden : int, default=16
        Number of hidden units. The seeds' network has 2; 16 fits curved
        boundaries (moons, circles, XOR) and scores as well as 32 or 64 on the
        classic small data sets, while each epoch of full-batch gradient
        descent stays cheap.
    activation : {"sigmoid", "tanh", "relu"}, default="sigmoid"
        Hidden activation ``f``: the seeds' sigmoid ``σ(z)`` (derivative
        ``a(1 − a)``), ``tanh(z)`` (``1 − a²``) or ``max(z, 0)`` (``1`` where
        ``a > 0``). Newton's method needs a smooth ``f``: use ``"sigmoid"``
        or ``"tanh"`` with ``solver="newton"`` (relu's kinks stall it).
        ``TwoLayerNetClassifier(n_hidden=2)`` is the seeds' ``2-2-1`` network.
    {parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (for multilabel ``y``, the label indices).
    coefs_ : list of ndarray
        ``[W1, W2]``: ``W1`` of shape (n_features, n_hidden), ``W1[j, k]``
        being the seeds' ``w_jk`` (input ``j`` to hidden unit ``k``), and
        ``W2`` of shape (n_hidden, n_outputs).
    intercepts_ : list of ndarray
        ``[b1, b2]`` of shapes (n_hidden,) and (n_outputs,).
    n_outputs_ : int
        Number of output units: 1 for two classes, else the number of classes
        or labels.
    out_activation_ : str
        ``"logistic"`` (sigmoid outputs) or ``"softmax"``.
    {attributes}

    See Also
    --------
    SigmoidPerceptronClassifier : The network without its hidden layer.
    sklearn.neural_network.MLPClassifier : Multi-layer perceptron with Adam
        and L-BFGS solvers.

    Notes
    -----
    The objective, with sample weights ``s`` (ones by default), is

    ``J = Σᵢ sᵢ Lᵢ / Σᵢ sᵢ + (alpha/2)(‖W1‖² + ‖W2‖²)``,

    ``Lᵢ = −Σₖ [yᵢₖ ln ŷᵢₖ + (1 − yᵢₖ) ln(1 − ŷᵢₖ)]`` for sigmoid outputs and
    ``Lᵢ = −ln ŷᵢ,yᵢ`` for softmax outputs, with ``Zᵢ = f(xᵢW1 + b1) W2 + b2``
    and ``ŷᵢ = σ(Zᵢ)`` or ``softmax(Zᵢ)``. Its gradient is backpropagation
    written as seed 001 derives it: with ``δ = s ⊙ (ŷ − y) / Σ s`` and
    ``A1 = f(X W1 + b1)``, ``∇W2 = A1ᵀδ + alpha W2``, ``∇b2 = Σᵢ δᵢ``,
    ``δ₁ = (δ W2ᵀ) ⊙ f'(A1)`` (``f' = a(1 − a)`` for the sigmoid),
    ``∇W1 = Xᵀδ₁ + alpha W1``, ``∇b1 = Σᵢ δ₁ᵢ``. One full-batch epoch is
    ``θ ← θ − α ∇J(θ)``. Integer sample weights are exactly equivalent to
    repeated rows.

    The initial weights are drawn uniformly in ``±sqrt(6 / fan_in)`` (He)
    for relu units, with zero hidden biases, and in ``±g·sqrt(6 / (fan_in +
    fan_out))`` (Glorot) for tanh (``g = 1``) and sigmoid units (``g = 4``,
    as the sigmoid's slope at 0 is a quarter of tanh's); they depend on
    ``random_state`` and the shapes only, not on the number of samples. The
    objective is not convex: different ``random_state`` values may reach
    different minima.

    Examples
    --------
    >>> from skperceptron import TwoLayerNetClassifier
    >>> X = [[0, 0], [0, 1], [1, 0], [1, 1]]
    >>> y = [0, 1, 1, 0]  # XOR: no single perceptron separates it
    >>> clf = TwoLayerNetClassifier(random_state=0).fit(X, y)
    >>> clf.predict(X)
    array([0, 1, 1, 0])
    >>> [W.shape for W in clf.coefs_]
    [(2, 16), (16, 1)]
    """

    _multi_output = True

    _parameter_constraints: dict = {
        **BaseClassifier._parameter_constraints,
        "n_hidden": [Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
    }

    def __init__(
        self,
        *,
        n_hidden=16,
        activation="sigmoid",
        learning_rate="auto",
        solver="gd",
        max_iter=1000,
        tol=1e-5,
        n_iter_no_change=5,
        alpha=1e-4,
        batch_size=None,
        shuffle=True,
        random_state=None,
        warm_start=False,
        verbose=0,
        early_stopping=False,
        validation_fraction=0.1,
    ):
        super().__init__(
            learning_rate=learning_rate,
            solver=solver,
            max_iter=max_iter,
            tol=tol,
            n_iter_no_change=n_iter_no_change,
            alpha=alpha,
            batch_size=batch_size,
            shuffle=shuffle,
            random_state=random_state,
            warm_start=warm_start,
            verbose=verbose,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
        )
        self.n_hidden = n_hidden
        self.activation = activation

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    @fit_method
    def fit(self, X, y, sample_weight=None, *, coefs_init=None, intercepts_init=None):
        """Fit the network by backpropagation and gradient descent (or Newton).

        {parameters_X_train}
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels (any type), or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; integer weights equal repeated rows.
        coefs_init : list of two array-like, default=None
            ``[W1, W2]`` to start from, of the shapes of ``coefs_``:
            (n_features, n_hidden) and (n_hidden, n_outputs), with
            ``n_outputs`` 1 for two classes, else the number of classes or
            labels. Used instead of the random weights (or, with
            ``warm_start``, the current ``coefs_``). Copied, in the dtype of
            ``X``; the arrays passed are not modified.
        intercepts_init : list of two array-like, default=None
            ``[b1, b2]`` to start from, of the shapes of ``intercepts_``:
            (n_hidden,) and (n_outputs,), likewise.

        Returns
        -------
        self : TwoLayerNetClassifier
            The fitted estimator.

        Raises
        ------
        ValueError
            When ``coefs_init`` or ``intercepts_init`` does not hold arrays of
            the shapes of ``coefs_`` or ``intercepts_`` for ``X``, ``y`` and
            ``n_hidden``, or they are not finite.
        """
        init = {"coefs_init": coefs_init, "intercepts_init": intercepts_init}
        return self._fit(X, y, sample_weight, init=init)

    def _newton_optimizer(self):
        """Return Levenberg–Marquardt Newton on the Hessian, damped from the start.

        The first damping is ``λ₀ = 0.1‖Hg‖/‖g‖``, raised tenfold while
        ``H + λI`` is indefinite or the full step fails. Plain Newton steps
        from a random start jump into saturated hidden units or toward the
        ``W = 0`` saddle; damped steps follow the gradient first. From the
        same starts as L-BFGS on noisy moons (2 to 32 hidden units, 8 starts
        each), this reached L-BFGS's objective (+1 %) at 30 of 32 starts, in
        13 to 48 iterations against L-BFGS's 43 to 251 (the "same start" rows
        of ``benchmarks/network.py``). ``λ₀ = ‖Hg‖/‖g‖`` reached the same
        starts there, in up to 2 more iterations (median).
        """
        return NewtonOptimizer(
            tol=self.tol,
            max_iter=self.max_iter,
            verbose=self.verbose,
            damping="levenberg-marquardt",
            initial_damping=0.1,
        )

    def _objective(self, loss, X, Y, sample_weight):
        return TwoLayerObjective(
            loss, X, Y, sample_weight, self.alpha, self.n_hidden,
            self.activation,
        )  # fmt: skip

    def _initial_theta(self, problem, continuing, rng, init=None):
        """Start from ``init``, the current parameters, or random weights.

        Each of ``coefs_init`` and ``intercepts_init`` is used where given;
        the other parameters are the current ones when continuing, else drawn
        at random, scaled for the activation, for standardized inputs
        (:meth:`_standardized_draw`).
        """
        objective = problem.objective
        d, h, K = objective.n_features, self.n_hidden, objective.n_outputs
        dtype, init = objective.Y.dtype, init or {}
        shapes = {"coefs": [(d, h), (h, K)], "intercepts": [(h,), (K,)]}
        params = {}
        for name, expected in shapes.items():
            if init.get(f"{name}_init") is not None:
                params[name] = check_init_list(
                    init[f"{name}_init"], f"{name}_init", expected, dtype
                )
            elif continuing and hasattr(self, "coefs_"):
                params[name] = check_init_params(self, f"{name}_", expected)
        if len(params) < len(shapes):
            params = self._standardized_draw(problem.standardization, params, K, rng)
        (W1, W2), (b1, b2) = params["coefs"], params["intercepts"]
        return objective.pack(W1, b1, W2, b2).astype(dtype)

    def _standardized_draw(self, standardization, params, n_outputs, rng):
        """Fill in the parameters not in ``params`` with random ones.

        The random weights are drawn for standardized inputs
        (:meth:`_random_parameters`) and written for ``X``: ``W1 = W̃1 / s``
        and ``b1 = b̃1 − m·W1`` (:mod:`skperceptron._scaling`), so that the
        hidden units start as they would on standardized data, whatever the
        scale and the offset of each feature. Given parameters are kept as
        they are.
        """
        d, h = standardization.n_features, self.n_hidden
        W1, b1, W2, b2 = self._random_parameters(d, h, n_outputs, rng)
        if "coefs" in params:
            W1, W2 = params["coefs"]
        else:
            W1 = W1 / standardization.scale[:, None]
        if "intercepts" in params:
            b1, b2 = params["intercepts"]
        else:
            b1 = b1 - standardization.mean @ W1
        return {"coefs": [W1, W2], "intercepts": [b1, b2]}

    def _random_parameters(self, d, h, K, rng):
        """Draw ``W1, b1, W2, b2`` (float64) as the class Notes describe."""
        if self.activation == "relu":  # He: keeps the scale through relu units
            bound1, bound2, bias1 = np.sqrt(6 / d), np.sqrt(6 / h), 0.0
        else:  # Glorot; 4× for the sigmoid, whose slope σ'(0) = 1/4 is tanh'(0)/4
            gain = 4.0 if self.activation == "sigmoid" else 1.0
            bound1 = bias1 = gain * np.sqrt(6 / (d + h))
            bound2 = gain * np.sqrt(6 / (h + K))
        W1 = rng.uniform(-bound1, bound1, size=(d, h))
        b1 = rng.uniform(-bias1, bias1, size=h)
        W2 = rng.uniform(-bound2, bound2, size=(h, K))
        b2 = rng.uniform(-bound2, bound2, size=K)
        return W1, b1, W2, b2

    def _fitted_attributes(self, objective, theta):
        W1, b1, W2, b2 = objective.unpack(theta)
        return {
            "coefs_": [W1.copy(), W2.copy()],
            "intercepts_": [b1.copy(), b2.copy()],
            "n_outputs_": objective.n_outputs,
            "out_activation_": objective.loss.out_activation,
        }

    def _forward(self, X):
        W1, W2 = (np.asarray(W, dtype=X.dtype) for W in self.coefs_)
        b1, b2 = (np.asarray(b, dtype=X.dtype) for b in self.intercepts_)
        return forward(X, W1, b1, W2, b2, self.activation)[1]
