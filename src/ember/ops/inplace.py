"""In-place operations: ``x.add_(y)``, ``x[i] = v``, ``x.relu_()``, ...

Every in-place op is its out-of-place op plus a write into ``self``'s array (so views of
``self`` see the change) and a version bump (so a backward that saved the old value raises
instead of computing a wrong gradient). When a graph is recorded, ``self`` takes the new
node as its ``grad_fn``; the node sees a snapshot of the old value as its input.

An in-place op on a view of a tensor in the graph also rewrites the base's history: the base
becomes ``CopySlices(base_old, new_view)``, whose backward routes the view's region of the
gradient through the op and the rest straight to the old base.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..backend import get_array_module
from ..dtypes import from_numpy
from ..tensor import Tensor

__all__ = [
    "apply_inplace",
    "write_into",
    "check_inplace",
    "bump_version",
    "record_view",
    "raise_cast_error",
    "type_word",
    "refresh_view",
    "writeable_alias",
    "raise_read_only",
]

_LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."
_VIEW_LEAF_MESSAGE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)


def bump_version(t: Tensor) -> None:
    vc = t._vc
    if vc is None:
        t._vc = [1]
    else:
        vc[0] += 1


def check_inplace(self: Tensor) -> None:
    """Refuse in-place writes to a leaf that requires grad, or to a view of one."""
    if STATE.enabled:
        if self._rg and self.grad_fn is None:
            raise RuntimeError(_LEAF_MESSAGE)
        base = self._base
        if base is not None and base._rg and base.grad_fn is None:
            raise RuntimeError(_VIEW_LEAF_MESSAGE)


def write_into(self: Tensor, arr, op_name: str = "") -> None:
    """Copy ``arr`` into ``self``'s array, with torch's shape and dtype checks."""
    dst = self._data
    if arr.shape != dst.shape:
        raise RuntimeError(
            f"output with shape {list(dst.shape)} doesn't match the broadcast shape "
            f"{list(_broadcast(arr.shape, dst.shape))}"
        )
    if arr.dtype != dst.dtype:
        src_dt, dst_dt = from_numpy(arr.dtype), from_numpy(dst.dtype)
        if src_dt.category > dst_dt.category:
            raise_cast_error(src_dt, dst_dt)
    if not dst.flags.writeable:
        raise_read_only(dst)
    if arr is not dst:
        get_array_module(dst).copyto(dst, arr, casting="unsafe")
    bump_version(self)


def writeable_alias(a):
    """A writeable array over ``a``'s memory when ``a`` is read-only only because it is an
    expanded view of writeable memory (fill_ and zero_ may write there, as in torch); None
    when the memory itself is read-only."""
    import numpy as np

    if not isinstance(a, np.ndarray):
        return None
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    if not root.flags.writeable or not (root.flags.c_contiguous or root.flags.f_contiguous):
        return None
    offset = a.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return np.ndarray(a.shape, a.dtype, buffer=root, offset=offset, strides=a.strides)


def raise_read_only(dst):
    """torch's error for writing into an expanded tensor (several elements sharing memory);
    ember also refuses other read-only arrays (e.g. from a read-only NumPy array)."""
    if any(st == 0 and n > 1 for st, n in zip(dst.strides, dst.shape)):
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )
    raise RuntimeError(
        "cannot write into a tensor whose memory is read-only (e.g. made from a read-only "
        "NumPy array); clone() it first"
    )


def raise_cast_error(src, dst):
    raise RuntimeError(
        f"result type {type_word(src)} can't be cast to the desired output type {type_word(dst)}"
    )


def type_word(d) -> str:
    """torch's capitalized scalar-type name: Float, Double, Long, ..."""
    return {
        "float32": "Float",
        "float64": "Double",
        "float16": "Half",
        "int64": "Long",
        "int32": "Int",
        "int16": "Short",
        "int8": "Char",
        "uint8": "Byte",
        "bool": "Bool",
    }[d.name]


def _broadcast(a, b):
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    return tuple(max(x, y) for x, y in zip(a, b))


