"""The Optimizer base: groups, state, zero_grad, step and closure, hooks, checkpoints, repr."""

from __future__ import annotations

import copy
import pickle
from collections import defaultdict

import numpy as np
import pytest

import ember

from .convert import array, to_ember, to_torch

ALL = [
    "SGD",
    "Adam",
    "AdamW",
    "RMSprop",
    "Adagrad",
    "Adadelta",
    "Adamax",
    "NAdam",
    "RAdam",
    "Rprop",
    "LBFGS",
]

SEED_002_BLOCK = """SGD (
Parameter Group 0
    dampening: 0
    differentiable: False
    foreach: None
    fused: None
    lr: 0.01
    maximize: False
    momentum: 0
    nesterov: False
    weight_decay: 0
)"""


def _params(lib, n=2):
    return [lib.nn.Parameter(lib.ones(3) * (i + 1)) for i in range(n)]


def test_repr_is_seed_002s_block():
    assert repr(ember.optim.SGD(_params(ember), lr=0.01)) == SEED_002_BLOCK


@pytest.mark.parametrize("name", ALL)
def test_repr_matches_torch(torch, name):
    for make in (
        lambda lib: getattr(lib.optim, name)(_params(lib)),
        lambda lib: (
            getattr(lib.optim, name)(
                [{"params": _params(lib)[:1]}, {"params": _params(lib)[1:], "lr": 0.5}]
            )
            if name != "LBFGS"
            else getattr(lib.optim, name)([("w", _params(lib)[0])], lr=0.5)
        ),
    ):
        assert repr(make(ember)) == repr(make(torch))


@pytest.mark.parametrize("name", ALL)
def test_fresh_state_dict_matches_torch(torch, name):
    ours, theirs = (getattr(lib.optim, name)(_params(lib)).state_dict() for lib in (ember, torch))
    assert ours["param_groups"] == theirs["param_groups"]
    assert list(ours["state"]) == list(theirs["state"])  # Adagrad makes its state at once


