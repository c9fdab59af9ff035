"""Bad input to the reduction, sorting, shape, indexing and linear-algebra ops: one test per case.

Each case runs the same call on ember and, where torch is installed, on torch. ember must raise
torch's exception type with a message naming the op and the shapes or values involved (the
``needles``, checked with or without torch); with torch installed, the message must be torch's
own, up to the library name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

import ember

from .conftest import _torch


@dataclass
class Case:
    name: str
    fn: object  # fn(lib) makes the bad call
    exc: type
    needles: list = field(default_factory=list)
    # compare the whole message with torch's (False where torch's text is unhelpful or
    # varies, e.g. it names C++ internals); the type and the needles are always checked
    same_message: bool = True


def _f(t, *shape):
    return t.ones(*shape)


def _i(t, values):
    return t.tensor(values)


CASES = [
    # -- matmul and friends: shape and dtype mismatches
    Case(
        "matmul_2d",
        lambda t: t.matmul(_f(t, 2, 3), _f(t, 4, 5)),
        RuntimeError,
        ["mat1 and mat2", "2x3", "4x5"],
    ),
    Case("matmul_1d_1d", lambda t: t.matmul(_f(t, 3), _f(t, 4)), RuntimeError, ["3", "4"]),
    Case("matmul_2d_1d", lambda t: t.matmul(_f(t, 2, 3), _f(t, 4)), RuntimeError, ["2x3", "4"]),
    Case("matmul_1d_2d", lambda t: t.matmul(_f(t, 3), _f(t, 4, 5)), RuntimeError, ["1x3", "4x5"]),
    Case(
        "matmul_batched_inner", lambda t: _f(t, 2, 3, 4) @ _f(t, 2, 5, 6), RuntimeError, ["4", "5"]
    ),
    Case(
        "matmul_batch_broadcast",
        lambda t: _f(t, 2, 3, 4) @ _f(t, 3, 4, 5),
        RuntimeError,
        ["(2)", "(3)", "dimension 0"],
    ),
    Case("matmul_0d", lambda t: t.matmul(t.tensor(1.0), _f(t, 3)), RuntimeError, ["0D", "1D"]),
    Case(
        "matmul_dtypes",
        lambda t: _f(t, 2, 3) @ _f(t, 3, 2).double(),
        RuntimeError,
        ["float", "double"],
    ),
    Case("mm_3d", lambda t: t.mm(_f(t, 2, 3, 4), _f(t, 4, 5)), RuntimeError, ["matrix"]),
    Case("mm_shapes", lambda t: t.mm(_f(t, 2, 3), _f(t, 2, 3)), RuntimeError, ["2x3", "2x3"]),
    Case(
        "bmm_batch",
        lambda t: t.bmm(_f(t, 2, 3, 4), _f(t, 3, 4, 5)),
        RuntimeError,
        ["[2, 4]", "[3, 4]"],
    ),
    Case(
        "bmm_inner",
        lambda t: t.bmm(_f(t, 2, 3, 4), _f(t, 2, 5, 5)),
        RuntimeError,
        ["[2, 4]", "[2, 5]"],
    ),
    Case("bmm_2d", lambda t: t.bmm(_f(t, 3, 4), _f(t, 4, 5)), RuntimeError, ["batch1", "3D"]),
    Case("mv_shapes", lambda t: t.mv(_f(t, 2, 3), _f(t, 4)), RuntimeError, ["2x3", "4"]),
    Case("dot_sizes", lambda t: t.dot(_f(t, 3), _f(t, 4)), RuntimeError, ["3", "4"]),
    Case("dot_2d", lambda t: t.dot(_f(t, 2, 2), _f(t, 2, 2)), RuntimeError, ["1D", "2D"]),
    Case(
        "addmm_input",
        lambda t: t.addmm(_f(t, 2, 5), _f(t, 3, 4), _f(t, 4, 5)),
        RuntimeError,
        ["(3)", "(2)", "[3, 5]", "[2, 5]"],
    ),
    Case(
        "einsum_operands",
        lambda t: t.einsum("ij,jk->ik", _f(t, 2, 3)),
        RuntimeError,
        ["operands"],
    ),
    Case(
        "einsum_subscripts",
        lambda t: t.einsum("ij->i", _f(t, 2, 3, 4)),
        RuntimeError,
        ["subscripts", "2", "3"],
    ),
    Case(
        "einsum_sizes",
        lambda t: t.einsum("ij,jk->ik", _f(t, 2, 3), _f(t, 4, 5)),
        RuntimeError,
        ["subscript j", "4", "3"],
    ),
    Case("inv_not_square", lambda t: t.linalg.inv(_f(t, 2, 3)), RuntimeError, ["2 by 3"]),
    Case("det_not_square", lambda t: t.det(_f(t, 3, 2)), RuntimeError, ["3 by 2"]),
    Case(
        "cross_size",
        lambda t: t.linalg.cross(_f(t, 4, 2), _f(t, 4, 2)),
        RuntimeError,
        ["length 3", "2"],
    ),
    Case(
        "tensordot_sizes",
        lambda t: t.tensordot(_f(t, 2, 3), _f(t, 4, 5), dims=1),
        RuntimeError,
        ["3", "4"],
    ),
    # -- broadcasting
    Case(
        "add_broadcast",
        lambda t: _f(t, 3, 4) + _f(t, 5),
        RuntimeError,
        ["(4)", "(5)", "dimension 1"],
    ),
    Case(
        "mul_broadcast",
        lambda t: _f(t, 2, 3) * _f(t, 3, 2),
        RuntimeError,
        ["(3)", "(2)", "dimension 1"],
    ),
    Case(
        "expand_size",
        lambda t: _f(t, 3, 2).expand(3, 4),
        RuntimeError,
        ["(4)", "(2)", "[3, 4]", "[3, 2]"],
    ),
    Case("expand_fewer_dims", lambda t: _f(t, 2, 3).expand(3), RuntimeError, ["(1)", "(2)"]),
    Case(
        "broadcast_tensors",
        lambda t: t.broadcast_tensors(_f(t, 2, 3), _f(t, 4)),
        RuntimeError,
        ["(3)", "(4)"],
    ),
    Case(
        "broadcast_shapes",
        lambda t: t.broadcast_shapes((2, 3), (4,)),
        RuntimeError,
        ["length 4", "(4,)", "[2, 3]"],
    ),
    Case(
        "masked_fill_mask_shape",
        lambda t: _f(t, 3, 4).masked_fill(_f(t, 3, 5) > 0, 0.0),
        RuntimeError,
        ["(4)", "(5)"],
    ),
    # -- cat and stack
    Case(
        "cat_sizes",
        lambda t: t.cat([_f(t, 2, 3), _f(t, 2, 4)]),
        RuntimeError,
        ["Expected size 3 but got size 4", "tensor number 1"],
    ),
    Case("cat_ndims", lambda t: t.cat([_f(t, 2, 3), _f(t, 2, 3, 1)]), RuntimeError, ["2", "3"]),
    Case(
        "cat_0d",
        lambda t: t.cat([t.tensor(1.0), t.tensor(2.0)]),
        RuntimeError,
        ["zero-dimensional"],
    ),
    Case("cat_empty_list", lambda t: t.cat([]), ValueError, ["non-empty"]),
    Case("cat_dim", lambda t: t.cat([_f(t, 2, 3), _f(t, 2, 3)], 2), IndexError, ["[-2, 1]", "2"]),
    Case("cat_not_a_list", lambda t: t.cat(_f(t, 2, 3)), TypeError, ["Tensor"]),
    Case(
        "stack_shapes",
        lambda t: t.stack([_f(t, 2, 3), _f(t, 3, 2)]),
        RuntimeError,
        ["[2, 3]", "[3, 2]", "entry 1"],
    ),
    Case("stack_empty", lambda t: t.stack([]), RuntimeError, ["non-empty"]),
    Case("stack_dim", lambda t: t.stack([_f(t, 2), _f(t, 2)], 3), IndexError, ["[-2, 1]", "3"]),
    # -- view and reshape
    Case("view_size", lambda t: _f(t, 3, 4).view(5, 2), RuntimeError, ["[5, 2]", "12"]),
    Case(
        "view_two_inferred",
        lambda t: _f(t, 3, 4).view(-1, -1),
        RuntimeError,
        ["only one dimension"],
    ),
    Case("view_negative", lambda t: _f(t, 3, 4).view(-2, 6), RuntimeError, ["-2"]),
    Case("view_strides", lambda t: _f(t, 3, 4).t().view(12), RuntimeError, ["stride", ".reshape"]),
    Case(
        "view_infer_impossible", lambda t: _f(t, 3, 4).view(5, -1), RuntimeError, ["[5, -1]", "12"]
    ),
    Case("reshape_size", lambda t: _f(t, 3, 4).reshape(7), RuntimeError, ["[7]", "12"]),
    Case(
        "unflatten_sizes",
        lambda t: _f(t, 3, 4).unflatten(1, (3, 2)),
        RuntimeError,
        ["4"],
    ),
    Case("flatten_dims", lambda t: _f(t, 2, 3, 4).flatten(2, 1), RuntimeError, ["start_dim"]),
    Case("repeat_dims", lambda t: _f(t, 2, 3).repeat(2), RuntimeError, ["repeat dims"]),
    Case(
        "split_sizes",
        lambda t: _f(t, 5, 2).split([2, 2]),
        RuntimeError,
        ["5", "[2, 2]", "dimension 0"],
    ),
    Case("chunk_zero", lambda t: _f(t, 5).chunk(0), RuntimeError, ["chunks", "0"]),
    Case("unfold_size", lambda t: _f(t, 3, 4).unfold(1, 5, 1), RuntimeError, ["4", "5"]),
    Case(
        "narrow_length",
        lambda t: _f(t, 3, 4).narrow(1, 2, 3),
        RuntimeError,
        ["start (2) + length (3)", "(4)"],
    ),
    Case(
        "as_strided_bounds",
        lambda t: _f(t, 2, 2).as_strided((3, 3), (3, 1)),
        RuntimeError,
        ["[3, 3]", "[3, 1]"],
    ),
    Case("tril_1d", lambda t: t.tril(_f(t, 3)), RuntimeError, ["2 dimensions"]),
    Case("diag_3d", lambda t: t.diag(_f(t, 2, 2, 2)), RuntimeError, ["1D or 2D", "3D"]),
    Case("diagonal_same_dims", lambda t: _f(t, 3, 3).diagonal(0, 1, 1), RuntimeError, ["1, 1"]),
    Case("permute_count", lambda t: _f(t, 2, 3).permute(1, 0, 2), RuntimeError, ["2", "3"]),
    Case(
        "permute_repeated",
        lambda t: _f(t, 2, 3).permute(1, 1),
        RuntimeError,
        ["permute()", "duplicate dims"],
    ),
    Case("t_3d", lambda t: _f(t, 2, 3, 4).t(), RuntimeError, ["<= 2", "3D"]),
    # -- dims out of range
    Case("sum_dim", lambda t: _f(t, 3, 4).sum(2), IndexError, ["[-2, 1]", "2"]),
    Case("mean_dim_neg", lambda t: _f(t, 3, 4).mean(-3), IndexError, ["[-2, 1]", "-3"]),
    Case("max_dim", lambda t: _f(t, 3, 4).max(5), IndexError, ["[-2, 1]", "5"]),
    Case("argmax_dim", lambda t: _f(t, 3).argmax(1), IndexError, ["[-1, 0]", "1"]),
    Case("var_dim", lambda t: _f(t, 3, 4).var(2), IndexError, ["[-2, 1]", "2"]),
    Case("cumsum_dim", lambda t: _f(t, 3, 4).cumsum(2), IndexError, ["[-2, 1]", "2"]),
    Case("logsumexp_dim", lambda t: _f(t, 3).logsumexp(1), IndexError, ["[-1, 0]", "1"]),
    Case("norm_dim", lambda t: t.linalg.vector_norm(_f(t, 3), dim=2), IndexError, ["[-1, 0]", "2"]),
    Case("sort_dim", lambda t: _f(t, 3, 4).sort(2), IndexError, ["[-2, 1]", "2"]),
    Case("transpose_dim", lambda t: _f(t, 3, 4).transpose(0, 2), IndexError, ["[-2, 1]", "2"]),
    Case("unsqueeze_dim", lambda t: _f(t, 3, 4).unsqueeze(3), IndexError, ["[-3, 2]", "3"]),
    Case("squeeze_dim", lambda t: _f(t, 3, 1).squeeze(2), IndexError, ["[-2, 1]", "2"]),
    Case("flip_dim", lambda t: _f(t, 3, 4).flip(2), IndexError, ["[-2, 1]", "2"]),
    Case("select_dim", lambda t: _f(t, 3, 4).select(2, 0), IndexError, ["[-2, 1]", "2"]),
    Case("gather_dim", lambda t: _f(t, 3, 4).gather(2, _i(t, [[0]])), IndexError, ["[-2, 1]", "2"]),
    Case(
        "sum_dims_repeated",
        lambda t: _f(t, 3, 4).sum((1, -1)),
        RuntimeError,
        ["dim 1", "multiple times"],
    ),
    Case(
        "movedim_counts",
        lambda t: _f(t, 2, 3).movedim((0, 1), (1,)),
        RuntimeError,
        ["[0, 1]", "[1]"],
    ),
    # -- indices and k out of range
    Case("getitem_int", lambda t: _f(t, 3, 4)[3], IndexError, ["3", "dimension 0", "size 3"]),
    Case(
        "getitem_int_dim1",
        lambda t: _f(t, 3, 4)[0, -5],
        IndexError,
        ["-5", "dimension 1", "size 4"],
    ),
    Case(
        "getitem_tensor",
        lambda t: _f(t, 3, 4)[_i(t, [0, 3])],
        IndexError,
        ["3", "dimension 0", "size 3"],
    ),
    Case(
        "getitem_list", lambda t: _f(t, 3, 4)[:, [1, 4]], IndexError, ["4", "dimension 0", "size 4"]
    ),
    Case("getitem_too_many", lambda t: _f(t, 3, 4)[0, 0, 0], IndexError, ["dimension 2"]),
    Case("getitem_0d", lambda t: t.tensor(1.0)[0], IndexError, ["0-dim tensor", "item()"]),
    Case(
        "setitem_int",
        lambda t: _setitem(_f(t, 3, 4), 5, 0.0),
        IndexError,
        ["5", "dimension 0", "size 3"],
    ),
    Case(
        "setitem_shape", lambda t: _setitem(_f(t, 3, 4), 0, _f(t, 3)), RuntimeError, ["[3]", "[4]"]
    ),
    Case(
        "select_index",
        lambda t: _f(t, 3, 4).select(1, 4),
        IndexError,
        ["4", "dimension 1", "[3, 4]"],
    ),
    Case("narrow_start", lambda t: _f(t, 3, 4).narrow(0, 5, 0), IndexError, ["[-3, 3]", "5"]),
    Case(
        "gather_index",
        lambda t: _f(t, 3, 4).gather(1, _i(t, [[0, 4]])),
        RuntimeError,
        ["4", "dimension 1", "size 4"],
    ),
    Case(
        "gather_index_dims",
        lambda t: _f(t, 3, 4).gather(1, _i(t, [0, 1])),
        RuntimeError,
        ["same number of dimensions"],
    ),
    Case(
        "gather_index_size",
        lambda t: _f(t, 3, 4).gather(1, _i(t, [[0]] * 5)),
        RuntimeError,
        ["[5, 1]", "[3, 4]", "dimension 0"],
    ),
    Case(
        "index_select_index",
        lambda t: _f(t, 3, 4).index_select(0, _i(t, [1, 3])),
        IndexError,
        ["out of range"],
    ),
    Case(
        "index_select_index_dim1",
        lambda t: _f(t, 3, 4).index_select(1, _i(t, [4])),
        RuntimeError,
        ["id=4", "axis_dim=4"],
    ),
    Case(
        "index_select_negative",
        lambda t: _f(t, 3, 4).index_select(1, _i(t, [-1])),
        RuntimeError,
        ["id=-1"],
    ),
    Case(
        "gather_negative",
        lambda t: _f(t, 4).gather(0, _i(t, [-1])),
        RuntimeError,
        ["-1", "dimension 0", "size 4"],
    ),
    Case(
        "index_select_2d_index",
        lambda t: _f(t, 3, 4).index_select(0, _i(t, [[1]])),
        IndexError,
        ["vector"],
    ),
    Case(
        "scatter_index",
        lambda t: _f(t, 3, 4).scatter(1, _i(t, [[5]]), 1.0),
        RuntimeError,
        ["5", "dimension 1", "size 4"],
    ),
    Case(
        "scatter_add_index",
        lambda t: _f(t, 3, 4).scatter_add(0, _i(t, [[3]]), _f(t, 1, 1)),
        RuntimeError,
        ["3", "dimension 0", "size 3"],
    ),
    Case(
        "index_add_index",
        lambda t: _f(t, 3).index_add(0, _i(t, [3]), _f(t, 1)),
        IndexError,
        ["out of range"],
    ),
    Case(
        "index_add_index_2d",
        lambda t: _f(t, 3, 4).index_add(1, _i(t, [4]), _f(t, 3, 1)),
        RuntimeError,
        ["4", "dimension 1", "size 4"],
    ),
    Case(
        "index_copy_index",
        lambda t: _f(t, 3, 4).index_copy(1, _i(t, [-1]), _f(t, 3, 1)),
        IndexError,
        ["index_copy_", "-1", "dimension 1"],
    ),
    Case(
        "index_fill_index",
        lambda t: _f(t, 3, 4).index_fill(1, _i(t, [4]), 0.0),
        IndexError,
        ["4", "dimension 1"],
    ),
    Case(
        "index_put_index",
        lambda t: _f(t, 3).index_put((_i(t, [3]),), _f(t, 1)),
        IndexError,
        ["3", "size 3"],
    ),
    Case("take_index", lambda t: _f(t, 3, 4).take(_i(t, [12])), IndexError, ["12", "12 elements"]),
    Case("topk_k", lambda t: _f(t, 3, 4).topk(5), RuntimeError, ["k"]),
    Case(
        "kthvalue_k",
        lambda t: _f(t, 3, 4).kthvalue(5),
        RuntimeError,
        ["k", "dimension 1"],
    ),
    Case("quantile_q", lambda t: t.quantile(_f(t, 3), 1.5), RuntimeError, ["[0, 1]", "1.5"]),
    Case("max_empty", lambda t: _f(t, 0, 3).max(), RuntimeError, ["max()", "numel() == 0"]),
    Case("max_empty_dim", lambda t: _f(t, 0, 3).max(0), IndexError, ["max()", "dim 0"]),
    Case("argmax_empty", lambda t: _f(t, 0).argmax(), IndexError, ["argmax()"]),
    Case("amax_empty_dim", lambda t: t.amax(_f(t, 3, 0), 1), IndexError, ["amax()", "dim 1"]),
    Case(
        "vector_norm_inf_empty",
        lambda t: t.linalg.vector_norm(_f(t, 0), float("inf")),
        RuntimeError,
        ["inf norm", "empty"],
    ),
    # -- wrong dtypes of indices, inputs and masks
    Case(
        "getitem_float_index",
        lambda t: _f(t, 3)[_i(t, [0.0])],
        IndexError,
        ["long, int, byte or bool"],
    ),
    Case(
        "gather_float_index",
        lambda t: _f(t, 3, 4).gather(1, _i(t, [[0.0]])),
        RuntimeError,
        ["gather", "int64"],
    ),
    Case(
        "index_select_float_index",
        lambda t: _f(t, 3).index_select(0, _i(t, [0.0])),
        RuntimeError,
        ["index_select", "int32 or int64"],
    ),
    Case(
        "index_add_float_index",
        lambda t: _f(t, 3).index_add(0, _i(t, [0.0]), _f(t, 1)),
        RuntimeError,
        ["index_add_", "Float"],
    ),
    Case(
        "index_fill_int32_index",
        lambda t: _f(t, 3).index_fill(0, _i(t, [0]).int(), 1.0),
        IndexError,
        ["index_fill_", "int64"],
    ),
    Case(
        "scatter_float_index",
        lambda t: _f(t, 3, 4).scatter(1, _i(t, [[0.0]]), 1.0),
        RuntimeError,
        ["scatter", "int64"],
    ),
    Case(
        "scatter_src_dtype",
        lambda t: _f(t, 3, 4).scatter(1, _i(t, [[0]]), _f(t, 1, 1).double()),
        RuntimeError,
        ["scatter", "dtype"],
    ),
    Case(
        "take_int32_index",
        lambda t: _f(t, 3).take(_i(t, [0]).int()),
        RuntimeError,
        ["take", "long", "Int"],
    ),
    Case(
        "index_put_dtype",
        lambda t: _f(t, 3).index_put((_i(t, [0]),), _f(t, 1).double()),
        RuntimeError,
        ["Float", "Double"],
    ),
    Case("mean_int", lambda t: _i(t, [1, 2]).mean(), RuntimeError, ["mean", "Long"]),
    Case("var_int", lambda t: _i(t, [1, 2]).var(), RuntimeError, ["var"]),
    Case(
        "vector_norm_int",
        lambda t: t.linalg.vector_norm(_i(t, [1, 2])),
        RuntimeError,
        ["vector_norm", "Long"],
    ),
    Case(
        "quantile_int",
        lambda t: t.quantile(_i(t, [1, 2]), 0.5),
        RuntimeError,
        ["quantile", "float"],
    ),
    Case(
        "masked_fill_float_mask",
        lambda t: _f(t, 3).masked_fill(_f(t, 3), 0.0),
        RuntimeError,
        ["masked_fill", "boolean", "float"],
    ),
    Case(
        "masked_select_int_mask",
        lambda t: _f(t, 3).masked_select(_i(t, [1, 0, 1])),
        RuntimeError,
        ["masked_select", "BoolTensor"],
    ),
    Case(
        "masked_scatter_float_mask",
        lambda t: _f(t, 3).masked_scatter(_f(t, 3), _f(t, 3)),
        RuntimeError,
        ["masked_scatter_", "boolean", "Float"],
    ),
    Case(
        "getitem_mask_shape",
        lambda t: _f(t, 3, 4)[_f(t, 3, 5) > 0],
        IndexError,
        ["[3, 5]", "[3, 4]", "index 1"],
    ),
    Case(
        "getitem_mask_rows",
        lambda t: _f(t, 3, 4)[_i(t, [True, False])],
        IndexError,
        ["[2]", "[3, 4]", "index 0"],
    ),
    Case(
        "masked_fill_value_dims",
        lambda t: _f(t, 3).masked_fill(_f(t, 3) > 0, _f(t, 2)),
        RuntimeError,
        ["0-dimensional", "1 dimension"],
    ),
]


def _setitem(x, key, value):
    x[key] = value
    return x


def _normalize(message: str) -> str:
    """torch's text with ember's names: 'torch.' and 'ember.' prefixes agree."""
    return re.sub(r"\b(torch|ember)\.", "LIB.", message).strip()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_raises_torchs_error(case):
    with pytest.raises(Exception) as info:
        case.fn(ember)
    err = info.value
    assert type(err) is case.exc, f"{case.name}: {type(err).__name__}: {err}"
    message = str(err) if not isinstance(err, KeyError) else err.args[0]
    for needle in case.needles:
        assert needle in message, f"{case.name}: {needle!r} not in {message!r}"
    if _torch is None:
        return
    with pytest.raises(Exception) as theirs:
        case.fn(_torch)
    assert isinstance(theirs.value, case.exc), f"torch raised {type(theirs.value).__name__}"
    if case.same_message:
        assert _normalize(message) == _normalize(str(theirs.value))
