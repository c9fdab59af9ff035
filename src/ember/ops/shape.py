"""Shape ops: views (view, reshape, permute, transpose, expand, squeeze, narrow, split, ...)
and copies (cat, stack, repeat, flip, roll, tril, ...).

A view shares its input's array. While grad mode is on, a view remembers its base and how to
remake it (``record_view``), so an in-place op on the view can rewrite the base's history.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..backend import as_array, get_array_module
from ..dtypes import from_numpy, promote_types
from ..size import Size
from ..tensor import Tensor
from ._args import sizes, wrap_dim, wrap_dims
from ._out import takes_out, write_out
from .inplace import record_view, type_word

__all__ = [
    "view",
    "reshape",
    "flatten",
    "unflatten",
    "squeeze",
    "unsqueeze",
    "squeeze_",
    "unsqueeze_",
    "permute",
    "transpose",
    "transpose_",
    "t",
    "t_",
    "movedim",
    "moveaxis",
    "swapaxes",
    "swapdims",
    "expand",
    "broadcast_to",
    "broadcast_tensors",
    "broadcast_shapes",
    "repeat",
    "tile",
    "repeat_interleave",
    "flip",
    "fliplr",
    "flipud",
    "roll",
    "rot90",
    "cat",
    "concat",
    "concatenate",
    "stack",
    "hstack",
    "vstack",
    "dstack",
    "column_stack",
    "split",
    "tensor_split",
    "chunk",
    "unbind",
    "narrow",
    "select",
    "unfold",
    "tril",
    "triu",
    "diagonal",
    "diag",
    "diag_embed",
    "diagflat",
    "meshgrid",
    "clone",
    "contiguous",
    "as_strided",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "slice_view",
    "embed_region",
]


def _as_view(cls, input: Tensor, *args) -> Tensor:
    """Apply the view op ``cls`` and, in grad mode, record ``out`` as a view of ``input``
    (remade by ``cls.apply`` itself when the op takes nothing but the tensor: no closure)."""
    out = cls.apply(input, *args)
    if STATE.enabled:
        record_view(out, input, (lambda t: cls.apply(t, *args)) if args else cls.apply)
    return out


def _infer_shape(shape, numel: int) -> tuple:
    shape = list(shape)
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {_fmt(shape)}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if unknown:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")
        shape[unknown[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def _fmt(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


# -- view, reshape --------------------------------------------------------------------------------
class View(Function):
    node_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        a = x._data
        ctx.in_shape = a.shape
        if a.flags.c_contiguous:  # always viewable, and the fast path
            return a.reshape(shape)
        try:
            return get_array_module(a).reshape(a, shape, copy=False)
        except ValueError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None

    @staticmethod
    def backward(ctx, g):
        if not STATE.enabled:  # no graph of this backward: reshape the array
            return Tensor._make(g._data.reshape(ctx.in_shape), False, None), None
        return g.reshape(ctx.in_shape), None


class Reshape(View):
    """reshape where the strides allow no view: a copy."""

    node_name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x._data.shape
        return x._data.reshape(shape)


def _viewable(a, shape) -> bool:
    """Whether ``a`` can take ``shape`` without a copy."""
    try:
        get_array_module(a).reshape(a, shape, copy=False)
    except ValueError:
        return False
    return True


def view(input, *shape):
    """The same data with another shape (no copy; refuses when strides do not allow it).
    ``view(dtype)`` reinterprets the bytes as another dtype."""
    if (
        len(shape) == 1
        and not isinstance(shape[0], (int, tuple, list, Size))
        and not hasattr(shape[0], "__index__")
    ):
        return _view_dtype(input, shape[0])
    target = _infer_shape(sizes(shape), input._data.size)
    return _as_view(View, input, target)


def _view_dtype(input, dtype):
    from ..dtypes import to_dtype

    dt = to_dtype(dtype)
    a = input._data
    if dt.itemsize != a.itemsize:
        raise RuntimeError(
            f"ember.view(dtype) needs equal element sizes: {input.dtype} has {a.itemsize} bytes, "
            f"{dt} has {dt.itemsize}"
        )
    return Tensor._make(a.view(dt.np), False, None)


def reshape(input, *shape):
    """The same data with another shape: a view when the strides allow, else a copy."""
    a = input._data
    target = _infer_shape(sizes(shape), a.size)
    if target == a.shape or a.flags.c_contiguous or _viewable(a, target):
        return _as_view(View, input, target)
    return Reshape.apply(input, target)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one."""
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, 1)
    s = wrap_dim(start_dim, nd)
    e = wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input._data.shape
    return reshape(input, shape[:s] + (math.prod(shape[s : e + 1]),) + shape[e + 1 :])


