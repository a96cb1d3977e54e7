"""The short load and fault test (make soak runs the same for 60 s a phase): see tests/soak/soak.py."""
import os

import pytest

from tests.soak import soak

pytestmark = [pytest.mark.soak, pytest.mark.postgres]


def test_mixed_traffic_with_a_killed_worker_and_dropped_connections_loses_nothing(capsys):
    seconds = float(os.environ.get("SOAK_SECONDS", "10"))
    lines = []
    problems = soak.run(seconds, report=lines.append)
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert not problems, "\n".join(problems)
