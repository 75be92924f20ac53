"""One emotion vocabulary for every loader, and the map from the corpora's names.

The loaders return English nouns (``anger``, ``happiness``, ``fear``...): EmoDB's
German letters, RAVDESS's file-name codes and IEMOCAP's three-letter codes are
mapped onto them (:data:`EMOTION_SYNONYMS` lists the names each corpus itself
uses). :func:`~sklearn_ser.datasets.load_manifest` maps a manifest's labels the
same way by default, so a corpus read through its loader and through a manifest
in its own words gets the same classes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["EMOTIONS", "EMOTION_SYNONYMS", "map_labels"]

#: sklearn_ser's emotion names (what every loader returns).
EMOTIONS = (
    "anger", "boredom", "calm", "contempt", "disgust", "excitement", "fear",
    "frustration", "happiness", "neutral", "other", "sadness", "surprise",
)  # fmt: skip

#: A corpus's own name (lower case) -> ours: RAVDESS's (angry, happy, sad,
#: fearful, surprised...), IEMOCAP's codes (ang, hap, exc, neu, sad, fru, fea,
#: dis, sur, oth), EmoDB's German names and common adjectives.
EMOTION_SYNONYMS = {
    # RAVDESS (Livingstone & Russo 2018) and common adjectives
    "angry": "anger", "happy": "happiness", "sad": "sadness", "fearful": "fear",
    "surprised": "surprise", "disgusted": "disgust", "bored": "boredom",
    "frustrated": "frustration", "excited": "excitement", "afraid": "fear",
    "scared": "fear",
    # IEMOCAP's EmoEvaluation codes
    "ang": "anger", "hap": "happiness", "exc": "excitement", "neu": "neutral",
    "fru": "frustration", "fea": "fear", "dis": "disgust", "sur": "surprise",
    "oth": "other",
    # EmoDB's German names (Burkhardt et al. 2005)
    "ärger": "anger", "wut": "anger", "langeweile": "boredom", "ekel": "disgust",
    "angst": "fear", "freude": "happiness", "trauer": "sadness",
    **{e: e for e in EMOTIONS},
}  # fmt: skip


def map_labels(labels: Sequence[str], label_map, *, name: str) -> list[str]:
    """``labels`` through ``label_map`` ("standard", a dict, or None)."""
    if label_map is None:
        return list(labels)
    if isinstance(label_map, str):
        if label_map != "standard":
            raise ValueError(
                f"{name}: label_map must be 'standard', a dict or None, got "
                f"{label_map!r}"
            )
        return [EMOTION_SYNONYMS.get(str(v).strip().lower(), v) for v in labels]
    if not isinstance(label_map, Mapping):
        raise TypeError(
            f"{name}: label_map must be 'standard', a dict or None, got "
            f"{type(label_map).__name__}"
        )
    unmapped = sorted({v for v in labels if v not in label_map})
    if unmapped:
        raise ValueError(
            f"{name}: label_map has no entry for the label(s) {unmapped[:10]}; map "
            "every label of the manifest"
        )
    return [str(label_map[v]) for v in labels]
