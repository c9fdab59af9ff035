"""Convolutions (1, 2 and 3 spatial dims, transposed too) and ``unfold``/``fold``, on matrix
products.

The input, zero-padded, is viewed through its strides as every kernel window at once (no copy):
``windows`` has shape (N, C, *K, *L) for kernel sizes K and output sizes L. Copying that view
into a (C*K, N*L) matrix ("im2col") turns the convolution into one matrix product with the
(O, C*K) weight, done by BLAS; groups are a leading batch dim of that product. The matrix is
made and multiplied a block of samples at a time, so that each block is still in cache when
its product reads it. The gradients are matrix products too: the weight's with the same im2col
matrix (made again, block by block), the input's, for stride 1 and one group, a convolution of
the output gradient with the kernel flipped, else by multiplying back to a column matrix and
adding each kernel offset's slice into the padded input ("col2im": a loop over kernel offsets,
never over pixels).

Three Functions, each the others' backward, so any order of derivative works:
``Convolution`` (y = conv(x, w)), ``ConvolutionTranspose`` (its adjoint in x) and
``ConvolutionWeight`` (its adjoint in w).
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..backend import get_array_module, sum_to_shape_array, threads
from ..tensor import Tensor
from .inplace import type_word

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "unfold",
    "fold",
    "conv_output_size",
]


# -- array kernels -----------------------------------------------------------------------------
# im2col matrices are made a block of samples at a time, of about this many bytes, so that the
# product reading a block finds it in cache (a core's L2 is 1-2 MB)
BLOCK_BYTES = 1 << 20


def _pad_array(a, pads):
    """``a`` (N, C, *S) zero-padded by pads ((lo, hi) per spatial dim); ``a`` itself if none."""
    if not any(lo or hi for lo, hi in pads):
        return a
    xp = get_array_module(a)
    shape = a.shape[:2] + tuple(n + lo + hi for n, (lo, hi) in zip(a.shape[2:], pads))
    out = xp.zeros(shape, dtype=a.dtype)
    inner = tuple(slice(lo, lo + n) for n, (lo, _) in zip(a.shape[2:], pads))
    out[(slice(None), slice(None)) + inner] = a
    return out


def _windows(a, ksize, stride, dilation, out):
    """A strided view (A, B, *K, *L) of ``a`` (A, B, *Sp): element [.., k, l] is
    a[.., l * stride + k * dilation] per spatial dim."""
    xp = get_array_module(a)
    st = a.strides
    sp = st[2:]
    strides = st[:2] + tuple(s * d for s, d in zip(sp, dilation))
    strides += tuple(s * t for s, t in zip(sp, stride))
    return xp.lib.stride_tricks.as_strided(
        a, a.shape[:2] + tuple(ksize) + tuple(out), strides, writeable=False
    )


def _region(offs, dilation, stride, out) -> tuple:
    """The slices, per spatial dim, of the padded input that kernel offset ``offs`` reads at
    every output position (``out``: the output sizes)."""
    return tuple(
        slice(o * d, o * d + s * (n - 1) + 1, s) for o, d, s, n in zip(offs, dilation, stride, out)
    )


def _col2im(cols, padded_shape, stride, dilation):
    """The adjoint of ``_windows``: ``cols`` (A, B, *K, *L) summed into (A, B, *Sp)."""
    xp = get_array_module(cols)
    k = (cols.ndim - 2) // 2
    ksize, out = cols.shape[2 : 2 + k], cols.shape[2 + k :]
    buf = xp.zeros(cols.shape[:2] + tuple(padded_shape), dtype=cols.dtype)
    head = (slice(None), slice(None))
    for offs in np.ndindex(*ksize):
        buf[head + _region(offs, dilation, stride, out)] += cols[head + offs]
    return buf


def _crop(a, pads, sizes):
    """``a`` (A, B, *Sp) without the padding: (A, B, *sizes)."""
    if not any(lo or hi for lo, hi in pads):
        return a
    inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(pads, sizes))
    return a[(slice(None), slice(None)) + inner]


def _channels_last(x, pads):
    """``x`` (N, C, *S) zero-padded by pads and laid out (N, *Sp, C), contiguous."""
    xp = get_array_module(x)
    n, c = x.shape[:2]
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads))
    if any(lo or hi for lo, hi in pads):
        out = xp.zeros((n,) + padded + (c,), dtype=x.dtype)
    else:
        out = xp.empty((n,) + padded + (c,), dtype=x.dtype)
    inner = tuple(slice(lo, lo + s) for s, (lo, _) in zip(x.shape[2:], pads))
    out[(slice(None),) + inner] = xp.moveaxis(x, 1, -1)
    return out


def _window_view(x, ksize, stride, pads, dilation, out, groups, columns):
    """Every window of padded ``x`` as a strided view whose samples, copied out contiguous,
    are im2col matrices in the layout ``_by_columns`` picks: (N, C, *K, *L), a sample's
    (C, *K) rows by its (*L) columns, so that the copy moves whole output rows; or channels
    last, (N, G, *L, *K, C/G), so that it moves whole runs of a kernel row's channels."""
    xp = get_array_module(x)
    if columns:
        return _windows(_pad_array(x, pads), ksize, stride, dilation, out)
    cg = x.shape[1] // groups
    xl = _channels_last(x, pads)  # (N, *Sp, C)
    st = xl.strides
    sp, sc = st[1:-1], st[-1]
    shape = (x.shape[0], groups) + tuple(out) + tuple(ksize) + (cg,)
    strides = (st[0], cg * sc) + tuple(s * t for s, t in zip(sp, stride))
    strides += tuple(s * d for s, d in zip(sp, dilation)) + (sc,)
    return xp.lib.stride_tricks.as_strided(xl, shape, strides, writeable=False)


