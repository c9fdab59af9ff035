"""``ember run SCRIPT [ARGS...]``: run a PyTorch script with ``torch`` mapped to ember, as
``python SCRIPT`` would run it (``sys.argv``, ``__main__``, ``sys.path[0]``, exit status)."""

from __future__ import annotations

import os
import runpy
import sys

from . import install

__all__ = ["run_script", "run_module"]


def run_script(path: str, args: list[str]) -> None:
    """Execute ``path`` as ``__main__`` with ``args`` as its arguments."""
    if not os.path.exists(path):
        sys.stderr.write(f"ember run: can't open file '{path}': no such file\n")
        raise SystemExit(2)
    install()
    sys.argv = [path] + list(args)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    runpy.run_path(path, run_name="__main__")


def run_module(name: str, args: list[str]) -> None:
    """Execute module ``name`` as ``python -m name`` would."""
    install()
    sys.argv = [name] + list(args)
    sys.path.insert(0, os.getcwd())
    runpy.run_module(name, run_name="__main__", alter_sys=True)
