"""nn.Parameter against torch: construction, flags, printing, copying."""

from __future__ import annotations

import copy
import pickle

import ember


def _story(lib):
    nn = lib.nn
    out = []

    def show(fn):
        try:
            out.append(repr(fn()).replace("ember.", "torch."))
        except Exception as exc:  # noqa: BLE001
            out.append((type(exc).__name__, str(exc)))

    show(lambda: nn.Parameter())
    show(lambda: nn.Parameter(lib.ones(2), requires_grad=False))
    show(lambda: nn.Parameter(lib.ones(2)))
    show(lambda: nn.Parameter(lib.ones(2, dtype=lib.int64)))
    show(lambda: nn.Parameter(lib.ones(2, dtype=lib.int64), requires_grad=False))
    show(lambda: nn.Parameter([1.0]))
    a = lib.ones(2, requires_grad=True)
    p = nn.Parameter(a * 2)
    show(lambda: (p.is_leaf, p.grad_fn, p.requires_grad, type(p).__name__))
    show(lambda: type(p * 2).__name__)
    show(lambda: type(p.detach()).__name__)
    show(lambda: type(p.data).__name__)
    show(lambda: type(copy.deepcopy(p)).__name__)
    show(lambda: (type(pickle.loads(pickle.dumps(p))).__name__, p.requires_grad))
    show(lambda: isinstance(p, lib.Tensor))
    x = lib.ones(3)
    q = nn.Parameter(x)
    q.data[0] = 5
    show(lambda: x)  # shares the data it was made from
    show(lambda: str(nn.Parameter(lib.zeros(2))))
    show(lambda: nn.Parameter(lib.zeros(2, dtype=lib.float64)))
    show(lambda: nn.Parameter(lib.zeros(2)).clone())
    show(lambda: nn.Parameter(lib.zeros(2))[0])
    return out


def test_parameter_matches_torch(torch):
    assert _story(ember) == _story(torch)
