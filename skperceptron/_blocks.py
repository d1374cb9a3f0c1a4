"""Row blocks of ``X``, summed by up to as many threads as BLAS may use.

Math layer. A full pass over the data (an epoch's loss and gradient, a
Hessian) is a sum of per-block terms, each computed while its block of rows
is in cache. When more than one thread is allowed, the rows are split into
equal contiguous runs, one per thread and never more threads than blocks
(the calling thread takes the first); each run is read in blocks of nearly
equal size. Each thread adds up its run's terms, calling BLAS
single-threaded (NumPy releases the GIL in BLAS and in its elementwise
loops), and the runs' sums are added in order. The result is deterministic
for a given number of threads and differs between numbers of threads only by
the rounding of the additions.

The number of threads is the number BLAS may use at the call, so that
``threadpoolctl.threadpool_limits``, and joblib's limits in its workers (one
thread each when the workers fill the cores), also bound this package's own
threads: they never oversubscribe the cores.
"""

import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import numpy as np
import scipy.sparse as sp
from sklearn.utils import gen_batches
from threadpoolctl import ThreadpoolController

#: Columns of weighted copies of ``X̃`` in one product of
#: :func:`_stacked_grams`.
STACKED_COLUMNS = 512
#: Elements of those copies at a time: 1 MB of float64, which stays in a
#: core's cache (larger temporaries made a Hessian up to twice as slow).
STACKED_ELEMENTS = 2**17
#: Bytes per block, of ``X`` and of the terms' arrays: 4 MB, which is
#: 10,485 rows of 50 float64 features. Larger blocks mean fewer NumPy calls,
#: and fewer hand-overs of the GIL between the threads, per row.
BLOCK_BYTES = 2**22

_executor = None
#: One threaded pass at a time: each limits BLAS to one thread while it runs,
#: and two overlapping limits could restore each other's setting.
_lock = threading.Lock()


def _forget_threads():
    """After ``fork``, the child has none of the parent's threads."""
    global _executor, _lock
    _executor, _lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
    os.register_at_fork(after_in_child=_forget_threads)


@cache
def _controller():
    return ThreadpoolController()


@cache
def _blas():
    return _controller().select(user_api="blas").lib_controllers


def blas_threads():
    """Return how many threads BLAS may use now (1 when no BLAS is found)."""
    return max(1, min((library.num_threads for library in _blas()), default=1))


