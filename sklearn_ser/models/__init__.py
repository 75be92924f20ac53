"""sklearn_ser.models."""

__all__: list[str] = []
