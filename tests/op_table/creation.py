"""Creation and conversion rows: the ``*_like`` and ``new_*`` forms, ranges, and dtype
conversions (whose ToCopyBackward0 carries gradients back in the input's dtype)."""

from __future__ import annotations

from . import Op

F32_64 = ("float32", "float64")
ALL_DTYPES = ("float32", "float64", "int64", "int32", "bool")

ROWS = [
    Op("zeros_like", lambda t, x: t.zeros_like(x), grad=False, dtypes=ALL_DTYPES),
    Op("ones_like", lambda t, x: t.ones_like(x), grad=False, dtypes=ALL_DTYPES),
    Op("full_like", lambda t, x: t.full_like(x, 3), grad=False, dtypes=ALL_DTYPES),
    Op("full_like_float", lambda t, x: t.full_like(x, 2.5), grad=False, dtypes=("int64",)),
    Op("zeros_like_dtype", lambda t, x: t.zeros_like(x, dtype=t.float64), grad=False),
    Op("empty_like", lambda t, x: t.empty_like(x), grad=False, random=True),
    Op("rand_like", lambda t, x: t.rand_like(x), grad=False, random=True),
    Op("randn_like", lambda t, x: t.randn_like(x), grad=False, random=True),
    Op("new_zeros", lambda t, x: x.new_zeros(2, 3), grad=False, dtypes=ALL_DTYPES),
    Op("new_ones", lambda t, x: x.new_ones((3,)), grad=False, dtypes=ALL_DTYPES),
    Op("new_full", lambda t, x: x.new_full((2,), 7), grad=False, dtypes=ALL_DTYPES),
    Op("new_tensor", lambda t, x: x.new_tensor([1, 2]), grad=False, dtypes=ALL_DTYPES),
    Op("arange", lambda t, x: t.arange(x.numel()), grad=False),
    Op("arange_float", lambda t, x: t.arange(0.5, x.numel() + 1, 0.5, dtype=x.dtype), grad=False),
    Op("linspace", lambda t, x: t.linspace(-1, 2, x.numel() + 2, dtype=x.dtype), grad=False),
    Op("logspace", lambda t, x: t.logspace(-1, 1, x.numel() + 1, dtype=x.dtype), grad=False),
    Op("eye", lambda t, x: t.eye(x.dim() + 1, dtype=x.dtype), grad=False),
    Op("as_tensor", lambda t, x: t.as_tensor(x.detach().numpy()), grad=False, dtypes=ALL_DTYPES),
    Op("tensor_from_list", lambda t, x: t.tensor(x.tolist()), grad=False, dtypes=ALL_DTYPES),
    Op("to_float64", lambda t, x: x.to(t.float64)),
    Op("to_float32", lambda t, x: x.to(t.float32), dtypes=("float64",), gradcheck=False),
    Op("to_float16", lambda t, x: x.half(), gradcheck=False, rtol=1e-3, atol=1e-3),
    Op("to_int", lambda t, x: (x * 3).int(), grad=False, dtypes=F32_64),
    Op("to_uint8", lambda t, x: (x.abs() * 50).to(t.uint8), grad=False),
    Op("to_bool", lambda t, x: x.bool(), grad=False, dtypes=ALL_DTYPES),
    Op("int_to_float", lambda t, x: x.float(), grad=False, dtypes=("int64", "int32", "bool")),
    Op("type_as", lambda t, x, y: x.type_as(y), [((3, 4), (2,))], dtypes=F32_64),
    Op("clone", lambda t, x: x.clone()),
    Op("detach", lambda t, x: x.detach() * 2, grad=False),
    Op("contiguous", lambda t, x: x.t().contiguous() if x.dim() == 2 else x.contiguous()),
]
