"""Indexing rows: ``x[key]`` and ``x[key] = v`` with every kind of key, gather/scatter,
index_select/index_add/index_copy/index_fill/index_put, masks, take, nonzero.

Index inputs are int64 tensors drawn by ``idx(n)`` (values in [0, n)); where several writes
could land on one position and the winner is unspecified, ``perm(n)`` draws distinct ones.
"""

from __future__ import annotations

import numpy as np

from . import Op


def idx(n, low=0):
    """Random int64 indices in [low, n): repeats likely, so gradients must add up."""
    return lambda rng, shape: rng.integers(low, n, size=shape).astype(np.int64)


def perm(n):
    """Distinct int64 indices in [0, n), as many as ``shape`` holds."""
    return lambda rng, shape: rng.permutation(n)[: int(np.prod(shape))].reshape(shape)


def perm_along(n, dim):
    """An index tensor of ``shape`` whose slices along ``dim`` hold distinct values < n."""

    def draw(rng, shape):
        moved = list(shape)
        k = moved.pop(dim)
        rows = [rng.permutation(n)[:k] for _ in range(int(np.prod(moved)))]
        arr = np.array(rows, dtype=np.int64).reshape(moved + [k])
        return np.moveaxis(arr, -1, dim)

    return draw


def mask(rng, shape):
    return rng.random(size=shape) < 0.5


def _setitem(x, key, value):
    out = x.clone()
    out[key] = value
    return out


def _key(t, *parts):
    """A key built from ``parts``, where ``("T", list)`` becomes an int64 tensor of lib t."""
    out = []
    for p in parts:
        if isinstance(p, tuple) and p and p[0] == "T":
            out.append(t.tensor(p[1]))
        else:
            out.append(p)
    return tuple(out)


def _write(x, view_fn):
    base = x.clone()
    view_fn(base).mul_(2.0)
    return base


def _setitem_detached(t, x):
    """Writing into a tensor outside the graph (no_grad) changes values, not requires_grad."""
    out = x.detach().clone()
    out[0] = 1.0
    return out, x * 1


def _distinct_inputs(rng, shape, dtype):
    """Distinct values in ±[0.5, 2]: no ties for amax/amin, no zeros for prod."""
    n = int(np.prod(shape)) if shape else 1
    vals = 0.5 + 1.5 * (rng.permutation(n) + 0.5) / n
    sign = np.where(rng.random(size=n) < 0.5, -1.0, 1.0)
    return (vals * sign).reshape(shape).astype(dtype)


M = [((3, 4),)]
M3 = [((2, 3, 4),)]

