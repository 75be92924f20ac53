"""Hypothesis profiles of the loss tests (``tests/losses``).

Two profiles are registered here:

``default``
    What CI runs: 30 examples per property, no deadline (a first torch call can be
    slow). The whole folder runs in well under a minute.
``thorough``
    500 examples per property, for local runs before touching the losses::

        python -m pytest -q -p no:xdist tests/losses --hypothesis-profile=thorough

    Name ``tests/losses`` (or a file in it) among the paths: hypothesis loads the
    profile when pytest starts, and pytest reads this conftest that early only for
    the folders given on the command line. From the repository root with other
    paths, set ``SER_HYPOTHESIS_PROFILE=thorough`` instead.

Registering ``default`` changes hypothesis's default profile for the whole session;
tests elsewhere that set ``@settings(max_examples=...)`` keep their own numbers.
"""

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
