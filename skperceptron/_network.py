"""Objective of the two-layer network over a flat parameter vector.

Math layer: arrays in, arrays out; no estimator, no optimizer. The
network of seeds 001 and 004 (``n_features``-``n_hidden``-``n_outputs``),
with ``W1[j, k]`` the seeds' ``w_jk`` (input ``j`` to hidden unit ``k``) and
``W2[k, m]`` the seeds' ``w_k`` (hidden unit ``k`` to output ``m``), packed as
``θ = [vec(W1), b1, vec(W2), b2]``.

Forward pass (:func:`forward`)::

    Z1 = X W1 + b1          the seeds' z_k = Σ_j x_j w_jk + b_k
    A1 = f(Z1)              a_k = σ(z_k) (or tanh, relu)
    Z  = A1 W2 + b2         z = Σ_k a_k w_k + b
    ŷ  = σ(Z) or softmax(Z) sigmoid units for binary and multilabel targets

Objective (:meth:`TwoLayerObjective.value`), with sample weights ``s``::

    J(θ) = Σᵢ sᵢ L(yᵢ, Zᵢ) / Σᵢ sᵢ + (alpha/2)(‖W1‖² + ‖W2‖²)

Backward pass (:func:`backward`): seed 001's chain rule
``∂L/∂w_jk = (ŷ − y)·w_k·a_k(1 − a_k)·x_j``, vectorized over samples::

    delta_out    = s ⊙ (ŷ − y) / Σ s              (n × K; ∂L/∂z = ŷ − y)
    ∇W2 J        = A1ᵀ delta_out + alpha W2        (∂L/∂w_k = (ŷ − y) a_k)
    ∇b2 J        = Σᵢ delta_out                    (∂L/∂b = ŷ − y)
    delta_hidden = (delta_out W2ᵀ) ⊙ f'(A1)       ((ŷ − y) w_k a_k(1 − a_k))
    ∇W1 J        = Xᵀ delta_hidden + alpha W1      (... · x_j)
    ∇b1 J        = Σᵢ delta_hidden                 (... · 1)

Each activation's derivative is written from its output ``a = f(z)``
(:data:`ACTIVATIONS`), as seed 001 writes ``σ'(z) = a(1 − a)``.

Gauss–Newton matrix (:meth:`TwoLayerObjective.gauss_newton`), the curvature
of ``J`` through the output scores, with ``Jᵢ = ∂Zᵢ/∂θ`` (``K × n_params``),
``Aᵢ = d²Lᵢ/dZᵢ²`` and ``cᵢ = sᵢ / Σ s``::

    G = Σᵢ Jᵢᵀ (cᵢ Aᵢ) Jᵢ + alpha I_W

It is positive semi-definite everywhere (positive definite for ``alpha > 0``
on the weights). ``G v`` is computed matrix-free: the forward-mode derivative
``Jv`` (:func:`jacobian_vector`, the forward pass differentiated along ``v``)
then the backward pass applied to ``c A (Jv)``.

Exact Hessian (:meth:`TwoLayerObjective.hessian`): differentiating
``∇J = Σᵢ Jᵢᵀ δᵢ + alpha W`` (``δ = delta_out``) once more gives ``G`` plus the
output error carried through the curvature of the network::

    H = G + S,    S = Σᵢ Σₘ δᵢₘ ∇²Zᵢₘ

``Zᵢₘ = Σₖ f(x̃ᵢ W̃1[:, k]) W2[k, m] + b2[m]`` with ``x̃ = [x, 1]`` and
``W̃1 = [W1; b1]`` is linear in ``W2`` and ``b2`` and involves each hidden
unit ``k`` separately, so its only second derivatives are::

    ∂²Zₘ/∂W̃1[j, k] ∂W2[k, m]  = f'ₖ x̃ⱼ               (the W1–W2 cross terms)
    ∂²Zₘ/∂W̃1[j, k] ∂W̃1[l, k] = W2[k, m] f''ₖ x̃ⱼ x̃ₗ   (the hidden curvature)

hence (:meth:`TwoLayerObjective._dense_second_order`)::

    S[W̃1[j, k], W2[k, m]]  = Σᵢ x̃ᵢⱼ f'ᵢₖ δᵢₘ
    S[W̃1[j, k], W̃1[l, k]] = Σᵢ x̃ᵢⱼ x̃ᵢₗ f''ᵢₖ (δᵢ W2ᵀ)ₖ

and zero elsewhere (``W2``–``W2``, anything–``b2``, two different hidden
units). ``f''`` comes from the output like ``f'``: ``σ'' = a(1 − a)(1 − 2a)``,
``tanh'' = −2a(1 − a²)``, ``relu'' = 0`` (:data:`ACTIVATIONS`). ``H v`` is
computed matrix-free by Pearlmutter's R-operator (:func:`hessian_vector`):
the forward pass differentiated along ``v``, then the backward pass
differentiated along ``v``. ``S`` vanishes where the fit is exact
(``δ = 0``) and is small near a good minimum, but it decides the local
convergence rate and is what shows saddle points: at ``W = 0`` (every hidden
unit's output weight zero, output intercepts fitted) the gradient vanishes
and ``G`` is positive semi-definite, while the cross terms make ``H``
indefinite.

Newton's system (:meth:`TwoLayerObjective.newton_matrix`) uses ``H``. With
``G`` the Newton iteration converges only linearly (``G ≠ H`` at a minimum
with ``δ ≠ 0``) and takes a saddle for a minimum. Measured from the same
starts as ``MLPClassifier(solver="lbfgs")`` (logistic units, ``alpha = 1e-3``,
``h ∈ {2, 4, 8, 32}``, 8 starts each, the "same start" rows of
``benchmarks/network.py``) on noisy moons, with the Levenberg–Marquardt
damping of ``TwoLayerNetClassifier``: ``H`` reached L-BFGS's objective
(+1 %) at 30 of 32 starts, always in fewer iterations (13–48 against
L-BFGS's 43–251); ``G`` at 27 of 32, in fewer iterations at 11 (49 to the
1000-iteration limit). The damping handles ``H``'s indefiniteness: the
Cholesky factorization of ``H + λI`` fails until ``λ > −λ_min(H)``, and
matrix-free conjugate gradients stop at the first direction of non-positive
curvature, so the damping ladder climbs past it.

Step size (:meth:`TwoLayerObjective.standardized_steps`): the network is
not convex, so the ``"auto"`` steps use the curvature where the fit starts,
in the coordinates of standardized inputs: ``M = b · Σᵢ cᵢ J̃ᵢᵀJ̃ᵢ`` plus the
penalty, ``b`` the loss's bound on ``d²L/dz²`` (so that ``M`` bounds the
Gauss–Newton matrix there), and one step ``1/(λ Mⱼⱼ)`` per weight with
``λ`` its largest eigenvalue after that diagonal scaling. Gradient descent
on a quadratic is stable up to twice those steps; that margin covers the
growth of the curvature as the weights grow.
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator
from scipy.special import expit

from ._blocks import normalized, sum_over_rows, sum_row_blocks, weighted_grams
from ._docstrings import shared_docstring
from ._scaling import (
    StandardizedObjective,
    floor_curvature,
    inverse_curvature,
    jacobi_steps,
)

#: Above this many parameters, :meth:`TwoLayerObjective.hessian` and
#: :meth:`TwoLayerObjective.gauss_newton` return a matrix-free
#: ``LinearOperator`` instead of a dense array.
_MAX_DENSE_HESSIAN = 2000
#: Elements of one block of per-sample Jacobians (rows × K × n_params).
_JACOBIAN_BLOCK_SIZE = 2**21


# -- activations: forward in place, derivative from the output a = f(z) --------


def _sigmoid_derivative(A):
    # σ'(z) = σ(z)(1 − σ(z)) = a(1 − a)   (seeds 001, 002)
    derivative = 1 - A
    derivative *= A
    return derivative


def _tanh_derivative(A):
    # tanh'(z) = 1 − tanh(z)² = 1 − a²
    derivative = np.square(A)
    np.subtract(1, derivative, out=derivative)
    return derivative


def _sigmoid_second_derivative(A):
    # σ''(z) = (a(1 − a))' = a(1 − a)(1 − 2a)
    return A * (1 - A) * (1 - 2 * A)


def _tanh_second_derivative(A):
    # tanh''(z) = (1 − a²)' = −2a(1 − a²)
    return -2 * A * (1 - np.square(A))


def _relu(Z, out):
    return np.maximum(Z, 0, out=out)


def _relu_derivative(A):
    # relu'(z) = 1 for z > 0, else 0 (0 at the kink); z > 0 exactly when a > 0
    return (A > 0).astype(A.dtype)


def _relu_second_derivative(A):
    # relu''(z) = 0 away from the kink
    return np.zeros_like(A)


class Activation(NamedTuple):
    """A hidden activation ``f`` (in place), ``f'`` and ``f''`` from ``a = f(z)``."""

    forward: object
    derivative: object
    second_derivative: object


