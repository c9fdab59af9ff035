"""``ember.from_dlpack``: tensors that share memory with other libraries' arrays.

DLPack is the protocol array libraries use to hand each other memory without copying: the
producer's ``__dlpack__()`` returns a capsule describing its buffer (pointer, dtype, shape,
strides, device) and ``__dlpack_device__()`` says where it lives. ember arrays are NumPy
arrays (CuPy on a GPU), so importing is ``numpy.from_dlpack`` or ``cupy.from_dlpack`` and
wrapping the result; ``Tensor.__dlpack__`` exports the same way. A write through either side
is seen by the other.
"""

from __future__ import annotations

import ctypes

import numpy as np

from .backend import load_cupy
from .tensor import Tensor

__all__ = ["from_dlpack", "to_dlpack"]

_CPU = 1
_CUDA_DEVICES = (2, 3, 13)  # kDLCUDA, kDLCUDAHost, kDLCUDAManaged


class _Capsule:
    """A bare DLPack capsule (``torch.utils.dlpack.to_dlpack``'s result), dressed in the
    protocol's two methods so the array libraries' ``from_dlpack`` accept it."""

    def __init__(self, capsule):
        self._capsule = capsule
        self._device = _capsule_device(capsule)

    def __dlpack__(self, *args, **kwargs):
        return self._capsule

    def __dlpack_device__(self):
        return self._device


def _capsule_device(capsule) -> tuple[int, int]:
    """(device type, device id) read from an unused ``dltensor`` capsule's DLTensor header:
    a data pointer, then two 32-bit ints."""
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype = ctypes.c_void_p
    get.argtypes = [ctypes.py_object, ctypes.c_char_p]
    try:
        address = get(capsule, b"dltensor")
    except ValueError:
        raise ValueError(
            "from_dlpack: the capsule has been consumed already or is not a DLPack capsule"
        ) from None
    device = (ctypes.c_int32 * 2).from_address(address + ctypes.sizeof(ctypes.c_void_p))
    return int(device[0]), int(device[1])


def from_dlpack(ext_tensor) -> Tensor:
    """A tensor sharing memory with ``ext_tensor``: any object with ``__dlpack__`` (NumPy,
    PyTorch, CuPy, JAX arrays, ember tensors) or a DLPack capsule.

    CPU memory becomes a NumPy-backed tensor and CUDA memory a CuPy-backed one. The result
    does not require grad.
    """
    if isinstance(ext_tensor, Tensor):
        return Tensor._make(ext_tensor._data, False, None)
    source = ext_tensor
    if not hasattr(source, "__dlpack__"):
        if type(source).__name__ != "PyCapsule":
            raise TypeError(
                f"from_dlpack expects an object with __dlpack__ or a DLPack capsule, got "
                f"{type(source).__name__}"
            )
        source = _Capsule(source)
    kind, _ = source.__dlpack_device__()
    if int(kind) == _CPU:
        array = np.from_dlpack(source)
        if isinstance(source, _Capsule) and not array.flags.writeable:
            array = _writable_alias(array)
    elif int(kind) in _CUDA_DEVICES:
        array = load_cupy().from_dlpack(source)
    else:
        raise RuntimeError(f"from_dlpack: ember holds CPU and CUDA memory, not device type {kind}")
    return Tensor._make(array, False, None)


def _writable_alias(a: np.ndarray) -> np.ndarray:
    """A writable array over ``a``'s memory. NumPy marks arrays from unversioned capsules
    read-only because the old protocol cannot say whether the producer allows writes;
    PyTorch, which makes such capsules, does allow them (its own from_dlpack writes)."""
    if a.size == 0:
        return a.copy()
    low, high = np.lib.array_utils.byte_bounds(a)
    buf = (ctypes.c_char * (high - low)).from_address(low)
    buf.owner = a  # keeps the capsule's memory alive as long as the alias
    start = a.__array_interface__["data"][0] - low
    return np.ndarray(a.shape, a.dtype, buffer=buf, offset=start, strides=a.strides)


def to_dlpack(tensor: Tensor):
    """A DLPack capsule of ``tensor``'s memory (``torch.utils.dlpack.to_dlpack``)."""
    return tensor.__dlpack__()
