"""Indexing: ``x[key]``, ``x[key] = v``, gather/scatter, index_select/index_add, masks, take,
nonzero.

Basic keys (ints, slices, None, Ellipsis) give views; tensor, list and bool-mask keys give
copies, and their backward adds gradients at the indexed positions (repeated indices add up).
"""

from __future__ import annotations

import numpy as np

from ..autograd import function
from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..backend import as_array, fill_where, get_array_module, to_numpy
from ..tensor import Tensor
from ._args import wrap_dim
from ._out import takes_out
from .inplace import (
    apply_inplace,
    bump_version,
    check_inplace,
    record_view,
    type_word,
    write_into,
)
from .shape import SelectView, basic_view_class, broadcast_shape, slice_view

__all__ = [
    "getitem",
    "setitem",
    "gather",
    "scatter",
    "scatter_",
    "scatter_add",
    "scatter_add_",
    "scatter_reduce",
    "index_select",
    "index_add",
    "index_add_",
    "index_copy",
    "index_copy_",
    "index_fill",
    "index_fill_",
    "index_put",
    "index_put_",
    "masked_fill",
    "masked_fill_",
    "masked_select",
    "masked_scatter",
    "masked_scatter_",
    "take",
    "take_along_dim",
    "nonzero",
    "argwhere",
    "fill_diagonal_",
    "zero_region",
]


def _wrap(a) -> Tensor:
    return Tensor._make(as_array(a), False, None)


# -- keys -----------------------------------------------------------------------------------------
def _key_tuple(key) -> tuple:
    return key if type(key) is tuple else (key,)


def _is_basic(key: tuple) -> bool:
    for k in key:
        t = type(k)
        if t is int or t is slice or k is None or k is Ellipsis:
            continue
        return False
    return True


def _convert_key(key: tuple, shape) -> tuple:
    """Tensors and lists in ``key`` become index arrays; bounds are checked as torch does."""
    out = []
    for k in key:
        if isinstance(k, Tensor):
            a = k._data
            if a.ndim == 0 and a.dtype.kind in "iu":  # a 0-dim integer tensor acts as an int
                out.append(int(a))
            elif a.dtype.kind == "b" or a.dtype.kind in "iu":
                out.append(a if a.dtype.kind == "b" or a.dtype == np.int64 else a.astype(np.int64))
            else:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        elif isinstance(k, (list, tuple)):
            arr = np.asarray(_plain(k))
            if arr.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            out.append(arr)
        elif isinstance(k, np.ndarray):
            out.append(k)
        elif isinstance(k, bool):
            out.append(np.asarray(k))
        elif isinstance(k, slice):
            if k.step is not None and _int(k.step) <= 0:
                raise ValueError("step must be greater than zero")
            out.append(slice(_int_or_none(k.start), _int_or_none(k.stop), _int_or_none(k.step)))
        elif k is None or k is Ellipsis:
            out.append(k)
        elif hasattr(k, "__index__"):
            out.append(k.__index__())
        else:
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                f"are valid indices (got {type(k).__name__})"
            )
    key = tuple(out)
    _check_key(key, shape)
    return key


def _plain(k):
    if isinstance(k, Tensor):
        return to_numpy(k._data).tolist()
    if isinstance(k, (list, tuple)):
        return [_plain(v) for v in k]
    return k


def _int(v) -> int:
    return v if isinstance(v, int) else v.__index__()


def _int_or_none(v):
    return None if v is None else _int(v)


def _check_key(key: tuple, shape) -> None:
    """torch's IndexErrors: too many indices, out-of-range ints, mismatched masks."""
    used = 0
    for k in key:
        if k is None or k is Ellipsis:
            continue
        if isinstance(k, np.ndarray) and k.dtype == np.bool_:
            used += max(k.ndim, 1) if k.ndim else 0
        else:
            used += 1
    if used > len(shape):
        if not shape and any(type(k) is int for k in key):
            raise IndexError(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
            )
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    ellipsis_at = next((i for i, k in enumerate(key) if k is Ellipsis), None)
    dim = 0
    advanced = 0  # torch numbers an index tensor's dim among the index tensors
    for i, k in enumerate(key):
        if ellipsis_at is not None and i == ellipsis_at:
            dim = len(shape) - sum(
                (max(kk.ndim, 0) if isinstance(kk, np.ndarray) and kk.dtype == np.bool_ else 1)
                for kk in key[i + 1 :]
                if kk is not None and kk is not Ellipsis
            )
            continue
        if k is None:
            continue
        if isinstance(k, np.ndarray) and k.dtype == np.bool_:
            for j in range(k.ndim):
                if dim + j < len(shape) and k.shape[j] != shape[dim + j]:
                    raise IndexError(
                        f"The shape of the mask [{', '.join(map(str, k.shape))}] at index {j} "
                        f"does not match the shape of the indexed tensor "
                        f"[{', '.join(map(str, shape))}] at index {dim + j}"
                    )
            dim += k.ndim
            advanced += k.ndim
            continue
        if isinstance(k, int):
            n = shape[dim]
            if k < -n or k >= n:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {n}")
        elif isinstance(k, np.ndarray):
            n = shape[dim]
            bad = _first_bad(k, -n, n)
            if bad is not None:
                raise IndexError(
                    f"index {bad} is out of bounds for dimension {advanced} with size {n}"
                )
            advanced += 1
        dim += 1


