"""One test per refused argument: ember raises torch's exception type with torch's message
(the table's messages are checked against torch itself where it is installed)."""

from __future__ import annotations

import warnings

import pytest

import ember


def _p(lib):
    return lib.nn.Parameter(lib.zeros(3))


def _opt(name, **kwargs):
    return lambda lib: getattr(lib.optim, name)([_p(lib)], **kwargs)


def _groups(name, *groups, **kwargs):
    return lambda lib: getattr(lib.optim, name)(
        [{"params": [_p(lib)], **g} for g in groups], **kwargs
    )


def _duplicate_across_groups(lib):
    p = _p(lib)
    return lib.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)


def _add_list_group(lib):
    lib.optim.SGD([_p(lib)], lr=0.1).add_param_group([_p(lib)])


def _add_set_group(lib):
    lib.optim.SGD([_p(lib)], lr=0.1).add_param_group({"params": {_p(lib)}})


def _add_unnamed_group(lib):
    lib.optim.SGD([("a", _p(lib))], lr=0.1).add_param_group({"params": [_p(lib)]})


def _required_missing(lib):
    from importlib import import_module

    required = import_module(lib.__name__ + ".optim.optimizer").required

    class Custom(lib.optim.Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, {"lr": lr})

    Custom([_p(lib)])


def _load(state_dict):
    def load(lib):
        lib.optim.SGD([_p(lib)], lr=0.1).load_state_dict(state_dict)

    return load


def _tensor_lr(name):
    return lambda lib: getattr(lib.optim, name)([_p(lib)], lr=lib.tensor([0.1, 0.2]))


def _lbfgs_groups(lib):
    lib.optim.LBFGS([{"params": [_p(lib)]}, {"params": [_p(lib)], "lr": 0.5}])