def test_groups_are_filled_from_defaults():
    a, b = _params(ember)
    opt = ember.optim.SGD([{"params": a}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    assert opt.param_groups[0]["params"] == [a] and opt.param_groups[0]["lr"] == 0.1
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["momentum"] == 0.9
    c = ember.nn.Parameter(ember.zeros(2))
    opt.add_param_group({"params": c, "nesterov": True})
    assert opt.param_groups[2]["params"] == [c] and opt.param_groups[2]["nesterov"] is True
    assert opt.param_groups[2]["lr"] == 0.1


def test_state_is_keyed_by_the_parameter():
    a, b = _params(ember)
    opt = ember.optim.Adam([a, b])
    a.grad = ember.ones(3)
    opt.step()
    assert isinstance(opt.state, defaultdict)
    assert list(opt.state) == [a]  # b had no gradient: skipped, no state
    assert opt.state[a]["step"].item() == 1.0
    np.testing.assert_array_equal(array(b), np.full(3, 2.0, np.float32))
    assert list(opt.state_dict()["state"]) == [0]


def test_named_parameters_are_kept_as_names(torch):
    def make(lib):
        a, b = _params(lib)
        return lib.optim.Adam([("layer.weight", a), ("layer.bias", b)], lr=0.1)

    ours, theirs = make(ember), make(torch)
    assert ours.param_groups[0]["param_names"] == ["layer.weight", "layer.bias"]
    assert ours.state_dict() == theirs.state_dict()
    assert repr(ours) == repr(theirs)


def test_zero_grad():
    a, b = _params(ember)
    opt = ember.optim.SGD([a, b], lr=0.1)
    (a * b).sum().backward()
    grad = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is grad and grad.tolist() == [0.0, 0.0, 0.0]
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_step_returns_the_closure_loss_computed_with_grad():
    (a,) = _params(ember, 1)
    opt = ember.optim.SGD([a], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    with ember.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 3.0
    np.testing.assert_allclose(array(a), np.full(3, 0.8), rtol=1e-6)
    assert opt.step() is None


def test_step_bumps_the_version_so_stale_graphs_fail():
    (a,) = _params(ember, 1)
    opt = ember.optim.SGD([a], lr=0.1)
    y = (a * a).sum()
    a.grad = ember.ones(3)
    opt.step()
    assert a._version == 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_step_hooks():
    (a,) = _params(ember, 1)
    opt = ember.optim.SGD([a], lr=0.1)
    calls = []

    def pre(optimizer, args, kwargs):
        calls.append(("pre", optimizer is opt, args, kwargs))

    def post(optimizer, args, kwargs):
        calls.append(("post", args, kwargs))

    handles = [opt.register_step_pre_hook(pre), opt.register_step_post_hook(post)]
    global_handle = ember.optim.optimizer.register_optimizer_step_post_hook(
        lambda o, args, kwargs: calls.append("global")
    )
    opt.step()
    assert calls == [("pre", True, (), {}), ("post", (), {}), "global"]
    for handle in handles + [global_handle]:
        handle.remove()
    opt.step()
    assert len(calls) == 3


def test_pre_hook_may_replace_the_arguments():
    (a,) = _params(ember, 1)
    opt = ember.optim.SGD([a], lr=0.1)
    opt.register_step_pre_hook(lambda o, args, kwargs: ((), {"closure": lambda: 42}))
    assert opt.step() == 42


def test_custom_optimizer_on_tensor_ops_runs_hooks_once():
    """Users subclass Optimizer with their own ``step`` written with tensor ops."""

    class PlainSGD(ember.optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, {"lr": lr})

        @ember.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.add_(p.grad, alpha=-group["lr"])

    class Counting(PlainSGD):
        def step(self, closure=None):
            return super().step(closure)

    (a,) = _params(ember, 1)
    opt = Counting([a])
    calls = []
    opt.register_step_pre_hook(lambda *args: calls.append(1))
    a.grad = ember.ones(3)
    opt.step()
    assert calls == [1]
    np.testing.assert_allclose(array(a), np.full(3, 0.9), rtol=1e-6)
    assert repr(opt) == "Counting (\nParameter Group 0\n    lr: 0.1\n)"


def test_state_dict_hooks():
    (a,) = _params(ember, 1)
    opt = ember.optim.SGD([a], lr=0.1)
    seen = []
    opt.register_state_dict_pre_hook(lambda o: seen.append("pre"))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    opt.register_load_state_dict_pre_hook(lambda o, sd: seen.append("load pre"))
    opt.register_load_state_dict_post_hook(lambda o: seen.append("load post"), prepend=True)
    state_dict = opt.state_dict()
    assert state_dict["extra"] == 1
    opt.load_state_dict(state_dict)
    assert seen == ["pre", "load pre", "load post"]


def test_load_state_dict_casts_and_copies():
    """State takes the parameter's dtype (but ``step``) and is copied, not shared."""
    a = ember.nn.Parameter(ember.ones(3, dtype=ember.float64))
    source = ember.optim.Adam([ember.nn.Parameter(ember.ones(3))])
    source.param_groups[0]["params"][0].grad = ember.ones(3)
    source.step()
    opt = ember.optim.Adam([a])
    opt.load_state_dict(source.state_dict())
    state = opt.state[a]
    assert state["exp_avg"].dtype == ember.float64 and state["step"].dtype == ember.float32
    a.grad = ember.ones(3, dtype=ember.float64)
    opt.step()
    assert source.state_dict()["state"][0]["step"].item() == 1.0
    assert state["step"].item() == 2.0


def test_load_state_dict_fills_missing_hyperparameters():
    """Older checkpoints lack the newer keys: the defaults fill them in."""
    (a,) = _params(ember, 1)
    opt = ember.optim.Adam([a], lr=0.1)
    saved = opt.state_dict()
    del saved["param_groups"][0]["decoupled_weight_decay"]
    saved["param_groups"][0]["lr"] = 0.5
    opt.load_state_dict(saved)
    assert opt.param_groups[0]["lr"] == 0.5
    assert opt.param_groups[0]["decoupled_weight_decay"] is False
    assert opt.param_groups[0]["params"] == [a]


def test_state_dict_survives_pickle_and_deepcopy():
    (a,) = _params(ember, 1)
    opt = ember.optim.SGD([a], lr=0.1, momentum=0.9)
    a.grad = ember.ones(3)
    opt.step()
    for saved in (pickle.loads(pickle.dumps(opt.state_dict())), copy.deepcopy(opt.state_dict())):
        other = ember.optim.SGD([a], lr=0.1, momentum=0.9)
        other.load_state_dict(saved)
        assert other.state[a]["momentum_buffer"].tolist() == [1.0, 1.0, 1.0]


def test_torch_state_dict_loads_into_ember(torch):
    """A checkpoint of torch's (tensors converted) continues in ember, and back."""
    ta = torch.nn.Parameter(torch.ones(3))
    topt = torch.optim.RMSprop([ta], lr=0.1, momentum=0.5, centered=True)
    ta.grad = torch.tensor([1.0, -2.0, 3.0])
    topt.step()
    (a,) = _params(ember, 1)
    opt = ember.optim.RMSprop([a], lr=0.1, momentum=0.5, centered=True)
    opt.load_state_dict(to_ember(topt.state_dict(), torch))
    a.data = ember.from_numpy(ta.detach().numpy().copy())
    for p, lib in ((a, ember), (ta, torch)):
        p.grad = lib.tensor([0.5, 0.5, -1.0])
    opt.step()
    topt.step()
    np.testing.assert_allclose(array(a), array(ta), rtol=1e-6)
    back = torch.optim.RMSprop([torch.nn.Parameter(torch.ones(3))], lr=0.1)
    back.load_state_dict(to_torch(opt.state_dict(), torch))
    assert back.param_groups[0]["centered"] is True