def unflatten(input, dim, sizes_):
    """Split dim ``dim`` into ``sizes_`` (one may be -1)."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    wanted = sizes((sizes_,))
    try:
        inner = _infer_shape(wanted, shape[d])
    except RuntimeError:
        raise RuntimeError(
            f"unflatten: Provided sizes {_fmt(wanted)} don't multiply up to the size of dim {dim} "
            f"({shape[d]}) in the input tensor"
        ) from None
    return view(input, shape[:d] + inner + shape[d + 1 :])


# -- squeeze, unsqueeze ---------------------------------------------------------------------------
def squeeze(input, dim=None):
    """Drop dims of size 1 (all of them, or those in ``dim`` that have size 1)."""
    shape = input._data.shape
    if dim is None:
        dims = tuple(i for i, s in enumerate(shape) if s == 1)
    else:
        dims = tuple(d for d in wrap_dims(dim, len(shape)) if len(shape) and shape[d] == 1)
    new = tuple(s for i, s in enumerate(shape) if i not in dims)
    if dim is None:
        cls = Squeeze
    else:
        cls = SqueezeDims if isinstance(dim, (list, tuple)) else SqueezeDim
    return _as_view(cls, input, new)


class Squeeze(View):
    node_name = "SqueezeBackward0"


class SqueezeDim(View):
    node_name = "SqueezeBackward1"


class SqueezeDims(View):
    node_name = "SqueezeBackward2"


class Unsqueeze(View):
    node_name = "UnsqueezeBackward0"


def unsqueeze(input, dim):
    """Insert a dim of size 1 at ``dim`` (in [-ndim-1, ndim])."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape) + 1)
    return _as_view(Unsqueeze, input, shape[:d] + (1,) + shape[d:])


def _set_shape_inplace(self, new_view):
    self._data = new_view._data
    if new_view.grad_fn is not None:
        self.grad_fn = new_view.grad_fn
    return self


def squeeze_(self, dim=None):
    return _set_shape_inplace(self, squeeze(self, dim))


def unsqueeze_(self, dim):
    return _set_shape_inplace(self, unsqueeze(self, dim))


# -- permute, transpose ---------------------------------------------------------------------------
class Permute(Function):
    node_name = "PermuteBackward0"

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x._data.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        inverse = tuple(np.argsort(ctx.dims))
        return permute(g, inverse), None


class Transpose(Function):
    node_name = "TransposeBackward0"

    @staticmethod
    def forward(ctx, x, d0, d1):
        ctx.d0, ctx.d1 = d0, d1
        return x._data.swapaxes(d0, d1)

    @staticmethod
    def backward(ctx, g):
        if not STATE.enabled:  # no graph of this backward: swap the array's axes
            return Tensor._make(g._data.swapaxes(ctx.d0, ctx.d1), False, None), None, None
        return transpose(g, ctx.d0, ctx.d1), None, None


class T(Function):
    """A matrix's transpose (``t()``): dims 0 and 1 swapped, one argument fewer to record
    than ``Transpose`` (the commonest view of all: ``x @ W.t()``)."""

    node_name = "TBackward0"

    @staticmethod
    def forward(ctx, x):
        return x._data.T

    @staticmethod
    def backward(ctx, g):
        if not STATE.enabled:  # no graph of this backward: the array's transpose
            return (Tensor._make(g._data.T, False, None),)
        return (transpose(g, 0, 1),)


def permute(input, *dims):
    """Reorder the dims: ``permute(2, 0, 1)``."""
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        dims = tuple(dims[0])
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    wrapped = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(wrapped)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _as_view(Permute, input, wrapped)


def transpose(input, dim0, dim1):
    """Swap dims ``dim0`` and ``dim1``."""
    nd = input._data.ndim
    return _as_view(Transpose, input, wrap_dim(dim0, nd), wrap_dim(dim1, nd))


swapaxes = swapdims = transpose


def transpose_(self, dim0, dim1):
    return _set_shape_inplace(self, transpose(self, dim0, dim1))


