"""Intra-op parallelism: ember's own threads for the large kernels of an op.

``ember.set_num_threads(n)`` limits BLAS to one thread (through threadpoolctl, from the
``train`` extra) and gives ember ``n - 1`` worker threads. A large kernel then splits its work
into up to ``n`` contiguous parts (samples of a batch, matrices of a batch of products,
stretches of a flat array) with ``parallel_for``: the calling thread runs the first part, the
workers the others, and NumPy and BLAS release the GIL inside each part. Each part is a few
long NumPy calls: where a call ends, its thread must take the GIL back, and when the other
thread holds it the wait costs tens of microseconds.

One large matrix product (``matmul``: ``Linear``, ``matmul``, ``addmm``) is the exception: it
runs on BLAS's own threads, raised to n for the call and back to one after it. OpenBLAS splits
a product better than parts of it can be split here (each part would pack the shared operand
again; its threads wait for the next product spinning, not asleep): on a 2-core Intel machine
the 784-512-512-10 MLP's Adam step took 4.6 ms against 6.0-6.5 ms with its products split
here. Everything else keeps BLAS on one thread: OpenBLAS threads only its products, and its
spinning threads would take the cores from the passes beside them (ReLU, pooling, an
optimizer update, the products inside a convolution's parts, split here by samples).

Without threadpoolctl, or with one thread (the default until ``set_num_threads`` is called),
every kernel runs whole on the calling thread, as if this module were not there. Each part
computes its elements exactly as the whole would, so results do not depend on the thread
count, except where a part's sums are added afterwards (a weight gradient summed over a
batch), which rounds like a sum in a different order.
"""

from __future__ import annotations

import _thread
import os

import numpy as np

__all__ = [
    "parallel_for",
    "set_threads",
    "num_threads",
    "parts",
    "grain",
    "map_flat",
    "matmul",
    "product",
    "large",
]

# The least work worth a part, in elements touched (a product's in multiply-adds): handing a
# part to a worker and collecting it costs about 15-25 us, the time of a 50K-element pass.
MIN_WORK = 1 << 17
MIN_PRODUCT = 1 << 21  # the same for matrix products, in multiply-adds (about 50-80 us)
PARALLEL_SIZE = 2 * MIN_WORK  # the smallest array an elementwise kernel splits

_state = {"threads": 1, "blas_limited": False}
ACTIVE = False  # whether kernels split at all (threads > 1): one attribute read for hot paths
_workers: list = []  # (tasks, done, thread) per worker
_busy = _thread.allocate_lock()  # held while the workers run a split's parts, or BLAS a product
_blas: list = []  # threadpoolctl's controllers of the BLAS libraries, once limited to one thread


def num_threads() -> int:
    """The threads a split kernel uses (1: none split)."""
    return _state["threads"]


def set_threads(n: int) -> int:
    """Use ``n`` threads for split kernels, and limit BLAS to one. Returns the count in
    effect: 1 when threadpoolctl is missing (BLAS then keeps its own threads)."""
    n = max(1, int(n))
    if not _limit_blas():  # (with n == 1 too: one thread everywhere, as torch's call means)
        n = 1
    global ACTIVE
    with _busy:  # (after any split in flight on another thread)
        _state["threads"] = n
        ACTIVE = n > 1
        _stop_workers()
    return n


def _limit_blas() -> bool:
    if _state["blas_limited"]:
        return True
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return False
    _blas[:] = ThreadpoolController().select(user_api="blas").lib_controllers
    _set_blas_threads(1)  # process-wide, for the rest of the run, but inside ``_blas_matmul``
    _state["blas_limited"] = True
    return True


def _set_blas_threads(n: int) -> None:
    for lib in _blas:
        lib.set_num_threads(n)