# -- getitem --------------------------------------------------------------------------------------
class Index(Function):
    """``x[key]`` with index arrays or masks: a copy."""

    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, x, key):
        a = x._data
        ctx.shape, ctx.key = a.shape, key
        xp = get_array_module(a)
        if xp is not np:
            key = tuple(xp.asarray(k) if isinstance(k, np.ndarray) else k for k in key)
            ctx.key = key
        return a[key]

    @staticmethod
    def backward(ctx, g):
        return IndexAdd.apply(g, ctx.shape, ctx.key), None


class IndexAdd(Function):
    """Zeros of ``shape`` plus ``g`` added at ``key`` (repeats accumulate)."""

    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, g, shape, key):
        a = g._data
        xp = get_array_module(a)
        out = xp.zeros(shape, dtype=a.dtype)
        ctx.key = key
        _add_at(out, key, a)
        return out

    @staticmethod
    def backward(ctx, gg):
        return Index.apply(gg, ctx.key), None, None


def _add_at(out, key, values) -> None:
    xp = get_array_module(out)
    if xp is np:
        np.add.at(out, key, values)
    else:
        xp.add.at(out, key, values)


def _stale_view(t: Tensor) -> bool:
    """Whether ``t`` is a view whose base has changed in place since (``Function.apply``
    refreshes its history first)."""
    return t._base is not None and t._view_version != t._vc[0]


def getitem(self: Tensor, key):
    """``self[key]``: a view for basic keys, a copy for advanced ones."""
    shape = self._data.shape
    if type(key) is int and shape and -shape[0] <= key < shape[0]:  # a dataset's sample
        if self._rg or function.TRACER is not None or _stale_view(self):
            return slice_view(self, (key,), SelectView)
        # no graph to record: the view SelectView.apply would make, without its machinery
        out = Tensor._make(self._data[key, ...], False, None)
        if STATE.enabled:
            record_view(out, self, lambda t: slice_view(t, (key,), SelectView))
        return out
    k = _key_tuple(key)
    if _is_basic(k):
        _check_key(k, shape)
        if len(k) == 1 and type(k[0]) is int and shape:
            return slice_view(self, k, SelectView)
        for s in k:
            if type(s) is slice and s.step is not None and s.step <= 0:
                raise ValueError("step must be greater than zero")
        return slice_view(self, k, basic_view_class(k, shape))
    k = _convert_key(k, shape)
    if _is_basic(k):
        return slice_view(self, k, basic_view_class(k, shape))
    return Index.apply(self, k)


# -- setitem --------------------------------------------------------------------------------------
class SetItem(Function):
    """``x`` with ``x[key] = value`` applied, out of place."""

    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, x, key, value):
        a = x._data
        out = a.copy()
        v = value._data if isinstance(value, Tensor) else value
        _assign(out, key, v)
        ctx.key = key
        ctx.value_shape = value._data.shape if isinstance(value, Tensor) else None
        return out

    @staticmethod
    def backward(ctx, g):
        key = ctx.key
        need = ctx.needs_input_grad
        gx = _zero_at(g, key) if need[0] else None
        gv = None
        if need[2]:
            gv = getitem(g, key)
        return gx, None, gv


def _assign(out, key, v) -> None:
    """``out[key] = v``, with torch's errors when ``v`` does not broadcast to the region: an
    expand error for a basic key (torch writes through a view), else a shape mismatch."""
    try:
        out[key] = v
    except ValueError:
        region = out[key].shape
        if _is_basic(key):
            from .shape import expand

            expand(Tensor._make(get_array_module(out).asarray(v), False, None), region)
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(np.shape(v))} cannot be broadcast to "
            f"indexing result of shape {list(region)}"
        ) from None