def t(input):
    """Transpose a tensor of at most 2 dims."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    if nd < 2:
        return _as_view(View, input, input._data.shape)
    return _as_view(T, input)


def t_(self):
    return _set_shape_inplace(self, t(self))


def movedim(input, source, destination):
    """Move dims ``source`` to positions ``destination`` (ints or sequences)."""
    nd = input._data.ndim
    src = wrap_dims(source, nd)
    dst = wrap_dims(destination, nd)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)"
        )
    order = [d for d in range(nd) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, tuple(order))


moveaxis = movedim


# -- expand, repeat -------------------------------------------------------------------------------
class Expand(Function):
    node_name = "ExpandBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x._data.shape
        return get_array_module(x._data).broadcast_to(x._data, shape)

    @staticmethod
    def backward(ctx, g):
        return g.sum_to_size(ctx.in_shape), None


def expand(input, *sizes_):
    """Broadcast to a larger shape without copying (-1 keeps a dim)."""
    target = sizes(sizes_)
    shape = input._data.shape
    if len(target) < len(shape):
        raise RuntimeError(
            f"expand(ember.{type_word(input.dtype)}Tensor{{{_fmt(shape)}}}, size={_fmt(target)}): "
            "the number of sizes provided ("
            f"{len(target)}) must be greater or equal to the number of dimensions in the tensor "
            f"({len(shape)})"
        )
    lead = len(target) - len(shape)
    out = list(target)
    for i in range(len(shape) - 1, -1, -1):  # torch reports the last mismatching dim
        s = shape[i]
        want = target[lead + i]
        if want == -1:
            out[lead + i] = s
        elif s != want and s != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({want}) must match the existing size ({s}) at "
                f"non-singleton dimension {lead + i}.  Target sizes: {_fmt(target)}.  Tensor "
                f"sizes: {_fmt(shape)}"
            )
    for i in range(lead):
        if target[i] < 0:
            raise RuntimeError(
                f"The expanded size of the tensor ({target[i]}) isn't allowed in a leading, "
                "non-existing dimension 0"
            )
    out = tuple(out)
    if out == shape:
        return _as_view(ExpandSame, input, out)
    return _as_view(Expand, input, out)


class ExpandSame(View):
    """expand to the tensor's own shape: a plain view (writable, unlike a broadcast)."""

    node_name = "ExpandBackward0"


broadcast_to = expand


def broadcast_shape(*shapes) -> tuple:
    """The shape ``shapes`` broadcast to, folding left to right; for the first pair that does
    not match, torch's error (naming the sizes and the dim, counted in the result)."""
    out = ()
    for s in shapes:
        s = tuple(s)
        if s == out or not s:
            continue
        n = max(len(out), len(s))
        a = (1,) * (n - len(out)) + out
        b = (1,) * (n - len(s)) + s
        for i in range(n - 1, -1, -1):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                raise RuntimeError(
                    f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                    f"non-singleton dimension {i}"
                )
        out = tuple(y if x == 1 else x for x, y in zip(a, b))
    return out


def broadcast_shapes(*shapes) -> Size:
    """The shape that ``shapes`` (sizes or ints) broadcast to."""
    out = []
    for k, s in enumerate(shapes):
        s = (s,) if isinstance(s, int) else tuple(s)
        if len(s) > len(out):
            out = [1] * (len(s) - len(out)) + out
        for i in range(1, len(s) + 1):
            if s[-i] == out[-i] or s[-i] == 1:
                continue
            if out[-i] != 1:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {s[-i]} at {-i}! Mismatching "
                    f"argument at index {k} had {s}; but expected shape should be broadcastable "
                    f"to {out}"
                )
            out[-i] = s[-i]
    return Size(out)


def broadcast_tensors(*tensors):
    """Each tensor expanded to the common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = broadcast_shape(*[t._data.shape for t in tensors])
    return tuple(expand(t, shape) for t in tensors)


class Repeat(Function):
    node_name = "RepeatBackward0"

    @staticmethod
    def forward(ctx, x, reps):
        a = x._data
        lead = len(reps) - a.ndim
        ctx.in_shape = a.shape
        ctx.reps = reps
        return get_array_module(a).tile(a.reshape((1,) * lead + a.shape), reps)

    @staticmethod
    def backward(ctx, g):
        reps, in_shape = ctx.reps, ctx.in_shape
        full = (1,) * (len(reps) - len(in_shape)) + tuple(in_shape)
        split = []
        for r, s in zip(reps, full):
            split += [r, s]
        summed = g.reshape(split).sum(tuple(range(0, 2 * len(reps), 2)))
        return summed.reshape(in_shape), None


def repeat(input, *sizes_):
    """Tile the tensor: ``repeat(2, 1)`` stacks two copies along dim 0."""
    reps = sizes(sizes_)
    if len(reps) < input._data.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
            "tensor"
        )
    return Repeat.apply(input, reps)


def tile(input, *dims):
    """Like ``repeat``, padding ``dims`` with leading 1s when it is shorter than ``ndim``."""
    reps = sizes(dims)
    reps = (1,) * (input._data.ndim - len(reps)) + reps
    return Repeat.apply(input, reps)


class RepeatInterleave(Function):
    node_name = "RepeatInterleaveBackward0"

    @staticmethod
    def forward(ctx, x, repeats, dim):
        a = x._data
        ctx.dim, ctx.repeats, ctx.n = dim, repeats, a.shape[dim]
        return get_array_module(a).repeat(a, repeats, axis=dim)

    @staticmethod
    def backward(ctx, g):
        from .creation import zeros
        from .indexing import index_add

        reps = ctx.repeats
        xp = np
        owner = xp.repeat(xp.arange(ctx.n), reps)
        idx = Tensor._make(owner.astype(np.int64), False, None)
        shape = list(g.shape)
        shape[ctx.dim] = ctx.n
        base = zeros(shape, dtype=g.dtype, device=g.device)
        return index_add(base, ctx.dim, idx, g), None, None


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element ``repeats`` times (an int or a tensor of counts) along ``dim``
    (flattened when None). ``repeat_interleave(counts)`` gives the repeated indices."""
    if repeats is None:
        counts = np.asarray(input._data)
        return Tensor._make(np.repeat(np.arange(counts.size), counts).astype(np.int64), False, None)
    if dim is None:
        input = reshape(input, -1)
        dim = 0
    d = wrap_dim(dim, input._data.ndim)
    reps = repeats
    if isinstance(repeats, Tensor):
        reps = np.asarray(repeats._data)
        if reps.ndim == 0:
            reps = int(reps)
        elif reps.shape[0] != input._data.shape[d]:
            raise RuntimeError("repeats must have the same size as input along dim")
    return RepeatInterleave.apply(input, reps, d)


