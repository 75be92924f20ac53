"""Hypothesis settings of the tests of sklearn_ser.testing: no deadline (a first
torch call can be slow, and the machine may be shared); the number of examples
is each test's own, or the profile's (tests/losses/conftest.py has the same)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
if os.environ.get("SER_HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["SER_HYPOTHESIS_PROFILE"])
