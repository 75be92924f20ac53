"""Audio loading, corpus loaders and the synthetic emotional-speech corpus."""

from ._audio import load_audio

__all__ = ["load_audio"]
