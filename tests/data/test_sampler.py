"""Samplers: the keys they yield, their lengths, their argument checks, and torch's loader
reading our samplers in the same order."""

from __future__ import annotations

import pytest

import ember
from ember.utils.data import (
    BatchSampler,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)


def gen(seed=0):
    return ember.Generator().manual_seed(seed)


def test_sequential():
    s = SequentialSampler(range(5))
    assert list(s) == [0, 1, 2, 3, 4]
    assert len(s) == 5


def test_random_is_a_permutation_reproducible_with_generator():
    a = list(RandomSampler(range(20), generator=gen(1)))
    b = list(RandomSampler(range(20), generator=gen(1)))
    assert sorted(a) == list(range(20))
    assert a == b
    assert a != list(range(20))


def test_random_epochs_differ_and_follow_manual_seed():
    s = RandomSampler(range(30))
    ember.manual_seed(3)
    first, second = list(s), list(s)
    assert first != second
    ember.manual_seed(3)
    assert list(s) == first


def test_random_num_samples_without_replacement_repeats_permutations():
    out = list(RandomSampler(range(4), num_samples=10, generator=gen()))
    assert len(out) == 10
    assert sorted(out[:4]) == sorted(out[4:8]) == [0, 1, 2, 3]
    assert len(set(out[8:])) == 2


def test_random_with_replacement():
    s = RandomSampler(range(3), replacement=True, num_samples=100, generator=gen())
    out = list(s)
    assert len(s) == len(out) == 100
    assert set(out) == {0, 1, 2}


def test_random_length_follows_the_dataset():
    data = [1, 2, 3]
    s = RandomSampler(data)
    data.append(4)
    assert len(s) == 4 and sorted(s) == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "kwargs, exc, msg",
    [
        ({"num_samples": 0}, ValueError, "num_samples should be a positive integer value"),
        ({"num_samples": 1.5}, ValueError, "num_samples should be a positive integer value"),
        ({"replacement": 1}, TypeError, "replacement should be a boolean value"),
    ],
)
def test_random_checks(torch, kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        RandomSampler(range(3), **kwargs)
    with pytest.raises(exc, match=msg):
        torch.utils.data.RandomSampler(range(3), **kwargs)


def test_subset_random():
    s = SubsetRandomSampler([10, 20, 30, 40], generator=gen(2))
    out = list(s)
    assert sorted(out) == [10, 20, 30, 40] and len(s) == 4
    assert list(SubsetRandomSampler([10, 20, 30, 40], generator=gen(2))) == out


def test_weighted_follows_the_weights():
    s = WeightedRandomSampler([0.0, 1.0, 3.0], 4000, generator=gen())
    out = list(s)
    assert len(s) == len(out) == 4000
    assert out.count(0) == 0
    assert abs(out.count(2) / 4000 - 0.75) < 0.04


def test_weighted_without_replacement_draws_distinct_keys():
    out = list(WeightedRandomSampler([1, 1, 1, 1, 1], 5, replacement=False, generator=gen()))
    assert sorted(out) == [0, 1, 2, 3, 4]


def test_weighted_keeps_float64_weights(torch):
    assert WeightedRandomSampler([1, 2], 2).weights.dtype == ember.float64
    assert torch.utils.data.WeightedRandomSampler([1, 2], 2).weights.dtype == torch.float64


@pytest.mark.parametrize(
    "args, kwargs, msg",
    [
        (([1, 2], 0), {}, "num_samples should be a positive integer value"),
        (([1, 2], True), {}, "num_samples should be a positive integer value"),
        (([1, 2], 2), {"replacement": 1}, "replacement should be a boolean value"),
        (([[1, 2]], 2), {}, r"weights should be a 1d sequence but given weights have shape"),
    ],
)
def test_weighted_checks(torch, args, kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        WeightedRandomSampler(*args, **kwargs)
    with pytest.raises(ValueError, match=msg):
        torch.utils.data.WeightedRandomSampler(*args, **kwargs)


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("n, size", [(10, 3), (9, 3), (2, 5)])
def test_batch_sampler_against_torch(torch, n, size, drop_last):
    ours = BatchSampler(SequentialSampler(range(n)), size, drop_last)
    theirs = torch.utils.data.BatchSampler(range(n), size, drop_last)
    assert list(ours) == list(theirs)
    assert len(ours) == len(theirs)


@pytest.mark.parametrize(
    "args, msg",
    [
        ((0, False), "batch_size should be a positive integer value, but got batch_size=0"),
        ((True, False), "batch_size should be a positive integer value, but got batch_size=True"),
        ((2, 1), "drop_last should be a boolean value, but got drop_last=1"),
    ],
)
def test_batch_sampler_checks(torch, args, msg):
    with pytest.raises(ValueError, match=msg):
        BatchSampler(range(3), *args)
    with pytest.raises(ValueError, match=msg):
        torch.utils.data.BatchSampler(range(3), *args)


def test_batch_sampler_accepts_any_iterable():
    assert list(BatchSampler(iter([5, 6, 7]), 2, False)) == [[5, 6], [7]]
