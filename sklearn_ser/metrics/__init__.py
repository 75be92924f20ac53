"""sklearn_ser.metrics."""

__all__: list[str] = []
