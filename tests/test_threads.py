"""ember's intra-op threads (``ember.backend.threads``): the split itself, and every kernel that
splits giving what it gives whole.

The kernels are compared at two threads with the size thresholds lowered (so that small test
inputs split) against one thread. Elementwise results, pooling and the parts of a batch are the
same bit for bit; a weight gradient summed over parts of a batch rounds like a sum in another
order.
"""

import multiprocessing
import sys
from functools import partial

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.backend import threads


@pytest.fixture
def two_threads(monkeypatch):
    """Two threads for split kernels (BLAS untouched), with thresholds that split small inputs."""
    monkeypatch.setitem(threads._state, "threads", 2)
    monkeypatch.setattr(threads, "ACTIVE", True)
    monkeypatch.setattr(threads, "MIN_WORK", 8)
    monkeypatch.setattr(threads, "MIN_PRODUCT", 8)
    monkeypatch.setattr(threads, "PARALLEL_SIZE", 16)
    yield
    threads._stop_workers()


def _one_thread(fn):
    saved = threads._state["threads"], threads.ACTIVE
    threads._state["threads"], threads.ACTIVE = 1, False
    try:
        return fn()
    finally:
        threads._state["threads"], threads.ACTIVE = saved


# -- parallel_for --------------------------------------------------------------------------------
def test_parallel_for_covers_the_range_in_order(two_threads):
    seen = threads.parallel_for(lambda lo, hi: (lo, hi), 10)
    assert seen == [(0, 5), (5, 10)]


def test_parallel_for_runs_whole_below_two_grains(two_threads):
    assert threads.parallel_for(lambda lo, hi: (lo, hi), 10, grain=6) == [(0, 10)]
    assert threads.parts(10, 5) == 2
    assert threads.parts(9, 5) == 1


def test_parallel_for_with_one_thread_runs_whole():
    assert threads.num_threads() == 1
    assert threads.parallel_for(lambda lo, hi: (lo, hi), 1000) == [(0, 1000)]


def test_parallel_for_uses_a_second_thread(two_threads):
    import threading

    names = threads.parallel_for(lambda lo, hi: threading.current_thread().name, 4)
    assert names[0] == threading.current_thread().name
    assert names[1] == "ember-intraop"


@pytest.mark.parametrize("failing_part", [0, 1])
def test_an_error_in_any_part_is_raised_after_all_parts(two_threads, failing_part):
    done = []

    def fn(lo, hi):
        if lo // 5 == failing_part:
            raise ValueError(f"part {lo}:{hi}")
        done.append(lo)

    with pytest.raises(ValueError, match="part"):
        threads.parallel_for(fn, 10)
    assert done == [5 * (1 - failing_part)]  # the other part ran to its end
    # and the pool still works afterwards
    assert threads.parallel_for(lambda lo, hi: hi - lo, 10) == [5, 5]


def test_an_interrupt_in_the_calling_threads_part_waits_for_the_workers(two_threads):
    import time

    finished = []

    def fn(lo, hi):
        if lo == 0:
            raise KeyboardInterrupt
        time.sleep(0.05)
        finished.append(lo)

    with pytest.raises(KeyboardInterrupt):
        threads.parallel_for(fn, 10)
    assert finished == [5]  # nothing still writes into the op's arrays after it raised


def test_a_split_inside_a_part_runs_whole(two_threads):
    inner = threads.parallel_for(lambda lo, hi: threads.parallel_for(lambda a, b: (a, b), 8), 4)
    assert inner == [[(0, 8)], [(0, 8)]]  # the workers are taken by the outer split


