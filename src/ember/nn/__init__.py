"""``ember.nn``: Module, Parameter, layers, losses and init.

(Foundation stub: Parameter and functional. The nn issue owns this file.)
"""

from . import functional
from .parameter import Parameter

__all__ = ["Parameter", "functional"]