ACTIVATIONS = {
    "sigmoid": Activation(expit, _sigmoid_derivative, _sigmoid_second_derivative),
    "tanh": Activation(np.tanh, _tanh_derivative, _tanh_second_derivative),
    "relu": Activation(_relu, _relu_derivative, _relu_second_derivative),
}


# -- the network's passes ----------------------------------------------------------


def forward(X, W1, b1, W2, b2, activation):
    """Return the hidden activations ``A1`` and the output scores ``Z``.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Inputs.
    W1, b1, W2, b2 : ndarray
        The network's parameters (see the module docstring).
    activation : str
        A key of :data:`ACTIVATIONS`.

    Returns
    -------
    A1 : ndarray of shape (n_samples, n_hidden)
        ``f(X W1 + b1)``.
    Z : ndarray of shape (n_samples, n_outputs)
        ``A1 W2 + b2``.
    """
    Z1 = _by_columns(X, W1)  # z_k = Σ_j x_j w_jk + b_k
    Z1 += b1
    A1 = ACTIVATIONS[activation].forward(Z1, out=Z1)  # a_k = f(z_k)
    Z = A1 @ W2  # z = Σ_k a_k w_k + b
    Z += b2
    return A1, Z


@shared_docstring()
def backward(X, A1, derivative, W2, delta_out):
    """Return ``(∇W1, ∇b1, ∇W2, ∇b2)`` of ``Σᵢ delta_outᵢ · Zᵢ``, unpenalized.

    Seed 001's chain rule: ``delta_out`` is ``∂J/∂Z``, each hidden unit
    receives ``delta_out W2ᵀ`` scaled by its ``f'(z) = derivative``.

    {parameters_X_A1}
    derivative : ndarray of shape (n_samples, n_hidden)
        ``f'`` at the hidden units, from :data:`ACTIVATIONS`.
    W2 : ndarray of shape (n_hidden, n_outputs)
        Output weights.
    delta_out : ndarray of shape (n_samples, n_outputs)
        Derivative of the objective by the output scores.

    Returns
    -------
    grads : tuple of ndarray
        Gradients by ``W1``, ``b1``, ``W2`` and ``b2``.
    """
    grad_W2 = A1.T @ delta_out  # ∂L/∂w_k = (ŷ − y) a_k
    grad_b2 = _column_sums(delta_out)  # ∂L/∂b = ŷ − y
    delta_hidden = (W2 @ delta_out.T).T  # (ŷ − y) w_k, by columns as A1
    delta_hidden *= derivative  # (ŷ − y) w_k a_k(1 − a_k)
    grad_W1 = X.T @ delta_hidden  # (ŷ − y) w_k a_k(1 − a_k) x_j
    grad_b1 = _column_sums(delta_hidden)  # (ŷ − y) w_k a_k(1 − a_k)
    return np.asarray(grad_W1), grad_b1, grad_W2, grad_b2