def _needs_graph(self, args) -> bool:
    if not STATE.enabled:
        return False
    if self._rg:
        return True
    for a in args:
        if isinstance(a, Tensor) and a._rg:
            return True
        if isinstance(a, (list, tuple)):
            for b in a:
                if isinstance(b, Tensor) and b._rg:
                    return True
    return False


def apply_inplace(self: Tensor, fn, *args, **kwargs) -> Tensor:
    """Compute ``fn(self, *args, **kwargs)`` and store it in ``self``; returns ``self``."""
    check_inplace(self)
    if not _needs_graph(self, args):
        prev = STATE.enabled
        STATE.enabled = False
        try:
            out = fn(self, *args, **kwargs)
        finally:
            STATE.enabled = prev
        write_into(self, out._data)
        return self
    old = _snapshot(self)
    out = fn(old, *args, **kwargs)
    if out._data.dtype != self._data.dtype:
        if from_numpy(out._data.dtype).category > from_numpy(self._data.dtype).category:
            write_into(self, out._data)  # raises torch's "can't be cast" error
        out = out.to(self.dtype)
    base = self._base
    if base is not None:
        _rebase_view(self, base, out)
        return self
    write_into(self, out._data)
    _take_history(self, out)
    return self


def _snapshot(self: Tensor) -> Tensor:
    old = Tensor._make(self._data.copy(), self._rg, self.grad_fn)
    if self._output_nr:
        old._output_nr = self._output_nr
    return old


def _take_history(self: Tensor, out: Tensor) -> None:
    self.grad_fn = out.grad_fn
    self._rg = out._rg
    nr = out._output_nr
    if nr or "_output_nr" in self.__dict__:
        self._output_nr = nr


def record_view(out: Tensor, base: Tensor, view_fn) -> Tensor:
    """Mark ``out`` as a view of ``base`` made by ``view_fn(tensor) -> tensor`` (composing
    with ``base``'s own view function), so in-place ops on ``out`` can rewrite ``base``."""
    root = base._base
    if root is not None:
        inner = base._view_fn

        def composed(t, inner=inner, outer=view_fn):
            return outer(inner(t))

        out._base = root
        out._view_fn = composed
    else:
        out._base = base
        out._view_fn = view_fn
    owner = root if root is not None else base
    if owner._vc is None:
        owner._vc = [0]
    out._vc = owner._vc
    out._view_version = owner._vc[0]
    return out


def refresh_view(view: Tensor) -> None:
    """Remake ``view``'s history from its base if the base was modified in place since the
    view's ``grad_fn`` was recorded (torch regenerates a view's grad_fn the same way)."""
    now = view._vc[0]
    if view._view_version == now:
        return
    prev = STATE.enabled
    STATE.enabled = True
    try:
        fresh = view._view_fn(view._base)
    finally:
        STATE.enabled = prev
    view.grad_fn = fresh.grad_fn
    view._rg = fresh._rg
    nr = fresh._output_nr
    if nr or "_output_nr" in view.__dict__:
        view._output_nr = nr
    view._view_version = now


class CopySlices(Function):
    """``base`` with the region ``view_fn`` selects replaced by ``value``."""

    node_name = "torch::autograd::CopySlices"

    @staticmethod
    def forward(ctx, base, value, view_fn):
        ctx.view_fn = view_fn
        out = Tensor._make(base._data.copy(), False, None)
        region = view_fn(out)
        region._data[...] = value._data
        return out

    @staticmethod
    def backward(ctx, grad):
        view_fn = ctx.view_fn
        g_value = view_fn(grad) if ctx.needs_input_grad[1] else None
        g_base = None
        if ctx.needs_input_grad[0]:
            from .indexing import zero_region

            g_base = zero_region(grad, view_fn)
        return g_base, g_value, None


def _rebase_view(view: Tensor, base: Tensor, out: Tensor) -> None:
    """``view`` (of ``base``) now holds ``out``: rewrite ``base``'s history to match."""
    old_base = _snapshot(base)
    new_base = CopySlices.apply(old_base, out, view._view_fn)
    write_into(base, new_base._data)
    _take_history(base, new_base)
    fresh = view._view_fn(base)
    view.grad_fn = fresh.grad_fn
    view._rg = fresh._rg
    view._view_version = view._vc[0]
