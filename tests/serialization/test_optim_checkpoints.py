"""Training checkpoints (model, optimizer, scheduler) both ways with torch: saved after some
steps on one side, resumed on the other, the next steps give the same parameters."""

from __future__ import annotations

import numpy as np
import pytest

import ember

OPTIMIZERS = {
    "SGD": {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
    "Adam": {"lr": 0.01, "amsgrad": True},
    "AdamW": {"lr": 0.01, "weight_decay": 0.1},
    "RMSprop": {"lr": 0.01, "momentum": 0.5, "centered": True},
    "Adagrad": {"lr": 0.1},
    "Adadelta": {"lr": 1.0},
    "Adamax": {"lr": 0.01},
    "NAdam": {"lr": 0.01},
    "RAdam": {"lr": 0.01},
    "Rprop": {"lr": 0.01},
}

_RNG = np.random.default_rng(0)
_X = _RNG.standard_normal((8, 4)).astype(np.float32)
_Y = _RNG.standard_normal((8, 2)).astype(np.float32)
_W = _RNG.standard_normal((2, 4)).astype(np.float32)
_B = _RNG.standard_normal(2).astype(np.float32)


def _setup(lib, name):
    model = lib.nn.Linear(4, 2)
    with lib.no_grad():
        model.weight.copy_(lib.tensor(_W))
        model.bias.copy_(lib.tensor(_B))
    opt = getattr(lib.optim, name)(model.parameters(), **OPTIMIZERS[name])
    sched = lib.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    return model, opt, sched


def _steps(lib, model, opt, sched, n):
    for _ in range(n):
        opt.zero_grad()
        loss = ((model(lib.tensor(_X)) - lib.tensor(_Y)) ** 2).mean()
        loss.backward()
        opt.step()
        sched.step()


def _params(model):
    return [p.detach().numpy().copy() for p in model.parameters()]


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_ember_checkpoint_resumes_in_torch(tmp_path, torch, name):
    model, opt, sched = _setup(ember, name)
    _steps(ember, model, opt, sched, 3)
    ember.save(
        {
            "model": model.state_dict(),
            "optimizer": opt.state_dict(),
            "scheduler": sched.state_dict(),
            "epoch": 3,
        },
        tmp_path / "ckpt.pt",
    )
    ckpt = torch.load(tmp_path / "ckpt.pt", weights_only=True)
    t_model, t_opt, t_sched = _setup(torch, name)
    t_model.load_state_dict(ckpt["model"])
    t_opt.load_state_dict(ckpt["optimizer"])
    t_sched.load_state_dict(ckpt["scheduler"])
    assert ckpt["epoch"] == 3
    _steps(ember, model, opt, sched, 2)
    _steps(torch, t_model, t_opt, t_sched, 2)
    for a, b in zip(_params(model), _params(t_model)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_torch_checkpoint_resumes_in_ember(tmp_path, torch, name):
    t_model, t_opt, t_sched = _setup(torch, name)
    _steps(torch, t_model, t_opt, t_sched, 3)
    torch.save(
        {
            "model": t_model.state_dict(),
            "optimizer": t_opt.state_dict(),
            "scheduler": t_sched.state_dict(),
        },
        tmp_path / "ckpt.pt",
    )
    ckpt = ember.load(tmp_path / "ckpt.pt")
    model, opt, sched = _setup(ember, name)
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["optimizer"])
    sched.load_state_dict(ckpt["scheduler"])
    _steps(torch, t_model, t_opt, t_sched, 2)
    _steps(ember, model, opt, sched, 2)
    for a, b in zip(_params(model), _params(t_model)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert opt.param_groups[0]["lr"] == pytest.approx(t_opt.param_groups[0]["lr"])