class _ZeroAt(Function):
    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, g, key):
        out = g._data.copy()
        out[key] = 0
        ctx.key = key
        return out

    @staticmethod
    def backward(ctx, gg):
        return _zero_at(gg, ctx.key), None


def _zero_at(g, key):
    return _ZeroAt.apply(g, key)


def setitem(self: Tensor, key, value) -> None:
    """``self[key] = value`` (value broadcast and cast to self's dtype)."""
    k = _key_tuple(key)
    k = k if _is_basic(k) else _convert_key(k, self._data.shape)
    if _is_basic(k):
        _check_key(k, self._data.shape)
    if isinstance(value, (list, tuple)):
        from .creation import tensor

        value = tensor(value, dtype=self.dtype)
    elif isinstance(value, np.ndarray):
        value = Tensor._make(value, False, None)
    graph = STATE.enabled and (self._rg or (isinstance(value, Tensor) and value._rg))
    if not graph:
        check_inplace(self)
        a = self._data
        v = value._data if isinstance(value, Tensor) else value
        if isinstance(v, np.ndarray) and get_array_module(a) is not np:
            v = get_array_module(a).asarray(v)
        if not a.flags.writeable:
            write_into(self, a)
        _assign(a, k, v)
        bump_version(self)
        return
    if _is_basic(k):  # a copy into the view self[k]: torch's CopySlices history
        from .pointwise import copy_

        copy_(slice_view(self, k), value)
        return
    if isinstance(value, Tensor) and value._data.dtype != self._data.dtype:
        value = value.to(self.dtype)
    apply_inplace(self, SetItem.apply, k, value)


def zero_region(g: Tensor, view_fn) -> Tensor:
    """A copy of ``g`` with the region ``view_fn`` selects set to zero (differentiable)."""
    out = g.clone()
    region = view_fn(out)
    if STATE.enabled:
        from .pointwise import fill_

        fill_(region, 0)
    else:
        region._data[...] = 0
    return out


# -- gather, scatter ------------------------------------------------------------------------------
def _check_index(name, index, input, dim):
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index._data.dtype.kind not in "iu":
        # torch names scatter_add and scatter_reduce "scatter" here
        shown = "gather" if name == "gather" else "scatter"
        raise RuntimeError(f"{shown}(): Expected dtype int32/int64 for index")
    if index._data.ndim != input._data.ndim and not (
        index._data.ndim <= 1 and input._data.ndim <= 1
    ):
        raise RuntimeError(
            "Index tensor must have the same number of dimensions as input tensor"
            if name == "gather"
            else "Index tensor must have the same number of dimensions as self tensor"
        )


def _coords(index_arr, dim):
    """Advanced-index coordinates addressing, at each position of ``index_arr``, the element
    whose ``dim`` coordinate is the index value."""
    xp = get_array_module(index_arr)
    grids = list(xp.indices(index_arr.shape, sparse=True))
    grids[dim] = index_arr
    return tuple(grids)


def _first_bad(index_arr, low, n):
    """The first index (in memory order) outside [low, n), or None."""
    if not index_arr.size:
        return None
    if int(index_arr.min()) >= low and int(index_arr.max()) < n:
        return None
    flat = index_arr.reshape(-1)
    return int(flat[int(((flat < low) | (flat >= n)).argmax())])


def _check_bounds(index_arr, n, dim):
    """gather/scatter indices: in [0, n) (torch takes no negative ones here)."""
    bad = _first_bad(index_arr, 0, n)
    if bad is not None:
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {n}")


class Gather(Function):
    node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx, x, dim, index):
        a = x._data
        idx = index._data
        ctx.shape, ctx.dim = a.shape, dim
        ctx.save_for_backward(index)
        if a.ndim == 0:
            return a.reshape(idx.shape).copy() if idx.size else a.reshape(idx.shape)
        _check_bounds(idx, a.shape[dim], dim)
        return a[_coords(idx, dim)]

    @staticmethod
    def backward(ctx, g):
        from .creation import zeros

        (index,) = ctx.saved_tensors
        base = zeros(ctx.shape, dtype=g.dtype, device=g.device)
        if len(ctx.shape) == 0:
            return g.sum(), None, None
        return scatter_add(base, ctx.dim, index, g), None, None


