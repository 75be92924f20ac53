"""sklearn_ser.features."""

__all__: list[str] = []
