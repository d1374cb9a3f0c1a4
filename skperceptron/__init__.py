"""Perceptrons trained by hand-derived calculus, as scikit-learn estimators.

The estimators learn as the textbook derives it: a forward pass, a loss, the
chain rule written out by hand, and a gradient-descent (or Newton) update.
"""

from ._check import check_gradient
from ._linear import PerceptronRegressor, SigmoidPerceptronClassifier
from ._newton import NewtonOptimizer
from ._two_layer import TwoLayerNetClassifier

__all__ = [
    "NewtonOptimizer",
    "PerceptronRegressor",
    "SigmoidPerceptronClassifier",
    "TwoLayerNetClassifier",
    "check_gradient",
]
__version__ = "0.1.0"
