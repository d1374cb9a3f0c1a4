"""Per-sample losses of a raw score, with their hand-derived derivatives.

Math layer: pure functions of arrays, no scikit-learn, no optimizer.
Every loss works on raw scores ``Z`` of shape ``(n_samples, n_outputs)`` and
targets ``Y`` of the same shape, and returns

- ``loss(Z, Y)``: the per-sample loss ``L_i``, shape ``(n_samples,)``;
- ``loss_gradient(Z, Y)``: ``L_i`` and ``dL_i/dZ_i``, which for each of these
  losses is the seeds' error term ``ŷ − y``;
- ``predict(Z)``: the model output ``ŷ`` (identity, sigmoid or softmax);
- ``hessian_weights(Z)``: ``d²L_i/dZ_i²``, shape ``(n_samples, K, K)``, and
  ``hessian_factor(Z)``: an ``R_i`` with ``R_iᵀR_i = d²L_i/dZ_i²``.

Each loss is also a kind of output: it turns raw scores into what an
estimator returns (``prediction``; ``predict_proba``, ``predict_log_proba``
and ``labels`` for the log-losses), and knows how its targets are stratified
and whether ``Z`` separates them. An estimator decides its kind once, in
``fit`` (:func:`output_kind`), and then asks the loss of that kind
(``LOSSES``).

Losses are computed from raw scores with stable primitives (``logaddexp``,
``logsumexp``): probabilities are never clipped.
"""

import numpy as np
from scipy.special import expit, log_expit, logsumexp


class _Output:
    """What every kind of output shares: the scores an estimator returns."""

    #: Whether adding one constant to every output changes no loss.
    shift_invariant = False

    def prediction(self, Z):
        """Return what ``predict`` (regression) or ``decision_function`` returns.

        ``Z`` itself, 1-D for one output.
        """
        return Z[:, 0] if Z.shape[1] == 1 else Z


class HalfSquaredError(_Output):
    """Half squared error of the regression perceptron (seed 000).

    ``L(y, ŷ) = ½ (y − ŷ)²`` with ``ŷ = z``.
    """

    #: Upper bound of ``d²L/dz²``, used for a safe gradient-descent step.
    curvature_bound = 1.0
    #: The output unit, as ``MLPRegressor.out_activation_`` names it.
    out_activation = "identity"
    #: Whether ``J`` has a finite minimizer whatever the data, with ``alpha = 0``.
    bounded = True

    def stratify(self, Y):
        """Return the key of a stratified split: none for regression."""
        return None

    def predict(self, Z):
        """Return ``ŷ = z``."""
        return Z

    def loss(self, Z, Y):
        """Return ``½ Σ_k (y_k − z_k)²`` per sample."""
        return 0.5 * np.sum((Y - Z) ** 2, axis=1)

    def loss_gradient(self, Z, Y):
        """Return the loss and ``dL/dz``.

        Seed 000: ``∂L/∂ŷ = −(y − ŷ)`` and ``∂ŷ/∂z = 1``, so ``dL/dz = ŷ − y``.
        """
        error = Z - Y
        return 0.5 * np.sum(error**2, axis=1), error

    def hessian_weights(self, Z):
        """Return ``d²L/dz²`` per sample, shape ``(n, K, K)``: the identity."""
        n_samples, n_outputs = Z.shape
        return np.broadcast_to(
            np.eye(n_outputs, dtype=Z.dtype), (n_samples,) + (n_outputs,) * 2
        )

    def hessian_factor(self, Z):
        """Return ``R`` with ``RᵀR = d²L/dz²`` per sample: the identity."""
        return self.hessian_weights(Z)


class _LogLoss(_Output):
    """What the log-losses share as outputs: log-probabilities and labels."""

    bounded = False  # scaling up weights that separate the classes lowers J

    def predict_log_proba(self, Z):
        """Return the log of :meth:`predict_proba`, computed from ``Z`` stably.

        Finite where a probability underflows to 0, and exactly 0 where it
        rounds to 1 (as the logarithm of the rounded probability is).
        """
        log_proba = self._log_proba(Z)
        log_proba[self.predict_proba(Z) == 1] = 0.0
        return log_proba

    def labels(self, Z, classes):
        """Return the class of largest probability of each row of ``Z``."""
        return classes[self._label_index(Z)]