def _by_columns(X, W):
    """Return ``X W`` laid out by columns (Fortran order) for a dense ``X``.

    The hidden layer's arrays have many rows and few columns. Laid out by
    columns, adding ``b1`` and the elementwise work run along columns of
    ``n`` numbers instead of rows of ``n_hidden``: about a third of a block's
    time saved for 2 to 8 hidden units. ``(Wᵀ Xᵀ)ᵀ`` is the same BLAS call as
    ``X W``, with its result transposed in place.
    """
    if sp.issparse(X):
        return np.asarray(X @ W)
    return (W.T @ X.T).T


def _column_sums(A):
    """Return ``Σᵢ Aᵢ`` (over rows) as one product with a vector of ones.

    For a few columns BLAS does this about 20 times faster than
    ``A.sum(axis=0)``.
    """
    return np.ones(A.shape[0], dtype=A.dtype) @ A


@shared_docstring()
def jacobian_vector(X, A1, derivative, W2, V):
    """Return ``J v``, the change of the scores ``Z`` along ``V = (dW1, .., db2)``.

    The forward pass differentiated by the product rule (forward mode)::

        dZ1 = X dW1 + db1,   dA1 = f'(Z1) ⊙ dZ1,   dZ = dA1 W2 + A1 dW2 + db2

    Parameters
    ----------
    X, A1, derivative, W2 : ndarray
        As in :func:`backward`.
    V : tuple of ndarray
        A direction ``(dW1, db1, dW2, db2)``, shaped as the parameters.

    Returns
    -------
    dZ : ndarray of shape (n_samples, n_outputs)
        ``J v``.
    """
    dW1, db1, dW2, db2 = V
    dA1 = _by_columns(X, dW1)
    dA1 += db1
    dA1 *= derivative
    dZ = dA1 @ W2
    dZ += A1 @ dW2
    dZ += db2
    return dZ


