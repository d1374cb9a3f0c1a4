"""Benchmarks of skperceptron against scikit-learn; see ``benchmarks/run.py``."""
