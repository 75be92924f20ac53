"""Internal utilities (validation shared by every estimator)."""
