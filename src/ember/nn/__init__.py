"""``ember.nn``: Module and Parameter, the layers, ``functional``, ``init`` and ``utils``.

``import ember.nn as nn`` gives torch.nn's names: ``nn.Module``, ``nn.Linear``,
``nn.Sequential``, ``nn.functional`` (as ``F``), ``nn.init``, ``nn.utils``.
"""

from . import functional, init, modules, utils
from .modules import *  # noqa: F403
from .modules import __all__ as _modules_all
from .parameter import Buffer, Parameter, UninitializedParameter

__all__ = [
    "Parameter",
    "Buffer",
    "UninitializedParameter",
    "functional",
    "init",
    "modules",
    "utils",
    *_modules_all,
]


def __getattr__(name: str):
    """A torch.nn name ember lacks raises an AttributeError that says so."""
    from ..compat import missing_attribute

    raise missing_attribute(__name__, name)
