"""Errors that say where: an exception escaping a module's forward names the module's path
in the model, its class and the shapes involved, keeps its type and its original message,
and its traceback still ends at the user's line."""

from __future__ import annotations

import traceback

import pytest

import ember as torch
import ember.nn as nn
import ember.nn.functional as F


class CustomLinearLayer(nn.Module):
    def __init__(self, input_dim, output_dim):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(output_dim, input_dim))
        self.bias = nn.Parameter(torch.randn(output_dim))

    def forward(self, x):
        y = torch.matmul(x, self.weight.t()) + self.bias
        return y


class CustomMLP(nn.Module):
    def __init__(self, fc2_in=50):
        super().__init__()
        self.fc1 = CustomLinearLayer(20, 50)
        self.fc2 = CustomLinearLayer(fc2_in, 30)
        self.fc3 = CustomLinearLayer(30, 3)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


def _raise(fn):
    with pytest.raises(Exception) as info:
        fn()
    return info.value


def test_seed_model_matmul_names_path_class_and_shapes():
    model = CustomMLP()
    exc = _raise(lambda: model(torch.randn(5, 20)[:, :10]))
    assert type(exc) is RuntimeError
    assert str(exc) == (
        "CustomMLP.fc1 (CustomLinearLayer): matmul: x of shape (5, 10) cannot be multiplied "
        "with weight.t() of shape (20, 50): mat1 and mat2 shapes cannot be multiplied "
        "(5x10 and 20x50)"
    )


def test_innermost_path_for_the_second_layer():
    model = CustomMLP(fc2_in=20)
    exc = _raise(lambda: model(torch.randn(5, 20)))
    assert type(exc) is RuntimeError
    msg = str(exc)
    assert msg.startswith("CustomMLP.fc2 (CustomLinearLayer): matmul: ")
    assert "x of shape (5, 50)" in msg and "weight.t() of shape (20, 30)" in msg
    assert msg.endswith("mat1 and mat2 shapes cannot be multiplied (5x50 and 20x30)")


def test_traceback_still_ends_at_the_users_line():
    model = CustomMLP(fc2_in=20)
    exc = _raise(lambda: model(torch.randn(5, 20)))
    frames = traceback.extract_tb(exc.__traceback__)
    user = [f for f in frames if f.filename == __file__]
    assert user[-1].line == "y = torch.matmul(x, self.weight.t()) + self.bias"
    assert user[-1].name == "forward"
    assert "/ember/ops/linalg.py" in frames[-1].filename


def test_broadcast_error_in_add_names_both_operands():
    class Bad(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.randn(4, 3))
            self.b = nn.Parameter(torch.randn(5))

        def forward(self, x):
            return x @ self.w + self.b

    net = nn.Sequential(nn.Identity(), Bad())
    exc = _raise(lambda: net(torch.randn(2, 4)))
    assert type(exc) is RuntimeError
    assert str(exc) == (
        "Sequential.1 (Bad): add: x @ w of shape (2, 3) and b of shape (5,): The size of "
        "tensor a (3) must match the size of tensor b (5) at non-singleton dimension 1"
    )


def test_builtin_layer_names_its_config_and_input_shape():
    net = nn.Sequential(nn.Linear(4, 5), nn.Linear(6, 2))
    exc = _raise(lambda: net(torch.randn(3, 4)))
    assert type(exc) is RuntimeError
    assert str(exc) == (
        "Sequential.1 (Linear(in_features=6, out_features=2, bias=True)): input of shape "
        "(3, 5): mat1 and mat2 shapes cannot be multiplied (3x5 and 6x2)"
    )


def test_root_module_alone_has_no_path_prefix():
    exc = _raise(lambda: nn.Linear(4, 5)(torch.randn(3, 7)))
    assert str(exc) == (
        "Linear(in_features=4, out_features=5, bias=True): input of shape (3, 7): mat1 and "
        "mat2 shapes cannot be multiplied (3x7 and 4x5)"
    )


def test_functional_call_names_arguments():
    class Head(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.randn(3, 8))

        def forward(self, features):
            return F.linear(features, self.w)

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([nn.Identity(), Head()])

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return x

    exc = _raise(lambda: Model()(torch.randn(2, 7)))
    assert type(exc) is RuntimeError
    assert str(exc) == (
        "Model.blocks.1 (Head): linear: features of shape (2, 7) and w of shape (3, 8): mat1 "
        "and mat2 shapes cannot be multiplied (2x7 and 8x3)"
    )


