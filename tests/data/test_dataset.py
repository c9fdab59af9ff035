"""Datasets and random_split: indexing, lengths, combination, errors, against torch."""

from __future__ import annotations

import pytest

import ember
from ember.utils.data import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)


class Range(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def test_dataset_base():
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement"):
        Dataset()[0]
    with pytest.raises(TypeError):
        len(Dataset())
    assert Dataset[int] is not None  # generic, as in typed PyTorch code


def test_tensor_dataset():
    x, y = ember.arange(12).reshape(4, 3), ember.arange(4) * 10
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    xi, yi = ds[2]
    assert xi.tolist() == [6, 7, 8] and yi.item() == 20
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(ember.zeros(2), ember.zeros(3))


def test_concat_dataset_matches_torch(torch):
    parts = [[1, 2, 3], [4, 5], [6]]
    ours, theirs = ConcatDataset(parts), torch.utils.data.ConcatDataset(parts)
    assert ours.cumulative_sizes == theirs.cumulative_sizes == [3, 5, 6]
    assert [ours[i] for i in range(-6, 6)] == [theirs[i] for i in range(-6, 6)]
    with pytest.raises(ValueError, match="absolute value of index should not exceed"):
        ours[-7]
    with pytest.raises(IndexError):
        ours[6]
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ConcatDataset([Range(2)])


def test_add_makes_concat_and_chain():
    a = Subset([1, 2, 3], [0, 1])
    combined = a + a
    assert isinstance(combined, ConcatDataset) and [combined[i] for i in range(4)] == [1, 2] * 2
    chained = Range(2) + Range(3)
    assert isinstance(chained, ChainDataset)
    assert list(chained) == [0, 1, 0, 1, 2] and len(chained) == 5


def test_subset():
    base = [10, 11, 12, 13]
    s = Subset(base, [3, 1])
    assert len(s) == 2 and s[0] == 13 and s.__getitems__([1, 0]) == [11, 13]


def test_subset_passes_batches_through():
    class Batched(Dataset):
        def __getitems__(self, keys):
            return [("batched", k) for k in keys]

    assert Subset(Batched(), [5, 6]).__getitems__([1]) == [("batched", 6)]


def test_stack_dataset():
    assert StackDataset([1, 2], ["a", "b"])[1] == (2, "b")
    assert StackDataset(x=[1, 2], y=[3, 4])[0] == {"x": 1, "y": 3}
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset([1], [1, 2])


@pytest.mark.parametrize(
    "n, lengths",
    [(10, [3, 7]), (10, [0.33, 0.33, 0.34]), (11, [0.5, 0.5]), (2, [0.1, 0.9]), (7, [1.0])],
)
def test_random_split_lengths_match_torch(torch, n, lengths):
    ours = random_split(range(n), lengths, generator=ember.Generator().manual_seed(0))
    theirs = torch.utils.data.random_split(range(n), lengths)
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    keys = sorted(k for s in ours for k in s.indices)
    assert keys == list(range(n))


def test_random_split_is_reproducible():
    a = random_split(range(20), [5, 15], generator=ember.Generator().manual_seed(4))
    b = random_split(range(20), [5, 15], generator=ember.Generator().manual_seed(4))
    assert a[0].indices == b[0].indices and a[1].indices == b[1].indices
    assert a[0].indices != list(range(5))


@pytest.mark.parametrize(
    "lengths, msg",
    [
        ([3, 6], "Sum of input lengths does not equal the length of the input dataset!"),
        ([0.5, 0.6], "Sum of input lengths does not equal the length of the input dataset!"),
        ([-0.5, 1.5], "Fraction at index 0 is not between 0 and 1"),
    ],
)
def test_random_split_errors_match_torch(torch, lengths, msg):
    with pytest.raises(ValueError, match=msg):
        random_split(range(10), lengths)
    with pytest.raises(ValueError, match=msg):
        torch.utils.data.random_split(range(10), lengths)


def test_random_split_warns_on_an_empty_split():
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(1), [0.6, 0.4])
