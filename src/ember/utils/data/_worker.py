"""What runs inside a ``DataLoader`` worker process, and what both sides share.

Protocol. The main process sends each worker, on its own index queue, tasks
``(epoch, send_idx, index)``, ``_ResumeIteration(epoch)`` (persistent workers starting a new
epoch of an IterableDataset) or ``None`` (exit). Every worker answers on the one result queue
with ``(epoch, send_idx, payload)``, where ``payload`` is the fetched batch pickled in the
worker (so that a batch that cannot be pickled becomes an error rather than a silent hang), an
``ExceptionWrapper`` carrying the worker's traceback text, or ``_IterableDatasetStopIteration``
once the worker's copy of an IterableDataset is exhausted.
"""

from __future__ import annotations

import os
import pickle
import queue
import random
import signal
import sys
import traceback
from dataclasses import dataclass

import numpy as np

__all__ = ["WorkerInfo", "get_worker_info", "ExceptionWrapper"]

# How often a waiting worker checks that its parent is still alive, and how often the main
# process checks that its workers are (seconds).
STATUS_CHECK_INTERVAL = 1.0

_worker_info: WorkerInfo | None = None


class WorkerInfo:
    """Read-only facts about the current worker: ``id`` (0..num_workers-1), ``num_workers``,
    ``seed`` (the seed ember, ``random`` and NumPy were seeded with) and ``dataset`` (this
    worker's copy)."""

    __initialized = False

    def __init__(self, **kwargs) -> None:
        for key, value in kwargs.items():
            setattr(self, key, value)
        self.__keys = tuple(kwargs)
        self.__initialized = True

    def __setattr__(self, key, value) -> None:
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        super().__setattr__(key, value)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)}" for k in self.__keys)
        return f"{self.__class__.__name__}({fields})"


def get_worker_info() -> WorkerInfo | None:
    """In a ``DataLoader`` worker process, its ``WorkerInfo``; in the main process, None.
    An IterableDataset's ``__iter__`` uses it to yield only this worker's share."""
    return _worker_info


class _KeyErrorMessage(str):
    """A KeyError prints ``repr`` of its argument; this keeps a multi-line message readable."""

    def __repr__(self) -> str:
        return self


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process as its type and its
    formatted traceback, and raised there again by ``reraise``."""

    def __init__(self, exc_info=None, where: str = "in background") -> None:
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where
        try:
            pickle.dumps(self.exc_type)
        except Exception:
            # A class defined in a function cannot cross processes: its name still does.
            self.exc_msg = f"{self.exc_type.__qualname__}: {self.exc_msg}"
            self.exc_type = RuntimeError

    def reraise(self):
        """Raise the worker's exception type with a message holding the worker's traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            # The type needs other constructor arguments (UnicodeDecodeError, ...).
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            # A local holding the exception would tie its traceback's frames (and the
            # iterator in them) into a cycle that only the garbage collector frees.
            del exception


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    epoch: int


class _MapDatasetFetcher:
    """Fetch the samples at ``index`` (a list of keys when batching, else one key)."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        getitems = getattr(dataset, "__getitems__", None)
        self.getitems = getitems if callable(getitems) else None

    def fetch(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.getitems is not None:
            data = self.getitems(index)
        else:
            data = [self.dataset[i] for i in index]
        return self.collate_fn(data)


class _IterableDatasetFetcher:
    """Take the next ``len(index)`` samples (one when not batching) from the dataset's
    iterator; raise StopIteration once it is exhausted (or, with ``drop_last``, when only a
    short batch is left)."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        data = []
        for _ in index:
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


def create_fetcher(is_iterable: bool, dataset, auto_collation, collate_fn, drop_last):
    kind = _IterableDatasetFetcher if is_iterable else _MapDatasetFetcher
    return kind(dataset, auto_collation, collate_fn, drop_last)


def seed_worker(seed: int, worker_id: int, base_seed: int) -> None:
    """Seed every generator a dataset may draw from: ember's, Python's and NumPy's global."""
    from ...random import manual_seed

    random.seed(seed)
    manual_seed(seed)
    np_seed = np.random.SeedSequence([worker_id, base_seed]).generate_state(4)
    np.random.seed(np_seed)


def worker_loop(
    is_iterable: bool,
    dataset,
    index_queue,
    result_queue,
    done_event,
    auto_collation: bool,
    collate_fn,
    drop_last: bool,
    base_seed: int,
    init_fn,
    worker_id: int,
    num_workers: int,
    parent_pid: int,
) -> None:
    """The body of one worker process: fetch what the index queue asks for until told to
    stop, the main process goes away, or (for an IterableDataset) the data runs out."""
    global _worker_info
    # Ctrl-C reaches the whole process group; the main process decides what happens.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        seed = (base_seed + worker_id) % 2**64
        seed_worker(seed, worker_id, base_seed)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_error = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(is_iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_error = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        iteration_end = False
        while True:
            try:
                task = index_queue.get(timeout=STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if os.getppid() != parent_pid:
                    break  # orphaned: the main process died without telling us
                continue
            if task is None:
                break
            if isinstance(task, _ResumeIteration):
                iteration_end = False
                if init_error is None:
                    try:
                        fetcher = create_fetcher(
                            is_iterable, dataset, auto_collation, collate_fn, drop_last
                        )
                    except Exception:
                        init_error = ExceptionWrapper(
                            where=f"in DataLoader worker process {worker_id}"
                        )
                continue
            if done_event.is_set() or iteration_end:
                continue  # draining: wait for the None that ends us
            epoch, send_idx, index = task
            if init_error is not None:
                payload, init_error = init_error, None
            else:
                payload = _fetch(fetcher, index, worker_id, is_iterable)
                if isinstance(payload, _IterableDatasetStopIteration):
                    iteration_end = True
            result_queue.put((epoch, send_idx, payload))
            del payload, task, index
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        # The main process may no longer read: do not block exiting on unsent results.
        result_queue.cancel_join_thread()
        result_queue.close()


def _fetch(fetcher, index, worker_id: int, is_iterable: bool):
    from multiprocessing.reduction import ForkingPickler

    try:
        data = fetcher.fetch(index)
    except StopIteration:
        if is_iterable:
            return _IterableDatasetStopIteration(worker_id)
        return ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
    except Exception:
        return ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
    try:
        return bytes(ForkingPickler.dumps(data))
    except Exception:
        return ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
