"""The alien-language data set of seed 000."""

import numpy as np
from sklearn.utils import Bunch

_SENTENCES = (
    "Aack aack aack!",
    "Beep beep!",
    "Aack beep beep beep!",
    "Aack beep aack!",
)
_MOODS = (1, 0, 0, 1)  # 1 = happy, 0 = sad

_DESCR = """\
Alien moods
-----------

An alien language has two words, "aack" and "beep". Four recorded sentences
are labelled happy (1) or sad (0); each is described by how many times it
says each word.

=============================  ========  ========  =====
sentence                       aack (x1) beep (x2) mood
=============================  ========  ========  =====
Aack aack aack!                3         0         happy
Beep beep!                     0         2         sad
Aack beep beep beep!           1         3         sad
Aack beep aack!                2         1         happy
=============================  ========  ========  =====

A line separates the happy sentences from the sad ones, so a single
sigmoid perceptron classifies them all correctly.
"""


def _count_words(sentence):
    words = sentence.lower().replace("!", "").split()
    return [words.count("aack"), words.count("beep")]


def load_alien_moods(return_X_y=False):
    """Load the seeds' alien-language sentences (binary classification).

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``data`` (ndarray of shape (4, 2): counts of "aack" and "beep"),
        ``target`` (ndarray of shape (4,): 1 happy, 0 sad), ``feature_names``,
        ``target_names``, ``sentences`` and ``DESCR``.
    (data, target) : tuple
        If ``return_X_y`` is True.

    Examples
    --------
    >>> from skperceptron.datasets import load_alien_moods
    >>> moods = load_alien_moods()
    >>> moods.data
    array([[3., 0.],
           [0., 2.],
           [1., 3.],
           [2., 1.]])
    >>> moods.target_names[moods.target]
    array(['happy', 'sad', 'sad', 'happy'], dtype='<U5')
    """
    data = np.array([_count_words(s) for s in _SENTENCES], dtype=np.float64)
    target = np.array(_MOODS)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        feature_names=["aack", "beep"],
        target_names=np.array(["sad", "happy"]),
        sentences=list(_SENTENCES),
        DESCR=_DESCR,
    )