# -- flip, roll -----------------------------------------------------------------------------------
class Flip(Function):
    node_name = "FlipBackward0"

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return get_array_module(x._data).flip(x._data, dims).copy()

    @staticmethod
    def backward(ctx, g):
        return flip(g, ctx.dims), None


def flip(input, *dims):
    """Reverse the order of elements along ``dims`` (a copy, as in torch)."""
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        dims = tuple(dims[0])
    return Flip.apply(input, wrap_dims(dims, input._data.ndim))


def fliplr(input):
    return flip(input, 1)


def flipud(input):
    return flip(input, 0)


class Roll(Function):
    node_name = "RollBackward0"

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return get_array_module(x._data).roll(x._data, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        neg = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return Roll.apply(g, neg, ctx.dims), None, None


def roll(input, shifts, dims=None):
    """Shift elements circularly by ``shifts`` along ``dims`` (flattened when None)."""
    if dims is None:  # roll the flattened tensor
        if isinstance(shifts, (list, tuple)):
            if len(shifts) != 1:
                raise RuntimeError(
                    f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0"
                )
            shifts = shifts[0]
        return Roll.apply(input, int(shifts), None)
    if isinstance(shifts, int):
        shifts = (shifts,)
    d = wrap_dims(dims, input._data.ndim)
    if len(tuple(shifts)) != len(d):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(tuple(shifts))}, dims:{len(d)}"
        )
    return Roll.apply(input, tuple(shifts), d)


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``dims``."""
    d0, d1 = wrap_dims(dims, input._data.ndim)
    k %= 4
    if k == 1:
        return transpose(flip(input, d1), d0, d1)
    if k == 2:
        return flip(input, d0, d1)
    if k == 3:
        return flip(transpose(input, d0, d1), d1)
    return clone(input)


# -- cat, stack -----------------------------------------------------------------------------------
class Cat(Function):
    node_name = "CatBackward0"

    @staticmethod
    def forward(ctx, dim, *tensors):
        arrays = [t._data for t in tensors]
        nd = max(a.ndim for a in arrays)
        # legacy rule: 1-D empty tensors are skipped when the others have more dims
        ctx.skipped = [a.ndim == 1 and a.shape[0] == 0 and nd > 1 for a in arrays]
        ctx.dim = dim
        ctx.sizes = [0 if skip else a.shape[dim] for a, skip in zip(arrays, ctx.skipped)]
        return get_array_module(arrays[0]).concatenate(
            [a for a, skip in zip(arrays, ctx.skipped) if not skip], axis=dim
        )

    @staticmethod
    def backward(ctx, g):
        from .creation import zeros

        grads = [None]
        start = 0
        for n, skip in zip(ctx.sizes, ctx.skipped):
            if skip:
                grads.append(zeros(0, dtype=g.dtype, device=g.device))
                continue
            grads.append(narrow(g, ctx.dim, start, n))
            start += n
        return tuple(grads)


def _common_dtype(tensors):
    dt = from_numpy(tensors[0]._data.dtype)
    for t in tensors[1:]:
        dt = promote_types(dt, from_numpy(t._data.dtype))
    return dt


def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dim ``dim`` (dtypes promote; 1-D empty tensors are
    skipped, as in torch)."""
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(
            "cat(): argument 'tensors' (position 1) must be tuple of Tensors, not "
            f"{type(tensors).__name__}"
        )
    tensors = list(tensors)
    if not tensors:
        raise ValueError("ember.cat(): expected a non-empty list of Tensors")
    ref = next(
        (t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)), tensors[0]
    )
    nd = ref._data.ndim
    if nd == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = wrap_dim(dim, nd)
    for i, t in enumerate(tensors):
        a = t._data
        if a.ndim == 1 and a.shape[0] == 0 and nd > 1:
            continue
        if a.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
        if a.ndim != nd:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {nd} and {a.ndim}"
            )
        for k in range(nd):
            if k != d and a.shape[k] != ref._data.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{ref._data.shape[k]} but got size {a.shape[k]} for tensor number {i} in "
                    "the list."
                )
    dt = _common_dtype(tensors)
    tensors = [t if t._data.dtype == dt.np else t.to(dt) for t in tensors]
    r = Cat.apply(d, *tensors)
    return write_out(out, r)