@takes_out("gather")
def gather(input, dim, index, *, sparse_grad=False, out=None):
    """out[i][j] = input[index[i][j]][j] for dim 0 (and so on): values picked along ``dim``."""
    _check_index("gather", index, input, dim)
    d = wrap_dim(dim, input._data.ndim)
    for i, (s, n) in enumerate(zip(index._data.shape, input._data.shape)):
        if i != d and s > n:
            raise RuntimeError(
                f"Size does not match at dimension {i} expected index {list(index.shape)} to be "
                f"no larger than self {list(input.shape)} apart from dimension {d}"
            )
    return Gather.apply(input, d, index)


class Scatter(Function):
    node_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce):
        a = x._data
        idx = index._data
        out = a.copy()
        if a.ndim:
            _check_bounds(idx, a.shape[dim], dim)
        coords = _coords(idx, dim) if a.ndim else ()
        if isinstance(src, Tensor):
            s = src._data
            s = s[tuple(slice(0, n) for n in idx.shape)] if s.ndim else s
        else:
            s = src
        if reduce is None:
            out[coords] = s
        elif reduce == "add":
            _add_at(out, coords, s)
        elif reduce == "multiply":
            get_array_module(a).multiply.at(out, coords, s)
        else:
            raise RuntimeError(f"reduce argument must be either add or multiply. Got {reduce}")
        ctx.dim, ctx.reduce = dim, reduce
        ctx.save_for_backward(index)
        ctx.src_shape = src._data.shape if isinstance(src, Tensor) else None
        return out

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        if ctx.reduce == "multiply":
            raise NotImplementedError("ember: the gradient of scatter(reduce='multiply')")
        need = ctx.needs_input_grad
        gx = gs = None
        if need[0]:
            gx = g if ctx.reduce == "add" else scatter(g, ctx.dim, index, 0.0)
        if need[3]:
            gs = _pad_to(gather(g, ctx.dim, index), ctx.src_shape)
        return gx, None, None, gs, None


def _pad_to(t: Tensor, shape):
    """``t`` placed in the leading corner of zeros of ``shape`` (src may exceed index)."""
    if tuple(t.shape) == tuple(shape):
        return t
    from .shape import embed_region

    key = tuple(slice(0, n) for n in t.shape)
    return embed_region(t, tuple(shape), key)


class ScatterAdd(Scatter):
    node_name = "ScatterAddBackward0"


class ScatterValue(Scatter):
    node_name = "ScatterBackward1"


def _scatter_args(name, input, dim, index, src, value):
    _check_index(name, index, input, dim)
    d = wrap_dim(dim, input._data.ndim)
    if src is None and value is None:
        raise TypeError(f"{name}() missing 1 required positional argument: 'src' or 'value'")
    if src is None:
        src = value
    if isinstance(src, Tensor) and src._data.dtype != input._data.dtype:
        raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
    return d, src


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of ``input`` with ``src`` (a tensor or a number) written at ``index`` along
    ``dim`` (``reduce='add'`` or ``'multiply'`` combines instead of writing)."""
    d, src = _scatter_args("scatter", input, dim, index, src, value)
    cls = Scatter if isinstance(src, Tensor) else ScatterValue
    return cls.apply(input, d, index, src, reduce)


def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
    return apply_inplace(self, scatter, dim, index, src, value=value, reduce=reduce)


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (repeats add up)."""
    d, src = _scatter_args("scatter_add", input, dim, index, src, None)
    return ScatterAdd.apply(input, d, index, src, "add")


def scatter_add_(self, dim, index, src):
    return apply_inplace(self, scatter_add, dim, index, src)


