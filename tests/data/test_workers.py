"""DataLoader with worker processes: the same batches as in the main process, worker info and
seeding, IterableDataset sharding, errors carried back with the worker's traceback, timeouts,
persistent workers, and no process left behind however the loop ends."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import numpy as np
import pytest

import ember
from ember.utils.data import (
    DataLoader,
    Dataset,
    IterableDataset,
    TensorDataset,
    get_worker_info,
)

from ._helpers import ArrayDataset, plain

pytestmark = [
    pytest.mark.skipif(not os.path.isdir("/proc"), reason="process checks read /proc"),
    pytest.mark.filterwarnings("ignore:This DataLoader will create:UserWarning"),
]


def process_exists(pid: int) -> bool:
    """True while ``pid`` exists at all, a zombie (exited, not reaped) included."""
    return os.path.exists(f"/proc/{pid}")


class PidDataset(Dataset):
    """Sample i is (i, the pid of the process that fetched it)."""

    def __len__(self):
        return 12

    def __getitem__(self, i):
        return i, os.getpid()


class InfoDataset(Dataset):
    """Sample i records the worker info and a draw from each seeded generator."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = get_worker_info()
        return {
            "id": info.id,
            "num_workers": info.num_workers,
            "seed": info.seed,
            "same_dataset": type(info.dataset).__name__,
            "ember": ember.rand(1).item(),
            "numpy": float(np.random.rand()),
            "initial_seed": ember.initial_seed(),
        }