ROWS = [
    # -- getitem, basic keys (views)
    Op("getitem_int", lambda t, x: x[1], [((3, 4),), ((3,),), ((2, 3, 4),)]),
    Op("getitem_neg_int", lambda t, x: x[-1, -2], M + M3),
    Op("getitem_slice", lambda t, x: x[1:], [((3, 4),), ((3,),), ((0, 3),)]),
    Op("getitem_slice_step", lambda t, x: x[::2, 1::2], M + M3),
    Op("getitem_slice_neg", lambda t, x: x[-2:, :-1], M + M3),
    Op("getitem_slice_out_of_range", lambda t, x: x[1:10, 5:], M),
    Op("getitem_none", lambda t, x: x[None, :, None], [((3, 4),), ((3,),)]),
    Op("getitem_none_0d", lambda t, x: x[None], [((),)]),
    Op("getitem_ellipsis", lambda t, x: x[..., 1], M + M3 + [((4,),)]),
    Op("getitem_ellipsis_0d", lambda t, x: x[...], [((),)]),
    Op("getitem_ellipsis_mid", lambda t, x: x[0, ..., None, 2], M3),
    Op("getitem_mixed_basic", lambda t, x: x[1, None, ..., ::3], M3),
    Op("getitem_tensor_int", lambda t, x: x[t.tensor(1)], M),
    Op("getitem_is_view", lambda t, x: _write(x, lambda b: b[1:, ::2]), M + M3),
    # -- getitem, advanced keys (copies)
    Op("getitem_index", lambda t, x, i: x[i], [((5, 3), (4,)), ((5,), (2, 3))], inputs={1: idx(5)}),
    Op("getitem_index_repeats", lambda t, x: x[t.tensor([0, 2, 0, 0, 1])], [((3, 4),), ((3,),)]),
    Op("getitem_index_neg", lambda t, x: x[t.tensor([-1, 0, -3])], M),
    Op("getitem_list", lambda t, x: x[[0, 2, 2]], M + [((3,),)]),
    Op("getitem_list_neg", lambda t, x: x[[-1, 0, -1]], M3),
    Op("getitem_index_2d", lambda t, x: x[t.tensor([[0, 1], [2, 2]])], M),
    Op("getitem_two_lists", lambda t, x: x[[0, 2, 0], [1, 1, 1]], M),
    Op(
        "getitem_index_dim1",
        lambda t, x, i: x[:, i],
        [((3, 5), (2, 2)), ((2, 5, 3), (4,))],
        inputs={1: idx(5)},
    ),
    Op(
        "getitem_index_broadcast",
        lambda t, x, i, j: x[i, j],
        [((4, 5), (3, 1), (2,)), ((4, 5, 2), (2,), (2,))],
        inputs={1: idx(4), 2: idx(5)},
    ),
    Op(
        "getitem_index_separated",
        lambda t, x, i, j: x[i, :, j],
        [((4, 2, 5), (3,), (3,))],
        inputs={1: idx(4), 2: idx(5)},
    ),
    Op(
        "getitem_index_ellipsis", lambda t, x, i: x[..., i], [((2, 3, 5), (4,))], inputs={1: idx(5)}
    ),
    Op("getitem_index_none", lambda t, x, i: x[None, i, 1:], [((5, 3), (2,))], inputs={1: idx(5)}),
    Op("getitem_index_int32", lambda t, x: x[t.tensor([2, 0, 2], dtype=t.int32)], M),
    Op("getitem_index_empty", lambda t, x: x[t.tensor([], dtype=t.int64)], M),
    Op(
        "getitem_index_0d_tensor_adv",
        lambda t, x, i: x[i, [0, 1]],
        [((4, 3), ())],
        inputs={1: idx(4)},
    ),
    Op("getitem_mask", lambda t, x: x[x > 0], [((3, 4),), ((),), ((0, 3),), ((2, 3, 4),)]),
    Op(
        "getitem_mask_rows",
        lambda t, x, m: x[m],
        [((4, 3), (4,)), ((2, 3, 4), (2, 3))],
        inputs={1: mask},
    ),
    Op("getitem_mask_dim1", lambda t, x, m: x[:, m], [((3, 4), (4,))], inputs={1: mask}),
    Op("getitem_mask_with_index", lambda t, x, m: x[m, 1:], [((4, 3), (4,))], inputs={1: mask}),
    Op("getitem_mask_list", lambda t, x: x[[True, False, True]], M),
    Op("getitem_bool_scalar", lambda t, x: x[True], M + [((),)]),
    Op("getitem_false_scalar", lambda t, x: x[False], M),
    Op("getitem_uint8_mask", lambda t, x: x[(x > 0).to(t.uint8).bool()], M),
    Op(
        "getitem_int_input",
        lambda t, x: x[t.tensor([1, 0]), 1:],
        M,
        grad=False,
        dtypes=("int64", "bool"),
    ),
    # -- setitem
    Op("setitem_int_number", lambda t, x: _setitem(x, 1, 2.5), M + [((3,),)]),
    Op("setitem_slice_number", lambda t, x: _setitem(x, (slice(None), slice(1, 3)), -1.0), M),
    Op("setitem_mask_number", lambda t, x: _setitem(x, x > 0, 0.0), M + M3 + [((),)]),
    Op("setitem_index_number", lambda t, x: _setitem(x, t.tensor([0, 2]), 7.0), M),
    Op("setitem_ellipsis", lambda t, x: _setitem(x, (..., 0), 1.5), M + M3),
    Op(
        "setitem_tensor",
        lambda t, x, y: _setitem(x, (slice(1, None), slice(None, 2)), y),
        [((3, 4), (2, 2)), ((3, 4), (2,)), ((3, 4), ())],
    ),
    Op("setitem_tensor_int_key", lambda t, x, y: _setitem(x, 0, y), [((3, 4), (4,)), ((3,), ())]),
    Op(
        "setitem_tensor_index",
        lambda t, x, y, i: _setitem(x, i, y),
        [((5, 3), (3, 3), (3,)), ((5, 3), (3,), (2,))],
        inputs={2: perm(5)},
    ),
    Op("setitem_tensor_mask", lambda t, x, y: _setitem(x, x > 0, y), [((3, 4), ())]),
    Op(
        "setitem_tensor_mask_rows",
        lambda t, x, y, m: _setitem(x, m, y),
        [((4, 3), (3,), (4,))],
        inputs={2: mask},
    ),
    Op("setitem_two_index", lambda t, x, y: _setitem(x, ([0, 2], [1, 3]), y), [((3, 4), (2,))]),
    Op("setitem_none", lambda t, x, y: _setitem(x, (None, 1), y), [((3, 4), (1, 4))]),
    Op("setitem_int_dtype", lambda t, x: _setitem(x, 0, 9), M, grad=False, dtypes=("int64",)),
    Op("setitem_cast", lambda t, x, y: _setitem(x, 1, y.double()), [((3, 4), (4,))]),
    Op("setitem_leaf_no_grad", lambda t, x: _setitem_detached(t, x), M, gradcheck=False),
    # -- gather, scatter
    Op(
        "gather",
        lambda t, x, i: t.gather(x, 1, i),
        [((3, 5), (3, 4)), ((3, 5), (2, 2))],
        inputs={1: idx(5)},
    ),
    Op(
        "gather_dim0",
        lambda t, x, i: x.gather(0, i),
        [((4, 3), (6, 3)), ((2, 3, 4), (3, 2, 4))],
        inputs={1: idx(2)},
    ),
    Op(
        "gather_neg_dim",
        lambda t, x, i: x.gather(-1, i),
        [((2, 3, 4), (2, 3, 7))],
        inputs={1: idx(4)},
    ),
    Op("gather_0d", lambda t, x, i: t.gather(x, 0, i), [((), ())], inputs={1: idx(1)}),
    Op(
        "gather_empty_index",
        lambda t, x, i: t.gather(x, 1, i),
        [((3, 4), (3, 0))],
        inputs={1: idx(4)},
    ),
    Op(
        "scatter_src",
        lambda t, x, i, s: t.scatter(x, 1, i, s),
        [((3, 5), (3, 4), (3, 4)), ((3, 5), (2, 3), (2, 3))],
        inputs={1: perm_along(5, 1)},
    ),
    Op(
        "scatter_dim0",
        lambda t, x, i, s: x.scatter(0, i, s),
        [((5, 3), (2, 3), (2, 3))],
        inputs={1: perm_along(5, 0)},
    ),
    Op(
        "scatter_value",
        lambda t, x, i: t.scatter(x, 1, i, 2.5),
        [((3, 5), (3, 2))],
        inputs={1: idx(5)},
    ),
    Op(
        "scatter_value_kw",
        lambda t, x, i: x.scatter(0, i, value=-1.0),
        [((4, 3), (2, 3))],
        inputs={1: idx(4)},
    ),
    Op(
        "scatter_add",
        lambda t, x, i, s: t.scatter_add(x, 1, i, s),
        [((3, 5), (3, 4), (3, 4)), ((3, 5), (2, 3), (2, 3))],
        inputs={1: idx(5)},
    ),
    Op(
        "scatter_add_dim0",
        lambda t, x, i, s: x.scatter_add(0, i, s),
        [((4, 3), (6, 3), (6, 3)), ((2, 3, 4), (5, 3, 4), (5, 3, 4))],
        inputs={1: idx(2)},
    ),
    Op(
        "scatter_add_",
        lambda t, x, i, s: x.clone().scatter_add_(1, i, s),
        [((3, 5), (3, 4), (3, 4))],
        inputs={1: idx(5)},
    ),
    Op(
        "scatter_",
        lambda t, x, i, s: x.clone().scatter_(1, i, s),
        [((3, 5), (3, 4), (3, 4))],
        inputs={1: perm_along(5, 1)},
    ),
    *[
        Op(
            f"scatter_reduce_{r}{'' if inc else '_exclude'}",
            lambda t, x, i, s, r=r, inc=inc: t.scatter_reduce(x, 1, i, s, r, include_self=inc),
            [((3, 5), (3, 4), (3, 4)), ((3, 5), (2, 3), (2, 3))],
            domain=_distinct_inputs,
            inputs={1: idx(5)},
            gradcheck=r != "prod",
        )
        for r in ("sum", "mean", "amax", "amin", "prod")
        for inc in (True, False)
    ],
    Op(
        "scatter_reduce_int",
        lambda t, x, i, s: t.scatter_reduce(x, 0, i, s, "amax"),
        [((4, 3), (6, 3), (6, 3))],
        inputs={1: idx(4)},
        grad=False,
        dtypes=("int64",),
    ),
    # src larger than index: only its leading corner is used (torch's backward refuses this)
    Op(
        "scatter_src_larger",
        lambda t, x, i, s: t.scatter(x, 1, i, s),
        [((3, 5), (2, 2), (3, 4))],
        inputs={1: perm_along(5, 1)},
        grad=False,
    ),
    Op(
        "scatter_add_src_larger",
        lambda t, x, i, s: t.scatter_add(x, 0, i, s),
        [((3, 5), (2, 2), (3, 4))],
        inputs={1: idx(3)},
        grad=False,
    ),
    Op(
        "scatter_reduce_src_larger",
        lambda t, x, i, s: x.scatter_reduce(1, i, s, "amax"),
        [((3, 5), (2, 2), (3, 4))],
        inputs={1: idx(5)},
        grad=False,
    ),
    Op(
        "scatter_reduce_prod_zeros",
        lambda t, x, i, s: t.scatter_reduce(x, 1, i, s * (s > 0), "prod"),
        [((3, 5), (3, 6), (3, 6))],
        inputs={1: idx(5)},
    ),
    # -- index_select, index_add, index_copy, index_fill, index_put
    Op(
        "index_select",
        lambda t, x, i: t.index_select(x, 0, i),
        [((5, 3), (4,)), ((5,), (7,))],
        inputs={1: idx(5)},
    ),
    Op(
        "index_select_dim",
        lambda t, x, i: x.index_select(-1, i),
        [((2, 3, 5), (6,))],
        inputs={1: idx(5)},
    ),
    Op(
        "index_select_0d",
        lambda t, x, i: t.index_select(x, 0, i),
        [((), (1,)), ((), ())],
        inputs={1: idx(1)},
    ),
    Op("index_select_int32", lambda t, x: x.index_select(1, t.tensor([3, 0, 3], dtype=t.int32)), M),
    Op(
        "index_add",
        lambda t, x, i, s: t.index_add(x, 0, i, s),
        [((5, 3), (4,), (4, 3)), ((5,), (7,), (7,))],
        inputs={1: idx(5)},
    ),
    Op(
        "index_add_alpha",
        lambda t, x, i, s: x.index_add(1, i, s, alpha=-2.0),
        [((3, 5), (4,), (3, 4))],
        inputs={1: idx(5)},
    ),
    Op(
        "index_add_",
        lambda t, x, i, s: x.clone().index_add_(0, i, s),
        [((5, 3), (4,), (4, 3))],
        inputs={1: idx(5)},
    ),
    Op(
        "index_copy",
        lambda t, x, i, s: t.index_copy(x, 0, i, s),
        [((5, 3), (3,), (3, 3))],
        inputs={1: perm(5)},
    ),
    Op(
        "index_copy_dim",
        lambda t, x, i, s: x.index_copy(1, i, s),
        [((3, 5), (2,), (3, 2))],
        inputs={1: perm(5)},
    ),
    Op(
        "index_copy_",
        lambda t, x, i, s: x.clone().index_copy_(1, i, s),
        [((3, 5), (2,), (3, 2))],
        inputs={1: perm(5)},
    ),
    Op(
        "index_fill",
        lambda t, x, i: t.index_fill(x, 1, i, -1.5),
        [((3, 5), (3,))],
        inputs={1: idx(5)},
    ),
    Op(
        "index_fill_tensor",
        lambda t, x, i, v: x.index_fill(0, i, v),
        [((4, 3), (2,), ())],
        inputs={1: idx(4)},
    ),
    Op(
        "index_fill_",
        lambda t, x, i: x.clone().index_fill_(0, i, 2.0),
        [((4, 3), (2,))],
        inputs={1: idx(4)},
    ),
    Op(
        "index_put",
        lambda t, x, i, v: t.index_put(x, (i,), v),
        [((5, 3), (3,), (3, 3))],
        inputs={1: perm(5)},
    ),
    Op(
        "index_put_broadcast",
        lambda t, x, i, v: x.index_put((i,), v),
        [((5, 3), (3,), (3,))],
        inputs={1: perm(5)},
    ),
    Op(
        "index_put_accumulate",
        lambda t, x, i, v: t.index_put(x, (i,), v, accumulate=True),
        [((5, 3), (6,), (6, 3)), ((5, 3), (6,), (3,)), ((5, 3), (6,), ())],
        inputs={1: idx(5)},
    ),
    Op(
        "index_put_two",
        lambda t, x, i, j, v: x.index_put((i, j), v, True),
        [((4, 5), (6,), (6,), (6,))],
        inputs={1: idx(4), 2: idx(5)},
    ),
    Op("index_put_mask", lambda t, x, v: x.index_put((x > 0,), v), [((3, 4), ())]),
    Op(
        "index_put_",
        lambda t, x, i, v: x.clone().index_put_((i,), v, accumulate=True),
        [((5, 3), (6,), (6, 3))],
        inputs={1: idx(5)},
    ),
    # -- masks
    Op(
        "masked_fill",
        lambda t, x, m: t.masked_fill(x, m, -2.0),
        [((3, 4), (3, 4)), ((3, 4), (4,)), ((), ()), ((0, 3), (3,))],
        inputs={1: mask},
    ),
    Op(
        "masked_fill_tensor",
        lambda t, x, m, v: x.masked_fill(m, v),
        [((3, 4), (3, 4), ())],
        inputs={1: mask},
    ),
    Op(
        "masked_fill_",
        lambda t, x, m: x.clone().masked_fill_(m, 0.5),
        [((3, 4), (4,))],
        inputs={1: mask},
    ),
    Op(
        "masked_fill_int",
        lambda t, x, m: x.masked_fill(m, 7),
        [((3, 4), (3, 4))],
        inputs={1: mask},
        grad=False,
        dtypes=("int64",),
    ),
    Op(
        "masked_select",
        lambda t, x, m: t.masked_select(x, m),
        [((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (3, 4)), ((), ()), ((0, 3), (3,))],
        inputs={1: mask},
    ),
    Op(
        "masked_scatter",
        lambda t, x, m, s: t.masked_scatter(x, m, s),
        [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (20,)), ((2, 2), (2, 2), (2, 3))],
        inputs={1: mask},
    ),
    Op(
        "masked_scatter_",
        lambda t, x, m, s: x.clone().masked_scatter_(m, s),
        [((3, 4), (3, 4), (12,))],
        inputs={1: mask},
    ),
    # -- take, take_along_dim, nonzero
    Op(
        "take",
        lambda t, x, i: t.take(x, i),
        [((3, 4), (5,)), ((3, 4), (2, 3))],
        inputs={1: idx(12)},
    ),
    Op("take_0d", lambda t, x, i: t.take(x, i), [((), ()), ((), (3,))], inputs={1: idx(1)}),
    Op("take_neg", lambda t, x: x.take(t.tensor([[-1, 0], [5, -12]])), M),
    Op(
        "take_along_dim",
        lambda t, x, i: t.take_along_dim(x, i, 1),
        [((3, 5), (3, 2)), ((3, 5), (1, 4)), ((2, 3, 5), (1, 2, 5))],
        inputs={1: idx(3)},
    ),
    Op(
        "take_along_dim_flat",
        lambda t, x, i: x.take_along_dim(i),
        [((3, 4), (5,))],
        inputs={1: idx(12)},
        noncontig=False,  # torch views the input flat, which a transposed input refuses
    ),
    Op(
        "take_along_dim_argsort",
        lambda t, x: t.take_along_dim(x, x.argsort(1), 1),
        [((3, 5),), ((2, 3, 4),)],
    ),
    Op(
        "nonzero",
        lambda t, x: t.nonzero(x > 0),
        [((3, 4),), ((),), ((0, 3),), ((2, 3, 4),)],
        grad=False,
    ),
    Op(
        "nonzero_tuple",
        lambda t, x: t.nonzero(x, as_tuple=True),
        [((3, 4),), ((),), ((0, 3),), ((5,),)],
        grad=False,
        dtypes=("int64", "bool"),
    ),
    Op("nonzero_method", lambda t, x: (x * (x > 0)).nonzero(), M, grad=False),
    Op("argwhere", lambda t, x: t.argwhere(x > 0.5), M + M3, grad=False),
]
