"""default_collate and default_convert: the same structure, dtypes and values as torch's."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import ember
from ember.utils.data import default_collate, default_convert

from ._helpers import plain

Point = collections.namedtuple("Point", "x y")


def batches():
    return {
        "ints": [1, 2, 3],
        "floats": [1.5, 2.0],
        "bools": [True, False],
        "strings": ["a", "b"],
        "bytes": [b"a", b"b"],
        "arrays": [np.zeros((2, 3), np.float32), np.ones((2, 3), np.float32)],
        "int_arrays": [np.arange(3), np.arange(3) + 1],
        "numpy_scalars": [np.float32(1.5), np.float32(2.5)],
        "numpy_ints": [np.int32(1), np.int32(2)],
        "numpy_bool": [np.bool_(True), np.bool_(False)],
        "tuples": [(1, "a", 2.0), (2, "b", 3.0)],
        "lists": [[1, 2], [3, 4]],
        "dicts": [{"x": np.zeros(2), "y": 1}, {"x": np.ones(2), "y": 2}],
        "namedtuples": [Point(1, 2.0), Point(3, 4.0)],
        "nested": [
            {"a": (np.zeros(2, np.float32), [1, {"b": "s"}]), "c": Point(1.0, [2])},
            {"a": (np.ones(2, np.float32), [3, {"b": "t"}]), "c": Point(2.0, [3])},
        ],
    }


def ember_batch(name):
    if name == "tensors":
        return [ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0])]
    return batches()[name]


@pytest.mark.parametrize("name", [*batches(), "tensors"])
def test_default_collate_matches_torch(torch, name):
    from torch.utils.data import default_collate as torch_collate

    if name == "tensors":
        theirs = torch_collate([torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])])
    else:
        theirs = torch_collate(batches()[name])
    assert plain(default_collate(ember_batch(name))) == plain(theirs)


@pytest.mark.parametrize("name", ["arrays", "tuples", "dicts", "namedtuples", "nested"])
def test_default_convert_matches_torch(torch, name):
    from torch.utils.data import default_convert as torch_convert

    for sample in batches()[name]:
        assert plain(default_convert(sample)) == plain(torch_convert(sample))


def test_default_convert_leaves_numbers_and_strings():
    assert default_convert(3) == 3
    assert default_convert("s") == "s"
    out = default_convert(np.array(["a", "b"]))
    assert isinstance(out, np.ndarray)


def test_collate_shares_nothing_with_the_samples():
    arrays = [np.zeros(2, np.float32), np.ones(2, np.float32)]
    batch = default_collate(arrays)
    batch[0, 0] = 5
    assert arrays[0][0] == 0


@pytest.mark.parametrize(
    "batch, exc, msg",
    [
        ([[1, 2], [3]], RuntimeError, "each element in list of batch should be of equal size"),
        ([object()], TypeError, "default_collate: batch must contain tensors, numpy arrays"),
        ([np.array(["a"])], TypeError, "found <U1"),
    ],
)
def test_collate_errors_match_torch(torch, batch, exc, msg):
    from torch.utils.data import default_collate as torch_collate

    with pytest.raises(exc, match=msg):
        default_collate(batch)
    with pytest.raises(exc, match=msg):
        torch_collate(batch)


def test_collate_tensor_shapes_must_agree():
    with pytest.raises(RuntimeError):
        default_collate([ember.zeros(2), ember.zeros(3)])