class Failing(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise ValueError(f"bad sample {i}")
        return i


class MissingKey(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return {}["no such key"]


class Sleepy(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        time.sleep(5)
        return i


class Dying(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


class Logged(Dataset):
    """Sample i is i; every fetch, in whichever process, appends the key to the file ``path``."""

    def __init__(self, path):
        self.path = path

    def __len__(self):
        return 20

    def __getitem__(self, i):
        with open(self.path, "a") as f:
            f.write(f"{i}\n")
        return i


def fetched_after_settling(path, at_least: int) -> list[int]:
    """The keys fetched so far, read once ``at_least`` were and the workers had a moment more
    (time to fetch beyond what they were asked for, if they would)."""
    deadline = time.monotonic() + 60
    while not path.exists() or len(path.read_text().split()) < at_least:
        assert time.monotonic() < deadline, "the workers fetched too little"
        time.sleep(0.02)
    time.sleep(0.3)
    return sorted(int(k) for k in path.read_text().split())


def sharded_class(base):
    class Sharded(base):
        """0..n-1, worker k of m yielding k, k+m, k+2m, ... (all of it without workers)."""

        def __init__(self, n):
            self.n = n

        def __iter__(self):
            info = get_worker_info_for(base)()
            if info is None:
                return iter(range(self.n))
            return iter(range(info.id, self.n, info.num_workers))

    return Sharded


def get_worker_info_for(base):
    if base is IterableDataset:
        return get_worker_info
    import torch

    return torch.utils.data.get_worker_info


Sharded = sharded_class(IterableDataset)


def test_workers_give_the_same_batches_as_the_main_process():
    def batches(workers):
        g = ember.Generator().manual_seed(7)
        loader = DataLoader(
            ArrayDataset(23), batch_size=4, shuffle=True, generator=g, num_workers=workers
        )
        return [plain(b) for b in loader]

    assert batches(2) == batches(0)
    assert len(batches(2)) == 6


def test_batches_come_from_worker_processes_and_workers_are_joined():
    loader = DataLoader(PidDataset(), batch_size=2, num_workers=2)
    batches = list(loader)
    keys = [k for b in batches for k in b[0].tolist()]
    pids = {p for b in batches for p in b[1].tolist()}
    assert keys == list(range(12))
    assert len(pids) == 2 and os.getpid() not in pids
    assert not any(process_exists(p) for p in pids)


def test_breaking_early_leaves_no_process():
    loader = DataLoader(PidDataset(), batch_size=1, num_workers=2)
    it = iter(loader)
    pids = [w.pid for w in it._workers]
    next(it)
    assert all(process_exists(p) for p in pids)
    for _ in it:
        break
    del it
    assert not any(process_exists(p) for p in pids)


def test_dropping_a_persistent_loader_leaves_no_process():
    loader = DataLoader(PidDataset(), batch_size=3, num_workers=2, persistent_workers=True)
    first = {p for b in loader for p in b[1].tolist()}
    second = {p for b in loader for p in b[1].tolist()}
    assert first == second and len(first) == 2  # the same processes serve every epoch
    assert all(process_exists(p) for p in first)
    del loader
    assert not any(process_exists(p) for p in first)


def test_persistent_workers_after_an_abandoned_epoch():
    loader = DataLoader(PidDataset(), batch_size=2, num_workers=2, persistent_workers=True)
    for _ in loader:
        break  # results still in flight belong to the abandoned epoch
    keys = [k for b in loader for k in b[0].tolist()]
    assert keys == list(range(12))


@pytest.mark.parametrize("prefetch_factor", [1, 3])
def test_prefetch_factor_bounds_the_batches_in_flight(tmp_path, prefetch_factor):
    path = tmp_path / "fetched"
    loader = DataLoader(Logged(path), num_workers=2, prefetch_factor=prefetch_factor)
    it = iter(loader)
    ahead = 2 * prefetch_factor  # per worker, before anything was taken
    assert fetched_after_settling(path, ahead) == list(range(ahead))
    assert next(it).tolist() == [0]
    assert fetched_after_settling(path, ahead + 1) == list(range(ahead + 1))  # one more asked
    assert [b.item() for b in it] == list(range(1, 20))


def test_prefetch_factor_zero_is_refused_with_workers():
    """torch's check: with nothing in flight the epoch would end at once, silently empty."""
    loader = DataLoader(PidDataset(), num_workers=1, prefetch_factor=0)
    before = multiprocessing.active_children()
    with pytest.raises(AssertionError) as info:
        iter(loader)
    assert str(info.value) == (
        "prefetch_factor must be greater than 0 for MultiProcessingDataLoaderIter"
    )
    assert multiprocessing.active_children() == before


def test_worker_info_and_distinct_seeds():
    assert get_worker_info() is None
    g = ember.Generator().manual_seed(3)
    samples = list(DataLoader(InfoDataset(), batch_size=None, num_workers=2, generator=g))
    assert [s["id"] for s in samples] == [0, 1, 0, 1]
    assert all(s["num_workers"] == 2 and s["same_dataset"] == "InfoDataset" for s in samples)
    seeds = [s["seed"] for s in samples]
    assert seeds[1] == seeds[0] + 1
    assert all(s["initial_seed"] == s["seed"] for s in samples)
    # Each worker draws different numbers from ember and NumPy.
    assert samples[0]["ember"] != samples[1]["ember"]
    assert samples[0]["numpy"] != samples[1]["numpy"]
    # The same generator seed gives the same worker seeds and draws.
    g = ember.Generator().manual_seed(3)
    again = list(DataLoader(InfoDataset(), batch_size=None, num_workers=2, generator=g))
    assert again == samples


def test_worker_info_is_read_only():
    class Check(Dataset):
        def __len__(self):
            return 1

        def __getitem__(self, i):
            info = get_worker_info()
            try:
                info.id = 5
            except RuntimeError as exc:
                return str(exc), repr(info)
            return "assigned", ""

    ((message, text),) = DataLoader(Check(), batch_size=None, num_workers=1)
    assert message == "Cannot assign attributes to WorkerInfo objects"
    assert text.startswith("WorkerInfo(id=0, num_workers=1, seed=")


def test_worker_init_fn_runs_in_each_worker():
    class Marked(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return os.environ.get("EMBER_TEST_WORKER")

    def init(worker_id):
        os.environ["EMBER_TEST_WORKER"] = f"w{worker_id}"

    out = list(DataLoader(Marked(), batch_size=None, num_workers=2, worker_init_fn=init))
    assert out == ["w0", "w1", "w0", "w1"]
    assert "EMBER_TEST_WORKER" not in os.environ


def test_a_worker_exception_is_raised_with_the_worker_traceback():
    loader = DataLoader(Failing(), batch_size=2, num_workers=2)
    it = iter(loader)
    pids = [w.pid for w in it._workers]
    with pytest.raises(ValueError) as info:
        list(it)
    text = str(info.value)
    assert text.startswith("Caught ValueError in DataLoader worker process 0.\n")
    assert "Original Traceback (most recent call last):" in text
    assert 'raise ValueError(f"bad sample {i}")' in text
    assert __file__ in text
    assert text.rstrip().endswith("ValueError: bad sample 5")
    del it, info  # the traceback holds the iterator's frames
    assert not any(process_exists(p) for p in pids)


def test_a_worker_key_error_stays_readable():
    with pytest.raises(KeyError) as info:
        list(DataLoader(MissingKey(), num_workers=1))
    assert "Caught KeyError in DataLoader worker process 0." in str(info.value)
    assert "\n" in str(info.value)  # not the repr of one long string


def test_worker_init_fn_errors_are_raised():
    def init(worker_id):
        raise OSError(f"cannot start {worker_id}")

    with pytest.raises(OSError, match="Caught OSError in DataLoader worker process"):
        list(DataLoader(range(4), num_workers=1, worker_init_fn=init))


def test_an_unpicklable_batch_is_an_error_not_a_hang():
    loader = DataLoader(
        range(4), batch_size=2, num_workers=1, collate_fn=lambda b: lambda: b, timeout=20
    )
    with pytest.raises(Exception, match="in DataLoader worker process 0"):
        list(loader)


def test_timeout():
    loader = DataLoader(Sleepy(), num_workers=1, timeout=0.2)
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.2 seconds"):
        next(iter(loader))


def test_a_dead_worker_is_reported():
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited"):
        list(DataLoader(Dying(), num_workers=1))


def test_iterable_dataset_sharded_by_worker_info_matches_torch(torch):
    ours = [b.tolist() for b in DataLoader(Sharded(11), batch_size=3, num_workers=2)]
    theirs_data = sharded_class(torch.utils.data.IterableDataset)(11)
    theirs = [
        b.tolist() for b in torch.utils.data.DataLoader(theirs_data, batch_size=3, num_workers=2)
    ]
    assert ours == theirs == [[0, 2, 4], [1, 3, 5], [6, 8, 10], [7, 9]]
    single = [b.tolist() for b in DataLoader(Sharded(11), batch_size=3)]
    assert sorted(sum(ours, [])) == sorted(sum(single, [])) == list(range(11))


@pytest.mark.parametrize("drop_last", [False, True])
def test_iterable_dataset_drop_last_per_worker(torch, drop_last):
    ours = [
        b.tolist() for b in DataLoader(Sharded(9), batch_size=2, num_workers=2, drop_last=drop_last)
    ]
    theirs_data = sharded_class(torch.utils.data.IterableDataset)(9)
    theirs = [
        b.tolist()
        for b in torch.utils.data.DataLoader(
            theirs_data, batch_size=2, num_workers=2, drop_last=drop_last
        )
    ]
    assert ours == theirs


def test_iterable_dataset_with_persistent_workers_restarts_each_epoch():
    loader = DataLoader(Sharded(7), batch_size=None, num_workers=2, persistent_workers=True)
    first = list(loader)
    assert sorted(first) == list(range(7))
    assert list(loader) == first


def test_tensors_cross_processes_under_spawn():
    x = ember.arange(12.0).reshape(6, 2)
    x.requires_grad_(True)
    y = ember.arange(6)
    loader = DataLoader(
        TensorDataset(x.detach(), y), batch_size=4, num_workers=1, multiprocessing_context="spawn"
    )
    batches = list(loader)
    assert isinstance(batches[0][0], ember.Tensor)
    assert batches[0][0].dtype == ember.float32 and batches[1][1].tolist() == [4, 5]
    assert ember.equal(ember.cat([b[0] for b in batches]), x.detach())
