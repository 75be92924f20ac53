"""Audio loading, corpus loaders and the synthetic emotional-speech corpus.

Loaders return a :class:`sklearn.utils.Bunch` (``X`` = file paths or, with
``load_audio=True``, waveforms; ``y``; ``speaker``; ``target_names``; ``DESCR``;
corpus-specific fields) and read the real corpora from ``data_home`` or the
environment variable ``SER_DATA`` (see :func:`get_data_home`); nothing is
downloaded. :func:`make_emotional_speech` generates a synthetic corpus.
"""

from sklearn_ser.utils._audio import load_audio

from ._base import CorpusNotFoundError, get_data_home
from ._emodb import load_emodb
from ._folder import load_folder, load_manifest
from ._iemocap import load_iemocap
from ._labels import EMOTION_SYNONYMS, EMOTIONS
from ._ravdess import load_ravdess
from ._synthetic import make_emotional_speech

__all__ = [
    "EMOTIONS",
    "EMOTION_SYNONYMS",
    "CorpusNotFoundError",
    "get_data_home",
    "load_audio",
    "load_emodb",
    "load_folder",
    "load_iemocap",
    "load_manifest",
    "load_ravdess",
    "make_emotional_speech",
]