class ScatterReduce(Function):
    node_name = "ScatterReduceBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce, include_self):
        a = x._data
        xp = get_array_module(a)
        idx = index._data
        s = src._data[tuple(slice(0, n) for n in idx.shape)]
        _check_bounds(idx, a.shape[dim], dim)
        coords = _coords(idx, dim)
        out = a.astype(a.dtype, copy=True)
        hit = xp.zeros(a.shape, dtype=bool)
        hit[coords] = True
        if not include_self:
            fill = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}[reduce]
            out[hit] = (
                fill
                if a.dtype.kind == "f" or reduce in ("sum", "mean", "prod")
                else (np.iinfo(a.dtype).min if reduce == "amax" else np.iinfo(a.dtype).max)
            )
        if reduce in ("sum", "mean"):
            _add_at(out, coords, s)
            if reduce == "mean":
                count = xp.zeros(a.shape, dtype=np.int64)
                _add_at(count, coords, 1)
                count = count + (1 if include_self else 0)
                out = xp.where(hit, out / xp.maximum(count, 1), out).astype(a.dtype)
        elif reduce == "prod":
            xp.multiply.at(out, coords, s)
        elif reduce == "amax":
            xp.maximum.at(out, coords, s)
        elif reduce == "amin":
            xp.minimum.at(out, coords, s)
        else:
            raise RuntimeError(
                "reduce argument must be either sum, prod, mean, amax or amin, got " + reduce
            )
        ctx.dim, ctx.reduce, ctx.include_self = dim, reduce, include_self
        result = Tensor._make(out, False, None)
        ctx.save_for_backward(x, index, src, result)
        ctx.count = count if reduce == "mean" else None
        return result

    @staticmethod
    def backward(ctx, g):
        x, index, src, out = ctx.saved_tensors
        dim, reduce = ctx.dim, ctx.reduce
        need = ctx.needs_input_grad
        gx = gs = None
        if reduce == "sum":
            gx = g if ctx.include_self else scatter(g, dim, index, 0.0)
            gs = gather(g, dim, index)
        elif reduce == "mean":
            count = Tensor._make(ctx.count.astype(g._data.dtype), False, None)
            count = count.clamp(min=1)
            gx = g / count if ctx.include_self else scatter(g / count, dim, index, 0.0)
            gs = gather(g / count, dim, index)
        elif reduce in ("amax", "amin"):
            picked = gather(out, dim, index)
            src_sub = src[tuple(slice(0, n) for n in index.shape)]
            hits_src = (src_sub == picked).to(g.dtype)
            hits_self = (x == out).to(g.dtype) if ctx.include_self else None
            from .creation import zeros

            total = scatter_add(zeros(x.shape, dtype=g.dtype), dim, index, hits_src)
            if hits_self is not None:
                total = total + hits_self
            share = g / total.clamp(min=1)
            gs = gather(share, dim, index) * hits_src
            if hits_self is not None:
                gx = share * hits_self
            else:
                gx = scatter(g, dim, index, 0.0)
        else:
            gx, gs = _scatter_prod_grads(g, x, index, src, out, dim, ctx.include_self, need)
        if gs is not None:
            gs = _pad_to(gs, src.shape)
        return (gx if need[0] else None), None, None, (gs if need[3] else None), None, None


