"""nn.Module's contract: registration, traversal, state dicts, modes, conversion, repr."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import ember
import ember.nn as nn


def _build(lib):
    """The same small model in torch or ember: own params, buffers, nested children."""
    tnn = lib.nn

    class Block(tnn.Module):
        def __init__(self):
            super().__init__()
            self.fc = tnn.Linear(3, 4)
            self.register_buffer("stat", lib.zeros(4))
            self.register_buffer("scratch", lib.ones(2), persistent=False)

        def forward(self, x):
            return self.fc(x) + self.stat

    class Net(tnn.Module):
        def __init__(self):
            super().__init__()
            self.scale = tnn.Parameter(lib.ones(1))
            self.block = Block()
            self.head = tnn.Sequential(tnn.Linear(4, 2), tnn.Linear(2, 2, bias=False))
            self.register_buffer("count", lib.zeros((), dtype=lib.int64))
            self.empty = tnn.ModuleList()  # empty containers still have metadata entries

        def forward(self, x):
            return self.head(self.block(x)) * self.scale

    return Net()


def _text(s: str) -> str:
    return s.replace("ember.", "torch.")


# -- registration ---------------------------------------------------------------------------------
def test_setattr_registers_in_assignment_order():
    m = _build(ember)
    assert list(m._parameters) == ["scale"]
    assert list(m._modules) == ["block", "head", "empty"]
    assert list(m._buffers) == ["count"]
    names = [n for n, _ in m.named_parameters()]
    assert names == [
        "scale",
        "block.fc.weight",
        "block.fc.bias",
        "head.0.weight",
        "head.0.bias",
        "head.1.weight",
    ]
    assert [n for n, _ in m.named_buffers()] == ["count", "block.stat", "block.scratch"]


def test_names_match_torch(torch):
    e, t = _build(ember), _build(torch)
    for fn in ("named_parameters", "named_buffers", "named_modules", "named_children"):
        assert [n for n, _ in getattr(e, fn)()] == [n for n, _ in getattr(t, fn)()], fn
    assert [n for n, _ in e.named_parameters(prefix="p", recurse=False)] == [
        n for n, _ in t.named_parameters(prefix="p", recurse=False)
    ]
    assert [n for n, _ in e.named_modules(prefix="root")] == [
        n for n, _ in t.named_modules(prefix="root")
    ]
    assert len(list(e.parameters())) == len(list(t.parameters()))
    assert len(list(e.modules())) == len(list(t.modules()))


def test_reassigning_moves_between_registries():
    m = nn.Module()
    m.x = nn.Parameter(ember.zeros(2))
    assert "x" in m._parameters
    m.x = None
    assert m._parameters == {"x": None}
    assert m.x is None
    assert list(m.parameters()) == []
    del m.x
    m.x = nn.Linear(1, 1)
    assert "x" in m._modules and "x" not in m._parameters
    m.register_buffer("b", ember.zeros(1))
    m.b = ember.ones(3)  # a plain tensor assigned to a buffer name stays a buffer
    assert m._buffers["b"].shape == (3,)
    m.b = nn.Parameter(ember.zeros(1))
    assert "b" in m._parameters and "b" not in m._buffers
    m.plain = 3
    assert m.plain == 3 and "plain" in m.__dict__


def test_nn_buffer_assignment():
    m = nn.Module()
    m.running = nn.Buffer(ember.zeros(3))
    m.temp = nn.Buffer(ember.zeros(2), persistent=False)
    assert [n for n, _ in m.named_buffers()] == ["running", "temp"]
    assert list(m.state_dict()) == ["running"]
    assert type(m.running) is ember.Tensor


def test_delattr_and_dir():
    m = _build(ember)
    d = dir(m)
    for name in ("scale", "block", "head", "count", "forward", "training"):
        assert name in d
    del m.scale
    del m.count
    del m.block
    assert [n for n, _ in m.named_parameters()][0] == "head.0.weight"
    assert "count" not in dict(m.named_buffers())
    assert "0" not in dir(m.head)
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'scale'"):
        _ = m.scale


def _error(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001
        return type(exc), _text(str(exc))
    return None


@pytest.mark.parametrize(
    "case",
    [
        "getattr",
        "buffer_int",
        "param_tensor",
        "assign_tensor_to_param",
        "module_dot",
        "module_empty",
        "module_exists",
        "module_int",
        "submodule_missing",
        "submodule_not_module",
        "parameter_missing",
        "parameter_not_param",
        "buffer_not_buffer",
        "assign_int_to_module",
        "train_int",
        "to_int",
        "buffer_before_init",
    ],
)
def test_error_messages_match_torch(torch, case):
    def run(lib):
        m = lib.nn.Module()
        m.w = lib.nn.Parameter(lib.zeros(1))
        m.s = lib.nn.Sequential(lib.nn.Linear(1, 1))
        actions = {
            "getattr": lambda: m.foo,
            "buffer_int": lambda: m.register_buffer("x", 3),
            "param_tensor": lambda: m.register_parameter("x", lib.zeros(1)),
            "assign_tensor_to_param": lambda: setattr(m, "w", lib.zeros(1)),
            "module_dot": lambda: m.add_module("a.b", lib.nn.Linear(1, 1)),
            "module_empty": lambda: m.add_module("", lib.nn.Linear(1, 1)),
            "module_exists": lambda: m.add_module("w", lib.nn.Linear(1, 1)),
            "module_int": lambda: m.add_module("x", 3),
            "submodule_missing": lambda: m.get_submodule("a.b"),
            "submodule_not_module": lambda: m.get_submodule("s.0.weight"),
            "parameter_missing": lambda: m.get_parameter("s.0.foo"),
            "parameter_not_param": lambda: m.get_parameter("s.0"),
            "buffer_not_buffer": lambda: m.get_buffer("s.0.weight"),
            "assign_int_to_module": lambda: setattr(m, "s", 3),
            "train_int": lambda: m.train(1),
            "to_int": lambda: m.to(lib.int64),
            "buffer_before_init": lambda: _uninit(lib).register_buffer("a", lib.zeros(1)),
        }
        return _error(actions[case])

    assert run(ember) == run(torch)


def _uninit(lib):
    class Early(lib.nn.Module):
        def __init__(self):
            pass

    return Early()


def test_get_submodule_parameter_buffer():
    m = _build(ember)
    assert m.get_submodule("") is m
    assert m.get_submodule("head.1") is m.head[1]
    assert m.get_parameter("block.fc.weight") is m.block.fc.weight
    assert m.get_buffer("block.stat") is m.block.stat
    m.set_submodule("head.1", nn.Identity())
    assert isinstance(m.head[1], nn.Identity)


# -- traversal with sharing -----------------------------------------------------------------------
def test_shared_parameters_and_modules(torch):
    def run(lib):
        lin = lib.nn.Linear(2, 2)
        seq = lib.nn.Sequential(lin, lib.nn.Linear(2, 2), lin)
        seq[1].weight = lin.weight
        return (
            [n for n, _ in seq.named_parameters()],
            [n for n, _ in seq.named_parameters(remove_duplicate=False)],
            [n for n, _ in seq.named_modules()],
            [n for n, _ in seq.named_modules(remove_duplicate=False)],
            [n for n, _ in seq.named_children()],
            list(seq.state_dict()),
        )

    assert run(ember) == run(torch)


# -- state dict -----------------------------------------------------------------------------------
def test_state_dict_keys_metadata_and_values_match_torch(torch):
    e, t = _build(ember), _build(torch)
    se, st = e.state_dict(), t.state_dict()
    assert list(se) == list(st)
    assert dict(se._metadata) == dict(st._metadata)
    assert list(se._metadata) == list(st._metadata)
    # values are detached views sharing storage
    w = se["block.fc.weight"]
    assert not w.requires_grad and w.grad_fn is None
    w[0, 0] = 7.0
    assert e.block.fc.weight[0, 0].item() == 7.0
    kv = e.state_dict(keep_vars=True)
    assert kv["scale"] is e.scale


def test_load_state_dict_copies_from_torch(torch):
    e, t = _build(ember), _build(torch)
    result = e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    assert repr(result) == "<All keys matched successfully>"
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (name, pe), (_, pt) in zip(e.named_parameters(), t.named_parameters()):
        np.testing.assert_array_equal(pe.detach().numpy(), pt.detach().numpy(), err_msg=name)
    assert isinstance(e.block.fc.weight, nn.Parameter)


def _bad_state_dicts(lib, model):
    sd = dict(model.state_dict())
    missing = dict(sd)
    del missing["block.fc.weight"]
    missing["zz"] = lib.zeros(1)
    missing["block.extra"] = lib.zeros(1)
    missing["block.scratch"] = lib.zeros(2)  # non-persistent: unexpected
    shapes = dict(sd)
    shapes["block.fc.weight"] = lib.zeros(5, 5)
    shapes["count"] = lib.zeros(2)
    both = dict(shapes)
    del both["scale"]
    both["head.9.weight"] = lib.zeros(1)
    return {"missing": missing, "shapes": shapes, "both": both}


@pytest.mark.parametrize("kind", ["missing", "shapes", "both"])
@pytest.mark.parametrize("strict", [True, False])
def test_load_state_dict_errors_match_torch(torch, kind, strict):
    def run(lib):
        model = _build(lib)
        bad = _bad_state_dicts(lib, model)[kind]
        try:
            result = model.load_state_dict(bad, strict=strict)
        except RuntimeError as exc:
            return "raised", _text(str(exc))
        return "returned", repr(result), result.missing_keys, result.unexpected_keys

    assert run(ember) == run(torch)


def test_load_state_dict_type_error():
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        nn.Linear(1, 1).load_state_dict([1, 2])


def test_load_state_dict_assign():
    m = nn.Linear(2, 2)
    w = ember.ones(2, 2)
    m.load_state_dict({"weight": w, "bias": ember.zeros(2)}, assign=True)
    assert isinstance(m.weight, nn.Parameter) and m.weight.requires_grad
    assert m.weight.sum().item() == 4.0


def test_state_dict_round_trip_and_casting():
    a, b = _build(ember), _build(ember)
    b.load_state_dict(a.state_dict())
    x = ember.randn(5, 3)
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())
    c = _build(ember).double()
    c.load_state_dict(a.state_dict())  # float32 values copied into float64 parameters
    assert c.block.fc.weight.dtype == ember.float64


def test_extra_state_and_state_dict_hooks():
    class WithExtra(nn.Module):
        def __init__(self):
            super().__init__()
            self.value = 3

        def get_extra_state(self):
            return {"value": self.value}

        def set_extra_state(self, state):
            self.value = state["value"]

    m = nn.Sequential(WithExtra())
    sd = m.state_dict()
    assert list(sd) == ["0._extra_state"]
    sd["0._extra_state"] = {"value": 9}
    m.load_state_dict(sd)
    assert m[0].value == 9
    seen = []
    m.register_load_state_dict_post_hook(lambda mod, keys: seen.append(keys))
    m.load_state_dict(sd)
    assert seen and seen[0].missing_keys == []


# -- modes, gradients, conversion -----------------------------------------------------------------
def test_train_eval_recursive():
    m = _build(ember)
    assert m.training and m.head[0].training
    assert m.eval() is m
    assert not any(mod.training for mod in m.modules())
    m.train()
    assert all(mod.training for mod in m.modules())
    m.block.train(False)
    assert not m.block.fc.training and m.head.training


def test_zero_grad_and_requires_grad():
    m = _build(ember)
    m(ember.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    assert m.requires_grad_(False) is m
    assert not any(p.requires_grad for p in m.parameters())


def test_apply_order_children_first():
    m = _build(ember)
    order = []
    assert m.apply(lambda mod: order.append(type(mod).__name__)) is m
    assert order == ["Linear", "Block", "Linear", "Linear", "Sequential", "ModuleList", "Net"]


def test_to_keeps_parameter_objects():
    m = _build(ember)
    w = m.block.fc.weight
    m(ember.randn(2, 3)).sum().backward()
    assert m.to(ember.float64) is m
    assert m.block.fc.weight is w and isinstance(w, nn.Parameter)
    assert w.dtype == ember.float64 and w.grad.dtype == ember.float64
    assert m.count.dtype == ember.int64  # integer buffers keep their dtype
    assert m.float().block.stat.dtype == ember.float32
    assert m.half().scale.dtype == ember.float16
    m.double()
    assert m.scale.dtype == ember.float64
    m.to("cpu")
    m.to("cpu", ember.float32)
    assert m.scale.dtype == ember.float32
    m.to(ember.zeros(1, dtype=ember.float64))
    assert m.scale.dtype == ember.float64
    assert m.cpu() is m
    y = m(ember.randn(2, 3, dtype=ember.float64))
    assert y.dtype == ember.float64


def test_deepcopy_and_pickle():
    m = _build(ember)
    c = copy.deepcopy(m)
    assert c.block.fc.weight is not m.block.fc.weight
    assert isinstance(c.block.fc.weight, nn.Parameter)
    np.testing.assert_array_equal(
        c.block.fc.weight.numpy(force=True), m.block.fc.weight.numpy(force=True)
    )
    p = pickle.loads(pickle.dumps(nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.1))))
    assert repr(p) == repr(nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.1)))
    assert p[0].weight.requires_grad


# -- repr -----------------------------------------------------------------------------------------
def test_repr_matches_torch(torch):
    def run(lib):
        tnn = lib.nn

        class SimpleNeuralNetwork(tnn.Module):
            def __init__(self):
                super().__init__()
                self.weight1 = tnn.Parameter(lib.randn(5, 10))

        class Multi(tnn.Module):
            def extra_repr(self):
                return "a=1\nb=2"

        class Wrapper(tnn.Module):
            def __init__(self):
                super().__init__()
                self.inner = SimpleNeuralNetwork()
                self.multi = Multi()
                self.none = None
                self.add_module("gone", None)
                self.seq = tnn.Sequential(tnn.Linear(1, 5), tnn.Sequential(tnn.Identity()))

        return [
            repr(SimpleNeuralNetwork()),
            repr(Multi()),
            repr(Wrapper()),
            repr(tnn.Linear(1, 5)),
            repr(tnn.Module()),
        ]

    assert [_text(r) for r in run(ember)] == run(torch)


def test_forward_missing():
    with pytest.raises(NotImplementedError, match=r"Module \[Module\] is missing the required"):
        nn.Module()(1)


# -- registries mirrored as attributes (nn/modules/_table.py) -----------------------------------
def _mirror_consistent(m) -> None:
    """Every registry entry is the attribute of that name, and no removed entry lingers."""
    for table in (m._parameters, m._buffers, m._modules):
        for name, value in table.items():
            assert getattr(m, name) is value
            assert m.__dict__[name] is value  # found without Module.__getattr__
    for name in ("weight", "bias", "stat", "child", "extra"):
        registered = any(name in t for t in (m._parameters, m._buffers, m._modules))
        assert hasattr(m, name) == registered, name


def _small():
    m = nn.Module()
    m.weight = nn.Parameter(ember.ones(2))
    m.bias = nn.Parameter(ember.zeros(2))
    m.register_buffer("stat", ember.zeros(3))
    m.child = nn.Linear(2, 2)
    return m


@pytest.mark.parametrize(
    "change",
    [
        "setitem",
        "delitem",
        "pop",
        "pop-default",
        "popitem",
        "setdefault",
        "update",
        "ior",
        "clear",
        "setattr-none",
        "delattr",
        "param-over-buffer",
        "module-over-param",
    ],
)
def test_registry_changes_are_seen_as_attributes(change):
    m = _small()
    p = nn.Parameter(ember.full((2,), 5.0))
    if change == "setitem":
        m._parameters["weight"] = p
        assert m.weight is p
    elif change == "delitem":
        del m._parameters["weight"]
    elif change == "pop":
        assert m._parameters.pop("bias") is not None
    elif change == "pop-default":
        assert m._parameters.pop("extra", None) is None
        with pytest.raises(KeyError):
            m._parameters.pop("extra")
    elif change == "popitem":
        name, _ = m._buffers.popitem()
        assert name == "stat"
    elif change == "setdefault":
        assert m._parameters.setdefault("extra", p) is p
        assert m._parameters.setdefault("extra", None) is p
        assert m.extra is p
    elif change == "update":
        m._parameters.update({"extra": p}, weight=None)
        assert m.extra is p and m.weight is None
    elif change == "ior":
        m._parameters |= {"extra": p}
        assert m.extra is p
    elif change == "clear":
        m._parameters.clear()
        assert list(m.parameters()) == list(m.child.parameters())
    elif change == "setattr-none":
        m.weight = None
        m.child = None
        assert m.weight is None and m.child is None
    elif change == "delattr":
        del m.weight, m.stat, m.child
        with pytest.raises(AttributeError):
            _ = m.weight
    elif change == "param-over-buffer":
        m.stat = p
        assert "stat" not in m._buffers and m._parameters["stat"] is p
    elif change == "module-over-param":
        with pytest.raises(TypeError, match="as parameter 'weight'"):
            m.weight = nn.Linear(1, 1)  # torch refuses this too
        m.weight = None
        m.weight = nn.Parameter(ember.ones(1))
    _mirror_consistent(m)


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_copies_read_their_own_registries(how):
    m = _small()
    c = copy.deepcopy(m) if how == "deepcopy" else pickle.loads(pickle.dumps(m))
    _mirror_consistent(c)
    assert c.weight is not m.weight and c.child is not m.child
    c.weight = nn.Parameter(ember.full((2,), 7.0))  # a change to the copy stays in the copy
    assert c.weight is c._parameters["weight"]
    assert m.weight is m._parameters["weight"] and m.weight.tolist() == [1.0, 1.0]
    _mirror_consistent(m)


def test_sequential_renumbering_keeps_attributes_in_step():
    seq = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3))
    last = seq[2]
    del seq[0]
    assert getattr(seq, "1") is last and seq[1] is last
    assert not hasattr(seq, "2")
    _mirror_consistent(seq)


def test_a_registry_replaced_by_a_plain_dict_still_answers():
    m = _small()
    p = nn.Parameter(ember.ones(1))
    m.__dict__["_parameters"] = {"extra": p}  # through Module.__getattr__ now
    assert m.extra is p
