"""Shape rows: views (view, reshape, permute, expand, narrow, diagonal, ...) and copies (cat,
stack, repeat, flip, roll, tril, ...).

Rows named ``*_is_view`` write through the result in place and return the (cloned) input: they
match torch only where ember's result shares memory with its input as torch's does.
"""

from __future__ import annotations

from . import Op

M = [((3, 4),)]
M3 = [((2, 3, 4),)]
MATS = [((3, 4),), ((2, 3, 4),)]
ANY = [((3, 4),), ((),), ((0, 3),), ((2, 3, 4),)]


def _write_through(t, x, view_fn, value=2.0):
    """Clone ``x``, scale ``view_fn(clone)`` in place, return the clone."""
    base = x.clone()
    view_fn(base).mul_(value)
    return base


def _write_through_no_grad(t, x, view_fn):
    """As ``_write_through``, for views torch lets one write only outside the graph."""
    base = x.clone()
    with t.no_grad():
        view_fn(base).mul_(2.0)
    return base


ROWS = [
    # -- view, reshape
    Op("view", lambda t, x: x.view(4, 3), M, noncontig=False),
    Op("view_infer", lambda t, x: x.view(-1), ANY, noncontig=False),
    Op("view_split_dim", lambda t, x: x.view(2, -1, 4), M3 + [((6, 4),)], noncontig=False),
    Op("view_size", lambda t, x: x.view(t.Size([2, 6])), M, noncontig=False),
    Op("view_0d", lambda t, x: x.view(1, 1), [((),)]),
    Op("view_empty", lambda t, x: x.view(3, 0, 5), [((0, 3),)], noncontig=False),
    Op("view_transposed_ok", lambda t, x: x.t().view(4, 3, 1).squeeze(-1), M),
    Op(
        "view_is_view",
        lambda t, x: _write_through(t, x, lambda b: b.view(-1)[1:3]),
        MATS,
        noncontig=False,  # a transposed clone cannot be viewed flat, in torch as in ember
    ),
    Op("clone_keeps_layout", lambda t, x: x.t().clone().is_contiguous(), M, grad=False),
    Op(
        "view_as",
        lambda t, x, y: x.view_as(y),
        [((3, 4), (2, 6)), ((0, 3), (3, 0))],
        noncontig=False,
    ),
    Op("reshape", lambda t, x: t.reshape(x, (4, 3)), M),
    Op("reshape_noncontig", lambda t, x: x.t().reshape(-1), MATS[:1] + [((5, 2),)]),
    Op("reshape_0d", lambda t, x: x.reshape(()), [((1, 1),), ((),)]),
    Op("reshape_is_view", lambda t, x: _write_through(t, x, lambda b: b.reshape(2, -1)), MATS),
    Op("reshape_as", lambda t, x, y: x.reshape_as(y), [((3, 4), (6, 2)), ((2, 3, 4), (4, 6))]),
    Op("flatten", lambda t, x: t.flatten(x), ANY),
    Op("flatten_range", lambda t, x: x.flatten(1, 2), M3 + [((2, 0, 3, 2),)]),
    Op("flatten_neg", lambda t, x: t.flatten(x, -2), MATS),
    Op("unflatten", lambda t, x: x.unflatten(1, (2, 2)), MATS[:1] + [((2, 4, 3),)]),
    Op("unflatten_infer", lambda t, x: t.unflatten(x, -1, (2, -1)), MATS),
    # -- squeeze, unsqueeze
    Op("squeeze", lambda t, x: x.squeeze(), [((3, 1, 4, 1),), ((1,),), ((),), ((1, 0),)]),
    Op("squeeze_dim", lambda t, x: t.squeeze(x, 1), [((3, 1, 4),), ((3, 4),)]),
    Op("squeeze_0d", lambda t, x: t.squeeze(x, -1), [((),)]),
    Op("squeeze_dims", lambda t, x: x.squeeze((0, -1)), [((1, 3, 1),), ((2, 3, 1),)]),
    Op(
        "squeeze_is_view", lambda t, x: _write_through(t, x, lambda b: b.squeeze(1)), [((3, 1, 4),)]
    ),
    Op("unsqueeze", lambda t, x: t.unsqueeze(x, 0), ANY),
    Op("unsqueeze_last", lambda t, x: x.unsqueeze(-1), ANY),
    Op("unsqueeze_mid", lambda t, x: x.unsqueeze(1), MATS),
    # -- permute, transpose, movedim
    Op("permute", lambda t, x: x.permute(2, 0, 1), M3),
    Op("permute_tuple", lambda t, x: t.permute(x, (1, -1, 0)), M3 + [((2, 0, 3),)]),
    Op("permute_0d", lambda t, x: x.permute(()), [((),)]),
    Op("permute_is_view", lambda t, x: _write_through(t, x, lambda b: b.permute(1, 0)[0]), M),
    Op("transpose", lambda t, x: t.transpose(x, 0, 1), MATS),
    Op("transpose_neg", lambda t, x: x.transpose(-1, -3), M3),
    Op("transpose_same", lambda t, x: x.transpose(1, 1), MATS),
    Op("swapaxes", lambda t, x: t.swapaxes(x, 0, 2), M3),
    Op("t", lambda t, x: x.t(), [((3, 4),), ((4,),), ((),), ((0, 2),)]),
    Op("T_mT", lambda t, x: (x.mT, x.T) if x.dim() == 2 else x.mT, MATS),
    Op("movedim", lambda t, x: t.movedim(x, 0, -1), M3),
    Op("movedim_many", lambda t, x: x.movedim((0, 1), (2, 0)), M3),
    Op("moveaxis", lambda t, x: t.moveaxis(x, -1, 0), M3),
    # -- expand, repeat
    Op("expand", lambda t, x: x.expand(2, 3, 4), [((3, 1),), ((1, 4),), ((),), ((3, 4),)]),
    Op("expand_keep", lambda t, x: x.expand(-1, 5), [((3, 1),)]),
    Op("expand_empty", lambda t, x: x.expand(0, 4), [((1, 4),), ((4,),)]),
    Op("expand_as", lambda t, x, y: x.expand_as(y), [((3, 1), (2, 3, 4)), ((4,), (3, 4))]),
    Op("broadcast_to", lambda t, x: t.broadcast_to(x, (2, 3, 4)), [((3, 1),), ((4,),)]),
    Op("expand_then_copy", lambda t, x: x.expand(3, 2, 4).contiguous() * 2, [((2, 1),)]),
    Op(
        "broadcast_tensors",
        lambda t, x, y, z: t.broadcast_tensors(x, y, z),
        [((3, 1), (4,), ()), ((2, 1, 3), (4, 1), (1,))],
    ),
    Op("repeat", lambda t, x: x.repeat(2, 3), [((3, 4),), ((4,),), ((),)]),
    Op("repeat_more_dims", lambda t, x: t.Tensor.repeat(x, 2, 1, 2), MATS),
    Op("repeat_zero", lambda t, x: x.repeat(0, 2), M),
    Op("tile", lambda t, x: t.tile(x, (2,)), [((3, 4),), ((4,),), ((),)]),
    Op("tile_more", lambda t, x: x.tile(2, 1, 3), M),
    Op("repeat_interleave", lambda t, x: t.repeat_interleave(x, 2), ANY),
    Op("repeat_interleave_dim", lambda t, x: x.repeat_interleave(3, dim=1), MATS),
    Op(
        "repeat_interleave_tensor",
        lambda t, x: t.repeat_interleave(x, t.tensor([1, 0, 3]), dim=0),
        [((3, 4),), ((3,),)],
    ),
    Op(
        "repeat_interleave_counts",
        lambda t, x: t.repeat_interleave(x),
        [((5,),)],
        grad=False,
        dtypes=("int64",),
        inputs={0: lambda rng, s: rng.integers(0, 4, size=s)},
    ),
    # -- flip, roll, rot90
    Op("flip", lambda t, x: t.flip(x, (0,)), ANY[:1] + ANY[2:]),
    Op("flip_dims", lambda t, x: x.flip(0, -1), MATS),
    Op("flip_0d", lambda t, x: x.flip(()), [((),), ((3,),)]),
    Op("fliplr", lambda t, x: t.fliplr(x), MATS),
    Op("flipud", lambda t, x: t.flipud(x), MATS),
    Op("roll", lambda t, x: t.roll(x, 1, 0), MATS + [((0, 3),)]),
    Op("roll_flat", lambda t, x: x.roll(-3), ANY),
    Op("roll_multi", lambda t, x: t.roll(x, (2, -1), (1, 2)), M3),
    Op("roll_big_shift", lambda t, x: x.roll(7, -1), MATS),
    Op("rot90", lambda t, x: t.rot90(x), MATS),
    Op("rot90_k", lambda t, x: t.rot90(x, -1, (1, 2)), M3),
    # -- cat, stack
    Op("cat", lambda t, x, y: t.cat([x, y]), [((3, 4), (2, 4)), ((0, 4), (2, 4)), ((3,), (2,))]),
    Op(
        "cat_dim",
        lambda t, x, y, z: t.cat((x, y, z), dim=1),
        [((3, 4), (3, 1), (3, 0)), ((2, 3, 4), (2, 2, 4), (2, 1, 4))],
    ),
    Op("cat_neg_dim", lambda t, x, y: t.cat([x, y], -1), [((2, 3), (2, 5))]),
    Op("cat_skip_empty_1d", lambda t, x, y: t.cat([x, y]), [((3, 4), (0,)), ((0,), (2, 4))]),
    Op("cat_promote", lambda t, x: t.cat([x, x.double()]), [((3, 4),), ((2,),)]),
    Op("cat_int_float", lambda t, x: t.cat([x.long(), x]), [((3, 4),)]),
    Op("concat", lambda t, x, y: t.concat([x, y], 1), [((3, 4), (3, 2))]),
    Op("concatenate", lambda t, x, y: t.concatenate([x, y], 0), [((3, 4), (1, 4))]),
    Op("stack", lambda t, x, y: t.stack([x, y]), [((3, 4), (3, 4)), ((), ()), ((0, 2), (0, 2))]),
    Op("stack_dim", lambda t, x, y, z: t.stack((x, y, z), dim=-1), [((3, 4),) * 3, ((2,),) * 3]),
    Op("stack_one", lambda t, x: t.stack([x], 1), MATS),
    Op("hstack", lambda t, x, y: t.hstack([x, y]), [((3, 4), (3, 2)), ((3,), (2,))]),
    Op("vstack", lambda t, x, y: t.vstack([x, y]), [((3, 4), (2, 4)), ((4,), (4,))]),
    Op("dstack", lambda t, x, y: t.dstack([x, y]), [((3, 4), (3, 4))]),
    Op("column_stack", lambda t, x, y: t.column_stack([x, y]), [((3,), (3, 2))]),
    # -- split, chunk, unbind
    Op("split", lambda t, x: t.split(x, 2), [((5, 3),), ((4,),), ((0, 3),)]),
    Op("split_dim", lambda t, x: x.split(3, dim=1), [((2, 7),), ((2, 3, 4),)]),
    Op("split_sizes", lambda t, x: t.split(x, [1, 3, 0, 1], 0), [((5, 3),), ((5,),)]),
    Op("split_sizes_dim", lambda t, x: x.split([2, 2], -1), MATS),
    Op("split_big", lambda t, x: x.split(10), [((5, 3),)]),
    Op("split_partial_grad", lambda t, x: t.split(x, 2)[1], [((5, 3),)]),
    Op(
        "split_is_view",
        lambda t, x: _write_through_no_grad(t, x, lambda b: b.split(2)[1]),
        [((5, 3),)],
        grad=False,
    ),
    Op("tensor_split", lambda t, x: t.tensor_split(x, 3), [((7, 2),), ((2,),)]),
    Op("tensor_split_indices", lambda t, x: x.tensor_split([1, 4], dim=1), [((2, 6),)]),
    Op("chunk", lambda t, x: t.chunk(x, 3), [((7, 2),), ((6,),), ((2, 3),), ((0, 3),)]),
    Op("chunk_dim", lambda t, x: x.chunk(2, -1), MATS),
    Op("unbind", lambda t, x: t.unbind(x), MATS + [((0, 3),)]),
    Op("unbind_dim", lambda t, x: x.unbind(-1), MATS),
    Op(
        "unbind_is_view",
        lambda t, x: _write_through_no_grad(t, x, lambda b: b.unbind(1)[2]),
        M,
        grad=False,
    ),
    # -- narrow, select, unfold
    Op("narrow", lambda t, x: t.narrow(x, 1, 1, 2), MATS),
    Op("narrow_neg_start", lambda t, x: x.narrow(0, -2, 2), MATS),
    Op("narrow_empty", lambda t, x: x.narrow(-1, 4, 0), MATS),
    Op("narrow_is_view", lambda t, x: _write_through(t, x, lambda b: b.narrow(1, 1, 2)), M),
    Op("select", lambda t, x: t.select(x, 0, 1), MATS),
    Op("select_neg", lambda t, x: x.select(-1, -1), MATS + [((4,),)]),
    Op("select_is_view", lambda t, x: _write_through(t, x, lambda b: b.select(1, 2)), M),
    Op("unfold", lambda t, x: x.unfold(0, 2, 1), [((5,),), ((5, 3),)]),
    Op("unfold_step", lambda t, x: x.unfold(1, 3, 2), [((2, 8),), ((2, 7, 3),)]),
    Op("unfold_overlap_grad", lambda t, x: x.unfold(-1, 4, 1).sum(-1), [((3, 6),)]),
    Op("unfold_0d", lambda t, x: x.unfold(0, 1, 1), [((),)]),
    Op("unfold_is_view", lambda t, x: _write_through(t, x, lambda b: b.unfold(0, 2, 2)), [((6,),)]),
    # -- triangles and diagonals
    Op("tril", lambda t, x: t.tril(x), MATS + [((0, 3),)]),
    Op("tril_k", lambda t, x: x.tril(1), MATS),
    Op("tril_neg_k", lambda t, x: t.tril(x, -2), [((4, 5),)]),
    Op("triu", lambda t, x: t.triu(x), MATS),
    Op("triu_k", lambda t, x: x.triu(-1), MATS),
    Op("triu_int", lambda t, x: t.triu(x, 1), M, grad=False, dtypes=("int64", "bool")),
    Op("diagonal", lambda t, x: t.diagonal(x), MATS + [((0, 3),)]),
    Op("diagonal_offset", lambda t, x: x.diagonal(1), MATS),
    Op("diagonal_neg_offset", lambda t, x: x.diagonal(-1, 1, 2), M3),
    Op("diagonal_far_offset", lambda t, x: x.diagonal(7), M),
    Op("diagonal_dims", lambda t, x: t.diagonal(x, 0, -1, 0), M3),
    Op("diagonal_is_view", lambda t, x: _write_through(t, x, lambda b: b.diagonal()), MATS),
    Op("diag_1d", lambda t, x: t.diag(x), [((4,),), ((0,),)]),
    Op("diag_1d_offset", lambda t, x: t.diag(x, -2), [((3,),)]),
    Op("diag_2d", lambda t, x: t.diag(x), M + [((4, 2),)]),
    Op("diag_2d_offset", lambda t, x: x.diag(1), M),
    Op("diag_embed", lambda t, x: t.diag_embed(x), [((3,),), ((2, 3),)]),
    Op("diag_embed_offset", lambda t, x: t.diag_embed(x, 1, 0, 2), [((2, 3),)]),
    Op("diag_embed_neg", lambda t, x: t.diag_embed(x, -1, -1, -2), [((2, 3),)]),
    Op("diagflat", lambda t, x: t.diagflat(x), [((2, 2),), ((3,),)]),
    # -- meshgrid
    Op(
        "meshgrid_ij", lambda t, x, y: t.meshgrid(x, y, indexing="ij"), [((3,), (4,)), ((0,), (2,))]
    ),
    Op(
        "meshgrid_xy", lambda t, x, y, z: t.meshgrid([x, y, z], indexing="xy"), [((3,), (4,), (2,))]
    ),
    Op("meshgrid_xy_2", lambda t, x, y: t.meshgrid(x, y, indexing="xy"), [((3,), (4,))]),
    Op("meshgrid_0d", lambda t, x, y: t.meshgrid(x, y, indexing="ij"), [((), (3,))]),
    # -- copies and strides
    Op("clone", lambda t, x: t.clone(x), ANY),
    Op("clone_not_view", lambda t, x: _unchanged_after_write(x, lambda b: b.clone()), M),
    Op("contiguous", lambda t, x: x.t().contiguous() if x.dim() == 2 else x.contiguous(), ANY),
    Op("contiguous_is_self", lambda t, x: x.contiguous() is x, ANY, grad=False, noncontig=False),
    Op("as_strided", lambda t, x: t.as_strided(x, (2, 2), (1, 2)), M, noncontig=False),
    Op("as_strided_overlap", lambda t, x: x.as_strided((3, 3), (1, 1), 1), M, noncontig=False),
    Op("as_strided_offset", lambda t, x: t.as_strided(x, (2, 3), (4, 1), 5), M, noncontig=False),
    Op("atleast", lambda t, x: (t.atleast_1d(x), t.atleast_2d(x), t.atleast_3d(x)), ANY),
]


def _unchanged_after_write(x, copy_fn):
    """Write into ``copy_fn(x)``: x must not change (the copy owns its memory)."""
    base = x.clone()
    copy_fn(base).mul_(3)
    return base
