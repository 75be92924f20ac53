"""sklearn_ser.nn."""

__all__: list[str] = []
