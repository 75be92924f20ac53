"""sklearn_ser.plotting."""

__all__: list[str] = []