class BinaryLogLoss(_LogLoss):
    """Log-loss of the sigmoid unit (seeds 000, 002, 003).

    ``L(y, ŷ) = −y ln ŷ − (1 − y) ln(1 − ŷ)`` with ``ŷ = σ(z)``, evaluated as
    ``ln(1 + eᶻ) − y z``, which is the same number without overflow.
    """

    curvature_bound = 0.25  # max of σ'(z) = σ(z)(1 − σ(z))
    out_activation = "logistic"

    def predict_proba(self, Z):
        """Return ``[1 − σ(z), σ(z)]``: the two classes' probabilities."""
        return np.hstack([expit(-Z), expit(Z)])

    def _log_proba(self, Z):
        return np.hstack([log_expit(-Z), log_expit(Z)])

    def _label_index(self, Z):
        return (Z[:, 0] > 0).astype(int)

    def stratify(self, Y):
        """Return the key of a stratified split: the column of the second class."""
        return Y[:, 0]

    def separates(self, Z, Y):
        """Tell whether the scores classify every row of one output correctly."""
        return bool(np.any(np.all((Z > 0) == (Y > 0), axis=0)))

    def class_weights(self, Y, sample_weight):
        """Return the total weight of each class (of ``Y``'s one column)."""
        second = Y[:, 0] > 0
        return np.array([sample_weight[~second].sum(), sample_weight[second].sum()])

    def predict(self, Z):
        """Return ``ŷ = σ(z)``."""
        return expit(Z)

    def loss(self, Z, Y):
        """Return ``ln(1 + eᶻ) − y z`` summed over outputs, per sample."""
        return _log_loss_terms(Z, Y)[0].sum(axis=1)

    def loss_gradient(self, Z, Y):
        """Return the loss and ``dL/dz``.

        Seed 002: ``∂L/∂a = −y/a + (1 − y)/(1 − a)`` and ``∂a/∂z = a(1 − a)``,
        whose product is ``dL/dz = a − y`` (``a = ŷ = σ(z)``).

        Both from one exponential ``e = exp(−|z|)`` (:func:`_log_loss_terms`):
        ``σ(z) = 1/(1 + e)`` for ``z ≥ 0`` and ``e/(1 + e)`` below, that is
        ``max(e, [z ≥ 0])/(1 + e)`` as ``e ≤ 1`` (the numbers of ``expit``,
        with one exponential fewer than computing it apart).
        """
        losses, e, one_plus_e, positive = _log_loss_terms(Z, Y)
        gradient = np.maximum(e, positive)
        gradient /= one_plus_e
        gradient -= Y
        return losses.sum(axis=1), gradient

    def hessian_weights(self, Z):
        """Return ``d²L/dz² = σ'(z) = ŷ(1 − ŷ)`` (seed 000) per output unit.

        Shape ``(n, K, K)``, diagonal: independent sigmoid units.
        """
        p = expit(Z)
        curvature = p * (1 - p)
        return curvature[:, :, None] * np.eye(Z.shape[1], dtype=Z.dtype)

    def hessian_factor(self, Z):
        """Return ``R`` with ``RᵀR = d²L/dz²`` per sample: ``√(ŷ(1 − ŷ))``.

        Shape ``(n, K, K)``, diagonal.
        """
        p = expit(Z)
        root = np.sqrt(p * (1 - p))
        return root[:, :, None] * np.eye(Z.shape[1], dtype=Z.dtype)


def _log_loss_terms(Z, Y):
    """Return ``ln(1 + eᶻ) − y z``, ``e = exp(−|z|)``, ``1 + e`` and ``z ≥ 0``.

    ``ln(1 + eᶻ) = ln(1 + e) + max(z, 0)`` has no overflow for any ``z``, and
    ``max(z, 0) − y z = ([z ≥ 0] − y) z``. ``ln(1 + e)`` is the ``log`` of
    the rounded ``1 + e`` (``log1p`` costs 1.7 to 5 times as much): it is
    within half a unit in the last place of 1 of the exact value (1.1e-16 in
    float64), no more than the rounding of a sum of such losses.
    """
    e = np.abs(Z)
    np.negative(e, out=e)
    np.exp(e, out=e)
    one_plus_e = e + 1
    positive = Z >= 0
    losses = positive - Y
    losses *= Z
    losses += np.log(one_plus_e)
    return losses, e, one_plus_e, positive


class MultilabelLogLoss(BinaryLogLoss):
    """Log-loss of one sigmoid unit per label, for a multilabel indicator ``y``.

    The loss of :class:`BinaryLogLoss` summed over the labels; its outputs
    are a probability and a decision per label.
    """

    def predict_proba(self, Z):
        """Return ``σ(z)``: each label's probability."""
        return expit(Z)

    def _log_proba(self, Z):
        return log_expit(Z)

    def labels(self, Z, classes):
        """Return the indicator of each label whose probability is above ½."""
        return (Z > 0).astype(int)

    def stratify(self, Y):
        """Return the key of a stratified split: none for multilabel targets."""
        return None

    def class_weights(self, Y, sample_weight):
        """Return None: a multilabel row belongs to several labels."""
        return None


