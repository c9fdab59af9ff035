"""``ember.backends``: the switches torch scripts set (``torch.backends.cudnn.benchmark = True``).

They are accepted and recorded; ember has no cuDNN or MPS kernels to tune.
"""

from __future__ import annotations

import types

__all__ = ["cudnn", "mps", "cuda", "mkldnn", "openmp"]

cudnn = types.SimpleNamespace(
    benchmark=False,
    deterministic=False,
    enabled=True,
    allow_tf32=True,
    is_available=lambda: False,
    version=lambda: None,
)
mps = types.SimpleNamespace(is_available=lambda: False, is_built=lambda: False)
mkldnn = types.SimpleNamespace(enabled=True, is_available=lambda: False)
openmp = types.SimpleNamespace(is_available=lambda: False)
cuda = types.SimpleNamespace(
    matmul=types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True),
    is_built=lambda: False,
)
