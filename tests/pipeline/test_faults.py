"""``Faults.active``: the pipeline skips :meth:`Faults.applied` when it is false, so it must
be false only where ``applied`` changes nothing."""

from __future__ import annotations

import random

from specfake.pipeline.faults import Dropped, Faults
from specfake.pipeline.preferences import NO_PREFERENCES, Preferences
from tests.pipeline.test_overrides import OPERATIONS


def test_inactive_faults_leave_every_preference_as_it_is() -> None:
    rng = random.Random(21)
    for _ in range(300):
        latency = rng.choice([None, (0, 0), (5, 5), (1, 30)])
        faults = Faults(latency, rng.choice([0.0, 0.0, 0.5, 1.0]))
        preferences = Preferences(code=rng.choice([None, 409]), delay_ms=rng.randint(0, 3))
        operation = rng.choice(OPERATIONS)
        try:
            applied = faults.applied(preferences, operation)
        except Dropped:  # the fail rate chose it: a fault
            applied = None
        assert faults.active == (latency is not None or faults.fail_rate > 0)
        if not faults.active:
            assert applied == preferences
    assert not Faults().active and Faults().applied(NO_PREFERENCES, OPERATIONS[0]) is NO_PREFERENCES
