"""Every scheduler's learning rates (and momenta) over 100 steps equal torch's, also after a
state_dict round trip in the middle (ember to ember, and ember to torch)."""

from __future__ import annotations

import math

import pytest

import ember

STEPS = 100
METRICS = [1.0 / (1 + k) if k < 30 else 0.03 + 0.001 * (k % 7) for k in range(STEPS)]


def _optimizer(lib, kind):
    params = [lib.nn.Parameter(lib.zeros(2)) for _ in range(2)]
    groups = [{"params": params[:1]}, {"params": params[1:], "lr": 0.05}]
    if kind == "adam":
        return lib.optim.Adam(groups, lr=0.1)
    return lib.optim.SGD(groups, lr=0.1, momentum=0.9)


def _warmup(epoch):
    return min(1.0, (epoch + 1) / 10)


def _sequential(lib, opt):
    s = lib.optim.lr_scheduler
    return s.SequentialLR(
        opt,
        [s.LinearLR(opt, start_factor=0.1, total_iters=5), s.ExponentialLR(opt, gamma=0.95)],
        milestones=[5],
    )


def _chained(lib, opt):
    s = lib.optim.lr_scheduler
    return s.ChainedScheduler(
        [s.ConstantLR(opt, factor=0.5, total_iters=10), s.ExponentialLR(opt, gamma=0.97)]
    )


# id: (optimizer kind, how to build the scheduler from (lib, optimizer))
SCHEDULERS = {
    "StepLR": ("sgd", lambda s, o: s.StepLR(o, step_size=7, gamma=0.5)),
    "MultiStepLR": ("sgd", lambda s, o: s.MultiStepLR(o, milestones=[10, 30, 30, 70], gamma=0.3)),
    "ExponentialLR": ("sgd", lambda s, o: s.ExponentialLR(o, gamma=0.97)),
    "LambdaLR": ("sgd", lambda s, o: s.LambdaLR(o, [_warmup, lambda e: 0.95**e])),
    "MultiplicativeLR": ("sgd", lambda s, o: s.MultiplicativeLR(o, lambda e: 0.97)),
    "LinearLR": (
        "sgd",
        lambda s, o: s.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=30),
    ),
    "ConstantLR": ("sgd", lambda s, o: s.ConstantLR(o, factor=0.5, total_iters=20)),
    "CosineAnnealingLR": ("sgd", lambda s, o: s.CosineAnnealingLR(o, T_max=30, eta_min=0.001)),
    "CosineAnnealingWarmRestarts": (
        "sgd",
        lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=1e-4),
    ),
    "CosineAnnealingWarmRestarts-T_mult=1": (
        "sgd",
        lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=7),
    ),
    "OneCycleLR": ("sgd", lambda s, o: s.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=STEPS + 1)),
    "OneCycleLR-three_phase-linear-adam": (
        "adam",
        lambda s, o: s.OneCycleLR(
            o, max_lr=0.3, epochs=5, steps_per_epoch=21, three_phase=True, anneal_strategy="linear"
        ),
    ),
    "CyclicLR": (
        "sgd",
        lambda s, o: s.CyclicLR(o, 0.01, [0.1, 0.2], step_size_up=7, step_size_down=5),
    ),
    "CyclicLR-triangular2-adam": (
        "adam",
        lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=6, mode="triangular2"),
    ),
    "CyclicLR-exp_range": (
        "sgd",
        lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=4, mode="exp_range", gamma=0.98),
    ),
    "CyclicLR-scale_fn": (
        "sgd",
        lambda s, o: s.CyclicLR(
            o, 0.01, 0.1, step_size_up=5, scale_fn=lambda x: 0.9**x, scale_mode="iterations"
        ),
    ),
    "PolynomialLR": ("sgd", lambda s, o: s.PolynomialLR(o, total_iters=50, power=2.0)),
    "SequentialLR": ("sgd", "sequential"),
    "ChainedScheduler": ("sgd", "chained"),
    "ReduceLROnPlateau": (
        "sgd",
        lambda s, o: s.ReduceLROnPlateau(o, patience=3, cooldown=2, factor=0.5, min_lr=[1e-3, 0]),
    ),
    "ReduceLROnPlateau-max-abs": (
        "sgd",
        lambda s, o: s.ReduceLROnPlateau(o, mode="max", threshold_mode="abs", patience=2),
    ),
}


def _build(lib, name):
    kind, make = SCHEDULERS[name]
    opt = _optimizer(lib, kind)
    if make == "sequential":
        return opt, _sequential(lib, opt)
    if make == "chained":
        return opt, _chained(lib, opt)
    return opt, make(lib.optim.lr_scheduler, opt)


def _momentum(group):
    return group["betas"][0] if "betas" in group else group["momentum"]


def _advance(opt, scheduler, ks):
    """Step the optimizer then the scheduler at each k; return what the groups held."""
    seen = []
    for k in ks:
        opt.step()
        if type(scheduler).__name__ == "ReduceLROnPlateau":
            scheduler.step(METRICS[k])
        else:
            scheduler.step()
        seen.append(
            (
                scheduler.get_last_lr(),
                [g["lr"] for g in opt.param_groups],
                [_momentum(g) for g in opt.param_groups],
            )
        )
    return seen


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_schedule_matches_torch(torch, name):
    torch_opt, torch_scheduler = _build(torch, name)
    opt, scheduler = _build(ember, name)
    assert scheduler.get_last_lr() == torch_scheduler.get_last_lr()
    assert repr(opt) == repr(torch_opt)  # initial_lr, max_lr, momenta... added to the groups
    assert _advance(opt, scheduler, range(STEPS)) == _advance(
        torch_opt, torch_scheduler, range(STEPS)
    )
    assert repr(opt) == repr(torch_opt)


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_schedule_after_load_state_dict(torch, name):
    ref = _advance(*_build(torch, name), range(STEPS))
    opt, scheduler = _build(ember, name)
    head = _advance(opt, scheduler, range(40))
    saved_opt, saved = opt.state_dict(), scheduler.state_dict()
    torch_opt, torch_scheduler = _build(torch, name)
    assert set(saved) == set(torch_scheduler.state_dict())

    opt, scheduler = _build(ember, name)  # ember -> ember
    opt.load_state_dict(saved_opt)
    scheduler.load_state_dict(saved)
    middle = _advance(opt, scheduler, range(40, 70))
    assert head + middle == ref[:70]

    torch_opt.load_state_dict(opt.state_dict())  # ember -> torch (no tensors in either)
    torch_scheduler.load_state_dict(scheduler.state_dict())
    assert _advance(torch_opt, torch_scheduler, range(70, STEPS)) == ref[70:]