def test_splits_from_two_program_threads_do_not_mix(two_threads):
    import threading

    results = {}

    def run(name, n):
        results[name] = [threads.parallel_for(lambda lo, hi: (name, lo, hi), n) for _ in range(200)]

    ts = [threading.Thread(target=run, args=(name, n)) for name, n in (("a", 10), ("b", 12))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for name, n in (("a", 10), ("b", 12)):
        for r in results[name]:  # each split whole or halved, and only its own parts
            assert r in ([(name, 0, n)], [(name, 0, n // 2), (name, n // 2, n)])


class _FakeBlas:
    """Stands for a BLAS library's threadpoolctl controller: records the thread counts set."""

    def __init__(self):
        self.counts = []

    def set_num_threads(self, n):
        self.counts.append(n)


def test_products_large_enough_run_on_blas_threads_or_split_by_matrices(two_threads, monkeypatch):
    calls = []
    real = threads.parallel_for

    def counting(fn, n, grain=1):
        calls.append(n)
        return real(fn, n, grain)

    blas = _FakeBlas()
    monkeypatch.setattr(threads, "_blas", [blas])
    monkeypatch.setattr(threads, "parallel_for", counting)
    a, b = np.ones((4, 2), np.float32), np.ones((2, 2), np.float32)
    np.testing.assert_array_equal(threads.matmul(a, b[:, :1]), a @ b[:, :1])  # 8 multiply-adds
    assert calls == [] and blas.counts == []  # under 2 * MIN_PRODUCT (16 here): whole
    np.testing.assert_array_equal(threads.matmul(a, b), a @ b)  # 16: on BLAS's threads
    assert calls == [] and blas.counts == [2, 1]  # raised for the product, then back to one
    a3, b3 = np.ones((3, 4, 2), np.float32), np.ones((3, 2, 2), np.float32)
    np.testing.assert_array_equal(threads.matmul(a3, b3), a3 @ b3)  # a batch: by matrices
    assert calls == [3] and blas.counts == [2, 1]


def test_a_product_inside_a_split_leaves_blas_on_one_thread(two_threads, monkeypatch):
    blas = _FakeBlas()
    monkeypatch.setattr(threads, "_blas", [blas])
    a, b = np.ones((4, 3), np.float32), np.full((3, 5), 2, np.float32)
    products = threads.parallel_for(lambda lo, hi: threads.matmul(a, b), 2)
    for p in products:
        np.testing.assert_array_equal(p, a @ b)
    assert blas.counts == []  # the parts keep the cores


def test_blas_goes_back_to_one_thread_after_a_failed_product(two_threads, monkeypatch):
    blas = _FakeBlas()
    monkeypatch.setattr(threads, "_blas", [blas])
    a, b = np.ones((4, 3), np.float32), np.ones((3, 5), np.float32)
    with pytest.raises(ValueError):
        threads._blas_matmul(a, b.T)  # (5, 3): mismatched
    assert blas.counts == [2, 1]
    assert threads.parallel_for(lambda lo, hi: (lo, hi), 4) == [(0, 2), (2, 4)]  # not held


def _split_in_child(queue):
    queue.put(threads.parallel_for(lambda lo, hi: hi - lo, 10))


@pytest.mark.skipif(sys.platform != "linux", reason="fork start method")
def test_a_forked_child_starts_its_own_workers(two_threads):
    threads.parallel_for(lambda lo, hi: None, 10)  # workers running in the parent
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_split_in_child, args=(queue,))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert queue.get(timeout=5) == [5, 5]


# -- set_num_threads ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "bad, message",
    [
        (0, "set_num_threads expects a positive integer"),
        (-2, "set_num_threads expects a positive integer"),
        (1.5, "set_num_threads expects an int, but got float"),
        (True, "set_num_threads expects an int, but got bool"),
    ],
)
def test_set_num_threads_refuses_what_torch_refuses(bad, message):
    with pytest.raises(RuntimeError, match=message):
        ember.set_num_threads(bad)


def test_without_threadpoolctl_ops_stay_on_one_thread(monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # import fails
    monkeypatch.setitem(threads._state, "blas_limited", False)
    monkeypatch.setitem(threads._state, "threads", 1)
    monkeypatch.setattr(threads, "ACTIVE", False)
    assert threads.set_threads(4) == 1
    assert threads.num_threads() == 1
    assert not threads.ACTIVE


# -- kernels: two threads give what one gives --------------------------------------------------
def _grads(fn, *shapes, seed=0):
    rng = np.random.default_rng(seed)
    leaves = [ember.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
              for s in shapes]  # fmt: skip
    out = fn(*leaves)
    out.backward(ember.tensor(rng.standard_normal(tuple(out.shape)).astype(np.float32)))
    return [out.detach().numpy()] + [t.grad.numpy() for t in leaves]


_GROUPED = (5, 4, 8, 8), (6, 2, 3, 3), (6,)  # input, weight and bias shapes
_TRANSPOSED = (4, 3, 5, 5), (3, 2, 3, 3), (2,)
CASES = {
    "conv2d channels last": (partial(F.conv2d, padding=2), (6, 4, 7, 7), (5, 4, 3, 3), (5,)),
    "conv2d columns": (partial(F.conv2d, padding=1), (6, 1, 9, 9), (3, 1, 3, 3), (3,)),
    "conv2d groups stride": (partial(F.conv2d, stride=2, groups=2), *_GROUPED),
    "conv_transpose2d": (partial(F.conv_transpose2d, stride=2, padding=1), *_TRANSPOSED),
    "max_pool2d": (lambda x: F.max_pool2d(x, 2), (6, 3, 8, 8)),
    "max_pool2d overlapping": (lambda x: F.max_pool2d(x, 3, stride=2, padding=1), (5, 2, 9, 9)),
    "relu": (lambda x: F.relu(x), (7, 13)),
    "linear": (lambda x, w, b: F.linear(x, w, b), (9, 6), (8, 6), (8,)),
    "linear wide": (lambda x, w, b: F.linear(x, w, b), (3, 6), (20, 6), (20,)),
    "linear 3d": (lambda x, w: F.linear(x, w), (2, 5, 6), (4, 6)),
    "matmul": (lambda a, b: a @ b, (9, 6), (6, 8)),
    "matmul wide": (lambda a, b: a @ b.t(), (3, 6), (20, 6)),
    "bmm": (lambda a, b: ember.bmm(a, b), (6, 3, 4), (6, 4, 5)),
    "matmul 4d": (lambda a, b: a @ b, (2, 3, 4, 5), (2, 3, 5, 2)),
    "matmul broadcast": (lambda a, b: a @ b, (3, 4, 5), (5, 2)),
    "addmm": (lambda c, a, b: ember.addmm(c, a, b, beta=0.5, alpha=2.0), (7, 9), (7, 4), (4, 9)),
    "baddbmm": (lambda c, a, b: ember.baddbmm(c, a, b), (4, 3, 5), (4, 3, 2), (4, 2, 5)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_kernels_match_one_thread(two_threads, name):
    fn, *shapes = CASES[name]
    whole = _one_thread(lambda: _grads(fn, *shapes))
    split = _grads(fn, *shapes)
    for a, b in zip(whole, split):  # (a weight gradient's sums may round differently)
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6 * np.abs(a).max())
    np.testing.assert_array_equal(split[0], whole[0])  # forward values: the same bits


def test_max_pool_nan_and_relu_nan_match_one_thread(two_threads):
    x = np.random.default_rng(1).standard_normal((4, 2, 6, 6)).astype(np.float32)
    x[1, 0, 2, 3] = np.nan
    x[3, 1, 0, 0] = np.nan

    def run():
        t = ember.tensor(x, requires_grad=True)
        y = F.max_pool2d(F.relu(t), 2, return_indices=True)
        y[0].sum().backward()
        return y[0].detach().numpy(), y[1].numpy(), t.grad.numpy()

    for a, b in zip(_one_thread(run), run()):
        np.testing.assert_array_equal(b, a)


def test_the_work_splits_in_these_kernels(two_threads, monkeypatch):
    calls = []
    real = threads.parallel_for

    def counting(fn, n, grain=1):
        calls.append(threads.parts(n, grain))
        return real(fn, n, grain)

    monkeypatch.setattr(threads, "parallel_for", counting)
    _grads(lambda x, w, b: F.max_pool2d(F.relu(F.conv2d(x, w, b, padding=2)), 2),
           (6, 4, 8, 8), (5, 4, 3, 3), (5,))  # fmt: skip
    assert len(calls) >= 5  # conv, relu, pool; unpool, relu backward, conv gradients
    assert all(k == 2 for k in calls)


@pytest.mark.parametrize("name", ["Adam", "SGD", "AdamW", "RMSprop"])
def test_optimizer_updates_match_one_thread(two_threads, monkeypatch, name):
    from ember.optim import optimizer

    monkeypatch.setattr(optimizer, "_CHUNK", 16)  # several chunks on a small parameter
    monkeypatch.setattr(optimizer, "_SCRATCH_MIN", 0)  # ... which then takes the chunked path

    def run():
        ember.manual_seed(0)
        p = ember.nn.Parameter(ember.randn(37, 11))
        kwargs = {"momentum": 0.9} if name == "SGD" else {}
        opt = getattr(ember.optim, name)([p], lr=0.01, **kwargs)
        for i in range(3):
            opt.zero_grad()
            (p * p * (i + 1)).sum().backward()
            opt.step()
        return p.detach().numpy()

    np.testing.assert_array_equal(run(), _one_thread(run))


def test_a_training_step_matches_one_thread(two_threads):
    """A small CNN's steps (convolution, ReLU, pooling, linear, Adam) with every kernel
    split: the same losses, and parameters equal to rounding."""

    def run():
        ember.manual_seed(0)
        nn = ember.nn
        model = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(6 * 2 * 2, 5),
        )  # fmt: skip
        opt = ember.optim.Adam(model.parameters(), lr=0.01)
        x, y = ember.randn(6, 1, 8, 8), ember.tensor([0, 1, 2, 3, 4, 0])
        losses = []
        for _ in range(3):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, [p.detach().numpy() for p in model.parameters()]

    losses_1, params_1 = _one_thread(run)
    losses_2, params_2 = run()
    np.testing.assert_allclose(losses_2, losses_1, rtol=1e-6)
    for a, b in zip(params_1, params_2):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
