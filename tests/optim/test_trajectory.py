"""Trajectory parity with torch in float64: the same start and the same gradients for 20 steps
give the same parameters (within 1e-10 relative) and the same state, for every optimizer and
every combination of its options, with two parameter groups of different hyperparameters, and
with state_dict round trips in the middle (ember to ember, ember to torch, torch to ember)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import ember

from .convert import array, dtype_name, to_ember, to_torch

STEPS = 20
SHAPES = [(3, 4), (5,), (2, 3), (4,)]  # group 0: A, B; group 1: C (no grad every 4th step), D
_rng = np.random.default_rng(1234)
INIT = [_rng.standard_normal(s) for s in SHAPES]
NOISE = [[_rng.standard_normal(s) for s in SHAPES] for _ in range(STEPS)]


def _grid(**axes) -> list[dict]:
    return [dict(zip(axes, values)) for values in itertools.product(*axes.values())]


_FLAGS = dict(maximize=[False, True])
_ADAM_GROUP = dict(lr=0.02, betas=(0.3, 0.99), eps=1e-6)  # beta1 0.3: lerp's other branch
# name: (arguments of every run, the grid of options, the second group's own hyperparameters)
CONFIGS = {
    "SGD": (
        dict(lr=0.1),
        _grid(
            momentum=[0, 0.9],
            dampening=[0, 0.5],
            nesterov=[False, True],
            weight_decay=[0, 0.1],
            **_FLAGS,
        ),
        dict(lr=0.05, weight_decay=0.02),
    ),
    "Adam": (
        dict(lr=0.05),
        _grid(
            weight_decay=[0, 0.1],
            amsgrad=[False, True],
            decoupled_weight_decay=[False, True],
            **_FLAGS,
        ),
        _ADAM_GROUP,
    ),
    "AdamW": (
        dict(lr=0.05),
        _grid(weight_decay=[1e-2, 0], amsgrad=[False, True], **_FLAGS),
        _ADAM_GROUP,
    ),
    "RMSprop": (
        dict(lr=0.01),
        _grid(weight_decay=[0, 0.1], momentum=[0, 0.9], centered=[False, True], **_FLAGS),
        dict(lr=0.005, alpha=0.9),
    ),
    "Adagrad": (
        dict(lr=0.1),
        _grid(
            lr_decay=[0, 0.05],
            weight_decay=[0, 0.1],
            initial_accumulator_value=[0, 0.5],
            **_FLAGS,
        ),
        dict(lr=0.05, eps=1e-6),
    ),
    "Adadelta": (
        dict(lr=1.0),
        _grid(weight_decay=[0, 0.1], rho=[0.9, 0.5], **_FLAGS),
        dict(lr=0.5, eps=1e-5),
    ),
    "Adamax": (
        dict(lr=0.02),
        _grid(weight_decay=[0, 0.1], betas=[(0.9, 0.999), (0.3, 0.9)], **_FLAGS),
        dict(lr=0.01, eps=1e-6),
    ),
    "NAdam": (
        dict(lr=0.02),
        _grid(
            weight_decay=[0, 0.1],
            decoupled_weight_decay=[False, True],
            momentum_decay=[4e-3, 0.05],
            **_FLAGS,
        ),
        _ADAM_GROUP,
    ),
    "RAdam": (
        dict(lr=0.02),
        _grid(weight_decay=[0, 0.1], decoupled_weight_decay=[False, True], **_FLAGS),
        _ADAM_GROUP,
    ),
    "Rprop": (
        dict(lr=0.01),
        _grid(etas=[(0.5, 1.2), (0.3, 1.5)], step_sizes=[(1e-6, 50), (1e-3, 0.02)], **_FLAGS),
        dict(lr=0.02, etas=(0.4, 1.3)),
    ),
}


def _valid(name: str, options: dict) -> bool:
    if name == "SGD" and options["nesterov"]:
        return options["momentum"] != 0 and options["dampening"] == 0
    if options.get("decoupled_weight_decay"):
        return options["weight_decay"] != 0  # without weight decay it is the plain case
    return True


CASES = [
    pytest.param(name, options, id=name + "-" + "-".join(f"{k}={v}" for k, v in options.items()))
    for name, (_, grid, _) in CONFIGS.items()
    for options in grid
    if _valid(name, options)
]


class Run:
    """One optimizer over the four parameters, in ember or in torch (``lib``)."""

    def __init__(self, lib, name, options, values, dtype="float64"):
        self.lib = lib
        self.dtype = getattr(lib, dtype)
        self.params = [lib.nn.Parameter(lib.tensor(v.copy(), dtype=self.dtype)) for v in values]
        base, _, group2 = CONFIGS[name]
        groups = [{"params": self.params[:2]}, {"params": self.params[2:], **group2}]
        self.opt = getattr(lib.optim, name)(groups, **{**base, **options})

    def step(self, k: int) -> None:
        for i, p in enumerate(self.params):
            if i == 3 or (i == 2 and k % 4 == 3):
                p.grad = None
            else:
                grad = NOISE[k][i] + 0.3 * array(p)
                p.grad = self.lib.tensor(grad, dtype=self.dtype)
        self.opt.step()

    def steps(self, ks) -> Run:
        for k in ks:
            self.step(k)
        return self

    def values(self) -> list[np.ndarray]:
        return [array(p).astype(np.float64) for p in self.params]


def assert_params(actual, expected, rtol=1e-10):
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(a, e, rtol=rtol, atol=1e-13)


def assert_state_dicts(ours, theirs, torch, rtol=1e-10, atol=1e-13):
    """The same groups, and the same state: keys, types, dtypes and values."""
    assert ours["param_groups"] == theirs["param_groups"]
    assert list(ours["state"]) == list(theirs["state"])
    for index, state in theirs["state"].items():
        mine = ours["state"][index]
        assert list(mine) == list(state), index
        for key, value in state.items():
            _assert_same(mine[key], value, torch, rtol, atol, key)


def _assert_same(mine, value, torch, rtol, atol, key):
    if isinstance(value, torch.Tensor):
        assert isinstance(mine, ember.Tensor), key
        assert dtype_name(mine) == dtype_name(value), key
        np.testing.assert_allclose(array(mine), array(value), rtol=rtol, atol=atol)
    elif isinstance(value, list):
        assert isinstance(mine, list) and len(mine) == len(value), key
        for a, b in zip(mine, value):
            _assert_same(a, b, torch, rtol, atol, key)
    elif isinstance(value, float):
        assert mine == pytest.approx(value, rel=rtol, abs=atol), key
    else:
        assert type(mine) is type(value) and mine == value, key


def checkpointed(first, second, third, name, options, torch) -> Run:
    """A run of ``first`` for steps 0-6, continued from its state_dict in a new optimizer of
    ``second`` for steps 7-12, then of ``third`` for 13-16, then of ``first`` for 17-19 (each
    ``lib`` is ember or torch; state crosses between them through NumPy)."""
    run = None
    values = INIT
    saved = None
    for lib, ks in [(first, range(7)), (second, range(7, 13)), (third, range(13, 17))] + [
        (first, range(17, STEPS))
    ]:
        new = Run(lib, name, options, values)
        if saved is not None:
            convert = to_torch if lib is torch else to_ember
            new.opt.load_state_dict(convert(saved, torch))
        run = new.steps(ks)
        values = run.values()
        saved = run.opt.state_dict()
    return run


@pytest.mark.parametrize("name, options", CASES)
def test_trajectory_matches_torch(torch, name, options):
    ref = Run(torch, name, options, INIT).steps(range(STEPS))
    run = Run(ember, name, options, INIT).steps(range(STEPS))
    assert_params(run.values(), ref.values())
    assert_state_dicts(run.opt.state_dict(), ref.opt.state_dict(), torch)

    # checkpoints: ember -> ember -> torch -> ember, against torch -> torch -> torch -> torch
    # (loading casts state to the parameters' dtype, NAdam's float32 mu_product included)
    ref = checkpointed(torch, torch, torch, name, options, torch)
    run = checkpointed(ember, ember, torch, name, options, torch)
    assert_params(run.values(), ref.values())
    assert_state_dicts(run.opt.state_dict(), ref.opt.state_dict(), torch)


_CHUNKED = ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "Adadelta", "NAdam", "RAdam")


@pytest.mark.parametrize("name, options", [c for c in CASES if c.values[0] in _CHUNKED])
def test_update_in_chunks_matches_whole_arrays_and_torch(torch, monkeypatch, name, options):
    """Large parameters are updated a chunk at a time (the optimizers in ``_CHUNKED``): with
    chunks of 5 elements, the 3x4 parameter goes in three chunks (the last one short), the
    others whole; the result is the whole-array update's bit for bit, and torch's. (Small
    arrays are updated in one call without scratch arrays, each pass making its result anew:
    the first run takes that path, the second the scratch arrays' and the chunks'.)"""
    from ember.optim import optimizer

    whole = Run(ember, name, options, INIT).steps(range(STEPS))
    monkeypatch.setattr(optimizer, "_CHUNK", 5)
    monkeypatch.setattr(optimizer, "_SCRATCH_MIN", 0)
    run = Run(ember, name, options, INIT).steps(range(STEPS))
    for a, b in zip(run.values(), whole.values()):
        np.testing.assert_array_equal(a, b)
    assert_params(run.values(), Run(torch, name, options, INIT).steps(range(STEPS)).values())


@pytest.mark.parametrize("name", list(CONFIGS))
def test_float32_matches_torch(torch, name):
    """In float32 the state keeps torch's dtypes (float32 moments, float32 step) and the
    trajectory stays close."""
    ref = Run(torch, name, {}, INIT, dtype="float32").steps(range(STEPS))
    run = Run(ember, name, {}, INIT, dtype="float32").steps(range(STEPS))
    assert all(p.dtype == ember.float32 for p in run.params)
    assert_params(run.values(), ref.values(), rtol=1e-4)
    assert_state_dicts(run.opt.state_dict(), ref.opt.state_dict(), torch, rtol=1e-4)


@pytest.mark.parametrize("name", ["Adam", "NAdam", "Rprop"])
def test_step_dtype_follows_default_dtype(torch, name):
    """With float64 as the default dtype, ``step`` (and NAdam's ``mu_product``) are float64."""
    old = ember.get_default_dtype(), torch.get_default_dtype()
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        ref = Run(torch, name, {}, INIT).steps(range(3))
        run = Run(ember, name, {}, INIT).steps(range(3))
    finally:
        ember.set_default_dtype(old[0])
        torch.set_default_dtype(old[1])
    assert dtype_name(run.opt.state[run.params[0]]["step"]) == "float64"
    assert_state_dicts(run.opt.state_dict(), ref.opt.state_dict(), torch)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_tensor_learning_rate(torch, name):
    """A 1-element tensor lr works as its value (and stays a tensor in the group)."""
    ref_opts = {"lr": torch.tensor(0.03, dtype=torch.float64)}
    ours = {"lr": ember.tensor(0.03, dtype=ember.float64)}
    ref = Run(torch, name, ref_opts, INIT).steps(range(5))
    run = Run(ember, name, ours, INIT).steps(range(5))
    assert isinstance(run.opt.param_groups[0]["lr"], ember.Tensor)
    assert_params(run.values(), ref.values())


BIG_SHAPES = [(130, 130), (20000,), (7,)]  # above and below the size where temporaries are reused
_big_rng = np.random.default_rng(99)
BIG_INIT = [_big_rng.standard_normal(s) for s in BIG_SHAPES]
BIG_NOISE = [[_big_rng.standard_normal(s) for s in BIG_SHAPES] for _ in range(6)]
BIG_OPTIONS = {
    "SGD": dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1, maximize=True),
    "Adam": dict(lr=0.05, weight_decay=0.1, amsgrad=True, maximize=True),
    "AdamW": dict(lr=0.05, maximize=True),
    "RMSprop": dict(lr=0.01, weight_decay=0.1, momentum=0.9, centered=True, maximize=True),
    "Adagrad": dict(lr=0.1, weight_decay=0.1, lr_decay=0.05, maximize=True),
    "Adadelta": dict(weight_decay=0.1, maximize=True),
    "Adamax": dict(weight_decay=0.1, maximize=True),
    "NAdam": dict(weight_decay=0.1, maximize=True),
    "RAdam": dict(weight_decay=0.1, maximize=True),
    "Rprop": dict(maximize=True),
}


@pytest.mark.parametrize("name", list(BIG_OPTIONS))
def test_large_parameters_match_torch_and_leave_grads_alone(torch, name):
    """Large parameters share reused temporaries; the gradients are never written."""
    results = []
    for lib in (torch, ember):
        params = [lib.nn.Parameter(lib.tensor(v, dtype=lib.float64)) for v in BIG_INIT]
        opt = getattr(lib.optim, name)(params, **BIG_OPTIONS[name])
        for noise in BIG_NOISE:
            for p, n in zip(params, noise):
                p.grad = lib.tensor(n + 0.3 * array(p), dtype=lib.float64)
            grads = [array(p.grad).copy() for p in params]
            opt.step()
            for p, g in zip(params, grads):
                np.testing.assert_array_equal(array(p.grad), g)
        results.append([array(p).copy() for p in params])
    assert_params(results[1], results[0])
