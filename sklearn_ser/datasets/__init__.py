"""sklearn_ser.datasets."""

__all__: list[str] = []
