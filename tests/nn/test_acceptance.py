"""The acceptance scripts of the nn issue (the two tutorials' code, exercised): each runs with
``ember run`` and prints what PyTorch prints (numbers masked), checked by the shared
compare.py in a subprocess. Skipped where torch is absent, and, for parts other families
still build, until the names they need exist."""

from __future__ import annotations

import importlib
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
        if (path / "compare.py").is_file():
            return path
    return None


def _require(*names: str) -> None:
    """Skip unless every dotted ``module:attribute`` exists (the parts other helpers build)."""
    for name in names:
        module, _, attr = name.partition(":")
        try:
            mod = importlib.import_module(module)
        except ImportError:
            pytest.skip(f"waiting for {module}")
        if attr and not hasattr(mod, attr):
            pytest.skip(f"waiting for {module}.{attr}")


def _compare(script: str) -> None:
    pytest.importorskip("torch")
    folder = _acceptance_dir()
    if folder is None:
        pytest.skip("the shared acceptance scripts are not on this machine")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, str(folder / "compare.py"), str(folder / script)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "same output" in done.stdout


def test_seed_000_custom_modules():
    _compare("seed_000_custom_modules.py")


def test_seed_002_functional():
    _require(
        "ember.nn.functional:conv2d",
        "ember.nn:ReLU",
        "ember.nn:CrossEntropyLoss",
        "ember.nn:MSELoss",
        "ember.optim:SGD",
    )
    _compare("seed_002_functional.py")