def _scatter_prod_grads(g, x, index, src, out, dim, include_self, need):
    """scatter_reduce('prod'): out = (x if include_self) * prod of the src values scattered to
    a position. d out / d x is that product; d out / d src_j is out / src_j, or, for the only
    zero among a position's src values, the product of the others."""
    from .arith import where
    from .creation import ones_like, zeros

    src = src[tuple(slice(0, n) for n in index.shape)]
    gx = gs = None
    if need[0]:
        if include_self:
            gx = g * scatter_reduce(ones_like(x), dim, index, src, "prod")
        else:
            gx = scatter(g, dim, index, 0.0)
    if need[3]:
        zero = src == 0
        count = scatter_add(zeros(x.shape, dtype=g.dtype), dim, index, zero.to(g.dtype))
        single = zero & (gather(count, dim, index) == 1)
        others = scatter_reduce(
            x, dim, index, where(single, 1.0, src), "prod", include_self=include_self
        )
        gs = where(
            single,
            gather(g * others, dim, index),
            gather(g * out, dim, index) / where(zero, 1.0, src),
        )
    return gx, gs


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Combine ``src`` into ``input`` at ``index`` with sum, prod, mean, amax or amin."""
    d, src = _scatter_args("scatter_reduce", input, dim, index, src, None)
    return ScatterReduce.apply(input, d, index, src, reduce, include_self)


# -- index_select, index_add, index_copy, index_fill ----------------------------------------------
def _check_1d_index(name, index, input, dim):
    """torch's checks of the 1-D index of index_select/add/copy/fill, with the exception types
    and messages of its kernels (which differ from op to op)."""
    from .inplace import type_word

    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index._data.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    kind = index._data.dtype.kind
    if name == "index_fill" and index._data.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if kind not in "iu":
        if name == "index_select":
            raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
        if name == "index_add":
            raise RuntimeError(
                "index_add_(): Expected dtype int32/int64 for index but got: "
                f"{type_word(index.dtype)}"
            )
        raise IndexError(f"{name}_(): Expected dtype int64 for index.")
    n = input._data.shape[dim] if input._data.ndim else 1
    bad = _first_bad(index._data, -n if name == "index_fill" else 0, n)
    if bad is None:
        return
    if name == "index_select":
        if dim == 0:
            raise IndexError("index out of range in self")
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={n}")
    if name == "index_add" and input._data.ndim <= 1:
        raise IndexError("index out of range in self")
    where = f"index {bad} is out of bounds for dimension {dim} with size {n}"
    if name == "index_add":
        raise RuntimeError(where)
    raise IndexError(("index_copy_(): " if name == "index_copy" else "") + where)


class IndexSelect(Function):
    node_name = "IndexSelectBackward0"

    @staticmethod
    def forward(ctx, x, dim, index):
        a = x._data
        ctx.shape, ctx.dim = a.shape, dim
        ctx.save_for_backward(index)
        if a.ndim == 0:  # a 0-dim input gives a 0-dim result, as in torch
            return a.copy()
        return get_array_module(a).take(a, index._data.reshape(-1), axis=dim)

    @staticmethod
    def backward(ctx, g):
        from .creation import zeros

        (index,) = ctx.saved_tensors
        if len(ctx.shape) == 0:
            return g.sum(), None, None
        base = zeros(ctx.shape, dtype=g.dtype, device=g.device)
        return index_add(base, ctx.dim, index.reshape(-1), g), None, None


@takes_out("index_select")
def index_select(input, dim, index, *, out=None):
    """The entries ``index`` (1-D) of dim ``dim``."""
    d = wrap_dim(dim, input._data.ndim)
    _check_1d_index("index_select", index, input, d)
    return IndexSelect.apply(input, d, index)


def _along(a, dim, idx):
    return (slice(None),) * dim + (idx,)


class IndexAddFn(Function):
    node_name = "IndexAddBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, source, alpha):
        a = x._data
        out = a.copy()
        s = source._data if alpha == 1 else source._data * alpha
        if a.ndim == 0:
            out += s.sum()
        else:
            _add_at(out, _along(a, dim, index._data.reshape(-1)), s)
        ctx.dim, ctx.alpha = dim, alpha
        ctx.save_for_backward(index)
        return out

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        gs = None
        if ctx.needs_input_grad[3]:
            gs = index_select(g, ctx.dim, index.reshape(-1)) if g.dim() else g.expand(index.shape)
            if ctx.alpha != 1:
                gs = gs * ctx.alpha
        return g, None, None, gs, None


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of ``input`` with ``alpha * source`` added at entries ``index`` of ``dim``."""
    d = wrap_dim(dim, input._data.ndim)
    _check_1d_index("index_add", index, input, d)
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            "index_add_(): self ("
            + input.dtype.name
            + ") and source ("
            + source.dtype.name
            + ") must have the same scalar type"
        )
    return IndexAddFn.apply(input, d, index, source, alpha)


def index_add_(self, dim, index, source, *, alpha=1):
    return apply_inplace(self, index_add, dim, index, source, alpha=alpha)


class IndexCopy(Function):
    node_name = "IndexCopyBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, source):
        out = x._data.copy()
        out[_along(out, dim, index._data.reshape(-1))] = source._data
        ctx.dim = dim
        ctx.save_for_backward(index)
        return out

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        key = _along(g._data, ctx.dim, index._data.reshape(-1))
        gx = _zero_at(g, key) if ctx.needs_input_grad[0] else None
        gs = index_select(g, ctx.dim, index) if ctx.needs_input_grad[3] else None
        return gx, None, None, gs


def index_copy(input, dim, index, source):
    """A copy of ``input`` with entries ``index`` of ``dim`` replaced by ``source``."""
    d = wrap_dim(dim, input._data.ndim)
    _check_1d_index("index_copy", index, input, d)
    return IndexCopy.apply(input, d, index, source)


def index_copy_(self, dim, index, source):
    return apply_inplace(self, index_copy, dim, index, source)


def index_fill(input, dim, index, value):
    """A copy of ``input`` with entries ``index`` of ``dim`` set to ``value``."""
    d = wrap_dim(dim, input._data.ndim)
    _check_1d_index("index_fill", index, input, d)
    key = _along(input._data, d, index._data.reshape(-1))
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        return IndexFillTensor.apply(input, key, value.to(input.dtype), False)
    return IndexFill.apply(input, key, value, False)