BETAS = [
    (f"{name}: beta{i}", _opt(name, betas=betas), f"Invalid beta parameter at index {i}: {v}")
    for name in ["Adam", "AdamW", "Adamax", "NAdam", "RAdam"]
    for i, betas, v in [(0, (1.5, 0.999), 1.5), (1, (0.9, 1.0), 1.0)]
]
LEARNING_RATE = [
    (f"{name}: lr", _opt(name, lr=-0.1), "Invalid learning rate: -0.1")
    for name in [
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
]
EPS = [
    (f"{name}: eps", _opt(name, eps=-1e-8), "Invalid epsilon value: -1e-08")
    for name in ["Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"]
]
WEIGHT_DECAY = [
    (
        f"{name}: weight_decay",
        _opt(name, weight_decay=-0.5),
        "Invalid weight_decay value: -0.5",
    )
    for name in [
        "SGD",
        "Adam",
        "AdamW",
        "RMSprop",
        "Adagrad",
        "Adadelta",
        "Adamax",
        "NAdam",
        "RAdam",
    ]
]

# (exception type, id, how to provoke it, torch's message)
ROWS = [(ValueError, *row) for row in LEARNING_RATE + EPS + WEIGHT_DECAY + BETAS] + [
    (ValueError, "SGD: momentum", _opt("SGD", momentum=-0.9), "Invalid momentum value: -0.9"),
    (
        ValueError,
        "SGD: nesterov without momentum",
        _opt("SGD", lr=0.1, nesterov=True),
        "Nesterov momentum requires a momentum and zero dampening",
    ),
    (
        ValueError,
        "SGD: nesterov with dampening",
        _opt("SGD", lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
        "Nesterov momentum requires a momentum and zero dampening",
    ),
    (
        ValueError,
        "Adam: betas of mixed types",
        _opt("Adam", betas=(0, 0.999)),
        "betas must be either both floats or both Tensors",
    ),
    (ValueError, "RMSprop: momentum", _opt("RMSprop", momentum=-1), "Invalid momentum value: -1"),
    (ValueError, "RMSprop: alpha", _opt("RMSprop", alpha=-0.5), "Invalid alpha value: -0.5"),
    (ValueError, "Adagrad: lr_decay", _opt("Adagrad", lr_decay=-1), "Invalid lr_decay value: -1"),
    (
        ValueError,
        "Adagrad: initial_accumulator_value",
        _opt("Adagrad", initial_accumulator_value=-1),
        "Invalid initial_accumulator_value value: -1",
    ),
    (ValueError, "Adadelta: rho", _opt("Adadelta", rho=1.5), "Invalid rho value: 1.5"),
    (
        ValueError,
        "NAdam: momentum_decay",
        _opt("NAdam", momentum_decay=-1),
        "Invalid momentum_decay value: -1",
    ),
    (ValueError, "Rprop: etas", _opt("Rprop", etas=(1.5, 1.2)), "Invalid eta values: 1.5, 1.2"),
    (
        ValueError,
        "LBFGS: groups",
        _lbfgs_groups,
        "LBFGS doesn't support per-parameter options (parameter groups)",
    ),
    (ValueError, "SGD: tensor lr", _tensor_lr("SGD"), "Tensor lr must be 1-element"),
    (ValueError, "Adam: tensor lr", _tensor_lr("Adam"), "Tensor lr must be 1-element"),
    (
        RuntimeError,
        "Adam: fused and foreach",
        _opt("Adam", fused=True, foreach=True),
        "`fused` and `foreach` cannot be `True` together.",
    ),
    (
        RuntimeError,
        "SGD: fused and foreach",
        _opt("SGD", fused=True, foreach=True),
        "`fused` and `foreach` cannot be `True` together.",
    ),
    # the parameters
    (
        TypeError,
        "params: a tensor",
        lambda lib: lib.optim.SGD(lib.zeros(3, dtype=lib.float64), lr=0.1),
        "params argument given to the optimizer should be an iterable of Tensors or dicts, but "
        "got torch.DoubleTensor",
    ),
    (
        ValueError,
        "params: empty",
        lambda lib: lib.optim.Adam([]),
        "optimizer got an empty parameter list",
    ),
    (
        TypeError,
        "params: not iterable",
        lambda lib: lib.optim.SGD(5),
        "'int' object is not iterable",
    ),
    (
        TypeError,
        "params: not a tensor",
        lambda lib: lib.optim.SGD([_p(lib), "w"]),
        "optimizer can only optimize Tensors, but one of the params is str",
    ),
    (
        ValueError,
        "params: not a leaf",
        lambda lib: lib.optim.SGD([_p(lib) * 2]),
        "can't optimize a non-leaf Tensor",
    ),
    (
        ValueError,
        "params: in two groups",
        _duplicate_across_groups,
        "some parameters appear in more than one parameter group",
    ),
    (
        TypeError,
        "add_param_group: a list",
        _add_list_group,
        "param_group must be a dict, but got <class 'list'>",
    ),
    (
        TypeError,
        "add_param_group: a set",
        _add_set_group,
        "optimizer parameters need to be organized in ordered collections, but the ordering of "
        "tensors in sets will change between runs. Please use a list instead.",
    ),
    (
        ValueError,
        "add_param_group: names in one group only",
        _add_unnamed_group,
        "all optimizer param groups should be with/without names. cannot add param group without "
        "names to the optimizer",
    ),
    (
        ValueError,
        "params: some named",
        lambda lib: lib.optim.SGD([("a", _p(lib)), _p(lib)]),
        "all optimizer params should be with/without names. Some param names are missing",
    ),
    (
        ValueError,
        "custom optimizer: required hyperparameter",
        _required_missing,
        "parameter group didn't specify a value of required optimization parameter lr",
    ),
    (
        ValueError,
        "load_state_dict: group count",
        _load({"state": {}, "param_groups": []}),
        "loaded state dict has a different number of parameter groups",
    ),
    (
        ValueError,
        "load_state_dict: group size",
        _load({"state": {}, "param_groups": [{"params": [0, 1], "lr": 0.1}]}),
        "loaded state dict contains a parameter group that doesn't match the size of optimizer's "
        "group",
    ),
]

PARAMS = [pytest.param(exc, make, message, id=name) for exc, name, make, message in ROWS]


@pytest.mark.parametrize("exc, make, message", PARAMS)
def test_ember_refuses(exc, make, message):
    with pytest.raises(exc) as info:
        make(ember)
    assert str(info.value) == message


@pytest.mark.parametrize("exc, make, message", PARAMS)
def test_torch_refuses_the_same_way(torch, exc, make, message):
    with pytest.raises(exc) as info:
        make(torch)
    assert str(info.value) == message


def test_duplicate_parameter_in_a_group_warns(torch):
    message = (
        "optimizer contains a parameter group with duplicate parameters; in future, this will "
        "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information"
    )
    for lib in (ember, torch):
        p = _p(lib)
        with pytest.warns(UserWarning) as record:
            lib.optim.SGD([p, p], lr=0.1)
        assert str(record[0].message) == message


def test_differentiable_is_refused():
    """ember updates arrays outside autograd, so it says so instead of ignoring the flag."""
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        ember.optim.Adam([_p(ember)], differentiable=True)


def test_implementation_switches_are_accepted():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt = ember.optim.Adam([_p(ember)], foreach=False, fused=True, capturable=True)
    assert opt.param_groups[0]["fused"] is True
