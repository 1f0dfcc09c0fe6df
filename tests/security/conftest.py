"""The security tests' school: the services' test school (Ann, Bob out; Hana, Dee alert receivers)."""

from __future__ import annotations

import pytest

from tests.services.conftest import School


@pytest.fixture
def school(tmp_path, clock):
    s = School(tmp_path / "kiosk.db", clock)
    yield s
    s.db.close()