def index_fill_(self, dim, index, value):
    return apply_inplace(self, index_fill, dim, index, value)


class IndexPut(Function):
    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, x, key, values, accumulate):
        out = x._data.copy()
        v = values._data if isinstance(values, Tensor) else values
        if accumulate:
            _add_at(out, key, get_array_module(out).broadcast_to(v, out[key].shape))
        else:
            out[key] = v
        ctx.key, ctx.accumulate = key, accumulate
        return out

    @staticmethod
    def backward(ctx, g):
        key = ctx.key
        gx = None
        if ctx.needs_input_grad[0]:
            gx = g if ctx.accumulate else _zero_at(g, key)
        gv = getitem(g, key) if ctx.needs_input_grad[2] else None
        return gx, None, gv, None


class IndexFill(IndexPut):
    node_name = "IndexFillBackward0"


class IndexFillTensor(IndexPut):
    node_name = "IndexFillBackward1"


def index_put(input, indices, values, accumulate=False):
    """A copy of ``input`` with ``values`` put (or added) at the index tuple ``indices``."""
    key = _convert_key(
        _key_tuple(tuple(indices) if isinstance(indices, list) else indices), input._data.shape
    )
    if isinstance(values, Tensor) and values._data.dtype != input._data.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{type_word(input.dtype)} for the destination and "
            f"{type_word(values.dtype)} for the source."
        )
    return IndexPut.apply(input, key, values, accumulate)


def index_put_(self, indices, values, accumulate=False):
    return apply_inplace(self, index_put, indices, values, accumulate)


