import os

# scikit-learn's array-API common check (on NumPy) runs only when scipy is
# imported with this set; set it before anything imports scipy.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