concat = concatenate = cat


class Stack(Function):
    node_name = "StackBackward0"

    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        arrays = [t._data for t in tensors]
        if dim == 0 and type(arrays[0]) is np.ndarray:  # (same shapes and dtype: ``stack``)
            return np.array(arrays)  # one copy, 2-4x faster than np.stack on small arrays
        return get_array_module(arrays[0]).stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return (None,) + tuple(unbind(g, ctx.dim))


def stack(tensors, dim=0, *, out=None):
    """Join same-shaped tensors along a new dim ``dim``."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]._data
    shape, dtype = first.shape, first.dtype
    mixed = False
    for i, t in enumerate(tensors):
        a = t._data
        if a.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {_fmt(shape)} at entry 0 "
                f"and {_fmt(a.shape)} at entry {i}"
            )
        mixed = mixed or a.dtype != dtype
    d = wrap_dim(dim, len(shape) + 1)
    if mixed:
        dt = _common_dtype(tensors)
        tensors = [t if t._data.dtype == dt.np else t.to(dt) for t in tensors]
    r = Stack.apply(d, *tensors)
    return write_out(out, r)


def atleast_1d(*tensors):
    out = [t if t._data.ndim >= 1 else reshape(t, 1) for t in _flat_args(tensors)]
    return out[0] if len(out) == 1 else tuple(out)


def atleast_2d(*tensors):
    out = []
    for t in _flat_args(tensors):
        nd = t._data.ndim
        out.append(t if nd >= 2 else reshape(t, (1, -1) if nd == 1 else (1, 1)))
    return out[0] if len(out) == 1 else tuple(out)


def atleast_3d(*tensors):
    out = []
    for t in _flat_args(tensors):
        nd = t._data.ndim
        if nd >= 3:
            out.append(t)
        elif nd == 2:
            out.append(unsqueeze(t, -1))
        elif nd == 1:
            out.append(reshape(t, (1, -1, 1)))
        else:
            out.append(reshape(t, (1, 1, 1)))
    return out[0] if len(out) == 1 else tuple(out)


def _flat_args(tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return list(tensors[0])
    return list(tensors)


def hstack(tensors):
    tensors = atleast_1d(*tensors)
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    tensors = atleast_2d(*tensors)
    return cat([tensors] if isinstance(tensors, Tensor) else list(tensors), 0)


def dstack(tensors):
    tensors = atleast_3d(*tensors)
    return cat([tensors] if isinstance(tensors, Tensor) else list(tensors), 2)


def column_stack(tensors):
    cols = [reshape(t, (-1, 1)) if t._data.ndim <= 1 else t for t in tensors]
    return cat(cols, 1)


# -- split, chunk, unbind -------------------------------------------------------------------------
class Split(Function):
    node_name = "SplitBackward0"

    @staticmethod
    def forward(ctx, x, bounds, dim):
        a = x._data
        ctx.dim = dim
        index = [slice(None)] * a.ndim
        parts = []
        for lo, hi in bounds:
            index[dim] = slice(lo, hi)
            parts.append(a[tuple(index)])
        return tuple(parts)

    @staticmethod
    def backward(ctx, *grads):
        return cat(list(grads), ctx.dim), None, None


class SplitWithSizes(Split):
    node_name = "SplitWithSizesBackward0"


class Unbind(Function):
    node_name = "UnbindBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        a = x._data
        ctx.dim = dim
        index = [slice(None)] * a.ndim
        parts = []
        for i in range(a.shape[dim]):
            index[dim] = i
            parts.append(a[tuple(index)])
        return tuple(parts)

    @staticmethod
    def backward(ctx, *grads):
        return stack(list(grads), ctx.dim), None


def _split_views(cls, input, bounds, d):
    if not bounds:
        return ()
    parts = cls.apply(input, tuple(bounds), d)
    if not isinstance(parts, tuple):
        parts = (parts,)
    if STATE.enabled:
        for i, p in enumerate(parts):
            lo, hi = bounds[i]
            record_view(p, input, lambda t, lo=lo, hi=hi: narrow(t, d, lo, hi - lo))
    return parts


def split(tensor, split_size_or_sections, dim=0):
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or pieces of the
    given sizes."""
    n = tensor._data.shape[wrap_dim(dim, tensor._data.ndim)] if tensor._data.ndim else 0
    d = wrap_dim(dim, tensor._data.ndim)
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes_ = list(split_size_or_sections)
        if sum(sizes_) != n or any(s < 0 for s in sizes_):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                f"at dimension {d}), but got split_sizes={_fmt(sizes_)}"
            )
        bounds, start = [], 0
        for s in sizes_:
            bounds.append((start, start + s))
            start += s
        return _split_views(SplitWithSizes, tensor, bounds, d)
    size = int(split_size_or_sections)
    if size <= 0 and n > 0:
        raise RuntimeError(
            f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
        )
    bounds = [(lo, min(lo + size, n)) for lo in range(0, n, size)] if n else [(0, 0)]
    return _split_views(Split, tensor, bounds, d)


