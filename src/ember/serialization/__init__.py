"""``ember.serialization``: checkpoints in PyTorch's formats, safetensors, and the tools that
look into them.

- ``save(obj, f)`` / ``load(f, map_location=None, weights_only=True, mmap=False)``: PyTorch's
  zip checkpoint format (and the legacy pre-1.6 format), written atomically and read without
  PyTorch and without running code from the file (see ``_load.py`` for what is allowed).
- ``save_file(tensors, path, metadata=None)`` / ``load_file(path)``: safetensors files, through
  the ``safetensors`` package (``pip install 'ember[safetensors]'``).
- ``add_safe_globals``, ``safe_globals``, ``get_unsafe_globals_in_checkpoint``: torch's API for
  letting ``weights_only`` loading rebuild objects the user has vetted.
"""

from __future__ import annotations

from ._load import load
from ._safe_globals import (
    add_safe_globals,
    clear_safe_globals,
    get_safe_globals,
    get_unsafe_globals_in_checkpoint,
    safe_globals,
)
from ._safetensors import load_file, save_file
from ._save import save

__all__ = [
    "save",
    "load",
    "save_file",
    "load_file",
    "add_safe_globals",
    "get_safe_globals",
    "clear_safe_globals",
    "safe_globals",
    "get_unsafe_globals_in_checkpoint",
]
