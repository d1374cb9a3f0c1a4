"""Objective of the linear perceptrons over a flat parameter vector.

Math layer. For weights ``W`` (``n_features × n_outputs``) and intercepts ``b``
(``n_outputs``), packed as ``θ = [vec(W), b]``::

    J(θ) = Σᵢ sᵢ L(yᵢ, xᵢW + b) / Σᵢ sᵢ + (alpha/2) ‖W‖²

with sample weights ``s`` and the intercepts unpenalized. The gradient is the
seeds' hand-derived one, vectorized as in seed 003::

    delta = s ⊙ (ŷ − y) / Σ s       (the weighted mean error)
    ∇W J  = Xᵀ delta + alpha W
    ∇b J  = Σᵢ deltaᵢ

Differentiating once more, with ``X̃ = [X, 1]`` and ``A_i = d²Lᵢ/dzᵢ²``
(``1`` for the squared error, ``ŷ(1 − ŷ)`` for the sigmoid, ``diag(ŷ) − ŷŷᵀ``
for the softmax), the Hessian block of outputs ``k`` and ``m`` is::

    ∇²_{θ_k θ_m} J = X̃ᵀ diag(s ⊙ A_{:,k,m}) X̃ / Σ s  (+ alpha I on W when k = m)
"""

import numpy as np

from ._blocks import normalized, sum_over_rows, weighted_grams
from ._docstrings import shared_docstring
from ._scaling import (
    StandardizedObjective,
    floor_curvature,
    inverse_curvature,
    jacobi_steps,
)

#: Above this many features, the Gram matrix is not formed (matrix-free Lanczos).
_MAX_DENSE_GRAM = 2048


