"""Every nn test starts from the same random state, so statistical checks are repeatable."""

from __future__ import annotations

import pytest

import ember

from ..conftest import _torch


@pytest.fixture(autouse=True)
def _seeded():
    ember.manual_seed(1234)
    if _torch is not None:
        _torch.manual_seed(1234)
