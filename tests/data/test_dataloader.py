"""DataLoader in the main process, against torch's DataLoader: the same batches, in the same
order, with the same structure, for our samplers and for the loader's own options."""

from __future__ import annotations

import pytest

import ember
from ember.utils.data import (
    BatchSampler,
    DataLoader,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
)

from ._helpers import ArrayDataset, plain


def stream_class(base):
    class Stream(base):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))

        def __len__(self):
            return self.n

    return Stream


Stream = stream_class(IterableDataset)


def both(torch, dataset, **kwargs):
    """Batches from ember's loader and torch's, reading the same dataset and keys (a stream
    dataset is given as its length and made for each library)."""
    if isinstance(dataset, int):
        theirs_data = stream_class(torch.utils.data.IterableDataset)(dataset)
        dataset = Stream(dataset)
    else:
        theirs_data = dataset
    ours = [plain(b) for b in DataLoader(dataset, **kwargs)]
    theirs = [plain(b) for b in torch.utils.data.DataLoader(theirs_data, **kwargs)]
    return ours, theirs


@pytest.mark.parametrize("batch_size", [1, 3, 4, 10, 12])
@pytest.mark.parametrize("drop_last", [False, True])
def test_sequential_batches_match_torch(torch, batch_size, drop_last):
    ours, theirs = both(torch, ArrayDataset(10), batch_size=batch_size, drop_last=drop_last)
    assert ours == theirs
    n = len(DataLoader(ArrayDataset(10), batch_size=batch_size, drop_last=drop_last))
    assert n == len(ours)


def sampler_cases():
    return {
        "sequential": lambda: SequentialSampler(range(10)),
        "random": lambda: RandomSampler(range(10), generator=ember.Generator().manual_seed(1)),
        "random_replacement": lambda: RandomSampler(
            range(10), replacement=True, num_samples=7, generator=ember.Generator().manual_seed(1)
        ),
        "subset_random": lambda: SubsetRandomSampler(
            [1, 4, 5, 8], generator=ember.Generator().manual_seed(1)
        ),
        "weighted": lambda: WeightedRandomSampler(
            [1.0] * 10, 9, generator=ember.Generator().manual_seed(1)
        ),
    }


@pytest.mark.parametrize("name", list(sampler_cases()))
def test_our_samplers_give_torch_the_same_batches(torch, name):
    make = sampler_cases()[name]
    ours = [plain(b) for b in DataLoader(ArrayDataset(10), batch_size=3, sampler=make())]
    loader = torch.utils.data.DataLoader(ArrayDataset(10), batch_size=3, sampler=make())
    theirs = [plain(b) for b in loader]
    assert ours == theirs and len(ours) > 0


def test_batch_sampler_option_matches_torch(torch):
    def make():
        return BatchSampler(RandomSampler(range(10), generator=ember.Generator()), 4, True)

    ours = [plain(b) for b in DataLoader(ArrayDataset(10), batch_sampler=make())]
    theirs = [plain(b) for b in torch.utils.data.DataLoader(ArrayDataset(10), batch_sampler=make())]
    assert ours == theirs and len(ours) == 2


def test_batch_size_none_converts_each_sample(torch):
    ours, theirs = both(torch, ArrayDataset(4), batch_size=None)
    assert ours == theirs
    assert ours[0][0] == "list"  # a tuple sample comes back as a list, as in torch


def test_collate_fn_is_used():
    loader = DataLoader(range(5), batch_size=2, collate_fn=lambda b: sum(b))
    assert list(loader) == [1, 5, 4]


def test_shuffle_follows_the_generator():
    def keys(seed):
        g = ember.Generator().manual_seed(seed)
        return [
            b.tolist() for b in DataLoader(list(range(12)), batch_size=4, shuffle=True, generator=g)
        ]

    assert keys(5) == keys(5)
    assert keys(5) != keys(6)
    assert sorted(sum(keys(5), [])) == list(range(12))


