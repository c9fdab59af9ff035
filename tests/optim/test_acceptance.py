"""The optim issue's acceptance script: shared/acceptance/seed_training.py (custom layers,
dropout, a loss, SGD with momentum and Adam, a training loop whose loss must fall) runs with
``ember run`` and prints what PyTorch prints, numbers masked, as the shared compare.py checks.
Skipped where torch or the shared scripts are absent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _acceptance_dir() -> Path | None:
    env = os.environ.get("EMBER_ACCEPTANCE_DIR")
    candidates = [Path(env)] if env else []
    candidates += [p / "shared" / "acceptance" for p in (ROOT, *ROOT.parents)]
    for path in candidates:
        if (path / "seed_training.py").is_file() and (path / "compare.py").is_file():
            return path
    return None


def test_seed_training_prints_what_torch_prints(torch):
    folder = _acceptance_dir()
    if folder is None:
        pytest.skip("the shared acceptance scripts are not on this machine")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, str(folder / "compare.py"), str(folder / "seed_training.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "same output" in done.stdout
