"""Running PyTorch code on ember: ``install()`` makes ``import torch`` (and every
``torch.X`` submodule) import ember's module of the same path.

A torch feature ember lacks raises an error naming it: ``MissingModule`` (an ImportError, so
``try: import torch.X except ImportError`` still works) or ``MissingAttribute`` (an
AttributeError, so ``hasattr`` still works); both are also NotImplementedError.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

__all__ = ["install", "uninstall", "MissingModule", "MissingAttribute", "missing_attribute"]


class MissingModule(ModuleNotFoundError, NotImplementedError):
    """``import torch.X`` where ember has no ``ember.X``."""


class MissingAttribute(AttributeError, NotImplementedError):
    """``torch.X`` (or ``torch.nn.X``...) where ember has no such name."""


def missing_attribute(module: str, name: str) -> MissingAttribute:
    """The error for a name ember lacks, phrased with torch's module path."""
    torch_path = "torch" + module[len("ember") :] if module.startswith("ember") else module
    if name.startswith("__") and name.endswith("__"):
        return MissingAttribute(f"module '{module}' has no attribute '{name}'")
    return MissingAttribute(
        f"ember does not implement {torch_path}.{name} (module '{module}' has no attribute "
        f"'{name}')"
    )


class _TorchAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``torch`` and ``torch.*`` and loads the matching ``ember`` module."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        target = "ember" + spec.name[len("torch") :]
        try:
            return importlib.import_module(target)
        except ModuleNotFoundError as exc:
            if exc.name and (exc.name == target or target.startswith(exc.name + ".")):
                raise MissingModule(
                    f"ember does not implement {spec.name} (no module {target})", name=spec.name
                ) from None
            raise

    def exec_module(self, module):
        pass


_FINDER = _TorchAlias()


def install() -> None:
    """Make ``import torch`` give ember, for this process."""
    import ember

    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        del sys.modules[name]
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    sys.modules["torch"] = ember
    for name, module in list(sys.modules.items()):
        if name.startswith("ember.") and module is not None:
            sys.modules.setdefault("torch" + name[len("ember") :], module)


def uninstall() -> None:
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        del sys.modules[name]
