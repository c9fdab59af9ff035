"""``ember run SCRIPT [ARGS...]``: run a PyTorch script with ``torch`` mapped to ember, as
``python SCRIPT`` would run it: ``sys.argv``, ``__name__ == '__main__'``, ``__file__``,
``sys.path[0]`` (the script's directory), the exit status, and on an uncaught exception the
traceback from the script's first frame (ember's launcher frames left out) and status 1."""

from __future__ import annotations

import builtins
import os
import runpy
import sys
import types

from . import install

__all__ = ["run_script", "run_module"]

# Frames of the launcher itself: left out of a script's traceback, as python shows none.
_LAUNCHER_FILES = tuple(
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), name)
    for name in ("cli.py", "__main__.py", os.path.join("compat", "run.py"))
)


def run_script(path: str, args: list[str]) -> None:
    """Execute the file ``path`` as ``__main__`` with ``args`` as its arguments."""
    full = path if os.path.isabs(path) else os.path.join(os.getcwd(), path)
    try:
        with open(full, "rb") as f:
            source = f.read()
    except OSError as exc:
        sys.stderr.write(
            f"ember run: can't open file {full!r}: [Errno {exc.errno}] {exc.strerror}\n"
        )
        raise SystemExit(2) from None
    install()
    sys.argv = [path] + list(args)
    sys.path[0] = os.path.dirname(os.path.realpath(full))
    main = types.ModuleType("__main__")
    main.__dict__.update(
        {"__file__": full, "__cached__": None, "__builtins__": builtins, "__spec__": None}
    )
    sys.modules["__main__"] = main
    code = compile(source, full, "exec", dont_inherit=True)
    _run(lambda: exec(code, main.__dict__))


def run_module(name: str, args: list[str]) -> None:
    """Execute module ``name`` as ``python -m name`` would."""
    install()
    sys.argv = [name] + list(args)
    sys.path[0] = os.getcwd()
    _run(lambda: runpy.run_module(name, run_name="__main__", alter_sys=True))


def _run(body) -> None:
    """Run ``body``; an uncaught exception is reported as python reports one (through
    ``sys.excepthook``, from the script's first frame) and exits with status 1."""
    try:
        body()
    except SystemExit:
        raise
    except BaseException as exc:
        tb = exc.__traceback__
        while tb is not None and _is_launcher(tb.tb_frame.f_code.co_filename):
            tb = tb.tb_next
        sys.excepthook(type(exc), exc.with_traceback(tb), tb)
        raise SystemExit(130 if isinstance(exc, KeyboardInterrupt) else 1) from None


def _is_launcher(filename: str) -> bool:
    return (
        filename in _LAUNCHER_FILES
        or filename.startswith("<frozen runpy>")
        or filename == runpy.__file__
    )