@shared_docstring()
def hessian_vector(X, A1, derivative, second, W2, delta_out, weights, V):
    """Return ``H v`` as ``(dW1, db1, dW2, db2)``, unpenalized: the R-operator.

    Pearlmutter's method: the forward pass differentiated along
    ``V = (dW1, db1, dW2, db2)`` (as in :func:`jacobian_vector`), then the
    backward pass (:func:`backward`) differentiated along ``V`` by the product
    rule. ``R{·}`` is the derivative along ``V``; with ``δ = delta_out`` and
    ``Cᵢ = weightsᵢ = cᵢ d²Lᵢ/dZᵢ²``::

        R{Z1} = X dW1 + db1          R{A1} = f' ⊙ R{Z1}
        R{Z}  = R{A1} W2 + A1 dW2 + db2                   (J v)
        R{δ}  = C R{Z}                                    (the loss's curvature)
        R{∇W2} = A1ᵀ R{δ} + R{A1}ᵀ δ                       R{∇b2} = Σᵢ R{δ}
        R{δ₁} = (R{δ} W2ᵀ + δ dW2ᵀ) ⊙ f' + (δ W2ᵀ) ⊙ f'' ⊙ R{Z1}
        R{∇W1} = Xᵀ R{δ₁}                                  R{∇b1} = Σᵢ R{δ₁}

    The terms in ``R{δ}`` alone are the Gauss–Newton product ``Jᵀ C J v``;
    ``R{A1}ᵀ δ`` and ``δ dW2ᵀ ⊙ f'`` are the ``W1``–``W2`` cross terms of
    ``Σᵢ δᵢ ∇²Zᵢ``, ``(δ W2ᵀ) ⊙ f'' ⊙ R{Z1}`` its ``W1``–``W1`` term.

    Parameters
    ----------
    X, A1, derivative, W2 : ndarray
        As in :func:`backward`.
    second : ndarray of shape (n_samples, n_hidden)
        ``f''`` at the hidden units, from :data:`ACTIVATIONS`.
    delta_out : ndarray of shape (n_samples, n_outputs)
        ``∂J/∂Z = c ⊙ (ŷ − y)``.
    weights : ndarray of shape (n_samples, n_outputs, n_outputs)
        ``cᵢ d²Lᵢ/dZᵢ²``.
    V : tuple of ndarray
        A direction ``(dW1, db1, dW2, db2)``, shaped as the parameters.

    Returns
    -------
    HV : tuple of ndarray
        ``H v`` by ``W1``, ``b1``, ``W2`` and ``b2``.
    """
    dW1, db1, dW2, db2 = V
    dZ1 = _by_columns(X, dW1)  # R{Z1}
    dZ1 += db1
    dA1 = derivative * dZ1  # R{A1}
    dZ = dA1 @ W2 + A1 @ dW2 + db2  # R{Z} = J v
    d_delta = np.einsum("ikm,im->ik", weights, dZ)  # R{δ} = C J v
    hW2 = A1.T @ d_delta + dA1.T @ delta_out
    hb2 = _column_sums(d_delta)
    d_hidden = d_delta @ W2.T + delta_out @ dW2.T
    d_hidden *= derivative
    d_hidden += (delta_out @ W2.T) * second * dZ1  # R{δ₁}
    hW1 = X.T @ d_hidden
    hb1 = _column_sums(d_hidden)
    return np.asarray(hW1), hb1, hW2, hb2