def test_shuffle_follows_manual_seed_and_epochs_differ():
    loader = DataLoader(list(range(12)), batch_size=12, shuffle=True)
    ember.manual_seed(0)
    first, second = next(iter(loader)).tolist(), next(iter(loader)).tolist()
    ember.manual_seed(0)
    assert next(iter(loader)).tolist() == first
    assert first != second


def test_tensor_dataset_batches():
    x, y = ember.randn(10, 3), ember.arange(10)
    batches = list(DataLoader(TensorDataset(x, y), batch_size=4))
    assert [tuple(b[0].shape) for b in batches] == [(4, 3), (4, 3), (2, 3)]
    assert isinstance(batches[0], list)
    assert ember.equal(ember.cat([b[0] for b in batches]), x)


def test_getitems_is_used_for_batches():
    class Batched:
        def __len__(self):
            return 6

        def __getitem__(self, i):
            raise AssertionError("should fetch whole batches")

        def __getitems__(self, keys):
            return [k * 10 for k in keys]

    assert [b.tolist() for b in DataLoader(Batched(), batch_size=4)] == [[0, 10, 20, 30], [40, 50]]


@pytest.mark.parametrize("batch_size, drop_last", [(3, False), (3, True), (None, False)])
def test_iterable_dataset_matches_torch(torch, batch_size, drop_last):
    ours, theirs = both(torch, 7, batch_size=batch_size, drop_last=drop_last)
    assert ours == theirs and len(ours) > 0
    loader = DataLoader(Stream(7), batch_size=batch_size, drop_last=drop_last)
    torch_stream = stream_class(torch.utils.data.IterableDataset)(7)
    torch_loader = torch.utils.data.DataLoader(
        torch_stream, batch_size=batch_size, drop_last=drop_last
    )
    assert len(loader) == len(torch_loader)


@pytest.mark.parametrize(
    "dataset, kwargs, msg",
    [
        ("map", {"shuffle": True, "sampler": [0]}, "sampler option is mutually exclusive"),
        ("map", {"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler option is mutually"),
        ("map", {"batch_sampler": [[0]], "drop_last": True}, "batch_sampler option is mutually"),
        ("map", {"batch_size": None, "drop_last": True}, "disables auto-batching"),
        ("map", {"num_workers": -1}, "num_workers option should be non-negative"),
        ("map", {"timeout": -1}, "timeout option should be non-negative"),
        ("map", {"prefetch_factor": 2}, "prefetch_factor option could only be specified"),
        ("map", {"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
        ("map", {"batch_size": 0}, "batch_size should be a positive integer value"),
        ("iter", {"shuffle": True}, "expected unspecified shuffle option"),
        ("iter", {"sampler": [1]}, "expected unspecified sampler option"),
        ("iter", {"batch_sampler": [[1]]}, "expected unspecified batch_sampler option"),
    ],
)
def test_option_errors_match_torch(torch, dataset, kwargs, msg):
    data = list(range(4)) if dataset == "map" else Stream(4)
    with pytest.raises(ValueError, match=msg):
        DataLoader(data, **kwargs)
    if dataset == "iter":
        data = stream_class(torch.utils.data.IterableDataset)(4)
    with pytest.raises(ValueError, match=msg):
        torch.utils.data.DataLoader(data, **kwargs)


def test_frozen_attributes():
    loader = DataLoader(range(4))
    with pytest.raises(ValueError, match="batch_size attribute should not be set after"):
        loader.batch_size = 3
    loader.num_workers = 1  # not frozen, as in torch
    assert loader.num_workers == 1


def test_pin_memory_is_accepted_and_changes_nothing():
    plain_batches = [b.tolist() for b in DataLoader(range(5), batch_size=2)]
    pinned = [b.tolist() for b in DataLoader(range(5), batch_size=2, pin_memory=True)]
    assert pinned == plain_batches


def test_multiprocessing_context_checks():
    with pytest.raises(ValueError, match="can only be used with multi-process loading"):
        DataLoader(range(3), multiprocessing_context="fork")
    with pytest.raises(ValueError, match="should specify a valid start method"):
        DataLoader(range(3), num_workers=1, multiprocessing_context="nope")
