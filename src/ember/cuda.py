"""``ember.cuda``: GPU availability through CuPy (the ``cuda`` extra)."""

from __future__ import annotations

from . import backend

__all__ = [
    "is_available",
    "device_count",
    "current_device",
    "manual_seed",
    "manual_seed_all",
    "synchronize",
    "empty_cache",
]


def is_available() -> bool:
    """True when CuPy is installed and sees a GPU."""
    return backend.is_cuda_available()


def device_count() -> int:
    if not is_available():
        return 0
    return backend.load_cupy().cuda.runtime.getDeviceCount()


def current_device() -> int:
    return backend.load_cupy().cuda.runtime.getDevice()


def manual_seed(seed: int) -> None:
    """Seeding is shared: ember draws GPU tensors' numbers from its CPU generators."""


def manual_seed_all(seed: int) -> None:
    pass


def synchronize(device=None) -> None:
    if backend.cupy is not None:
        backend.cupy.cuda.runtime.deviceSynchronize()


def empty_cache() -> None:
    if backend.cupy is not None:
        backend.cupy.get_default_memory_pool().free_all_blocks()