class MultinomialLogLoss(_LogLoss):
    """Log-loss of the softmax unit, for three or more classes.

    ``L(y, ŷ) = −Σ_k y_k ln ŷ_k`` with ``ŷ = softmax(z)``, evaluated as
    ``logsumexp(z) − Σ_k y_k z_k`` for one-hot ``y``.
    """

    curvature_bound = 0.5  # largest eigenvalue of diag(ŷ) − ŷŷᵀ
    out_activation = "softmax"
    shift_invariant = True  # softmax(z + c) = softmax(z)

    def predict_proba(self, Z):
        """Return ``softmax(z)``: each class's probability."""
        return self.predict(Z)

    def _log_proba(self, Z):
        return Z - logsumexp(Z, axis=1, keepdims=True)

    def _label_index(self, Z):
        return np.argmax(Z, axis=1)

    def stratify(self, Y):
        """Return the key of a stratified split: the class of each row."""
        return Y.argmax(axis=1)

    def separates(self, Z, Y):
        """Tell whether the scores classify every row correctly."""
        return bool(np.all(Z.argmax(axis=1) == Y.argmax(axis=1)))

    def class_weights(self, Y, sample_weight):
        """Return the total weight of each class (one-hot ``Y``)."""
        return sample_weight @ Y

    def predict(self, Z):
        """Return ``ŷ = softmax(z)``."""
        return _softmax(Z)[0]

    def loss(self, Z, Y):
        """Return ``logsumexp(z) − Σ_k y_k z_k`` per sample."""
        return logsumexp(Z, axis=1) - np.sum(Y * Z, axis=1)

    def loss_gradient(self, Z, Y):
        """Return the loss and ``dL/dz``.

        ``∂L/∂z_k = ŷ_k − y_k``: the sigmoid unit's ``ŷ − y``, one per class.
        """
        P, log_normalizer = _softmax(Z)
        loss = log_normalizer - np.sum(Y * Z, axis=1)
        P -= Y
        return loss, P

    def hessian_weights(self, Z):
        """Return ``d²L/dz² = diag(ŷ) − ŷŷᵀ`` per sample, shape ``(n, K, K)``.

        The derivative of ``ŷ_k − y_k`` by ``z_m`` is ``ŷ_k(δ_km − ŷ_m)``.
        """
        p = self.predict(Z)
        return p[:, :, None] * np.eye(Z.shape[1], dtype=Z.dtype) - (
            p[:, :, None] * p[:, None, :]
        )

    def hessian_factor(self, Z):
        """Return ``R`` with ``RᵀR = diag(ŷ) − ŷŷᵀ`` per sample, shape ``(n, K, K)``.

        ``R_km = √ŷ_k (δ_km − ŷ_m)``, that is ``R = diag(√ŷ)(I − 1ŷᵀ)``:
        ``RᵀR = (I − ŷ1ᵀ) diag(ŷ) (I − 1ŷᵀ) = diag(ŷ) − 2ŷŷᵀ + (Σ_k ŷ_k) ŷŷᵀ``
        and ``Σ_k ŷ_k = 1``.
        """
        p = self.predict(Z)
        identity = np.eye(Z.shape[1], dtype=Z.dtype)
        return np.sqrt(p)[:, :, None] * (identity - p[:, None, :])


def _softmax(Z):
    """Return ``softmax(z)`` and ``logsumexp(z)`` per row from one ``exp`` pass.

    Shifting by the row maximum keeps every exponent ≤ 0 (no overflow) and
    the sum ≥ 1 (no log of 0): the same stable evaluation as
    ``scipy.special.logsumexp``, which would cost a second ``exp`` pass for
    the probabilities.
    """
    shift = Z.max(axis=1, keepdims=True)
    P = np.exp(Z - shift)
    total = P.sum(axis=1, keepdims=True)
    P /= total
    return P, (shift + np.log(total))[:, 0]


#: The loss of each kind of output (:func:`output_kind`).
LOSSES = {
    "continuous": HalfSquaredError(),
    "binary": BinaryLogLoss(),
    "multiclass": MultinomialLogLoss(),
    "multilabel": MultilabelLogLoss(),
}


def output_kind(target_type, n_classes):
    """Return the kind of output, a key of ``LOSSES``, for targets of a type.

    Parameters
    ----------
    target_type : str
        ``"continuous"`` for regression, else the ``y_type_`` of the labels'
        binarizer (``type_of_target``).
    n_classes : int
        The number of classes (labels, for a multilabel indicator).

    Returns
    -------
    kind : str
        ``"continuous"``, ``"binary"`` (one sigmoid unit, for up to two
        classes), ``"multiclass"`` (a softmax unit per class) or
        ``"multilabel"`` (a sigmoid unit per label).
    """
    if target_type == "continuous":
        return "continuous"
    if target_type == "multilabel-indicator":
        return "multilabel"
    return "binary" if n_classes <= 2 else "multiclass"