def parts(n: int, grain: int) -> int:
    """How many parts ``n`` units of work split into, each at least ``grain`` units."""
    t = _state["threads"]
    if t == 1 or n < 2 * grain:
        return 1
    return min(t, n // grain)


def grain(unit_work: int, product: bool = False, xp=np) -> int:
    """The fewest units of ``unit_work`` each (elements, or a product's multiply-adds) that
    make a part worth its hand-off; too many to split for arrays not on NumPy (``xp``: a
    GPU's kernels queue on its stream, and threads add nothing)."""
    if xp is not np:
        return 1 << 62
    least = MIN_PRODUCT if product else MIN_WORK
    return max(1, -(-least // max(1, unit_work)))


def parallel_for(fn, n: int, grain: int = 1) -> list:
    """``[fn(lo, hi) for each part]`` over [0, n) cut into contiguous parts of at least
    ``grain`` units, one per thread, the first on the calling thread; the results in order.
    An exception in any part is raised here once every part has finished."""
    k = parts(n, grain)
    if k == 1 or not _busy.acquire(blocking=False):
        # one part; or the workers are taken, by a split this one runs inside or by another
        # thread of the program splitting its own op: this one runs whole
        return [fn(0, n)]
    try:
        return _split(fn, n, k)
    finally:
        _busy.release()


def _split(fn, n: int, k: int) -> list:
    bounds = [n * i // k for i in range(k + 1)]
    workers = _ensure_workers(k - 1)[: k - 1]  # (a copy: an interrupt below clears the list)
    for i, (tasks, _, _) in enumerate(workers, 1):
        tasks.put((fn, bounds[i], bounds[i + 1]))
    results = [None] * k
    error = None
    try:
        results[0] = fn(bounds[0], bounds[1])
    except BaseException as exc:  # still collect the workers' parts before raising
        error = exc
    try:
        for i, (_, done, _) in enumerate(workers, 1):
            ok, value = done.get()
            if ok:
                results[i] = value
            elif error is None:
                error = value
    except BaseException:  # interrupted while waiting: the workers' queues are left stale
        _stop_workers()
        raise
    if error is not None:
        raise error
    return results


def map_flat(fn, out, *arrays):
    """``fn(*arrays, out)`` (an elementwise kernel writing into ``out``), on contiguous
    stretches of the flattened arrays in parallel when they are large NumPy arrays, all
    C-contiguous and of one size; else whole. Returns ``out``."""
    n = out.size
    if parts(n, MIN_WORK) == 1 or not _flat_ok(out, arrays):
        fn(*arrays, out)
        return out
    flats = [a.reshape(-1) for a in arrays]
    flat_out = out.reshape(-1)
    parallel_for(lambda lo, hi: fn(*[f[lo:hi] for f in flats], flat_out[lo:hi]), n, MIN_WORK)
    return out


def _flat_ok(out, arrays) -> bool:
    if type(out) is not np.ndarray or not out.flags.c_contiguous:
        return False
    for a in arrays:
        if type(a) is not np.ndarray or a.size != out.size or not a.flags.c_contiguous:
            return False
    return True


def product(a, b):
    """``a @ b`` on one thread; two NumPy matrices through ``np.dot``, the same BLAS call as
    ``matmul``'s for less dispatch (about 0.3 us: a third of a small layer's product)."""
    if type(a) is np.ndarray and type(b) is np.ndarray and a.ndim == 2 == b.ndim:
        return np.dot(a, b)
    return a @ b


def matmul(a, b):
    """``a @ b`` for NumPy ``a`` and ``b``, on more than one thread when the product is large:
    a batch of matrices (``a`` and ``b`` of one batch shape) split here by its matrices; one
    product on BLAS's threads (``_blas_matmul``). Any other operands (broadcast batches,
    vectors, mixed dtypes, GPU arrays) go to ``matmul`` whole, as do products too small to
    split (tested first: most are, and the tests below cost more than a small product)."""
    if (
        not large(a, b)
        or _state["threads"] == 1
        or a.ndim < 2
        or a.ndim != b.ndim
        or a.dtype != b.dtype
        or a.shape[:-2] != b.shape[:-2]
    ):
        return product(a, b)
    if a.ndim == 2:
        return _blas_matmul(a, b)
    return _split_matmul(a, b)


def _blas_matmul(a, b):
    """One product on BLAS's own threads, raised to the thread count for the call; on one
    thread while a split is in flight (this product inside one of its parts, or beside
    another program thread's), whose parts must keep the cores."""
    if not _blas or not _busy.acquire(blocking=False):
        return a @ b
    try:
        _set_blas_threads(_state["threads"])
        return a @ b
    finally:
        _set_blas_threads(1)
        _busy.release()


def _split_matmul(a, b):
    """``matmul``'s split batch of products, one part per run of matrices (a function of its
    own: the lambda's cells would otherwise be made on every call of ``matmul``)."""
    m, k = a.shape[-2:]
    n = b.shape[-1]
    out = np.empty(a.shape[:-1] + (n,), dtype=a.dtype)
    a3, b3, o3 = a.reshape(-1, m, k), b.reshape(-1, k, n), out.reshape(-1, m, n)
    g = grain(m * k * n, product=True)
    parallel_for(lambda lo, hi: np.matmul(a3[lo:hi], b3[lo:hi], out=o3[lo:hi]), len(a3), g)
    return out


def large(a, b) -> bool:
    """Whether ``a @ b`` is a product of NumPy arrays large enough to run on more than one
    thread: two parts' worth of multiply-adds (``2 * MIN_PRODUCT``) or more (for matrices,
    and batches of them, ``a.size * b.shape[-1]``)."""
    return (
        a.size * b.shape[-1] >= 2 * MIN_PRODUCT and type(a) is np.ndarray and type(b) is np.ndarray
    )


def _ensure_workers(k: int) -> list:
    import queue  # (imported here: a few ms, and most programs never split)
    import threading

    while len(_workers) < k:
        tasks, done = queue.SimpleQueue(), queue.SimpleQueue()
        t = threading.Thread(target=_work, args=(tasks, done), name="ember-intraop", daemon=True)
        t.start()
        _workers.append((tasks, done, t))
    return _workers


def _work(tasks, done) -> None:
    while True:
        item = tasks.get()
        if item is None:
            return
        fn, lo, hi = item
        try:
            done.put((True, fn(lo, hi)))
        except BaseException as exc:
            done.put((False, exc))


def _stop_workers() -> None:
    """Let every worker finish its part and exit; new ones start on the next split."""
    for tasks, _, _ in _workers:
        tasks.put(None)
    _workers.clear()


if hasattr(os, "register_at_fork"):  # a forked child (a DataLoader worker) has no workers
    os.register_at_fork(after_in_child=_workers.clear)
