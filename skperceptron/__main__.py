"""``python -m skperceptron``: fit the estimators and print what they learned."""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from . import PerceptronRegressor, SigmoidPerceptronClassifier, TwoLayerNetClassifier
from .datasets import load_alien_moods


def _alien_moods():
    moods = load_alien_moods()
    clf = SigmoidPerceptronClassifier().fit(moods.data, moods.target)
    (w1, w2), b = clf.coef_[0], clf.intercept_[0]
    print("Alien moods (seed 000): ŷ = σ(w1·aack + w2·beep + b)")
    print(f"  learned w1 = {w1:+.3f}, w2 = {w2:+.3f}, b = {b:+.3f}")
    print(
        f"  in {clf.n_iter_} epochs of gradient descent, final J = "
        f"{clf.loss_curve_[-1]:.4f}"
    )
    proba = clf.predict_proba(moods.data)[:, 1]
    for sentence, p, label in zip(moods.sentences, proba, moods.target, strict=True):
        mood = moods.target_names[int(p > 0.5)]
        truth = moods.target_names[label]
        print(f"  {sentence:<22} P(happy) = {p:.3f} -> {mood:<5} (truth: {truth})")


def _compare(title, ours, theirs, X, y, scoring):
    print(f"\n{title} ({X.shape[0]} samples, {X.shape[1]} features), 5-fold {scoring}:")
    for name, model in [("skperceptron", ours), ("scikit-learn", theirs)]:
        start = time.perf_counter()
        scores = cross_val_score(
            make_pipeline(StandardScaler(), model), X, y, scoring=scoring
        )
        elapsed = time.perf_counter() - start
        print(
            f"  {name:<13} {type(model).__name__:<28} "
            f"{np.mean(scores):.3f} ± {np.std(scores):.3f}  ({elapsed:.2f} s)"
        )


def main(argv=None):
    """Run the demonstration."""
    parser = argparse.ArgumentParser(
        prog="python -m skperceptron",
        description="Fit the skperceptron estimators on the seeds' alien data "
        "and on scikit-learn's bundled data sets, next to scikit-learn's own "
        "models, and print what they learned.",
    )
    parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    _alien_moods()
    X, y = load_breast_cancer(return_X_y=True)
    _compare(
        "Breast cancer",
        SigmoidPerceptronClassifier(),
        LogisticRegression(),
        X,
        y,
        "accuracy",
    )
    X, y = load_iris(return_X_y=True)
    _compare(
        "Iris, 3 classes (softmax)",
        SigmoidPerceptronClassifier(),
        LogisticRegression(),
        X,
        y,
        "accuracy",
    )
    X, y = load_diabetes(return_X_y=True)
    _compare("Diabetes", PerceptronRegressor(), LinearRegression(), X, y, "r2")
    X, y = make_moons(300, noise=0.2, random_state=0)
    _compare(
        "Two moons, one line cannot separate them",
        SigmoidPerceptronClassifier(),
        LogisticRegression(),
        X,
        y,
        "accuracy",
    )
    _compare(
        "Two moons, a hidden layer of 16 sigmoid units",
        TwoLayerNetClassifier(random_state=0),
        MLPClassifier((16,), activation="logistic", max_iter=2000, random_state=0),
        X,
        y,
        "accuracy",
    )


if __name__ == "__main__":
    main()
