"""Audio loading, corpus loaders and the synthetic emotional-speech corpus.

Loaders return a :class:`sklearn.utils.Bunch` (``X`` = file paths or, with
``load_audio=True``, waveforms; ``y``; ``speaker``; ``target_names``; ``DESCR``;
corpus-specific fields) and read the real corpora from ``data_home`` or the
environment variable ``SER_DATA`` (see :func:`get_data_home`); nothing is
downloaded. :func:`make_emotional_speech` generates a synthetic corpus.

The names are imported lazily (``sklearn_ser/utils/_lazy.py``), so that
``from sklearn_ser.datasets import load_audio`` does not import the corpus
loaders and what they import (imbalanced-learn).
"""

from typing import TYPE_CHECKING

from sklearn_ser.utils._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "_labels": ["EMOTIONS", "EMOTION_SYNONYMS"],
    "_base": ["CorpusNotFoundError", "get_data_home"],
    "sklearn_ser.utils._audio": ["load_audio"],
    "_emodb": ["load_emodb"],
    "_folder": ["load_folder", "load_manifest"],
    "_iemocap": ["load_iemocap"],
    "_ravdess": ["load_ravdess"],
    "_synthetic": ["make_emotional_speech"],
})

if TYPE_CHECKING:  # what type checkers and IDEs read
    from sklearn_ser.utils._audio import load_audio

    from ._base import CorpusNotFoundError, get_data_home
    from ._emodb import load_emodb
    from ._folder import load_folder, load_manifest
    from ._iemocap import load_iemocap
    from ._labels import EMOTION_SYNONYMS, EMOTIONS
    from ._ravdess import load_ravdess
    from ._synthetic import make_emotional_speech