def test_initial_lr_and_state_dict_keys_match_torch(torch):
    for lib in (ember, torch):
        opt = _optimizer(lib, "sgd")
        scheduler = lib.optim.lr_scheduler.StepLR(opt, 3)
        assert opt.param_groups[1]["initial_lr"] == 0.05
        assert list(scheduler.state_dict()) == [
            "step_size",
            "gamma",
            "base_lrs",
            "last_epoch",
            "_step_count",
            "_is_initial",
            "_get_lr_called_within_step",
            "_last_lr",
        ]


def test_step_with_epoch_uses_the_closed_form(torch):
    def run(lib):
        opt = _optimizer(lib, "sgd")
        scheduler = lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        out = []
        for epoch in [1, 2, 7, 4, 12]:
            opt.step()
            scheduler.step(epoch)
            out.append(scheduler.get_last_lr())
        return out

    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)`"):
        ours = run(ember)
    with pytest.warns(UserWarning, match="The epoch parameter"):
        assert ours == run(torch)
    assert ours[-1] == [0.1 * 0.5**4, 0.05 * 0.5**4]


def test_warm_restarts_with_fractional_epochs(torch):
    def run(lib):
        opt = _optimizer(lib, "sgd")
        scheduler = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2)
        out = []
        for epoch in [0.5, 1.25, 3.9, 4.0, 9.5, 13.0, 27.5]:
            opt.step()
            scheduler.step(epoch)
            out.append(scheduler.get_last_lr())
        return out

    assert run(ember) == run(torch)


def test_scheduler_step_before_optimizer_step_warns():
    opt = _optimizer(ember, "sgd")
    scheduler = ember.optim.lr_scheduler.StepLR(opt, 2)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before"):
        scheduler.step()


def test_get_lr_outside_step_warns():
    opt = _optimizer(ember, "sgd")
    scheduler = ember.optim.lr_scheduler.ExponentialLR(opt, 0.5)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        scheduler.get_lr()


def test_verbose_is_accepted_with_a_deprecation_warning():
    opt = _optimizer(ember, "sgd")
    with pytest.warns(UserWarning, match="The verbose parameter is deprecated"):
        scheduler = ember.optim.lr_scheduler.StepLR(opt, 2, verbose=True)
    assert scheduler.get_last_lr() == [0.1, 0.05]


def test_resuming_needs_initial_lr():
    opt = _optimizer(ember, "sgd")
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups"):
        ember.optim.lr_scheduler.StepLR(opt, 2, last_epoch=5)


@pytest.mark.parametrize(
    "make, exc, message",
    [
        (lambda s, o: s.StepLR(object(), 2), TypeError, "object is not an Optimizer"),
        (
            lambda s, o: s.ConstantLR(o, factor=2.0),
            ValueError,
            "Constant multiplicative factor expected to be between 0 and 1.",
        ),
        (
            lambda s, o: s.LinearLR(o, start_factor=0),
            ValueError,
            "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.",
        ),
        (
            lambda s, o: s.LambdaLR(o, [_warmup]),
            ValueError,
            "Expected 2 lr_lambdas, but got 1",
        ),
        (
            lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=0),
            ValueError,
            "Expected positive integer T_0, but got 0",
        ),
        (lambda s, o: s.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0."),
        (lambda s, o: s.ReduceLROnPlateau(o, mode="mid"), ValueError, "mode mid is unknown!"),
        (
            lambda s, o: s.OneCycleLR(o, 0.1),
            ValueError,
            "You must define either total_steps OR (epochs AND steps_per_epoch)",
        ),
        (
            lambda s, o: s.CyclicLR(o, 0.1, [0.2]),
            ValueError,
            "max_lr must have the same length as optimizer.param_groups. max_lr has 1 values, "
            "param_groups has 2.",
        ),
        (
            lambda s, o: s.SequentialLR(o, [s.StepLR(o, 2)], milestones=[3]),
            ValueError,
            "Sequential Schedulers expects number of schedulers provided to be one more than "
            "the number of milestone points, but got number of schedulers 1 and the number of "
            "milestones to be equal to 1",
        ),
    ],
)
def test_scheduler_errors_match_torch(torch, make, exc, message):
    for lib in (ember, torch):
        with pytest.raises(exc) as info:
            make(lib.optim.lr_scheduler, _optimizer(lib, "sgd"))
        assert str(info.value) == message


def test_cosine_annealing_formula():
    """Without torch: the closed form holds along the recursive schedule."""
    opt = _optimizer(ember, "sgd")
    scheduler = ember.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0.01)
    for epoch in range(1, 25):
        opt.step()
        scheduler.step()
        expected = 0.01 + (0.1 - 0.01) * (1 + math.cos(math.pi * epoch / 10)) / 2
        assert scheduler.get_last_lr()[0] == pytest.approx(expected, rel=1e-12)