def tensor_split(input, indices_or_sections, dim=0):
    """Split into ``sections`` nearly equal pieces, or at the given indices."""
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        q, r = divmod(n, k)
        sizes_ = [q + 1] * r + [q] * (k - r)
        cuts = list(np.cumsum([0] + sizes_))
    else:
        cuts = [0] + [min(max(int(i), 0), n) for i in indices_or_sections] + [n]
    bounds = [(cuts[i], max(cuts[i], cuts[i + 1])) for i in range(len(cuts) - 1)]
    return _split_views(SplitWithSizes, input, bounds, d)


def chunk(input, chunks, dim=0):
    """At most ``chunks`` pieces of equal size ceil(n / chunks) along ``dim``."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if n == 0:  # an empty dim gives ``chunks`` empty pieces
        return _split_views(SplitWithSizes, input, [(0, 0)] * chunks, d)
    return split(input, math.ceil(n / chunks), d)


def unbind(input, dim=0):
    """The slices along ``dim``, as a tuple of tensors with that dim removed."""
    a = input._data
    if a.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, a.ndim)
    parts = Unbind.apply(input, d)
    if not isinstance(parts, tuple):
        parts = (parts,)
    if STATE.enabled:
        for i, p in enumerate(parts):
            record_view(p, input, lambda t, i=i: select(t, d, i))
    return parts


# -- basic-index views: narrow, select, slicing ---------------------------------------------------
class SliceView(Function):
    """``x[key]`` for a key of ints, slices, None and Ellipsis: a view."""

    node_name = "SliceBackward0"

    @staticmethod
    def forward(ctx, x, key):
        ctx.in_shape, ctx.key = x._data.shape, key
        # an Ellipsis makes NumPy return a 0-d view, not a copied scalar, for all-int keys
        return x._data[key if Ellipsis in key else key + (Ellipsis,)]

    @staticmethod
    def backward(ctx, g):
        return embed_region(g, ctx.in_shape, ctx.key), None


class SelectView(SliceView):
    node_name = "SelectBackward0"


class UnsqueezeView(SliceView):
    node_name = "UnsqueezeBackward0"


class AliasView(SliceView):
    node_name = "AliasBackward0"


def basic_view_class(key: tuple, shape) -> type:
    """The view class named as torch's grad_fn for ``x[key]``: torch applies the key's parts in
    order (select for an int, slice, unsqueeze for None; whole-dim slices and Ellipsis apply
    nothing), so the last part applied names the node."""
    consumed = 0
    for k in key:
        if k is not None and k is not Ellipsis:
            consumed += 1
    cls = AliasView
    d = 0
    for k in key:
        if k is Ellipsis:
            d += len(shape) - consumed
        elif k is None:
            cls = UnsqueezeView
        elif type(k) is slice:
            whole = (
                k.start in (None, 0)
                and k.step in (None, 1)
                and (k.stop is None or k.stop >= shape[d])
            )
            if not whole:
                cls = SliceView
            d += 1
        else:
            cls = SelectView
            d += 1
    return cls


class EmbedRegion(Function):
    """Zeros of ``shape`` with ``g`` placed at ``key``: the backward of a basic-index view."""

    node_name = "SliceBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, key):
        ctx.key = key
        a = g._data
        out = get_array_module(a).zeros(shape, dtype=a.dtype)
        out[key] = a
        return out

    @staticmethod
    def backward(ctx, gg):
        return slice_view(gg, ctx.key), None, None


def slice_view(input, key, cls=SliceView):
    """The view ``input[key]`` (key: a tuple of ints, slices, None, Ellipsis)."""
    return _as_view(cls, input, key)


def embed_region(g, shape, key):
    return EmbedRegion.apply(g, shape, key)


def narrow(input, dim, start, length):
    """The slice [start, start + length) of dim ``dim`` (a view)."""
    a = input._data
    if a.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, a.ndim)
    n = a.shape[d]
    if isinstance(start, Tensor):
        start = int(start)
    if start < -n or start > n:
        raise IndexError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    if start < 0:
        start += n
    if length < 0 or start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    key = (slice(None),) * d + (slice(start, start + length),)
    return slice_view(input, key)


def select(input, dim, index):
    """The slice at ``index`` of dim ``dim``, with that dim removed (a view)."""
    a = input._data
    if a.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, a.ndim)
    n = a.shape[d]
    index = int(index)
    if index < -n or index >= n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {_fmt(a.shape)} at "
            f"dimension {d}"
        )
    key = (slice(None),) * d + (index,)
    return slice_view(input, key, SelectView)


class Unfold(Function):
    node_name = "UnfoldBackward0"

    @staticmethod
    def forward(ctx, x, dim, size, step):
        a = x._data
        xp = get_array_module(a)
        n = a.shape[dim] if a.ndim else 1
        count = (n - size) // step + 1
        ctx.shape, ctx.dim, ctx.size, ctx.step = a.shape, dim, size, step
        if a.ndim == 0:
            return a.reshape(1)
        shape = a.shape[:dim] + (count,) + a.shape[dim + 1 :] + (size,)
        strides = (
            a.strides[:dim] + (a.strides[dim] * step,) + a.strides[dim + 1 :] + (a.strides[dim],)
        )
        # windows that do not overlap may be written through, as in torch
        writeable = step >= size and a.flags.writeable
        return xp.lib.stride_tricks.as_strided(a, shape, strides, writeable=writeable)

    @staticmethod
    def backward(ctx, g):
        from .creation import zeros
        from .indexing import index_add

        dim, size, step = ctx.dim, ctx.size, ctx.step
        if len(ctx.shape) == 0:
            return g.reshape(()), None, None, None
        count = g.shape[dim]
        # window c, element k came from position c * step + k: add every one back there
        pos = np.arange(count)[:, None] * step + np.arange(size)[None, :]
        merged = movedim(g, -1, dim + 1)  # (..., count, size, ...)
        merged = merged.reshape(merged.shape[:dim] + (count * size,) + merged.shape[dim + 2 :])
        index = Tensor._make(pos.reshape(-1).astype(np.int64), False, None)
        out = zeros(ctx.shape, dtype=g.dtype, device=g.device)
        return index_add(out, dim, index, merged), None, None, None


def unfold(input, dimension, size, step):
    """Windows of ``size`` taken every ``step`` along ``dimension``, in a new last dim."""
    a = input._data
    d = wrap_dim(dimension, a.ndim) if a.ndim else 0
    n = a.shape[d] if a.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return _as_view(Unfold, input, d, size, step)


# -- triangles and diagonals ----------------------------------------------------------------------
class Tril(Function):
    node_name = "TrilBackward0"

    @staticmethod
    def forward(ctx, x, k, upper):
        a = x._data
        if a.ndim < 2:
            raise RuntimeError(
                f"{'triu' if upper else 'tril'}: input tensor must have at least 2 dimensions"
            )
        ctx.k, ctx.upper = k, upper
        xp = get_array_module(a)
        return xp.triu(a, k) if upper else xp.tril(a, k)

    @staticmethod
    def backward(ctx, g):
        return (triu if ctx.upper else tril)(g, ctx.k), None, None


class Triu(Tril):
    node_name = "TriuBackward0"


@takes_out("tril")
def tril(input, diagonal=0, *, out=None):
    """Keep the lower triangle (on and below ``diagonal``) of the last two dims."""
    return Tril.apply(input, diagonal, False)


@takes_out("triu")
def triu(input, diagonal=0, *, out=None):
    """Keep the upper triangle (on and above ``diagonal``) of the last two dims."""
    return Triu.apply(input, diagonal, True)


class Diagonal(Function):
    node_name = "DiagonalBackward0"

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        a = x._data
        ctx.shape, ctx.args = a.shape, (offset, d1, d2)
        return _diagonal_view(a, offset, d1, d2)

    @staticmethod
    def backward(ctx, g):
        offset, d1, d2 = ctx.args
        return DiagEmbedInto.apply(g, ctx.shape, offset, d1, d2), None, None, None


def _diagonal_view(a, offset, d1, d2):
    """A writable strided view of the diagonal (NumPy's own is read-only)."""
    xp = get_array_module(a)
    key = [slice(None)] * a.ndim
    if offset >= 0:
        key[d2] = slice(offset, None)
    else:
        key[d1] = slice(-offset, None)
    sub = a[tuple(key)]
    length = min(sub.shape[d1], sub.shape[d2])
    keep = [i for i in range(a.ndim) if i not in (d1, d2)]
    shape = tuple(sub.shape[i] for i in keep) + (length,)
    strides = tuple(sub.strides[i] for i in keep) + (sub.strides[d1] + sub.strides[d2],)
    return xp.lib.stride_tricks.as_strided(sub, shape, strides, writeable=a.flags.writeable)


class DiagEmbedInto(Function):
    """Zeros of ``shape`` whose (offset, d1, d2) diagonal holds ``g``."""

    node_name = "DiagEmbedBackward0"

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        a = g._data
        out = get_array_module(a).zeros(shape, dtype=a.dtype)
        _diagonal_view(out, offset, d1, d2)[...] = a
        ctx.args = (offset, d1, d2)
        return out

    @staticmethod
    def backward(ctx, gg):
        offset, d1, d2 = ctx.args
        return diagonal(gg, offset, d1, d2), None, None, None, None


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of the (dim1, dim2) planes, as a new last dim (a view)."""
    nd = input._data.ndim
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _as_view(Diagonal, input, offset, d1, d2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Tensors whose (dim1, dim2) diagonals hold the last dim of ``input``."""
    a = input._data
    nd = a.ndim + 1
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    n = a.shape[-1] + abs(offset)
    batch = list(a.shape[:-1])
    shape = []
    it = iter(batch)
    for i in range(nd):
        shape.append(n if i in (d1, d2) else next(it))
    return DiagEmbedInto.apply(input, tuple(shape), offset, d1, d2)


@takes_out("diag")
def diag(input, diagonal=0, *, out=None):
    """A 1-D tensor becomes a diagonal matrix; a matrix gives its diagonal (a copy)."""
    nd = input._data.ndim
    if nd == 1:
        return diag_embed(input, diagonal, 0, 1)
    if nd == 2:
        return clone(globals()["diagonal"](input, diagonal, 0, 1))
    raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{nd}D")


def diagflat(input, offset=0):
    """The flattened input on the ``offset`` diagonal of a square matrix."""
    return diag_embed(reshape(input, -1), offset, 0, 1)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors (``indexing='ij'`` or ``'xy'``)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    ts = [reshape(t, -1) for t in tensors]
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t._data.shape[0] for t in ts)
    grids = []
    for i, t in enumerate(ts):
        view_shape = [1] * len(ts)
        view_shape[i] = -1
        grids.append(expand(reshape(t, view_shape), shape))
    if swap:  # 'xy': the grids of the swapped inputs, in the inputs' order
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


