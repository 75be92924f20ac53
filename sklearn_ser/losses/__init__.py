"""sklearn_ser.losses."""

__all__: list[str] = []