@shared_docstring()
class TwoLayerObjective:
    """``J(θ)`` of the two-layer network under a per-sample ``loss``.

    See the module docstring for the formulas.

    Parameters
    ----------
    loss, X, Y, sample_weight : objects
        As in :class:`~skperceptron._objective.LinearObjective`; ``loss`` has
        sigmoid or softmax outputs.
    alpha : float
        L2 penalty on ``W1`` and ``W2``.
    n_hidden : int
        Number of hidden units.
    activation : {"sigmoid", "tanh", "relu"}
        Hidden activation.
    """

    #: ``J`` is not convex: hidden units can be permuted, among other symmetries.
    convex = False

    def __init__(self, loss, X, Y, sample_weight, alpha, n_hidden, activation):
        self.loss = loss
        self.X = X
        self.Y = Y
        self.sample_weight = sample_weight
        self.alpha = alpha
        self.n_hidden = n_hidden
        self.activation = activation
        self.n_samples, self.n_features = X.shape
        self.n_outputs = Y.shape[1]
        self._shapes = [
            (self.n_features, n_hidden),
            (n_hidden,),
            (n_hidden, self.n_outputs),
            (self.n_outputs,),
        ]
        self._offsets = np.cumsum([0] + [int(np.prod(s)) for s in self._shapes])
        self.n_params = int(self._offsets[-1])

    def pack(self, W1, b1, W2, b2):
        """Return ``θ = [vec(W1), b1, vec(W2), b2]``."""
        return np.concatenate([np.ravel(p) for p in (W1, b1, W2, b2)])

    def unpack(self, theta):
        """Return views ``W1``, ``b1``, ``W2``, ``b2`` of ``θ``."""
        return tuple(
            theta[start:stop].reshape(shape)
            for start, stop, shape in zip(
                self._offsets[:-1], self._offsets[1:], self._shapes, strict=True
            )
        )

    def _penalty(self, W1, W2):
        """``(alpha/2)(‖W1‖² + ‖W2‖²)``; 0 without penalty, whatever the weights."""
        if not self.alpha:  # weights as large as 1e22 are fine when unpenalized
            return 0.0
        return 0.5 * self.alpha * (np.vdot(W1, W1) + np.vdot(W2, W2))

    def _sum(self, terms, batch=None):
        """:func:`~skperceptron._blocks.sum_over_rows` of this data.

        A block's terms hold ``X`` and three arrays of the hidden layer
        (activations, their derivatives, the back-propagated errors).
        """
        row_size = self.n_features + 3 * self.n_hidden
        return sum_over_rows(
            terms, self.X, self.Y, self.sample_weight, batch, row_size=row_size
        )

    def value(self, theta, batch=None):
        """Return ``J(θ)``, on the rows ``batch`` if given."""
        W1, b1, W2, b2 = self.unpack(theta)

        def terms(X, Y, c):
            _, Z = forward(X, W1, b1, W2, b2, self.activation)
            return (c @ self.loss.loss(Z, Y),)

        (mean_loss,) = self._sum(terms, batch)
        return mean_loss + self._penalty(W1, W2)

    def value_and_gradient(self, theta, batch=None):
        """Return ``J(θ)`` and ``∇J(θ)``, on the rows ``batch`` if given.

        Forward pass, loss, then seed 001's backward pass, one block of rows
        at a time.
        """
        W1, b1, W2, b2 = self.unpack(theta)
        f_prime = ACTIVATIONS[self.activation].derivative

        def terms(X, Y, c):
            A1, Z = forward(X, W1, b1, W2, b2, self.activation)
            losses, delta_out = self.loss.loss_gradient(Z, Y)  # ŷ − y
            delta_out *= c[:, None]  # s ⊙ (ŷ − y) / Σ s
            return (c @ losses, *backward(X, A1, f_prime(A1), W2, delta_out))

        value, grad_W1, grad_b1, grad_W2, grad_b2 = self._sum(terms, batch)
        value += self._penalty(W1, W2)
        grad_W1 += self.alpha * W1
        grad_W2 += self.alpha * W2
        return value, self.pack(grad_W1, grad_b1, grad_W2, grad_b2)

    def __call__(self, theta, batch=None):
        """Alias of :meth:`value_and_gradient`, the optimizers' interface."""
        return self.value_and_gradient(theta, batch)

    def decision(self, theta, X):
        """Return the raw output scores ``Z`` of other rows ``X``."""
        return forward(X, *self.unpack(theta), self.activation)[1]

    def _linearization(self, theta):
        """``W2``, ``A1``, ``f'`` and ``Z`` of all rows, in float64."""
        W1, b1, W2, b2 = self.unpack(np.asarray(theta, dtype=np.float64))
        A1, Z = forward(self.X, W1, b1, W2, b2, self.activation)
        derivative = ACTIVATIONS[self.activation].derivative(A1)
        return W2, A1, derivative, Z

    def _penalized(self):
        """``alpha`` on the weights' coordinates, 0 on the intercepts'."""
        penalized = np.zeros(self.n_params)
        penalized[self._offsets[0] : self._offsets[1]] = self.alpha
        penalized[self._offsets[2] : self._offsets[3]] = self.alpha
        return penalized

    def _gauss_newton_product(self, A1, derivative, W2, weights):
        """Return ``v ↦ Σᵢ Jᵢᵀ weightsᵢ Jᵢ v`` (weights: (n, K, K) or (n, 1))."""

        def product(v):
            dZ = jacobian_vector(self.X, A1, derivative, W2, self.unpack(v))
            if weights.ndim == 3:
                dZ = np.einsum("ikm,im->ik", weights, dZ)
            else:
                dZ *= weights
            return self.pack(*backward(self.X, A1, derivative, W2, dZ))

        return product

    def _operator(self, product):
        """``v ↦ product(v) + alpha I_W v`` as a LinearOperator."""
        penalized = self._penalized()
        return LinearOperator(
            (self.n_params, self.n_params),
            matvec=lambda v: product(np.ravel(v)) + penalized * np.ravel(v),
            dtype=np.float64,
        )

    def gauss_newton(self, theta):
        """Return the Gauss–Newton matrix ``G = Σᵢ Jᵢᵀ cᵢAᵢ Jᵢ + alpha I_W``.

        A dense float64 array of shape ``(n_params, n_params)`` when
        ``n_params <= 2000``, built from blocks of rows (never the Jacobian
        of all rows at once); above, a
        :class:`~scipy.sparse.linalg.LinearOperator` computing ``G v``
        matrix-free (:func:`jacobian_vector`, then :func:`backward`).
        """
        W2, A1, derivative, Z = self._linearization(theta)
        c = normalized(self.sample_weight)
        if self.n_params <= _MAX_DENSE_HESSIAN:
            G = self._dense_gauss_newton(A1, derivative, W2, self._factors(Z, c))
            G[np.diag_indices_from(G)] += self._penalized()
            return G
        weights = self.loss.hessian_weights(Z) * c[:, None, None]  # cᵢ Aᵢ
        return self._operator(self._gauss_newton_product(A1, derivative, W2, weights))

    def _factors(self, Z, c):
        """``Rᵢ`` with ``RᵢᵀRᵢ = cᵢAᵢ``, ``Aᵢ = d²Lᵢ/dZᵢ²``: shape (n, K, K)."""
        return self.loss.hessian_factor(Z) * np.sqrt(c)[:, None, None]

    def hessian(self, theta):
        """Return the exact Hessian ``H = G + Σᵢ cᵢ Σₘ (ŷ − y)ᵢₘ ∇²Zᵢₘ`` of ``J``.

        ``G`` is :meth:`gauss_newton`; the second term (see the module
        docstring) carries the output error through the curvature of the
        network and makes ``H`` indefinite away from minima. A dense float64
        array when ``n_params <= 2000`` (``G`` plus the second-order blocks,
        built from blocks of rows); above, a
        :class:`~scipy.sparse.linalg.LinearOperator` computing ``H v``
        matrix-free by the R-operator (:func:`hessian_vector`).
        """
        W2, A1, derivative, Z = self._linearization(theta)
        c = normalized(self.sample_weight)
        delta_out = self.loss.predict(Z) - self.Y  # ŷ − y, no loss needed
        delta_out *= c[:, None]
        second = ACTIVATIONS[self.activation].second_derivative(A1)
        if self.n_params <= _MAX_DENSE_HESSIAN:
            H = self._dense_gauss_newton(A1, derivative, W2, self._factors(Z, c))
            H += self._dense_second_order(A1, derivative, second, W2, delta_out)
            H[np.diag_indices_from(H)] += self._penalized()
            return H
        weights = self.loss.hessian_weights(Z) * c[:, None, None]  # cᵢ Aᵢ

        def product(v):
            V = self.unpack(v)
            HV = hessian_vector(
                self.X, A1, derivative, second, W2, delta_out, weights, V
            )
            return self.pack(*HV)

        return self._operator(product)

    def newton_matrix(self, theta):
        """Return the matrix of the Newton system: the exact Hessian ``H``.

        The softmax is invariant to adding one constant to every class's
        output intercept (and, with ``alpha = 0``, to every class's weight
        from one hidden unit). Along each such direction ``u``, ``H u = 0``
        and the gradient is zero, so adding ``c·uuᵀ`` (``c = trace(G) /
        n_params / n_outputs``) changes no Newton step except to make it
        unique. ``H`` may be indefinite: the optimizer's damping and its
        escape along negative curvature handle that (see the module
        docstring for why this is ``H`` and not ``G``).
        """
        return self._without_shifts(self.hessian(theta), theta)

    def _without_shifts(self, M, theta):
        """``M + c Σ uuᵀ`` over the softmax's shift directions ``u``.

        ``J(θ + t u) = J(θ)`` for every ``t`` and ``θ``, so both ``G u = 0``
        and ``H u = 0``: the added term only makes ``M`` definite along ``u``.
        """
        if not self.loss.shift_invariant:
            return M
        K, o = self.n_outputs, self._offsets
        groups = [np.arange(o[3], o[4])]  # b2
        if self.alpha == 0:  # the rows W2[k, :]
            groups += [
                np.arange(o[2] + k * K, o[2] + (k + 1) * K)
                for k in range(self.n_hidden)
            ]
        scale = self._gauss_newton_trace(theta) / self.n_params / K
        if isinstance(M, np.ndarray):
            for group in groups:
                M[np.ix_(group, group)] += scale
            return M

        def matvec(v):
            v = np.ravel(v)
            out = M @ v
            for group in groups:
                out[group] += scale * v[group].sum()
            return out

        return LinearOperator(M.shape, matvec=matvec, dtype=np.float64)

    def _gauss_newton_trace(self, theta):
        """``trace(G)``, from the per-row traces (no matrix formed)."""
        W2, A1, derivative, Z = self._linearization(theta)
        c = normalized(self.sample_weight)
        weights = self.loss.hessian_weights(Z) * c[:, None, None]
        n_weights = self.n_features * self.n_hidden + self.n_hidden * self.n_outputs
        return float(
            _row_traces(self.X, A1, derivative, W2, weights).sum()
            + self.alpha * n_weights
        )

    def _factored_jacobian(self, X, A1, derivative, W2, R):
        """Per-sample ``RᵢJᵢ``, ``Jᵢ = ∂Zᵢ/∂θ`` of rows ``X``: shape (n, K, p).

        ``∂z_m/∂W1[j, k] = x_j W2[k, m] f'_k``, ``∂z_m/∂b1[k] = W2[k, m] f'_k``,
        ``∂z_m/∂W2[k, m'] = δ_mm' a_k``, ``∂z_m/∂b2[m'] = δ_mm'``; row ``l``
        of ``RᵢJᵢ`` is ``Σ_m Rᵢ[l, m]`` times row ``m`` of ``Jᵢ``, written
        directly (``Jᵢ`` itself is never formed).
        """
        n, K, h = len(A1), self.n_outputs, self.n_hidden
        o = self._offsets
        RJ = np.empty((n, K, self.n_params))
        hidden = derivative[:, None, :] * (R @ W2.T)  # Σ_m R[l, m] W2[k, m] f'_k
        RJ[:, :, o[0] : o[1]].reshape(n, K, -1, h, copy=False)[...] = (
            X[:, None, :, None] * hidden[:, :, None, :]
        )
        RJ[:, :, o[1] : o[2]] = hidden
        RJ[:, :, o[2] : o[3]].reshape(n, K, h, K, copy=False)[...] = (
            A1[:, None, :, None] * R[:, :, None, :]
        )
        RJ[:, :, o[3] : o[4]] = R
        return RJ

    def _dense_gauss_newton(self, A1, derivative, W2, factors):
        """``Σᵢ Jᵢᵀ RᵢᵀRᵢ Jᵢ`` (``factors``: ``Rᵢ``), accumulated over blocks of rows.

        Each block's sum is ``BᵀB``, ``B`` the rows ``RᵢJᵢ`` stacked: a product
        of an array with its own transpose, which NumPy hands to BLAS's
        ``syrk`` (half the multiplications of ``Jᵀ(RᵀR J)``) and returns
        exactly symmetric, as is the sum of the blocks'.
        """
        p, K = self.n_params, self.n_outputs

        def block_terms(rows):
            X = self._dense_rows(rows)
            B = self._factored_jacobian(
                X, A1[rows], derivative[rows], W2, factors[rows]
            )
            B = B.reshape(-1, p)  # the rows of every Rᵢ Jᵢ
            return (B.T @ B,)

        block_rows = max(1, _JACOBIAN_BLOCK_SIZE // (K * p))
        (G,) = sum_row_blocks(block_terms, self.n_samples, block_rows)
        return G

    def _dense_rows(self, rows):
        """Return the rows ``rows`` of ``X`` as a dense float64 array."""
        X = self.X[rows]
        return X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)

    def _dense_second_order(self, A1, derivative, second, W2, delta_out):
        """``S = Σᵢ Σₘ δᵢₘ ∇²Zᵢₘ``, ``δ = delta_out``, accumulated over blocks of rows.

        With ``X̃ = [X, 1]`` and ``W̃1 = [W1; b1]`` (the first ``n_params`` of
        ``θ`` up to ``W2`` are ``vec(W̃1)``), the only non-zero blocks are::

            S[W̃1[j, k], W̃1[l, k]] = Σᵢ x̃ᵢⱼ x̃ᵢₗ f''ᵢₖ (δᵢ W2ᵀ)ₖ   (one hidden unit)
            S[W̃1[j, k], W2[k, m]] = Σᵢ x̃ᵢⱼ f'ᵢₖ δᵢₘ             (its output weights)
        """
        p, d, h, K = self.n_params, self.n_features, self.n_hidden, self.n_outputs
        curvature = (delta_out @ W2.T) * second  # f''ₖ (δ W2ᵀ)ₖ, (n, h)
        cross = derivative[:, :, None] * delta_out[:, None, :]  # f'ₖ δₘ, (n, h, K)

        def block_terms(rows):
            X = self._dense_rows(rows)
            within = weighted_grams(X, curvature[rows])  # one per hidden unit
            C = cross[rows].reshape(len(X), h * K)
            return within, np.vstack([X.T @ C, _column_sums(C)])  # X̃ᵀ C

        block_rows = max(1, _JACOBIAN_BLOCK_SIZE // (h * (d + 1)))
        within, between = sum_row_blocks(block_terms, self.n_samples, block_rows)
        units = np.arange(h)
        S11 = np.zeros((d + 1, h, d + 1, h))
        S11[:, units, :, units] = within
        S12 = np.zeros((d + 1, h, h, K))
        S12[:, units, units, :] = between.reshape(d + 1, h, K)
        S = np.zeros((p, p))
        o = self._offsets[2]
        S[:o, :o] = S11.reshape(o, o)
        S[:o, o : self._offsets[3]] = S12.reshape(o, h * K)
        S[o : self._offsets[3], :o] = S12.reshape(o, h * K).T
        return S

    def standardized(self):
        """Return this objective in standardized coordinates (:mod:`._scaling`).

        The first block of ``θ`` is the hidden layer ``[W1; b1]``, one column
        per hidden unit: ``φ`` holds the hidden weights the network has on
        standardized inputs; ``W2`` and ``b2`` are the same in both.
        """
        return StandardizedObjective(self, self.n_hidden)

    def standardized_steps(self, theta, standardization, per_sample=False):
        """Return per-coordinate steps of gradient descent on ``φ``, from ``θ``.

        The network is not convex, so no bound holds everywhere: the steps
        come from the curvature where the fit starts,
        ``M = b · Σᵢ cᵢ J̃ᵢᵀJ̃ᵢ + diag(penalty)`` with ``J̃ᵢ = ∂Zᵢ/∂φ`` (the
        Jacobian for standardized inputs), ``b`` the loss's bound on
        ``d²L/dz²`` (``1/4`` for sigmoid units, ``1/2`` for softmax) and the
        penalty ``alpha/sⱼ²`` on the hidden weights of feature ``j``,
        ``alpha`` on ``W2``. ``b · Σᵢ cᵢ J̃ᵢᵀJ̃ᵢ`` bounds the Gauss–Newton
        matrix at ``θ`` and, unlike it, does not vanish when the outputs
        saturate. The steps are ``1/(λ D)`` with ``D`` the diagonal of ``M``
        and ``λ = λmax(D^-½ M D^-½)`` from Lanczos iterations on
        Jacobian–vector products (:func:`~skperceptron._scaling.jacobi_steps`).
        With ``per_sample=True``, ``λ`` bounds the same matrix for any single
        row of positive weight instead, as minibatches need.
        """
        W2, A1, derivative, _ = self._linearization(theta)
        T, bound = standardization, self.loss.curvature_bound
        c = normalized(np.asarray(self.sample_weight, dtype=np.float64))
        hidden = np.square(derivative) * np.sum(W2**2, axis=1)  # Σₘ (W2ₖₘ f'ₖ)²
        penalty = self._standardized_penalty(T)
        o = self._offsets
        diagonal = np.empty(self.n_params)
        (first,) = self._standardized_squares(T, c[:, None] * hidden)
        diagonal[: o[2]] = first.ravel()
        diagonal[o[2] : o[3]] = np.repeat(c @ np.square(A1), self.n_outputs)
        diagonal[o[3] :] = 1.0
        diagonal = floor_curvature(bound * diagonal + penalty)
        if per_sample:
            inverse = inverse_curvature(diagonal)
            top = bound * self._max_row_norm2(T, A1, hidden, inverse)
            share = np.max(inverse * penalty)
            return jacobi_steps(diagonal, None, top + share)
        product = self._gauss_newton_product(A1, derivative, W2, c[:, None])

        def curvature(v):
            return bound * T.gradient(product(T.to_model(v))) + penalty * v

        return jacobi_steps(diagonal, curvature)

    def _standardized_penalty(self, T):
        """``alpha`` on each coordinate of ``φ``: ``alpha/sⱼ²`` on ``W1``'s rows."""
        penalty = np.zeros(self.n_params)
        o, h = self._offsets, self.n_hidden
        penalty[: o[1]] = np.repeat(self.alpha / T.scale**2, h)
        penalty[o[2] : o[3]] = self.alpha
        return penalty

    def _standardized_squares(self, T, U):
        """``Σᵢ x̂ᵢⱼ² Uᵢₖ`` with ``x̂ = [(x − m)/s, 1]``: shape (n_features + 1, h)."""

        def terms(X_hat, rows):
            squares = np.square(X_hat, out=X_hat)
            return (np.vstack([squares.T @ U[rows], _column_sums(U[rows])]),)

        return T.sum_blocks(terms, self.X)

    def _max_row_norm2(self, T, A1, hidden, inverse):
        """Return ``maxᵢ Σₚ J̃ᵢₚ² / Dₚ`` (``inverse = 1/D``) over weighted rows."""
        o, d, h = self._offsets, self.n_features, self.n_hidden
        first = inverse[: o[2]].reshape(d + 1, h)
        second = inverse[o[2] : o[3]].reshape(h, self.n_outputs).sum(axis=1)

        def norms(X_hat, rows):
            squares = np.square(X_hat, out=X_hat)
            norms = np.sum((squares @ first[:-1] + first[-1]) * hidden[rows], axis=1)
            return norms + np.square(A1[rows]) @ second + inverse[o[3] :].sum()

        return T.max_over_rows(norms, self.X, self.sample_weight)


def _row_traces(X, A1, derivative, W2, weights=None):
    """Per-row ``trace(Mᵢ JᵢJᵢᵀ)``, ``Mᵢ = weightsᵢ`` (the identity if None).

    ``JᵢJᵢᵀ = (‖xᵢ‖² + 1) W2ᵀ diag(f'ᵢ²) W2 + (‖aᵢ‖² + 1) I``: the first term
    from ``W1`` and ``b1``, the second from ``W2`` and ``b2``. With ``M = I``
    this is ``‖Jᵢ‖²_F``.
    """
    if sp.issparse(X):
        x_norm2 = np.asarray(X.multiply(X).sum(axis=1)).ravel()
    else:
        x_norm2 = np.einsum("ij,ij->i", X, X)
    a_norm2 = np.einsum("ij,ij->i", A1, A1)
    if weights is None:
        hidden = np.sum(W2**2, axis=1)[None, :]  # (W2 W2ᵀ)_hh
        trace_M = W2.shape[1]
    else:
        hidden = np.einsum("hk,ikm,hm->ih", W2, weights, W2)  # (W2 Mᵢ W2ᵀ)_hh
        trace_M = np.einsum("ikk->i", weights)
    return (x_norm2 + 1) * np.sum(np.square(derivative) * hidden, axis=1) + trace_M * (
        a_norm2 + 1
    )