def test_method_call_and_dtype_mismatch():
    class Proj(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.randn(3, 4))

        def forward(self, x):
            return x.mm(self.w)

    exc = _raise(lambda: Proj()(torch.randn(2, 3, dtype=torch.float64)))
    assert type(exc) is RuntimeError
    msg = str(exc)
    assert msg.startswith("Proj: mm: x of shape (2, 3) (float64) and w of shape (3, 4) (float32): ")
    assert "same dtype" in msg


def test_index_error_keeps_its_type():
    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(10, 3)

        def forward(self, tokens):
            return self.emb(tokens)

    exc = _raise(lambda: Tagger()(torch.tensor([1, 12])))
    assert type(exc) is IndexError
    assert str(exc) == (
        "Tagger.emb (Embedding(10, 3)): input of shape (2,) (int64): index out of range in self"
    )


def test_user_raised_error_gets_the_module_inputs():
    class Check(nn.Module):
        def forward(self, x, mask=None):
            raise ValueError("mask is required")

    class Outer(nn.Module):
        def __init__(self):
            super().__init__()
            self.check = Check()

        def forward(self, x):
            return self.check(x)

    exc = _raise(lambda: Outer()(torch.zeros(2, 2)))
    assert type(exc) is ValueError
    assert str(exc) == "Outer.check (Check): x of shape (2, 2): mask is required"


def test_three_levels_deep_and_kwargs_inputs():
    inner = nn.Sequential(nn.Linear(2, 2))
    model = nn.ModuleDict({"enc": nn.Sequential(nn.Identity(), inner)})

    class Root(nn.Module):
        def __init__(self):
            super().__init__()
            self.parts = model

        def forward(self, x):
            return self.parts["enc"](x)

    exc = _raise(lambda: Root()(torch.zeros(4, 3)))
    assert str(exc).startswith(
        "Root.parts.enc.1.0 (Linear(in_features=2, out_features=2, bias=True)): input of "
        "shape (4, 3): "
    )


def test_exceptions_with_structured_args_are_left_alone():
    class Boom(Exception):
        pass

    class M(nn.Module):
        def forward(self, x):
            raise Boom("code", 42)

    class K(nn.Module):
        def forward(self, x):
            return {}["missing"]

    exc = _raise(lambda: nn.Sequential(M())(torch.zeros(1)))
    assert type(exc) is Boom and exc.args == ("code", 42)
    exc = _raise(lambda: nn.Sequential(K())(torch.zeros(1)))
    assert type(exc) is KeyError and exc.args == ("missing",)


def test_error_handled_inside_forward_is_not_touched():
    class Careful(nn.Module):
        def forward(self, x):
            try:
                return torch.matmul(x, torch.ones(5, 5))
            except RuntimeError as exc:
                return str(exc)

    assert Careful()(torch.ones(2, 3)) == (
        "mat1 and mat2 shapes cannot be multiplied (2x3 and 5x5)"
    )


def test_repeated_calls_annotate_afresh():
    net = nn.Sequential(nn.Linear(4, 5))
    first = str(_raise(lambda: net(torch.randn(3, 7))))
    second = str(_raise(lambda: net(torch.randn(3, 7))))
    assert first == second
    assert first.count("Sequential.0") == 1


def test_same_message_types_as_torch_for_each_case(torch):
    """ember's exception type and original message equal torch's for the same mistakes."""
    import ember

    def run(lib):
        out = []
        cases = [
            lambda: lib.nn.Linear(4, 5)(lib.randn(3, 7)),
            lambda: lib.nn.Embedding(10, 3)(lib.tensor([1, 12])),
            lambda: lib.nn.Embedding(10, 3)(lib.tensor([1.0])),
            lambda: lib.nn.Bilinear(2, 3, 4)(lib.randn(5, 2), lib.randn(5, 4)),
        ]
        for case in cases:
            try:
                case()
            except Exception as exc:  # noqa: BLE001
                out.append((type(exc), str(exc).replace("ember.", "torch.")))
        return out

    for (te, me), (tt, mt) in zip(run(ember), run(torch)):
        assert te is tt
        assert me.endswith(mt)
        assert me != mt  # ember's says where