# -- masks ----------------------------------------------------------------------------------------
def _check_mask(name, mask):
    if not isinstance(mask, Tensor):
        raise TypeError(f"{name}(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    if mask._data.dtype != np.bool_:
        if name == "masked_select":
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        word = type_word(mask.dtype)
        raise RuntimeError(
            f"{name} only supports boolean masks, but got mask with dtype "
            f"{word.lower() if name == 'masked_fill_' else word}"
        )


class MaskedFill(Function):
    node_name = "MaskedFillBackward0"

    @staticmethod
    def forward(ctx, x, mask, value):
        a = x._data
        m = mask._data
        v = value._data if isinstance(value, Tensor) else value
        xp = get_array_module(a)
        broadcast_shape(m.shape, a.shape)  # torch's error (the mask as tensor a)
        ctx.save_for_backward(mask)
        if isinstance(v, np.ndarray):  # a 0-dim tensor's value
            return xp.where(m, xp.asarray(v, dtype=a.dtype), a)
        return fill_where(m, v, a)

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        gx = masked_fill(g, mask, 0.0) if ctx.needs_input_grad[0] else None
        gv = None
        if ctx.needs_input_grad[2]:
            gv = (g * mask.expand(g.shape)).sum()
        return gx, None, gv


class MaskedFillTensor(MaskedFill):
    node_name = "MaskedFillBackward1"


def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` (a number or 0-dim tensor) where ``mask`` is True."""
    _check_mask("masked_fill_", mask)
    if isinstance(value, Tensor) and value._data.ndim != 0:
        raise RuntimeError(
            "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._data.ndim} dimension(s)."
        )
    return (MaskedFillTensor if isinstance(value, Tensor) else MaskedFill).apply(input, mask, value)


def masked_fill_(self, mask, value):
    return apply_inplace(self, masked_fill, mask, value)


def masked_select(input, mask):
    """The elements where ``mask`` (broadcast with ``input``) is True, as a 1-D tensor."""
    _check_mask("masked_select", mask)
    from .shape import broadcast_tensors

    broadcast_shape(mask._data.shape, input._data.shape)  # torch's error names the mask first
    x, m = broadcast_tensors(input, mask)
    return MaskedSelect.apply(x, (m._data,))


class MaskedSelect(Index):
    node_name = "MaskedSelectBackward0"


class MaskedScatter(Function):
    node_name = "MaskedScatterBackward0"

    @staticmethod
    def forward(ctx, x, mask, source):
        a = x._data
        xp = get_array_module(a)
        broadcast_shape(mask._data.shape, a.shape)
        m = xp.broadcast_to(mask._data, a.shape)
        n = int(m.sum())
        if source._data.size < n:
            raise RuntimeError(
                "masked_scatter: expected source to have at least as many elements as ones in mask"
            )
        out = a.copy()
        out[m] = source._data.reshape(-1)[:n]
        ctx.m, ctx.n, ctx.src_shape = m, n, source._data.shape
        return out

    @staticmethod
    def backward(ctx, g):
        m = Tensor._make(ctx.m, False, None)
        gx = masked_fill(g, m, 0.0) if ctx.needs_input_grad[0] else None
        gs = None
        if ctx.needs_input_grad[2]:
            from .creation import zeros
            from .shape import cat

            picked = masked_select(g, m)
            total = int(np.prod(ctx.src_shape))
            pad = zeros(total - ctx.n, dtype=g.dtype, device=g.device)
            gs = cat([picked, pad]).reshape(ctx.src_shape)
        return gx, None, gs


def masked_scatter(input, mask, source):
    """A copy of ``input`` whose masked positions take ``source``'s elements in order."""
    _check_mask("masked_scatter_", mask)
    return MaskedScatter.apply(input, mask, source)


def masked_scatter_(self, mask, source):
    return apply_inplace(self, masked_scatter, mask, source)


# -- take, nonzero, diagonal fill -----------------------------------------------------------------
class Take(Function):
    node_name = "TakeBackward0"

    @staticmethod
    def forward(ctx, x, index):
        a = x._data
        idx = index._data
        if idx.size:
            lo, hi = int(idx.min()), int(idx.max())
            if lo < -a.size or hi >= a.size:
                bad = hi if hi >= a.size else lo
                raise IndexError(
                    f"out of range: tried to access index {bad} on a tensor of {a.size} elements."
                )
        ctx.shape = a.shape
        # the backward adds at these positions; index_add takes no negative ones
        ctx.save_for_backward(_wrap(idx % a.size) if idx.size and a.size else index)
        return a.reshape(-1)[idx]

    @staticmethod
    def backward(ctx, g):
        from .creation import zeros

        (index,) = ctx.saved_tensors
        n = 1
        for s in ctx.shape:
            n *= s
        base = zeros(n, dtype=g.dtype, device=g.device)
        flat = index_add(base, 0, index.reshape(-1), g.reshape(-1))
        return flat.reshape(ctx.shape), None


def take(input, index):
    """Elements of the flattened ``input`` at ``index`` (result shaped like ``index``)."""
    if not isinstance(index, Tensor) or index._data.dtype != np.int64:
        from .inplace import type_word

        got = type_word(index.dtype) if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {got}")
    return Take.apply(input, index)


def take_along_dim(input, indices, dim=None):
    """``gather`` with broadcasting; the flattened input when ``dim`` is None."""
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    from .shape import expand

    if input._data.ndim != indices._data.ndim:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {input._data.ndim} dimensions for input, and "
            f"{indices._data.ndim} dimensions for indices"
        )
    d = wrap_dim(dim, input._data.ndim)
    shape = list(
        np.broadcast_shapes(
            tuple(1 if i == d else s for i, s in enumerate(input.shape)),
            tuple(1 if i == d else s for i, s in enumerate(indices.shape)),
        )
    )
    in_shape = shape.copy()
    in_shape[d] = input.shape[d]
    idx_shape = shape.copy()
    idx_shape[d] = indices.shape[d]
    return gather(expand(input, in_shape), d, expand(indices, idx_shape))


def nonzero(input, *, as_tuple=False):
    """Indices of the nonzero elements: an (n, ndim) int64 tensor, or a tuple of 1-D ones."""
    a = input._data
    xp = get_array_module(a)
    if as_tuple:
        if a.ndim == 0:
            return (_wrap(xp.zeros(int(bool(a)), dtype=np.int64)),)
        return tuple(_wrap(i.astype(np.int64)) for i in xp.nonzero(a))
    return _wrap(xp.argwhere(a).astype(np.int64))


def argwhere(input):
    return nonzero(input)


def fill_diagonal_(self, fill_value, wrap=False):
    """Set the main diagonal to ``fill_value`` in place (all dims equal, or 2-D)."""
    a = self._data
    if a.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if a.ndim > 2 and len(set(a.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    check_inplace(self)
    if STATE.enabled and self._rg:
        n = min(a.shape)
        idx = tuple(np.arange(n) for _ in a.shape)
        return index_put_(
            self, idx, Tensor._make(np.asarray(fill_value, dtype=a.dtype), False, None)
        )
    get_array_module(a).fill_diagonal(a, fill_value, wrap=wrap)
    bump_version(self)
    return self
