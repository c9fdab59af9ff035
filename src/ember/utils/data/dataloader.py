"""``DataLoader``: batches of a dataset, in the main process or in worker processes.

With ``num_workers=0`` each batch is fetched in the calling process. With ``num_workers > 0``
that many processes each hold a copy of the dataset; the main process hands out batches of
keys round-robin, keeps up to ``prefetch_factor * num_workers`` of them in flight, and yields
the results in sampler order. Workers stop when the iterator is exhausted, dropped, or
garbage-collected (or, with ``persistent_workers``, when the loader is), and are always joined
so no process outlives its loader.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import warnings
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from ...dtypes import int64
from ...ops.creation import empty
from . import _worker
from .collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info"]

get_worker_info = _worker.get_worker_info

T_co = TypeVar("T_co", covariant=True)


class _InfiniteConstantSampler(Sampler):
    """The sampler of an IterableDataset: ``None`` forever (the dataset decides the end)."""

    def __iter__(self):
        while True:
            yield None


def _suggested_max_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - platforms without sched_getaffinity
        return os.cpu_count() or 1


class DataLoader(Generic[T_co]):
    """An iterable over batches of ``dataset``.

    Args:
        dataset: a map-style ``Dataset`` (keys from the sampler) or an ``IterableDataset``.
        batch_size: samples per batch (default 1); None turns automatic batching off, so each
            sample is yielded alone, converted by ``collate_fn`` (``default_convert``).
        shuffle: a fresh random order every epoch (a ``RandomSampler``); default False.
        sampler, batch_sampler: the keys, or the lists of keys, to fetch (exclusive with
            ``shuffle``; ``batch_sampler`` also with ``batch_size`` and ``drop_last``).
        num_workers: worker processes (default 0: load in the main process).
        collate_fn: list of samples -> batch (default ``default_collate``).
        pin_memory: accepted; a no-op on CPU.
        drop_last: drop the last batch when it is short (default False).
        timeout: seconds to wait for a worker's batch before raising (default 0: forever).
        worker_init_fn: called as ``worker_init_fn(worker_id)`` in each worker after seeding.
        multiprocessing_context: a start method name or context (default: the platform's).
        generator: draws the shuffling order and the workers' base seed.
        prefetch_factor: batches in flight per worker (default 2 when ``num_workers > 0``).
        persistent_workers: keep the workers between epochs (default False).

    Each worker ``i`` seeds ember, ``random`` and NumPy from ``base_seed + i``, where
    ``base_seed`` is drawn from ``generator`` once per iterator (see ``get_worker_info``).
    """

    _FROZEN = (
        "batch_size",
        "batch_sampler",
        "sampler",
        "drop_last",
        "dataset",
        "persistent_workers",
    )

    def __init__(
        self,
        dataset: Dataset[T_co],
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable | None = None,
        batch_sampler: Sampler | Iterable | None = None,
        num_workers: int = 0,
        collate_fn: Callable | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context=None,
        generator=None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing.let "
                "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to "
                "None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.in_order = in_order
        self.multiprocessing_context = multiprocessing_context

        self._is_iterable = isinstance(dataset, IterableDataset)
        if self._is_iterable:
            for name, value in (
                ("shuffle", shuffle),
                ("sampler", sampler),
                ("batch_sampler", batch_sampler),
            ):
                if value not in (None, False):
                    raise ValueError(
                        "DataLoader with IterableDataset: expected unspecified "
                        f"{name} option, but got {name}={value}"
                    )
        else:
            shuffle = bool(shuffle)

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive "
                "with drop_last"
            )

        if sampler is None:
            if self._is_iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._iterator = None
        self.__initialized = True

    def __setattr__(self, name, value) -> None:
        if self.__dict__.get("_DataLoader__initialized") and name in self._FROZEN:
            raise ValueError(
                f"{name} attribute should not be set after {self.__class__.__name__} is initialized"
            )
        super().__setattr__(name, value)

    @property
    def multiprocessing_context(self):
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context) -> None:
        if context is not None:
            if self.num_workers == 0:
                raise ValueError(
                    "multiprocessing_context can only be used with multi-process loading "
                    f"(num_workers > 0), but got num_workers={self.num_workers}"
                )
            if isinstance(context, str):
                methods = multiprocessing.get_all_start_methods()
                if context not in methods:
                    raise ValueError(
                        "multiprocessing_context option should specify a valid start method "
                        f"in {methods!r}, but got multiprocessing_context={context!r}"
                    )
                context = multiprocessing.get_context(context)
            elif not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError(
                    "multiprocessing_context option should be a valid context object or a "
                    "string specifying the start method, but got "
                    f"multiprocessing_context={context}"
                )
        self.__multiprocessing_context = context

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self._check_worker_number()
        return _MultiProcessingDataLoaderIter(self)

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def __len__(self) -> int:
        if self._is_iterable:
            length = len(self.dataset)
            if self.batch_size is not None:
                if self.drop_last:
                    return length // self.batch_size
                return -(-length // self.batch_size)
            return length
        return len(self._index_sampler)

    def _check_worker_number(self) -> None:
        suggested = _suggested_max_workers()
        if self.num_workers > suggested:
            warnings.warn(
                f"This DataLoader will create {self.num_workers} worker processes in total. "
                f"Our suggested max number of worker in current system is {suggested}, which "
                "is smaller than what this DataLoader is going to create. Please be aware "
                "that excessive worker creation might get DataLoader running slow or even "
                "freeze, lower the worker number to avoid potential slowness/freeze if "
                "necessary.",
                UserWarning,
                stacklevel=3,
            )


class _BaseDataLoaderIter:
    """What both iterators share: the loader's settings (copied, so the iterator does not
    keep the loader alive) and the key stream of the current epoch."""

    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._is_iterable = loader._is_iterable
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._collate_fn = loader.collate_fn
        self._num_workers = loader.num_workers
        self._timeout = loader.timeout
        self._persistent = loader.persistent_workers
        # Drawn on every new iterator, with or without workers, as torch does.
        draw = empty((), dtype=int64).random_(generator=loader.generator)
        self._base_seed = int(draw.item())
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader: DataLoader, first_iter: bool = False) -> None:
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0

    def _next_index(self):
        return next(self._sampler_iter)

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        return data

    def __len__(self) -> int:
        return len(self._index_sampler)


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        self._fetcher = _worker.create_fetcher(
            self._is_iterable,
            self._dataset,
            self._auto_collation,
            self._collate_fn,
            self._drop_last,
        )

    def _next_data(self):
        index = self._next_index()
        return self._fetcher.fetch(index)


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Workers, their queues, and the bookkeeping that yields results in sampler order.

    ``_task_info[send_idx]`` is ``(worker_id,)`` while a task is out and ``(worker_id, data)``
    once it arrived early; ``_rcvd_idx`` is the next task to yield. Results carry the epoch
    they were asked for, so those of an abandoned epoch (persistent workers) are dropped.
    """

    def __init__(self, loader: DataLoader) -> None:
        if not loader.prefetch_factor > 0:
            # Nothing would ever be asked of the workers: an empty epoch, silently.
            raise AssertionError(
                "prefetch_factor must be greater than 0 for MultiProcessingDataLoaderIter"
            )
        super().__init__(loader)
        self._shutdown = True  # until the workers exist
        self._prefetch_factor = loader.prefetch_factor
        self._owner_pid = os.getpid()
        context = loader.multiprocessing_context or multiprocessing
        self._result_queue = context.Queue()
        self._done_event = context.Event()
        self._index_queues = []
        self._workers = []
        self._shutdown = False
        self._epoch = 0
        for worker_id in range(self._num_workers):
            index_queue = context.Queue()
            index_queue.cancel_join_thread()
            worker = context.Process(
                target=_worker.worker_loop,
                args=(
                    self._is_iterable,
                    self._dataset,
                    index_queue,
                    self._result_queue,
                    self._done_event,
                    self._auto_collation,
                    self._collate_fn,
                    self._drop_last,
                    self._base_seed,
                    loader.worker_init_fn,
                    worker_id,
                    self._num_workers,
                    self._owner_pid,
                ),
                daemon=True,
            )
            worker.start()
            self._index_queues.append(index_queue)
            self._workers.append(worker)
        self._reset(loader, first_iter=True)

    def _reset(self, loader: DataLoader, first_iter: bool = False) -> None:
        super()._reset(loader, first_iter)
        self._epoch += 1
        self._send_idx = 0
        self._rcvd_idx = 0
        self._task_info = {}
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._worker_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter and self._is_iterable:
            for index_queue in self._index_queues:
                index_queue.put(_worker._ResumeIteration(self._epoch))
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_put_index(self) -> None:
        if self._tasks_outstanding >= self._prefetch_factor * self._num_workers:
            return
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker_id = next(self._worker_cycle)
            if self._workers_status[worker_id]:
                break
        else:
            return  # every worker has run out of data
        self._index_queues[worker_id].put((self._epoch, self._send_idx, index))
        self._task_info[self._send_idx] = (worker_id,)
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _next_data(self):
        while True:
            # Skip tasks given to workers whose IterableDataset copy has run out.
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None and (len(info) == 2 or self._workers_status[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent:
                    self._shutdown_workers()
                raise StopIteration
            info = self._task_info[self._rcvd_idx]
            if len(info) == 2:
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
                return self._process_data(info[1])
            epoch, send_idx, payload = self._get_data()
            if epoch != self._epoch:
                continue
            self._tasks_outstanding -= 1
            if isinstance(payload, _worker._IterableDatasetStopIteration):
                self._mark_worker_done(payload.worker_id)
                self._try_put_index()
                continue
            if send_idx != self._rcvd_idx:
                self._task_info[send_idx] += (payload,)
                continue
            del self._task_info[send_idx]
            self._rcvd_idx += 1
            return self._process_data(payload)

    def _process_data(self, payload):
        self._try_put_index()
        if isinstance(payload, _worker.ExceptionWrapper):
            payload.reraise()
        return _loads(payload)

    def _get_data(self):
        if self._timeout > 0:
            found, data = self._try_get_data(self._timeout)
            if not found:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
            return data
        while True:
            found, data = self._try_get_data(_worker.STATUS_CHECK_INTERVAL)
            if found:
                return data

    def _try_get_data(self, timeout: float):
        try:
            return True, self._result_queue.get(timeout=timeout)
        except queue.Empty:
            pass
        dead = [
            worker
            for worker_id, worker in enumerate(self._workers)
            if self._workers_status[worker_id] and not worker.is_alive()
        ]
        if dead:
            pids = ", ".join(str(worker.pid) for worker in dead)
            self._shutdown_workers()
            raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly")
        return False, None

    def _mark_worker_done(self, worker_id: int) -> None:
        """A worker's IterableDataset copy ran out: no more tasks for it this epoch (and,
        without persistent workers, no more tasks ever: let it exit)."""
        self._workers_status[worker_id] = False
        if not self._persistent:
            self._index_queues[worker_id].put(None)

    def _shutdown_workers(self) -> None:
        """Stop and join every worker (terminating those that do not stop in time)."""
        if self._shutdown or os.getpid() != self._owner_pid:
            return
        self._shutdown = True
        try:
            self._done_event.set()
            for index_queue in self._index_queues:
                index_queue.put(None)
            for worker in self._workers:
                worker.join(timeout=_worker.STATUS_CHECK_INTERVAL)
        finally:
            for worker in self._workers:
                if worker.is_alive():
                    worker.terminate()
                    worker.join()
            for index_queue in self._index_queues:
                index_queue.close()
            self._result_queue.cancel_join_thread()
            self._result_queue.close()

    def __del__(self) -> None:
        if not getattr(self, "_shutdown", True):
            self._shutdown_workers()


def _loads(blob: bytes):
    import pickle

    return pickle.loads(blob)