# -- copies ---------------------------------------------------------------------------------------
class Clone(Function):
    node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx, x, order):
        return x._data.copy(order=order)

    @staticmethod
    def backward(ctx, g):
        return g, None


def clone(input, *, memory_format=None):
    """A copy with its own memory (differentiable). As torch's ``preserve_format``, the copy
    keeps the input's memory layout (a transposed input gives a transposed copy)."""
    order = "C" if memory_format is not None and "contiguous" in str(memory_format) else "K"
    return Clone.apply(input, order)


def contiguous(input, memory_format=None):
    """``input`` if already contiguous, else a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    return Clone.apply(input, "C")


class AsStrided(Function):
    node_name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx, x, size, stride, offset):
        a = x._data
        xp = get_array_module(a)
        ctx.shape = a.shape
        ctx.args = (size, stride, offset)
        base = xp.ascontiguousarray(a).reshape(-1)
        need = offset + sum((s - 1) * st for s, st in zip(size, stride)) + 1 if all(size) else 0
        if need > base.size:
            raise RuntimeError(
                f"setStorage: sizes {_fmt(size)}, strides {_fmt(stride)}, storage offset "
                f"{offset}, and itemsize {a.itemsize} requiring a storage size of "
                f"{need * a.itemsize} are out of bounds for storage of size "
                f"{base.size * a.itemsize}"
            )
        item = a.itemsize
        return xp.lib.stride_tricks.as_strided(base[offset:], size, tuple(s * item for s in stride))

    @staticmethod
    def backward(ctx, g):
        size, stride, offset = ctx.args
        n = int(np.prod(ctx.shape))
        flat_index = np.full(size, offset, dtype=np.int64)
        for d, (s, st) in enumerate(zip(size, stride)):
            shape = [1] * len(size)
            shape[d] = s
            flat_index = flat_index + (np.arange(s) * st).reshape(shape)
        from .creation import zeros
        from .indexing import index_add

        idx = Tensor._make(flat_index.reshape(-1), False, None)
        base = zeros(n, dtype=g.dtype, device=g.device)
        return index_add(base, 0, idx, reshape(g, -1)).reshape(ctx.shape), None, None, None


def as_strided(input, size, stride, storage_offset=None):
    """A view with the given sizes and strides (in elements) over ``input``'s elements."""
    return AsStrided.apply(input, tuple(size), tuple(stride), storage_offset or 0)


del as_array
