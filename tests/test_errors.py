"""Bad input: each case raises the exception type torch raises, with a message naming the op
and the shapes or values involved. The type and message pattern are checked always; where
torch is installed the whole message is compared with torch's ('torch' read as 'ember')."""

from __future__ import annotations

import re

import pytest

import ember

# name -> (code using T, exception type, regex the message must match)
CASES = {
    # shapes
    "broadcast-add": (
        "T.ones(2, 3) + T.ones(4)",
        RuntimeError,
        r"size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton "
        r"dimension 1",
    ),
    "broadcast-mul": ("T.ones(2, 3) * T.ones(3, 2)", RuntimeError, r"tensor a \(3\).*b \(2\)"),
    "matmul-2d": ("T.ones(2, 3) @ T.ones(2, 3)", RuntimeError, r"2x3 and 2x3"),
    "matmul-1d": ("T.ones(3) @ T.ones(4)", RuntimeError, r"\[3\].*\[4\]"),
    "mm": ("T.mm(T.ones(2, 3), T.ones(2, 3))", RuntimeError, r"2x3 and 2x3"),
    "bmm": ("T.bmm(T.ones(2, 2, 3), T.ones(3, 3, 2))", RuntimeError, r"batch"),
    "cat": ("T.cat([T.ones(2, 3), T.ones(2, 4)])", RuntimeError, r"Sizes of tensors must match"),
    "stack": ("T.stack([T.ones(2), T.ones(3)])", RuntimeError, r"stack expects each tensor"),
    "view-numel": (
        "T.ones(6).view(4)",
        RuntimeError,
        r"shape '\[4\]' is invalid for input of "
        r"size 6",
    ),  # fmt: skip
    "view-two-inferred": ("T.ones(6).view(-1, -1)", RuntimeError, r"only one dimension"),
    "view-non-contiguous": ("T.ones(2, 3).t().view(6)", RuntimeError, r"view size is not "),
    "reshape-numel": ("T.ones(6).reshape(4)", RuntimeError, r"shape '\[4\]' is invalid"),
    "expand": ("T.ones(2, 3).expand(3, 3)", RuntimeError, r"expanded size of the tensor \(3\)"),
    "dot-sizes": ("T.ones(2).dot(T.ones(3))", RuntimeError, r"same number of elements"),
    "inplace-broadcast": ("T.ones(2).add_(T.ones(3))", RuntimeError, r"tensor a \(2\).*b \(3\)"),
    "inplace-larger": (
        "T.ones(2).add_(T.ones(2, 2))",
        RuntimeError,
        r"output with shape \[2\] doesn't match the broadcast shape \[2, 2\]",
    ),
    "backward-gradient-shape": (
        "x = T.ones(2, requires_grad=True); (x * 2).backward(T.ones(3))",
        RuntimeError,
        r"Mismatch in shape: grad_output\[0\] has a shape of .*\[3\].*\[2\]",
    ),
    # dims and indices out of range
    "dim-sum": (
        "T.ones(2, 3).sum(2)",
        IndexError,
        r"Dimension out of range \(expected to be in "
        r"range of \[-2, 1\], but got 2\)",
    ),  # fmt: skip
    "dim-negative": ("T.ones(2, 3).sum(-3)", IndexError, r"but got -3"),
    "dim-size": ("T.ones(2, 3).size(2)", IndexError, r"but got 2"),
    "dim-transpose": ("T.ones(2, 3).transpose(0, 2)", IndexError, r"but got 2"),
    "dim-unsqueeze": ("T.ones(2, 3).unsqueeze(4)", IndexError, r"range of \[-3, 2\]"),
    "dim-argmax": ("T.ones(2, 3).argmax(5)", IndexError, r"but got 5"),
    "index-int": (
        "T.ones(2, 3)[2]",
        IndexError,
        r"index 2 is out of bounds for dimension 0 "
        r"with size 2",
    ),  # fmt: skip
    "index-second-dim": ("T.ones(2, 3)[0, 5]", IndexError, r"index 5 .* dimension 1 with size 3"),
    "index-too-many": (
        "T.ones(2, 3)[:, :, 0]",
        IndexError,
        r"too many indices for tensor of "
        r"dimension 2",
    ),  # fmt: skip
    "index-tensor": ("T.ones(2, 3)[T.tensor([0, 2])]", IndexError, r"index 2 is out of bounds"),
    "index-float-tensor": (
        "T.ones(2, 3)[T.tensor([0.5])]",
        IndexError,
        r"tensors used as "
        r"indices must be long",
    ),  # fmt: skip
    "gather-index": (
        "T.ones(2, 3).gather(1, T.tensor([[5]]))",
        RuntimeError,
        r"index 5 is out "
        r"of bounds for dimension 1 with size 3",
    ),  # fmt: skip
    "max-empty": ("T.ones(0).max()", RuntimeError, r"max\(\): Expected reduction dim"),
    # dtypes
    "requires-grad-int": (
        "T.ones(2, dtype=T.int64).requires_grad_()",
        RuntimeError,
        r"only Tensors of floating point dtype can require gradients",
    ),
    "requires-grad-int-factory": (
        "T.ones(2, dtype=T.int32, requires_grad=True)",
        RuntimeError,
        r"Only Tensors of floating point and complex dtype can require gradients",
    ),
    "inplace-int-add-float": (
        "x = T.ones(2, dtype=T.int64); x.add_(0.5)",
        RuntimeError,
        r"result type Float can't be cast to the desired output type Long",
    ),
    "inplace-int-mul-float-tensor": (
        "x = T.ones(2, dtype=T.int64); x.mul_(T.ones(2))",
        RuntimeError,
        r"result type Float can't be cast to the desired output type Long",
    ),
    "inplace-bool-add-int": (
        "x = T.ones(2, dtype=T.bool); x.add_(1)",
        RuntimeError,
        r"result type Long can't be cast to the desired output type Bool",
    ),
    "mean-int": (
        "T.ones(2, dtype=T.int64).mean()",
        RuntimeError,
        r"mean\(\): could not infer "
        r"output dtype.*Got: Long",
    ),  # fmt: skip
    "matmul-dtypes": (
        "T.mm(T.ones(2, 2, dtype=T.int64), T.ones(2, 2))",
        RuntimeError,
        r"expected m1 and m2 to have the same dtype",
    ),  # fmt: skip
    "where-condition": (
        "T.where(T.ones(2), T.ones(2), T.ones(2))",
        RuntimeError,
        r"where expected condition to be a boolean tensor.*Float",
    ),  # fmt: skip
    "bitwise-float": (
        "T.ones(2) & T.ones(2)",
        NotImplementedError,
        r"\"bitwise_and_cpu\" not "
        r"implemented for 'Float'",
    ),  # fmt: skip
    "bool-sub": (
        "T.ones(2, dtype=T.bool) - T.ones(2, dtype=T.bool)",
        RuntimeError,
        r"Subtraction, the `-` operator, with two bool tensors",
    ),  # fmt: skip
    "bool-neg": (
        "-T.ones(2, dtype=T.bool)",
        RuntimeError,
        r"Negation, the `-` operator, on a "
        r"bool tensor",
    ),  # fmt: skip
    "int-negative-power": (
        "T.tensor([1, 2]) ** -1",
        RuntimeError,
        r"Integers to negative "
        r"integer powers are not allowed",
    ),  # fmt: skip
    "int-divide-by-zero": ("T.tensor([1, 2]) // 0", RuntimeError, r"ZeroDivisionError"),
    "lerp-dtypes": (
        "T.ones(2).lerp(T.ones(2, dtype=T.float64), 0.5)",
        RuntimeError,
        r"expected dtype float for `end` but got dtype double",
    ),  # fmt: skip
    "masked-fill-mask": (
        "T.ones(2).masked_fill(T.ones(2), 0)",
        RuntimeError,
        r"masked_fill_ only supports boolean masks",
    ),  # fmt: skip
    "rand-int": (
        "T.rand(2, dtype=T.int64)",
        NotImplementedError,
        r"\"check_uniform_bounds\" "
        r"not implemented for 'Long'",
    ),  # fmt: skip
    "tensor-ragged": (
        "T.tensor([[1, 2], [3]])",
        ValueError,
        r"expected sequence of length 2 at "
        r"dim 1 \(got 1\)",
    ),  # fmt: skip
    "data-not-tensor": (
        "x = T.ones(2); x.data = [1, 2]",
        TypeError,
        r"Variable data has to be "
        r"a tensor, but got list",
    ),  # fmt: skip
    # autograd
    "backward-non-scalar": (
        "x = T.ones(2, requires_grad=True); (x * 2).backward()",
        RuntimeError,
        r"grad can be implicitly created only for scalar outputs",
    ),
    "backward-no-grad": (
        "T.ones(2).sum().backward()",
        RuntimeError,
        r"element 0 of tensors does not require grad and does not have a grad_fn",
    ),
    "second-backward": (
        "x = T.ones(2, requires_grad=True); y = x.exp().sum(); y.backward(); y.backward()",
        RuntimeError,
        r"Trying to backward through the graph a second time.*retain_graph=True",
    ),
    "inplace-leaf": (
        "x = T.ones(2, requires_grad=True); x.add_(1)",
        RuntimeError,
        r"a leaf Variable that requires grad is being used in an in-place operation",
    ),
    "inplace-leaf-view": (
        "x = T.ones(2, 2, requires_grad=True); x[0].mul_(2)",
        RuntimeError,
        r"a view of a leaf Variable that requires grad is being used in an in-place operation",
    ),
    "modified-saved-tensor": (
        "x = T.ones(2, requires_grad=True); y = x.exp(); y.add_(1); y.sum().backward()",
        RuntimeError,
        r"modified by an inplace operation: \[.*FloatTensor \[2\]\], which is output 0 of "
        r"Exp, is at version 1; expected version 0",
    ),
    "requires-grad-non-leaf": (
        "x = T.ones(2, requires_grad=True); y = x * 2; y.requires_grad = False",
        RuntimeError,
        r"you can only change requires_grad flags of leaf variables",
    ),
    "grad-unused-input": (
        "x = T.ones(2, requires_grad=True); w = T.ones(2, requires_grad=True); "
        "T.autograd.grad((x * 2).sum(), [x, w])",
        RuntimeError,
        r"The differentiated Tensor at index 1 appears to not have been used in the graph",
    ),
    "numpy-requires-grad": (
        "T.ones(2, requires_grad=True).numpy()",
        RuntimeError,
        r"Can't call numpy\(\) on Tensor that requires grad",
    ),
    "item-many": (
        "T.ones(2).item()",
        RuntimeError,
        r"a Tensor with 2 elements cannot be "
        r"converted to Scalar",
    ),  # fmt: skip
    "bool-ambiguous": (
        "bool(T.ones(2))",
        RuntimeError,
        r"Boolean value of Tensor with more "
        r"than one value is ambiguous",
    ),  # fmt: skip
    "float-many": ("float(T.ones(2))", ValueError, r"only one element tensors can be converted"),
    "len-0d": ("len(T.tensor(1.))", TypeError, r"len\(\) of a 0-d tensor"),
}


def _run(lib, code):
    exec(code, {"T": lib})


@pytest.mark.parametrize("case", list(CASES))
def test_error(case):
    code, exc_type, pattern = CASES[case]
    with pytest.raises(exc_type) as info:
        _run(ember, code)
    assert type(info.value) is exc_type or issubclass(type(info.value), exc_type)
    assert re.search(pattern, str(info.value)), str(info.value)


@pytest.mark.parametrize("case", list(CASES))
def test_error_matches_torch(torch, case):
    code, exc_type, _ = CASES[case]
    with pytest.raises(exc_type) as theirs:
        _run(torch, code)
    with pytest.raises(type(theirs.value)) as ours:
        _run(ember, code)
    assert type(ours.value).__name__ == type(theirs.value).__name__
    expected = str(theirs.value).replace("torch.", "ember.")
    assert str(ours.value).replace("torch.", "ember.") == expected
