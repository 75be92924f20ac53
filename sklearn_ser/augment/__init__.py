"""sklearn_ser.augment."""

__all__: list[str] = []