def sum_row_blocks(terms, n_samples, block_rows, n_threads=None):
    """Return the sum over row blocks of ``terms(rows)``, a tuple of arrays.

    Parameters
    ----------
    terms : callable
        ``terms(rows)`` returns a tuple of arrays (or scalars) for the rows
        ``rows``, a slice of at most ``block_rows`` rows.
    n_samples : int
        Number of rows.
    block_rows : int
        Most rows per block.
    n_threads : int, default=None
        Threads to share the rows among; ``None`` for :func:`blas_threads`.
        Never more than the number of blocks.

    Returns
    -------
    total : list
        The element-wise sums of the tuples.
    """
    if n_threads is None:
        n_threads = blas_threads()
    n_threads = max(1, min(n_threads, -(-n_samples // block_rows)))
    bounds = _even_bounds(0, n_samples, n_threads)
    runs = [
        _even_blocks(start, stop, block_rows)
        for start, stop in itertools.pairwise(bounds)
    ]
    if n_threads == 1:
        return _sum_run(terms, runs[0])
    with _lock, _controller().limit(limits=1, user_api="blas"):
        others = [_thread_pool().submit(_sum_run, terms, run) for run in runs[1:]]
        first = _sum_run(terms, runs[0])
        return _add([first] + [future.result() for future in others])


def _even_blocks(start, stop, block_rows):
    """Slices of ``start:stop``, as few as ``block_rows`` allows, of even size."""
    n_blocks = max(1, -(-(stop - start) // block_rows))
    edges = _even_bounds(start, stop, n_blocks)
    return [slice(a, b) for a, b in itertools.pairwise(edges)]


def _even_bounds(start, stop, parts):
    """``parts + 1`` integers from ``start`` to ``stop``, evenly spaced."""
    return [start + (stop - start) * i // parts for i in range(parts + 1)]


def _sum_run(terms, batches):
    return _add(terms(rows) for rows in batches)


def _add(tuples):
    total = None
    for values in tuples:
        total = (
            list(values)
            if total is None
            else [a + v for a, v in zip(total, values, strict=True)]
        )
    return total


def _thread_pool():
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(
            max(1, (os.cpu_count() or 1) - 1), thread_name_prefix="skperceptron"
        )
    return _executor


def sum_over_rows(terms, X, Y, sample_weight, batch=None, row_size=None):
    """Return ``terms(X, Y, c)`` of the rows ``batch`` (all rows if None).

    ``c = s / Σ s`` over those rows (zeros if their weights are all zero);
    ``terms`` returns a tuple of sums over its rows. All rows of a dense
    ``X`` are read in row blocks of :data:`BLOCK_BYTES`, each block's terms
    computed while it is in cache, and the blocks' terms added
    (:func:`sum_row_blocks`). ``row_size`` is how many numbers per row the
    terms read and make (``X``'s columns if None).
    """
    if batch is not None:
        X, Y, sample_weight = X[batch], Y[batch], sample_weight[batch]
    if batch is not None or sp.issparse(X):
        return terms(X, Y, normalized(sample_weight))
    total = sample_weight.sum()

    def block_terms(rows):
        return terms(X[rows], Y[rows], sample_weight[rows] / total)

    row_bytes = (row_size or X.shape[1]) * X.dtype.itemsize
    return sum_row_blocks(block_terms, X.shape[0], max(1, BLOCK_BYTES // row_bytes))


def normalized(s):
    """``s / Σ s``; zeros for a minibatch whose rows all have zero weight."""
    s_sum = s.sum()
    return s / s_sum if s_sum > 0 else np.zeros_like(s)


def weighted_grams(X, S):
    """Return ``X̃ᵀ diag(S[:, p]) X̃`` (float64) for each column ``p`` of ``S``.

    ``X̃ = [X, 1]``; shape ``(n_columns, n_features + 1, n_features + 1)``.
    For dense ``X`` (a block of rows), a column of one sign (the Hessians of
    the convex losses) gives ``±BᵀB`` with ``B = √|s| ⊙ X̃``: a product of an
    array with its own transpose, which NumPy hands to BLAS's ``syrk``, with
    half the multiplications of ``X̃ᵀ(s ⊙ X̃)``. The columns of both signs
    (the network's second-order terms) take one product
    ``X̃ᵀ [S[:, p] ⊙ X̃, S[:, q] ⊙ X̃, ...]`` (:func:`_stacked_grams`).
    """
    n_samples, n_features = X.shape
    size = n_features + 1
    if sp.issparse(X):
        X = sp.hstack([X, np.ones((n_samples, 1))], format="csr")
        return np.stack([(X.T @ sp.diags(s) @ X).toarray() for s in S.T])
    dtype = np.result_type(X, S)
    signs = np.where(np.all(S >= 0, axis=0), 1, np.where(np.all(S <= 0, axis=0), -1, 0))
    grams = np.empty((S.shape[1], size, size))
    B = np.empty((n_samples, size), dtype=dtype)
    for p in np.flatnonzero(signs):
        root = np.sqrt(np.abs(S[:, p : p + 1]))
        np.multiply(root, X, out=B[:, :-1])
        B[:, -1:] = root
        np.multiply(B.T @ B, signs[p], out=grams[p])
    mixed = np.flatnonzero(signs == 0)
    if mixed.size:
        B[:, :-1], B[:, -1] = X, 1.0  # X̃
        grams[mixed] = _stacked_grams(B, S[:, mixed])
    return grams


def _stacked_grams(X1, S):
    """``X1ᵀ diag(S[:, p]) X1`` for each column ``p``, from stacked products.

    One product for up to :data:`STACKED_COLUMNS` columns of weighted copies
    of ``X1``, over as many rows as keep them within :data:`STACKED_ELEMENTS`.
    """
    n_samples, size = X1.shape
    per_product = max(1, STACKED_COLUMNS // size)
    grams = np.zeros((S.shape[1], size, size))
    for start in range(0, S.shape[1], per_product):
        columns = slice(start, start + per_product)
        n_stacked = len(range(*columns.indices(S.shape[1]))) * size
        for rows in gen_batches(n_samples, max(1, STACKED_ELEMENTS // n_stacked)):
            weights = S[rows, columns]
            stacked = weights[:, :, None] * X1[rows, None, :]
            gram = X1[rows].T @ stacked.reshape(len(weights), n_stacked)
            grams[columns] += gram.reshape(size, -1, size).transpose(1, 0, 2)
    return grams