@shared_docstring()
class LinearObjective:
    """``J(θ)`` for ``Z = XW + b`` under a per-sample ``loss`` (see module doc).

    Parameters
    ----------
    loss : object
        One of the losses of :mod:`skperceptron._loss`.
    {objective_data}
    alpha : float
        L2 penalty on ``W``.
    """

    #: ``J`` is convex in ``θ``: each loss is convex in ``z``, which is linear in
    #: ``θ``, and the penalty is convex.
    convex = True

    def __init__(self, loss, X, Y, sample_weight, alpha):
        self.loss = loss
        self.X = X
        self.Y = Y
        self.sample_weight = sample_weight
        self.alpha = alpha
        self.n_samples, self.n_features = X.shape
        self.n_outputs = Y.shape[1]
        self.n_params = (self.n_features + 1) * self.n_outputs

    def pack(self, W, b):
        """Return ``θ = [vec(W), b]``."""
        return np.concatenate([np.ravel(W), np.ravel(b)])

    def unpack(self, theta):
        """Return views ``W`` (n_features × n_outputs) and ``b`` of ``θ``."""
        n_weights = self.n_features * self.n_outputs
        W = theta[:n_weights].reshape(self.n_features, self.n_outputs)
        return W, theta[n_weights:]

    def _sum(self, terms, batch=None, row_size=None):
        """:func:`~skperceptron._blocks.sum_over_rows` of this data."""
        return sum_over_rows(
            terms, self.X, self.Y, self.sample_weight, batch, row_size=row_size
        )

    def _penalty(self, W):
        """``(alpha/2)‖W‖²``; 0 without penalty, whatever the weights."""
        return 0.5 * self.alpha * np.vdot(W, W) if self.alpha else 0.0

    def value(self, theta, batch=None):
        """Return ``J(θ)``, on the rows ``batch`` if given."""
        W, b = self.unpack(theta)
        (mean_loss,) = self._sum(
            lambda X, Y, c: (c @ self.loss.loss(X @ W + b, Y),), batch
        )
        return mean_loss + self._penalty(W)

    def value_and_gradient(self, theta, batch=None):
        """Return ``J(θ)`` and ``∇J(θ)``, on the rows ``batch`` if given.

        Each block's loss and gradient terms come from one pass over it.
        """
        W, b = self.unpack(theta)
        value, grad_W, grad_b = self._sum(
            lambda X, Y, c: _loss_gradient_terms(self.loss, X, Y, c, W, b), batch
        )
        value += self._penalty(W)
        grad_W += self.alpha * W
        return value, self.pack(grad_W, grad_b)

    def hessian(self, theta):
        """Return the Hessian ``∇²J(θ)``, shape ``(n_params, n_params)``.

        Each block of outputs is a weighted Gram matrix ``X̃ᵀ diag(c) X̃``;
        all of them are built in one pass over ``X`` (no ``n × n_features``
        temporary). A block of rows holds ``X`` and one weighted copy of
        ``X̃`` at a time (:func:`~skperceptron._blocks.weighted_grams`).
        """
        W, b = self.unpack(theta)
        K, size = self.n_outputs, self.n_features + 1

        def grams(X, Y, c):
            A = self.loss.hessian_weights(X @ W + b)
            return (weighted_grams(X, c[:, None] * A[:, ks, ms]),)

        ks, ms = np.tril_indices(K)  # the pairs k ≥ m
        (blocks,) = self._sum(grams, row_size=2 * size)
        H = np.zeros((size, K, size, K))
        for k, m, gram in zip(ks, ms, blocks, strict=True):
            H[:, k, :, m] = gram
            H[:, m, :, k] = gram
        H = H.reshape(self.n_params, self.n_params)
        n_weights = self.n_features * K
        H[np.arange(n_weights), np.arange(n_weights)] += self.alpha
        return H

    def newton_matrix(self, theta):
        """Return the matrix of the Newton system: ``∇²J(θ)``, made definite.

        The softmax is invariant to adding one constant to every class's
        intercept (and, with ``alpha = 0``, to every class's weight of one
        feature). Along each such direction ``u`` the Hessian is singular and
        the gradient is zero, so adding ``c·uuᵀ`` changes no Newton step
        except to make it unique, with no component along ``u`` (as gradient
        descent from zero never has).
        """
        H = self.hessian(theta)
        if not self.loss.shift_invariant:
            return H
        K, size = self.n_outputs, self.n_features + 1
        scale = np.trace(H) / self.n_params
        invariant_rows = [size - 1] if self.alpha > 0 else range(size)
        blocks = H.reshape(size, K, size, K)
        for j in invariant_rows:
            blocks[j, :, j, :] += scale / K
        return H

    def __call__(self, theta, batch=None):
        """Alias of :meth:`value_and_gradient`, the optimizers' interface."""
        return self.value_and_gradient(theta, batch)

    def decision(self, theta, X):
        """Return the raw scores ``XW + b`` of other rows ``X``."""
        W, b = self.unpack(theta)
        return X @ W + b

    def standardized(self):
        """Return this objective in standardized coordinates (:mod:`._scaling`).

        The first block of ``θ``, ``[W; b]``, has one column per output.
        """
        return StandardizedObjective(self, self.n_outputs)

    def standardized_steps(self, theta, standardization, per_sample=False):
        """Return per-coordinate steps of safe gradient descent on ``φ``.

        In standardized coordinates the curvature of ``J`` is bounded, for
        every ``θ``, by ``M = c · X̂ᵀ S X̂ / Σ s + diag(alpha/s², 0)`` for each
        output (``X̂ = [x̂, 1]``, ``c`` the loss's bound on ``d²L/dz²``), whose
        diagonal is ``D = c·mean(x̂ⱼ²) + alpha/sⱼ²`` for a feature (``c +
        alpha/sⱼ²`` once standardized, ``alpha`` if constant) and ``c`` for
        the intercept. The steps are
        ``1/(λ D)`` (:func:`~skperceptron._scaling.jacobi_steps`) with
        ``λ = λmax(D^-½ M D^-½)``: each full-batch update decreases ``J``.
        With ``per_sample=True``, ``λ`` bounds the curvature of any minibatch:
        ``c · maxᵢ Σⱼ x̂ᵢⱼ²/Dⱼ + max alpha/(s² D)`` over rows of positive weight.
        ``θ`` is not used: the bound holds everywhere.
        """
        bound = self.loss.curvature_bound
        T = standardization
        penalty = np.append(self.alpha / T.scale**2, 0.0)
        diagonal = floor_curvature(bound * np.append(T.spread, 1.0) + penalty)
        if per_sample:
            inverse = inverse_curvature(diagonal)

            def norms(X_hat, rows):  # Σⱼ x̂ᵢⱼ²/Dⱼ, the intercept's x̂ = 1 included
                return np.square(X_hat) @ inverse[:-1] + inverse[-1]

            top = bound * T.max_over_rows(norms, self.X, self.sample_weight)
            steps = jacobi_steps(diagonal, None, top + np.max(inverse * penalty))
        elif self.n_features > _MAX_DENSE_GRAM:
            c = normalized(np.asarray(self.sample_weight, dtype=np.float64))

            def curvature(v):
                u = c * T.standardized_product(self.X, v)
                return bound * T.standardized_transpose_product(self.X, u) + penalty * v

            steps = jacobi_steps(diagonal, curvature)
        else:
            total = float(self.sample_weight.sum())

            def gram_terms(X_hat, rows):  # X̂ᵀ S X̂ / Σ s: standardized, no cancellation
                return (
                    weighted_grams(X_hat, self.sample_weight[rows, None] / total)[0],
                )

            (gram,) = T.sum_blocks(gram_terms, self.X)
            steps = jacobi_steps(diagonal, bound * gram + np.diag(penalty))
        return np.repeat(steps, self.n_outputs)


def _loss_gradient_terms(loss, X, Y, c, W, b):
    """Return ``Σ cᵢLᵢ``, ``Xᵀδ`` and ``Σ δᵢ`` for the rows ``X``.

    ``δ = c ⊙ (ŷ − y)``: the seeds' error term weighted by ``c = s / Σ s``
    (seed 003's ``delta = (y_hat − y) / N`` for equal weights).
    """
    losses, delta = loss.loss_gradient(X @ W + b, Y)  # ŷ − y
    delta *= c[:, None]  # δ = c ⊙ (ŷ − y), in place
    return c @ losses, X.T @ delta, delta.sum(axis=0)