def _cols_shape(n, c, ksize, out, groups, columns) -> tuple:
    """The im2col matrices of n samples: (N, G, C/G * prod(K), prod(L)) by columns, else
    (N, G, prod(L), prod(K) * C/G)."""
    rows, cols = (c // groups) * math.prod(ksize), math.prod(out)
    return (n, groups, rows, cols) if columns else (n, groups, cols, rows)


def _im2col(x, ksize, stride, pads, dilation, out, groups, columns):
    """The im2col matrices of every sample of ``x`` (``_cols_shape``), in one array."""
    xp = get_array_module(x)
    win = _window_view(x, ksize, stride, pads, dilation, out, groups, columns)
    shape = _cols_shape(x.shape[0], x.shape[1], ksize, out, groups, columns)
    return xp.ascontiguousarray(win).reshape(shape)


def _im2col_blocks(x, ksize, stride, pads, dilation, out, groups, columns):
    """``(lo, hi, cols)`` for blocks of x's samples, ``cols`` their im2col matrices, in one
    buffer of about ``BLOCK_BYTES`` refilled for each block, so that the product reading it
    finds it in cache (on NumPy; on a GPU one block)."""
    xp = get_array_module(x)
    n, c = x.shape[:2]
    win = _window_view(x, ksize, stride, pads, dilation, out, groups, columns)
    shape = _cols_shape(n, c, ksize, out, groups, columns)
    step = max(1, BLOCK_BYTES // (math.prod(shape[1:]) * x.dtype.itemsize))
    if xp is not np:  # (a GPU's kernels gain nothing from blocks)
        step = n
    buf = xp.empty((min(step, n),) + shape[1:], dtype=x.dtype)
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        cols = buf[: hi - lo]
        cols.reshape(win[lo:hi].shape)[...] = win[lo:hi]
        yield lo, hi, cols


def _by_columns(c, ksize, out, groups) -> bool:
    """Whether im2col should take the (C, K) x (L) layout per sample rather than channels
    last (``_window_view``): the one whose copy runs longer contiguous
    stretches (a row of the output, against a kernel row's channels; one group's channels
    when grouped). A pure function of the shapes, so the weight gradient finds the layout
    again."""
    run = ksize[-1] * c if groups == 1 else c // groups
    return out[-1] > run


def _as_nchw(view, b, res):
    """``res``, a contiguous (N, C, *L) array, set to ``view`` (+ b per channel, if given)."""
    xp = get_array_module(view)
    if b is None:
        res[...] = view
    else:
        xp.add(view, b.reshape((1, -1) + (1,) * (view.ndim - 2)), out=res)
    return res


def _weight_rows(w, groups):
    """Weight (O, C/G, *K) as the (G, O/G, prod(K) * C/G) matrix matching ``_im2col``'s
    columns (channels last)."""
    xp = get_array_module(w)
    o, cg = w.shape[:2]
    wl = xp.moveaxis(w, 1, -1)  # (O, *K, Cg)
    return xp.ascontiguousarray(wl).reshape(groups, o // groups, -1)


def _to_gemm(a, groups):
    """(N, C, *L) -> (G, C/G, N * prod(L)), contiguous."""
    xp = get_array_module(a)
    order = (1, 0) + tuple(range(2, a.ndim))
    m = xp.ascontiguousarray(a.transpose(order))  # (C, N, *L)
    return m.reshape(groups, a.shape[1] // groups, -1)


def _conv_out(sizes, ksize, stride, pads, dilation):
    return tuple(
        (s + lo + hi - d * (k - 1) - 1) // st + 1
        for s, k, st, (lo, hi), d in zip(sizes, ksize, stride, pads, dilation)
    )


def conv_output_size(size, kernel, stride=1, padding=0, dilation=1) -> int:
    """Output length of a convolution or pooling window along one dim."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _conv_array(x, w, b, stride, pads, dilation, groups):
    """conv(x, w) + b on arrays, through im2col matrices in the layout ``_by_columns`` picks
    (not kept: the weight gradient makes them again, a block at a time, for less than writing
    them all out to memory and reading them back costs).

    Samples are independent: large batches run in parallel parts (``threads.parallel_for``),
    and each part in blocks of samples (``_im2col_blocks``) whose im2col matrices stay in
    cache for their product. Columns: out[n, g] = W_g (O/G, Cg*K) @ cols[n, g] (Cg*K, L), one
    product per sample and group, already in (N, O, *L) order. Channels last: one product
    cols (n*L, K*C) @ W^T per block without groups, its rows moved to (N, O, *L) once per
    part; else W_g @ cols[n, g]^T per sample and group."""
    xp = get_array_module(x)
    n, c = x.shape[:2]
    o = w.shape[0]
    ksize = w.shape[2:]
    out = _conv_out(x.shape[2:], ksize, stride, pads, dilation)
    cg, kk, ll = c // groups, math.prod(ksize), math.prod(out)
    columns = _by_columns(c, ksize, out, groups)
    res = xp.empty((n, o) + tuple(out), dtype=x.dtype)
    weights = w.reshape(groups, o // groups, -1) if columns else _weight_rows(w, groups)
    bias = None if b is None else b.reshape((1, o) + (1,) * len(out))
    rows = None if columns or groups > 1 else xp.empty((n * ll, o), dtype=x.dtype)

    def part(lo, hi):
        blocks = _im2col_blocks(x[lo:hi], ksize, stride, pads, dilation, out, groups, columns)
        for i, j, cs in blocks:
            if rows is not None:  # (n*L, O), channels last
                xp.matmul(
                    cs.reshape(-1, cs.shape[3]),
                    weights[0].T,
                    out=rows[(lo + i) * ll : (lo + j) * ll],
                )
                continue
            rs = res[lo + i : lo + j]
            by_group = rs.reshape(j - i, groups, o // groups, ll)
            xp.matmul(weights, cs if columns else cs.transpose(0, 1, 3, 2), out=by_group)
            if bias is not None:
                rs += bias
        if rows is not None:
            m = rows[lo * ll : hi * ll].reshape((hi - lo,) + out + (o,))
            _as_nchw(xp.moveaxis(m, -1, 1), bias, res[lo:hi])

    threads.parallel_for(part, n, threads.grain(ll * cg * kk * o, True, xp))
    return res


def _conv_transpose_array(x, w, b, stride, pads, dilation, groups, sizes):
    """The adjoint of conv in its input: x (N, Cin, *L), w (Cin, Cout/G, *K) -> (N, Cout,
    *sizes). With stride 1 and one group, a convolution (``_transpose_as_conv``); else
    through rows of window gradients (``_col2im_rows``). Samples are independent: large
    batches run in parallel parts."""
    if groups == 1 and all(s == 1 for s in stride):
        return _transpose_as_conv(x, w, b, pads, dilation, sizes)
    xp = get_array_module(x)
    n, cin = x.shape[:2]
    ksize = w.shape[2:]
    cout = groups * w.shape[1]
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(sizes, pads))
    inner = (slice(None),) + tuple(slice(lo, lo + m) for m, (lo, _) in zip(sizes, pads))
    res = xp.empty((n, cout) + tuple(sizes), dtype=x.dtype)
    wr = _weight_rows(w, groups)  # w as (Cin, Cout/G, *K) rows

    def part(lo, hi):
        buf = _col2im_rows(x[lo:hi], wr, ksize, stride, dilation, padded, groups)
        _as_nchw(xp.moveaxis(buf[inner], -1, 1), b, res[lo:hi])  # (N, Cout, *sizes)

    work = math.prod(x.shape[1:]) * math.prod(ksize) * w.shape[1]
    threads.parallel_for(part, n, threads.grain(work, True, xp))
    return res


def _transpose_as_conv(x, w, b, pads, dilation, sizes):
    """A stride-1, one-group transposed convolution as a convolution: x with w's kernel
    flipped and its in and out channels swapped, padded by d (K - 1) - p on each side (x
    cropped where that is negative), the high side widened to give ``sizes``:
    y[o, i] = sum over c, k of x[c, i + p - d k] w[c, o, k] = sum over c, k' of
    x[c, i - (d (K - 1) - p) + d k'] w[c, o, K - 1 - k']."""
    xp = get_array_module(x)
    ksize = w.shape[2:]
    lows = [d * (k - 1) - lo for k, d, (lo, _) in zip(ksize, dilation, pads)]
    highs = [
        s - n + d * (k - 1) - p for s, n, k, d, p in zip(sizes, x.shape[2:], ksize, dilation, lows)
    ]
    crop = tuple(slice(max(0, -p), n - max(0, -q)) for p, q, n in zip(lows, highs, x.shape[2:]))
    wf = xp.flip(w, tuple(range(2, w.ndim))).swapaxes(0, 1)  # (Cout, Cin, *K)
    conv_pads = tuple((max(0, p), max(0, q)) for p, q in zip(lows, highs))
    xc = x[(slice(None), slice(None)) + crop]
    return _conv_array(xc, wf, b, (1,) * len(ksize), conv_pads, dilation, 1)


def _col2im_rows(x, wr, ksize, stride, dilation, padded, groups):
    """The adjoint of a convolution, channels last (N, *Sp, Cout), through rows of window
    gradients: (N, G, L, K * Cout/G) = x's rows times ``wr`` (``_weight_rows`` of w), each
    kernel offset's slice then added into the padded buffer at its strided region."""
    xp = get_array_module(x)
    n, cin = x.shape[:2]
    out = x.shape[2:]
    k = len(ksize)
    cout_g = wr.shape[2] // math.prod(ksize)
    xg = x.reshape(n, groups, cin // groups, -1).transpose(0, 1, 3, 2)
    dcols = xp.matmul(xg, wr)
    dcols = dcols.reshape((n, groups) + tuple(out) + tuple(ksize) + (cout_g,))
    buf = xp.zeros((n,) + padded + (groups, cout_g), dtype=dcols.dtype)
    lead = (slice(None),) * (2 + k)  # N, G, *L
    for offs in np.ndindex(*ksize):
        part = dcols[lead + offs]  # (N, G, *L, Cout/G)
        buf[(slice(None),) + _region(offs, dilation, stride, out)] += xp.moveaxis(part, 1, -2)
    return buf.reshape((n,) + padded + (groups * cout_g,))


def _conv_weight_array(x, g, stride, pads, dilation, groups, ksize):
    """The gradient of conv in its weight: sum over batch and positions of g times windows,
    through im2col matrices in ``_conv_array``'s layout, a block of samples at a time.
    Columns: one product (O/G, L) @ (L, Cg*K) per sample and group, summed over samples (short
    sums that stay in cache; one product over all N*L positions leaves BLAS a tiny output to
    split). Channels last: one product (O/G, n*L) @ (n*L, K*Cg) per group and block. Large
    batches run in parallel parts, whose sums are then added."""
    n, o = g.shape[:2]
    out = g.shape[2:]
    cg = x.shape[1] // groups
    columns = _by_columns(x.shape[1], ksize, out, groups)
    xp = get_array_module(g)

    def product(gs, cs):
        if columns:
            g4 = gs.reshape(gs.shape[0], groups, o // groups, -1)  # (N, G, Og, L)
            return xp.matmul(g4, cs.transpose(0, 1, 3, 2)).sum(0)  # (G, Og, Cg*K)
        c2 = cs.transpose(1, 0, 2, 3).reshape(groups, -1, cs.shape[3])  # a view for one group
        if groups == 1:  # g's rows channels last, read transposed: BLAS runs this 30% faster
            gl = xp.ascontiguousarray(xp.moveaxis(gs, 1, -1)).reshape(-1, o)  # (N*L, O)
            return xp.matmul(gl.T, c2[0])[None]  # (1, O, K*C)
        return xp.matmul(_to_gemm(gs, groups), c2)  # (G, Og, K*Cg)

    def part(lo, hi):
        total = None
        for i, j, cs in _im2col_blocks(
            x[lo:hi], ksize, stride, pads, dilation, out, groups, columns
        ):
            s = product(g[lo + i : lo + j], cs)
            if total is None:
                total = s
            else:
                total += s
        return total

    work = math.prod(out) * o * cg * math.prod(ksize)
    sums = threads.parallel_for(part, n, threads.grain(work, True, xp))
    gw = sums[0]
    for s in sums[1:]:
        gw += s
    if columns:
        return gw.reshape((o, cg) + tuple(ksize))
    gw = gw.reshape((o,) + tuple(ksize) + (cg,))
    return xp.ascontiguousarray(xp.moveaxis(gw, -1, 1))  # (O, Cg, *K)


# -- Functions ---------------------------------------------------------------------------------
def _bias_grad(g: Tensor) -> Tensor:
    """The bias gradient: g (N, C, *L) summed to (C,); without a graph to record, through
    BLAS (``sum_to_shape_array``: products with rows of ones)."""
    if STATE.enabled:
        return g.sum((0,) + tuple(range(2, g.dim())))
    o = g._data.shape[1]
    gd = sum_to_shape_array(g._data, (o,) + (1,) * (g._data.ndim - 2))
    return Tensor._make(gd.reshape(o), False, None)


class Convolution(Function):
    """y = conv(x, w) + b. ``params`` = (stride, pads, dilation, groups), per spatial dim."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, params):
        stride, pads, dilation, groups = params
        bias = None if b is None else b._data
        out = _conv_array(x._data, w._data, bias, stride, pads, dilation, groups)
        ctx.save_for_backward(x, w)
        ctx.params = params
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        params = ctx.params
        gx = gw = gb = None
        if need[0]:
            gx = ConvolutionTranspose.apply(g, w, None, params, x._data.shape[2:])
        if need[1]:
            gw = ConvolutionWeight.apply(x, g, params, w._data.shape[2:])
        if need[2]:
            gb = _bias_grad(g)
        return gx, gw, gb, None


class ConvolutionTranspose(Function):
    """y = conv_transpose(x, w) + b with output spatial sizes ``sizes``; w is (Cin, Cout/G,
    *K)."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, params, sizes):
        stride, pads, dilation, groups = params
        ctx.save_for_backward(x, w)
        ctx.params = params
        bias = None if b is None else b._data
        return _conv_transpose_array(x._data, w._data, bias, stride, pads, dilation, groups, sizes)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        params = ctx.params
        gx = gw = gb = None
        if need[0]:
            gx = Convolution.apply(g, w, None, params)
            sizes = x._data.shape[2:]
            if gx._data.shape[2:] != sizes:  # an output padding of a stride or more: past x
                gx = gx[(slice(None), slice(None)) + tuple(slice(0, n) for n in sizes)]
        if need[1]:
            gw = ConvolutionWeight.apply(g, x, params, w._data.shape[2:])
        if need[2]:
            gb = _bias_grad(g)
        return gx, gw, gb, None, None


class ConvolutionWeight(Function):
    """The weight gradient of y = conv(x, w) for output gradient g."""

    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, x, g, params, ksize):
        stride, pads, dilation, groups = params
        ctx.save_for_backward(x, g)
        ctx.params = params
        return _conv_weight_array(x._data, g._data, stride, pads, dilation, groups, ksize)

    @staticmethod
    def backward(ctx, gw):
        x, g = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = gg = None
        if need[0]:
            gx = ConvolutionTranspose.apply(g, gw, None, ctx.params, x._data.shape[2:])
        if need[1]:
            gg = Convolution.apply(x, gw, None, ctx.params)
        return gx, gg, None, None


# -- argument checks ---------------------------------------------------------------------------
def _tuple(name: str, v, k: int) -> tuple:
    if isinstance(v, Tensor):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            return tuple(int(v[0]) for _ in range(k))
        if len(v) != k:
            raise RuntimeError(
                f"expected {name} to be a single integer value or a list of {k} values to "
                f"match the convolution dimensions, but got {name}={list(v)}"
            )
        return tuple(int(i) for i in v)
    return (int(v),) * k


def _padding(padding, ksize, stride, dilation, k: int, transposed: bool):
    """Per-dim (lo, hi) pads from an int, a tuple, 'valid' or 'same'."""
    if isinstance(padding, str):
        if transposed:
            raise TypeError(
                f"conv_transpose{k}d(): argument 'padding' must be tuple of ints, not str"
            )
        if padding == "valid":
            return ((0, 0),) * k
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        pads = []
        for kk, d in zip(ksize, dilation):
            total = d * (kk - 1)
            pads.append((total // 2, total - total // 2))
        return tuple(pads)
    p = _tuple("padding", padding, k)
    if any(i < 0 for i in p):
        raise RuntimeError("negative padding is not supported")
    return tuple((i, i) for i in p)


def _shape_str(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _check_conv(name, x, w, b, k, groups, transposed):
    nd = x._data.ndim
    if nd not in (k + 1, k + 2):
        raise RuntimeError(
            f"Expected {k + 1}D (unbatched) or {k + 2}D (batched) input to {name}, but got "
            f"input of size: {_shape_str(x._data.shape)}"
        )
    if w._data.ndim != k + 2:
        raise RuntimeError(
            f"weight should have at least three dimensions: {name} expects a {k + 2}-D weight, "
            f"but got weight of size {_shape_str(w._data.shape)}"
        )
    if x._data.dtype != w._data.dtype:
        raise RuntimeError(
            f"expected scalar type {type_word(x.dtype)} but found {type_word(w.dtype)}"
        )
    if b is not None and b._data.dtype != x._data.dtype:
        raise RuntimeError(
            f"Input type ({type_word(x.dtype).lower()}) and bias type "
            f"({type_word(b.dtype).lower()}) should be the same"
        )
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    ws = w._data.shape
    c = x._data.shape[-k - 1]
    batched_shape = x._data.shape if nd == k + 2 else (1,) + x._data.shape
    if ws[0] < groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, "
            f"but got weight of size {_shape_str(ws)} instead"
        )
    if ws[0] % groups:  # torch's message has the doubled brackets
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0,"
            f" but got weight of size [{_shape_str(ws)}] instead"
        )
    expected = ws[0] if transposed else ws[1] * groups
    if c != expected:
        where = "transposed=1, weight" if transposed else f"groups={groups}, weight"
        raise RuntimeError(
            f"Given {where} of size {_shape_str(ws)}, expected input"
            f"{_shape_str(batched_shape)} to have {expected} channels, but got {c} channels "
            "instead"
        )
    out_c = ws[1] * groups if transposed else ws[0]
    if b is not None and (b._data.ndim != 1 or b._data.size != out_c):
        raise RuntimeError(
            f"Given weight of size {_shape_str(ws)}, expected bias to be 1-dimensional with "
            f"{out_c} elements, but got bias of size {_shape_str(b._data.shape)} instead"
        )


def _convnd(k, input, weight, bias, stride, padding, dilation, groups) -> Tensor:
    name = f"conv{k}d"
    _check_conv(name, input, weight, bias, k, groups, False)
    stride = _tuple("stride", stride, k)
    dilation = _tuple("dilation", dilation, k)
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    ksize = weight._data.shape[2:]
    pads = _padding(padding, ksize, stride, dilation, k, False)
    unbatched = input._data.ndim == k + 1
    x = input.unsqueeze(0) if unbatched else input
    sizes = x._data.shape[2:]
    padded = [s + lo + hi for s, (lo, hi) in zip(sizes, pads)]
    if any(p < d * (kk - 1) + 1 for p, kk, d in zip(padded, ksize, dilation)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(str(d * (kk - 1) + 1) for kk, d in zip(ksize, dilation))})."
            " Kernel size can't be greater than actual input size"
        )
    out = Convolution.apply(x, weight, bias, (stride, pads, dilation, groups))
    return out.squeeze(0) if unbatched else out


def _conv_transposend(
    k, input, weight, bias, stride, padding, output_padding, groups, dilation
) -> Tensor:
    name = f"conv_transpose{k}d"
    _check_conv(name, input, weight, bias, k, groups, True)
    stride = _tuple("stride", stride, k)
    dilation = _tuple("dilation", dilation, k)
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    ksize = weight._data.shape[2:]
    pads = _padding(padding, ksize, stride, dilation, k, True)
    opad = _tuple("output_padding", output_padding, k)
    if any(o >= s and o >= d for o, s, d in zip(opad, stride, dilation)):
        dims = ("depth", "height", "width")[3 - k :]
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            + " ".join(f"output_padding_{n}: {o}" for n, o in zip(dims, opad))
            + " "
            + " ".join(f"stride_{n}: {s}" for n, s in zip(dims, stride))
            + " "
            + " ".join(f"dilation_{n}: {d}" for n, d in zip(dims, dilation))
        )
    unbatched = input._data.ndim == k + 1
    x = input.unsqueeze(0) if unbatched else input
    sizes = tuple(
        (n - 1) * s - lo - hi + d * (kk - 1) + o + 1
        for n, s, (lo, hi), d, kk, o in zip(x._data.shape[2:], stride, pads, dilation, ksize, opad)
    )
    if any(s <= 0 for s in sizes):
        raise RuntimeError(
            f"Given input size per channel: ({' x '.join(map(str, x._data.shape[2:]))}). "
            f"Calculated output size per channel: ({' x '.join(map(str, sizes))}). Output size "
            "is too small"
        )
    out = ConvolutionTranspose.apply(x, weight, bias, (stride, pads, dilation, groups), sizes)
    return out.squeeze(0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """1-D convolution (cross-correlation, as torch). Shapes: input (N, C_in, L) or (C_in, L),
    weight (C_out, C_in / groups, K), bias (C_out) -> (N, C_out, L_out) with L_out =
    floor((L + 2 padding - dilation (K - 1) - 1) / stride) + 1. ``padding`` is an int, a
    tuple, 'valid' (0) or 'same' (output length = input length; stride 1 only)."""
    return _convnd(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """2-D convolution (cross-correlation). Shapes: input (N, C_in, H, W) or (C_in, H, W),
    weight (C_out, C_in / groups, kH, kW), bias (C_out) -> (N, C_out, H_out, W_out), each
    H_out = floor((H + 2 padding - dilation (kH - 1) - 1) / stride) + 1. stride, padding and
    dilation are ints or pairs; ``padding`` may also be 'valid' or 'same'."""
    return _convnd(2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """3-D convolution: input (N, C_in, D, H, W), weight (C_out, C_in / groups, kD, kH, kW)."""
    return _convnd(3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """Transposed 1-D convolution (the gradient of conv1d in its input). Shapes: input (N,
    C_in, L), weight (C_in, C_out / groups, K) -> (N, C_out, L_out), L_out = (L - 1) stride -
    2 padding + dilation (K - 1) + output_padding + 1."""
    return _conv_transposend(
        1, input, weight, bias, stride, padding, output_padding, groups, dilation
    )


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """Transposed 2-D convolution ("deconvolution"). Shapes: input (N, C_in, H, W), weight
    (C_in, C_out / groups, kH, kW) -> (N, C_out, H_out, W_out), H_out = (H - 1) stride -
    2 padding + dilation (kH - 1) + output_padding + 1."""
    return _conv_transposend(
        2, input, weight, bias, stride, padding, output_padding, groups, dilation
    )


def conv_transpose3d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """Transposed 3-D convolution: weight (C_in, C_out / groups, kD, kH, kW)."""
    return _conv_transposend(
        3, input, weight, bias, stride, padding, output_padding, groups, dilation
    )


# -- unfold / fold -----------------------------------------------------------------------------
class Im2Col(Function):
    """(N, C, H, W) -> (N, C kH kW, L): every sliding block as a column."""

    node_name = "Im2ColBackward0"

    @staticmethod
    def forward(ctx, x, ksize, dilation, pads, stride):
        a = x._data
        out = _conv_out(a.shape[2:], ksize, stride, pads, dilation)
        ctx.args = (a.shape[2:], ksize, dilation, pads, stride)
        cols = _im2col(a, ksize, stride, pads, dilation, out, 1, True)  # (N, 1, C*K, L)
        return cols.reshape(cols.shape[0], cols.shape[2], cols.shape[3])

    @staticmethod
    def backward(ctx, g):
        sizes, ksize, dilation, pads, stride = ctx.args
        return Col2Im.apply(g, sizes, ksize, dilation, pads, stride), None, None, None, None


class Col2Im(Function):
    """(N, C kH kW, L) -> (N, C, H, W): the blocks summed back where they came from."""

    node_name = "Col2ImBackward0"

    @staticmethod
    def forward(ctx, g, sizes, ksize, dilation, pads, stride):
        a = g._data
        out = _conv_out(sizes, ksize, stride, pads, dilation)
        n = a.shape[0]
        c = a.shape[1] // math.prod(ksize)
        cols = a.reshape((n, c) + tuple(ksize) + tuple(out))
        padded = tuple(s + lo + hi for s, (lo, hi) in zip(sizes, pads))
        buf = _col2im(cols, padded, stride, dilation)
        ctx.args = (ksize, dilation, pads, stride)
        return get_array_module(a).ascontiguousarray(_crop(buf, pads, sizes))

    @staticmethod
    def backward(ctx, gg):
        ksize, dilation, pads, stride = ctx.args
        return Im2Col.apply(gg, ksize, dilation, pads, stride), None, None, None, None, None


def _pair(name, v) -> tuple:
    if isinstance(v, (list, tuple)):
        if len(v) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
        return (int(v[0]), int(v[1]))
    return (int(v), int(v))


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Extract sliding local blocks: (N, C, H, W) -> (N, C * kH * kW, L), L the number of
    block positions (``(C, H, W)`` inputs give (C kH kW, L))."""
    nd = input._data.ndim
    if nd not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got {nd}D)")
    ksize, dil = _pair("kernel_size", kernel_size), _pair("dilation", dilation)
    pad, st = _pair("padding", padding), _pair("stride", stride)
    x = input.unsqueeze(0) if nd == 3 else input
    pads = tuple((p, p) for p in pad)
    out = _conv_out(x._data.shape[2:], ksize, st, pads, dil)
    if any(o <= 0 for o in out):
        raise RuntimeError(
            f"Given input with spatial size ({x._data.shape[2]}, {x._data.shape[3]}), "
            f"kernel_size=({ksize[0]}, {ksize[1]}), dilation=({dil[0]}, {dil[1]}), "
            f"padding=({pad[0]}, {pad[1]}), calculated shape of the array of sliding blocks as "
            f"({out[0]}, {out[1]}), but its components must be at least one."
        )
    res = Im2Col.apply(x, ksize, dil, pads, st)
    return res.squeeze(0) if nd == 3 else res


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Combine sliding blocks into a tensor, summing overlaps: (N, C * kH * kW, L) -> (N, C,
    *output_size); the adjoint of ``unfold``."""
    nd = input._data.ndim
    if nd not in (2, 3):
        raise RuntimeError(
            f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got "
            f"{nd}D)"
        )
    sizes = _pair("output_size", output_size)
    ksize, dil = _pair("kernel_size", kernel_size), _pair("dilation", dilation)
    pad, st = _pair("padding", padding), _pair("stride", stride)
    g = input.unsqueeze(0) if nd == 2 else input
    pads = tuple((p, p) for p in pad)
    kprod = ksize[0] * ksize[1]
    if g._data.shape[1] % kprod:
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={g._data.shape[1]} and kernel_size=("
            f"{ksize[0]}, {ksize[1]})."
        )
    out = _conv_out(sizes, ksize, st, pads, dil)
    if math.prod(out) != g._data.shape[2]:
        raise RuntimeError(
            f"Given output_size={sizes}, kernel_size={ksize}, dilation={dil}, padding={pad}, "
            f"stride={st}, expected size of input's dimension 2 to match the calculated number "
            f"of sliding blocks {out[0]} * {out[1]} = {out[0] * out[1]}, but got "
            f"input.size(2)={g._data.shape[2]}."
        )
    res = Col2Im.apply(g, sizes, ksize, dil, pads, st)
    return res.squeeze(0) if nd == 2 else res
