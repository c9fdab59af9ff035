"""ember: a deep-learning framework on NumPy with PyTorch's API.

``import ember as torch`` works for new code; ``ember run script.py`` runs an unmodified
PyTorch script with ``torch`` mapped to ember. What is public is listed here, family by family
(each op family's own ``__all__`` names its ops).
"""

from __future__ import annotations

__version__ = "0.1.0"

import builtins as _builtins

import numpy as _np

from .backend import allocator as _allocator

# torch computes inf and nan without warnings; NumPy would warn on every such op.
_np.seterr(all="ignore")
_allocator.tune()  # large arrays stay with the process from step to step

from . import dtypes as _dtypes  # noqa: E402
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .device import device
from .dtypes import (
    bfloat16,
    can_cast,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    result_type,
    set_default_dtype,
    uint8,
)
from .size import Size
from .tensor import Tensor

from . import autograd, backends, cuda, linalg, return_types  # noqa: E402
from ._printing import get_printoptions, printoptions, set_printoptions  # noqa: E402
from ._dlpack import from_dlpack  # noqa: E402
from .ops.arith import *  # noqa: E402, F403
from .ops.compare import *  # noqa: E402, F403
from .ops.creation import *  # noqa: E402, F403
from .ops.indexing import (  # noqa: E402
    argwhere,
    gather,
    index_add,
    index_copy,
    index_fill,
    index_put,
    index_select,
    masked_fill,
    masked_scatter,
    masked_select,
    nonzero,
    scatter,
    scatter_add,
    scatter_reduce,
    take,
    take_along_dim,
)
from .ops.linalg import *  # noqa: E402, F403
from .ops.linalg import inv as inverse  # noqa: E402
from .ops.random import (  # noqa: E402
    bernoulli,
    multinomial,
    normal,
    poisson,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
)
from .ops.reduction import *  # noqa: E402, F403
from .ops.shape import *  # noqa: E402, F403
from .ops.sorting import *  # noqa: E402, F403
from .ops.unary import *  # noqa: E402, F403
from .random import (  # noqa: E402
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)

half = float16
float = float32  # noqa: A001
double = float64
short = int16
int = int32  # noqa: A001
long = int64
bool = _dtypes.bool_  # noqa: A001
cfloat = cdouble = complex64 = complex128 = None
strided = "torch.strided"
contiguous_format = channels_last = preserve_format = "memory_format"


class finfo:
    """Machine limits of a floating dtype: ``finfo(ember.float32).eps``."""

    def __init__(self, type=None):
        t = _dtypes.to_dtype(type) if type is not None else get_default_dtype()
        info = _np.finfo(t.np)
        self.bits = info.bits
        self.eps = _builtins.float(info.eps)
        self.max = _builtins.float(info.max)
        self.min = _builtins.float(info.min)
        self.tiny = _builtins.float(info.tiny)
        self.smallest_normal = self.tiny
        self.resolution = _builtins.float(info.resolution)
        self.dtype = t.name

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
            f"dtype={self.dtype})"
        )


class iinfo:
    """Limits of an integer dtype: ``iinfo(ember.int64).max``."""

    def __init__(self, type):
        t = _dtypes.to_dtype(type)
        info = _np.iinfo(t.np)
        self.bits = info.bits
        self.max = _builtins.int(info.max)
        self.min = _builtins.int(info.min)
        self.dtype = t.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


_num_threads = [0]


def get_num_threads() -> int:
    """The thread count set by ``set_num_threads`` (else the machine's CPU count)."""
    import os

    return _num_threads[0] or os.cpu_count() or 1


def set_num_threads(n: int) -> None:
    """Use ``n`` threads inside large ops: ember's own threads split them, and BLAS runs on
    one thread (set through threadpoolctl, from the ``train`` extra; without it BLAS keeps the
    threads it loaded with, and ops run whole on the calling thread). See
    ``ember.backend.threads``."""
    import builtins

    from .backend import threads

    if not isinstance(n, builtins.int) or isinstance(n, builtins.bool):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _num_threads[0] = n
    threads.set_threads(n)


def get_num_interop_threads() -> int:
    return 1


def set_num_interop_threads(n: int) -> None:
    pass


def set_float32_matmul_precision(precision: str) -> None:
    pass


def get_float32_matmul_precision() -> str:
    return "highest"


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    pass


def are_deterministic_algorithms_enabled() -> bool:
    return True


def compile(model=None, **kwargs):
    """ember has no compiler: ``compile(model)`` returns ``model`` unchanged."""
    if model is None:
        return lambda m: m
    return model


def is_nonzero(input):
    """The truth value of a one-element tensor."""
    return input.__bool__()


def softmax(input, dim, dtype=None):  # noqa: F811
    from .nn.functional import softmax as _softmax

    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, dtype=None):  # noqa: F811
    from .nn.functional import log_softmax as _log_softmax

    return _log_softmax(input, dim, dtype=dtype)


_SUBMODULES = ("nn", "optim", "utils", "serialization", "onnx", "datasets", "compat")


def __getattr__(name):
    import importlib

    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in ("save", "load"):
        module = importlib.import_module(".serialization", __name__)
        return getattr(module, name)
    if name in ("summary",):
        module = importlib.import_module(".summary", __name__)
        return getattr(module, name)
    from .compat import missing_attribute

    raise missing_attribute(__name__, name)
