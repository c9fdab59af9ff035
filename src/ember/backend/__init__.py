"""The array module behind a tensor: NumPy, or CuPy for tensors on a GPU.

Every kernel is written once against ``xp = get_array_module(array)``; the device follows the
data. CuPy is imported only when a tensor is first moved to a GPU, so until then
``get_array_module`` answers NumPy without looking at its arguments.
"""

from __future__ import annotations

import numpy as np

__all__ = ["get_array_module", "cupy", "load_cupy", "to_numpy"]

cupy = None


def load_cupy():
    """Import CuPy (the ``cuda`` extra) and make it visible to ``get_array_module``."""
    global cupy
    if cupy is None:
        try:
            import cupy as cp
        except ImportError:
            raise RuntimeError(
                "CUDA tensors need CuPy: pip install 'ember[cuda]' (or a cupy-cudaXX wheel)"
            ) from None
        cupy = cp
    return cupy


def get_array_module(*arrays):
    """``numpy`` or ``cupy``: the module whose functions work on ``arrays``."""
    if cupy is None:
        return np
    for a in arrays:
        if isinstance(a, cupy.ndarray):
            return cupy
    return np


def to_numpy(array) -> np.ndarray:
    """A NumPy array with the values of ``array`` (copied off the GPU when needed)."""
    if cupy is not None and isinstance(array, cupy.ndarray):
        return cupy.asnumpy(array)
    return array


def is_cuda_available() -> bool:
    try:
        cp = load_cupy()
        return cp.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def as_array(value):
    """An array from an array-library result: NumPy returns scalars for 0-d results."""
    if isinstance(value, np.generic):
        return np.asarray(value)
    return value
