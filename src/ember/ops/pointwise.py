"""The pointwise op family in one namespace: arithmetic (``arith``), functions of one tensor
(``unary``), comparisons and logic (``compare``), and the whole-tensor writes ``zero_``,
``fill_`` and ``copy_``."""

from __future__ import annotations

from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..backend import get_array_module
from ..tensor import Tensor
from .arith import *  # noqa: F403
from .arith import __all__ as _arith_all
from .compare import *  # noqa: F403
from .compare import __all__ as _compare_all
from .compare import (  # noqa: F401
    bitwise_and_,
    bitwise_not_,
    bitwise_or_,
    bitwise_xor_,
    eq_,
    ge_,
    gt_,
    le_,
    logical_and_,
    logical_not_,
    logical_or_,
    logical_xor_,
    lt_,
    ne_,
)
from .inplace import (
    apply_inplace,
    check_inplace,
    raise_read_only,
    write_into,
    writeable_alias,
)
from .unary import *  # noqa: F403
from .unary import __all__ as _unary_all
from .unary import (  # noqa: F401  (in-place forms, reached as pointwise.exp_ and so on)
    abs_,
    acos_,
    acosh_,
    asin_,
    asinh_,
    atan_,
    atanh_,
    ceil_,
    cos_,
    cosh_,
    erf_,
    erfc_,
    erfinv_,
    exp2_,
    exp_,
    expm1_,
    floor_,
    frac_,
    log1p_,
    log2_,
    log10_,
    log_,
    logit_,
    nan_to_num_,
    neg_,
    reciprocal_,
    relu_,
    round_,
    rsqrt_,
    sigmoid_,
    sign_,
    sin_,
    sinh_,
    sqrt_,
    square_,
    tan_,
    tanh_,
    trunc_,
)

__all__ = list(_arith_all) + list(_unary_all) + list(_compare_all) + ["zero_", "fill_", "copy_"]


def zero_(self: Tensor) -> Tensor:
    """Fill with zeros, in place."""
    return _fill(self, 0, _Zero)


class _Fill(Function):
    node_name = "FillBackward2"

    @staticmethod
    def forward(ctx, x, value):
        xp = get_array_module(x._data)
        v = value._data if isinstance(value, Tensor) else value
        return xp.full(x._data.shape, v, dtype=x._data.dtype)

    @staticmethod
    def backward(ctx, g):
        gv = g.sum() if ctx.needs_input_grad[1] else None
        return g * 0, gv


class _FillTensor(_Fill):
    node_name = "FillBackward3"


class _Zero(_Fill):
    node_name = "ZeroBackward0"


def fill_(self: Tensor, value) -> Tensor:
    """Set every element to ``value`` (a number or a 0-dim tensor), in place."""
    return _fill(self, value, _FillTensor if isinstance(value, Tensor) else _Fill)


def _fill(self: Tensor, value, fn) -> Tensor:
    if isinstance(value, Tensor) and value._data.ndim != 0:
        raise RuntimeError(
            "fill_ only supports 0-dimension value tensor but got tensor with "
            f"{value._data.ndim} dimensions."
        )
    if not STATE.enabled or not (self._rg or (isinstance(value, Tensor) and value._rg)):
        check_inplace(self)
        v = value._data if isinstance(value, Tensor) else value
        dst = self._data
        if not dst.flags.writeable:  # an expanded tensor: every element gets the same value
            dst = writeable_alias(dst)
            if dst is None:
                raise_read_only(self._data)
        dst[...] = v
        from .inplace import bump_version

        bump_version(self)
        return self
    return apply_inplace(self, fn.apply, value)


class _Copy(Function):
    node_name = "torch::autograd::CopyBackwards"

    @staticmethod
    def forward(ctx, x, src):
        xp = get_array_module(x._data)
        ctx.src_dtype = src.dtype
        return xp.broadcast_to(src._data, x._data.shape).astype(x._data.dtype, copy=True)

    @staticmethod
    def backward(ctx, g):
        gs = g if ctx.needs_input_grad[1] else None
        return g * 0, gs


def copy_(self: Tensor, src) -> Tensor:
    """Copy ``src`` (broadcast, cast to self's dtype) into ``self``."""
    if not isinstance(src, Tensor):
        from .creation import tensor

        src = tensor(src)
    _check_broadcast_to(src, self)
    if not STATE.enabled or not (self._rg or src._rg):
        check_inplace(self)
        if not self._data.flags.writeable:
            write_into(self, self._data)
        xp = get_array_module(self._data)
        s = src._data
        if xp is not get_array_module(s):
            s = xp.asarray(s) if xp.__name__ == "cupy" else get_array_module(s).asnumpy(s)
        xp.copyto(self._data, s, casting="unsafe")
        from .inplace import bump_version

        bump_version(self)
        return self
    return apply_inplace(self, _Copy.apply, src)


def _check_broadcast_to(src: Tensor, dst: Tensor) -> None:
    s, d = src._data.shape, dst._data.shape
    if len(s) > len(d) or any(a != 1 and a != b for a, b in zip(s[::-1], d[::-1])):
        raise RuntimeError(
            f"The size of tensor a ({d[-1] if d else 1}) must match the size of tensor b "
            f"({s[-1] if s else 1}) at non-singleton dimension {max(len(d) - 1, 0)}"
            if len(s) <= len(d)
            else f"output with shape {list(d)} doesn't match the broadcast shape {list(s)}"
        )
