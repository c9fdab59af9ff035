"""The C allocator's thresholds for large arrays (glibc only), set once at ``import ember``.

A training step allocates and frees arrays of megabytes on every step. glibc's malloc serves
an allocation over ``M_MMAP_THRESHOLD`` (128 KB at start, then raised to the largest block
freed so far, up to 32 MB) with pages mapped for it alone, and hands the top of its heap back
to the system once ``M_TRIM_THRESHOLD`` of it is free (twice the other threshold): unless
something of tens of megabytes has been freed already, each step then faults its arrays'
pages in again, one fault per 4 KB (the LeNet-like CNN step of ``bench/`` took 2,300 faults
and 5 ms of system time a step, a quarter of the step). ``tune()`` serves arrays of up to 32
MB from the heap and keeps up to 64 MB of it free for the next step; larger arrays are still
mapped, and returned, on their own.

Left as it is where either threshold was set through glibc's environment variables
(``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``), and off glibc.
"""

from __future__ import annotations

import os
import sys

M_TRIM_THRESHOLD = -1  # glibc's malloc.h
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # glibc's largest (HEAP_MAX_SIZE / 2 on 64-bit systems)
TRIM_THRESHOLD = 64 << 20


def tune() -> bool:
    """Set the thresholds; whether they were set."""
    if not sys.platform.startswith("linux"):
        return False
    if any(v in os.environ for v in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        if not hasattr(libc, "gnu_get_libc_version"):  # (musl has mallopt, without these)
            return False
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
