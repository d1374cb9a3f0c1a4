"""Warnings that point at the user's line, not at the package's.

Optimizer layer. A warning raised deep inside a fit (an optimizer, a
scikit-learn decorator around ``fit``) is attributed by :func:`warn` to the
first frame of the call stack that is neither this package's nor
scikit-learn's: the user's ``est.fit(X, y)``, or their ``GridSearchCV.fit``.
"""

import os
import sys
import warnings

import sklearn

#: Folders whose frames are skipped when looking for the user's line.
_INTERNAL = tuple(
    os.path.dirname(os.path.abspath(module.__file__)) + os.sep
    for module in (sys.modules[__package__], sklearn)
)


def warn(message, category):
    """Warn ``message`` of ``category``, attributed to the user's calling line."""
    warnings.warn(message, category, stacklevel=_user_stacklevel())


def _user_stacklevel():
    """Return the ``stacklevel`` of the first frame outside this package and sklearn.

    Level 1 is the caller of :func:`warnings.warn`, that is :func:`warn`.
    """
    frame, level = sys._getframe(2), 2  # the caller of warn()
    while frame is not None and frame.f_code.co_filename.startswith(_INTERNAL):
        frame, level = frame.f_back, level + 1
    return level
