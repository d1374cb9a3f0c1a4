import os

import pytest

# scikit-learn's array-API common check (on NumPy) runs only when scipy is
# imported with this set; set it before anything imports scipy.
os.environ.setdefault("SCIPY_ARRAY_API", "1")


@pytest.fixture(autouse=True, scope="session")
def _single_threaded_blas():
    """Run BLAS on one thread: the test problems are small, and OpenBLAS
    threads spinning on a busy 2-core machine slow them down a hundredfold."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield
