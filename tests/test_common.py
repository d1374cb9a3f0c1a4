"""scikit-learn's own estimator checks, with no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skperceptron import (
    PerceptronRegressor,
    SigmoidPerceptronClassifier,
    TwoLayerNetClassifier,
)

ESTIMATORS = [
    Estimator(**params)
    for Estimator in (PerceptronRegressor, SigmoidPerceptronClassifier)
    for params in (
        {},
        {"solver": "nesterov"},
        {"solver": "newton"},
    )
] + [
    TwoLayerNetClassifier(**params)
    for params in (
        {},
        {"activation": "relu"},
        {"activation": "tanh"},
        {"solver": "nesterov"},
        {"solver": "newton"},
    )
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
