"""``import ember`` keeps freed large arrays' memory with the process
(``ember.backend.allocator``): a step that makes and drops 32 MB of arrays again and again
faults their pages in once, not on every step as with glibc's own thresholds."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# minor page faults over 10 "steps" of eight live 4 MB arrays (8,192 pages)
CHURN = """
import resource, sys, numpy as np
if sys.argv[1] == "ember":
    import ember
def step():
    arrays = [np.ones(1 << 20, np.float32) for _ in range(8)]
for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(importing: str, **env) -> int:
    full = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"), **env)
    cmd = [sys.executable, "-c", CHURN, importing]
    out = subprocess.run(cmd, env=full, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.split()[-1])


def _glibc() -> bool:
    import ctypes

    return sys.platform.startswith("linux") and hasattr(ctypes.CDLL(None), "gnu_get_libc_version")


@pytest.mark.skipif(not _glibc(), reason="the thresholds are glibc's")
def test_freed_large_arrays_stay_with_the_process():
    assert _faults("numpy") > 20_000  # glibc's thresholds: the heap handed back each step
    assert _faults("ember") < 1_000  # its pages reused
    # a threshold the user set is left alone
    assert _faults("ember", MALLOC_TRIM_THRESHOLD_="131072") > 20_000


def test_tune_is_a_no_op_off_linux_or_where_the_user_set_a_threshold(monkeypatch):
    from ember.backend import allocator

    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1000000")
    assert allocator.tune() is False
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_")
    monkeypatch.setattr(sys, "platform", "darwin")
    assert allocator.tune() is False
