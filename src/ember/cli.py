"""The ``ember`` command: ``ember run SCRIPT``, and the tools other modules register in
``COMMANDS`` (each imported only when its command runs)."""

from __future__ import annotations

import importlib
import sys

__all__ = ["main", "COMMANDS"]

# name -> ("module:function", one-line help). The function takes the remaining argv.
COMMANDS = {
    "run": ("ember.cli:_run", "run a PyTorch script with torch mapped to ember"),
    "train": ("ember.train:main", "train a model on a bundled or downloaded dataset"),
    "summary": ("ember.summary:main", "print a model's layers, shapes and parameter counts"),
    "inspect": ("ember.serialization.cli:inspect_main", "list the tensors in a checkpoint file"),
    "convert": ("ember.serialization.cli:convert_main", "convert between .pt and .safetensors"),
}


def _usage() -> str:
    lines = ["usage: ember COMMAND [ARGS...]", "", "commands:"]
    for name, (_, text) in COMMANDS.items():
        lines.append(f"  {name:<10} {text}")
    return "\n".join(lines)


def _run(argv: list[str]) -> int:
    from .compat.run import run_module, run_script

    if not argv or argv[0] in ("-h", "--help"):
        print("usage: ember run SCRIPT [ARGS...]  |  ember run -m MODULE [ARGS...]")
        return 0 if argv else 2
    if argv[0] == "-m":
        if len(argv) < 2:
            print("ember run -m: a module name is required", file=sys.stderr)
            return 2
        run_module(argv[1], argv[2:])
    else:
        run_script(argv[0], argv[1:])
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(_usage())
        return 0 if argv else 2
    if argv[0] in ("-V", "--version"):
        from . import __version__

        print(f"ember {__version__}")
        return 0
    entry = COMMANDS.get(argv[0])
    if entry is None:
        print(f"ember: unknown command '{argv[0]}'\n\n{_usage()}", file=sys.stderr)
        return 2
    module_name, func_name = entry[0].split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            print(f"ember {argv[0]}: not available in this version", file=sys.stderr)
            return 2
        raise
    result = getattr(module, func_name)(argv[1:])
    return int(result or 0)


if __name__ == "__main__":
    raise SystemExit(main())
