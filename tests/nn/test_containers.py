"""Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict against torch."""

from __future__ import annotations

from collections import OrderedDict

import pytest

import ember
import ember.nn as nn


def _text(s: str) -> str:
    return s.replace("ember.", "torch.")


def _outcome(fn):
    try:
        out = fn()
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__, _text(str(exc))
    return "ok", _text(repr(out))


def _sequential_story(lib):
    """A series of Sequential operations; the repr (or error) after each."""
    tnn = lib.nn
    s = tnn.Sequential(tnn.Linear(1, 2), tnn.Identity(), tnn.Linear(2, 2))
    steps = [repr(s), repr(s[0]), repr(s[-1]), repr(s[1:]), repr(s[::2]), len(s)]
    s.append(tnn.Flatten())
    steps.append(repr(s))
    s.insert(1, tnn.Dropout(0.2))
    s.insert(-1, tnn.Identity())
    steps.append(repr(s))
    s.extend([tnn.Linear(2, 3)])
    del s[0]
    steps.append(repr(s))
    del s[1:3]
    steps.append(repr(s))
    s[0] = tnn.Identity()
    steps.append(repr(s))
    steps.append(repr(s.pop(1)))
    steps.append(repr(s + tnn.Sequential(tnn.Identity())))
    steps.append(repr(s * 2))
    steps.append([type(m).__name__ for m in s])
    named = tnn.Sequential(OrderedDict([("first", tnn.Linear(1, 1)), ("act", tnn.Identity())]))
    steps += [repr(named), repr(named.act), repr(named[0]), repr(named[:1])]
    steps.append(_outcome(lambda: s[10]))
    steps.append(_outcome(lambda: s + 3))
    steps.append(_outcome(lambda: tnn.Sequential(3)))
    steps.append(_outcome(lambda: s.insert(10, tnn.Identity())))
    return [_text(x) if isinstance(x, str) else x for x in steps]


def test_sequential_matches_torch(torch):
    assert _sequential_story(ember) == _sequential_story(torch)


def test_sequential_forward_chains():
    s = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    x = ember.randn(5, 3)
    ref = s[1](s[0](x))
    assert (s(x) - ref).abs().max().item() == 0.0
    assert nn.Sequential()(x) is x


def _modulelist_story(lib):
    tnn = lib.nn
    ml = tnn.ModuleList([tnn.Linear(1, 1) for _ in range(3)] + [tnn.Linear(2, 2)])
    steps = [repr(ml), len(ml), repr(ml[1:3]), repr(ml[-1])]
    ml.append(tnn.Linear(2, 2))
    ml.append(tnn.Identity())
    ml.insert(0, tnn.Identity())
    steps.append(repr(ml))
    del ml[0]
    del ml[-2:]
    steps.append(repr(ml))
    ml[0] = tnn.Identity()
    ml += [tnn.Identity()]
    steps.append(repr(ml))
    steps.append(repr(ml + tnn.ModuleList([tnn.Identity()])))
    steps.append(repr(ml.pop(0)))
    steps.append([n for n, _ in ml.named_parameters()])
    steps.append(repr(tnn.ModuleList()))
    steps.append(repr(tnn.ModuleList([tnn.Identity(), tnn.Identity()])))
    steps.append(_outcome(lambda: ml[10]))
    steps.append(_outcome(lambda: tnn.ModuleList()(1)))
    steps.append(_outcome(lambda: ml.extend(3)))
    return [_text(x) if isinstance(x, str) else x for x in steps]


def test_modulelist_matches_torch(torch):
    assert _modulelist_story(ember) == _modulelist_story(torch)


def _moduledict_story(lib):
    tnn = lib.nn
    md = tnn.ModuleDict({"b": tnn.Linear(1, 1), "a": tnn.Identity()})
    steps = [repr(md), list(md.keys()), list(md), "a" in md, len(md)]
    md["c"] = tnn.Linear(2, 2)
    md.update([("d", tnn.Identity())])
    md.update(OrderedDict([("e", tnn.Identity())]))
    steps.append(repr(md))
    steps.append(repr(md.pop("a")))
    del md["b"]
    steps.append([k for k, _ in md.items()])
    steps.append([type(v).__name__ for v in md.values()])
    steps.append([n for n, _ in md.named_parameters()])
    steps.append(_outcome(lambda: md.update([("x",)])))
    md.clear()
    steps.append(repr(md))
    return [_text(x) if isinstance(x, str) else x for x in steps]


def test_moduledict_matches_torch(torch):
    assert _moduledict_story(ember) == _moduledict_story(torch)


def _parameterlist_story(lib):
    tnn = lib.nn
    pl = tnn.ParameterList([lib.zeros(2, 3), tnn.Parameter(lib.zeros(1, dtype=lib.float64))])
    steps = [repr(pl), len(pl), type(pl[0]).__name__, pl[0].requires_grad]
    pl.append(tnn.Linear(1, 1))
    pl.append(3)
    pl.extend([lib.ones(4)])
    steps.append(repr(pl))
    steps.append([n for n, _ in pl.named_parameters()])
    steps.append(repr(pl[1:3]))
    steps.append([type(x).__name__ for x in pl])
    steps.append(_outcome(lambda: pl()))
    steps.append(repr(tnn.ParameterList()))
    return [_text(x) if isinstance(x, str) else x for x in steps]


def test_parameterlist_matches_torch(torch):
    assert _parameterlist_story(ember) == _parameterlist_story(torch)


def _parameterdict_story(lib):
    tnn = lib.nn
    pd = tnn.ParameterDict(
        {"q": tnn.Parameter(lib.zeros(2)), "p": lib.zeros(2, 3, dtype=lib.float64)}
    )
    steps = [repr(pd), list(pd.keys()), len(pd), "p" in pd, type(pd["p"]).__name__]
    pd["z"] = lib.ones(1)
    pd.update([("y", lib.ones(2))])
    steps.append(repr(pd))
    steps.append([n for n, _ in pd.named_parameters()])
    steps.append(repr(pd.pop("q")))
    steps.append(list(pd))
    steps.append(repr(tnn.ParameterDict({"only": lib.zeros(1)})))
    steps.append(repr(tnn.ParameterDict()))
    steps.append(_outcome(lambda: pd[3]))
    steps.append(sorted(k for k, _ in pd.items()))
    steps.append(list((pd | tnn.ParameterDict({"w": lib.zeros(1)})).keys()))
    steps.append(pd.get("nope", 7))
    return [_text(x) if isinstance(x, str) else x for x in steps]


def test_parameterdict_matches_torch(torch):
    assert _parameterdict_story(ember) == _parameterdict_story(torch)


def test_containers_in_a_model_state_dict(torch):
    def run(lib):
        tnn = lib.nn

        class Net(tnn.Module):
            def __init__(self):
                super().__init__()
                self.layers = tnn.ModuleList([tnn.Linear(2, 2), tnn.Linear(2, 2)])
                self.heads = tnn.ModuleDict({"x": tnn.Linear(2, 1)})
                self.extra = tnn.ParameterList([lib.zeros(3)])
                self.table = tnn.ParameterDict({"t": lib.zeros(1)})

        net = Net()
        return repr(net), list(net.state_dict()), list(net.state_dict()._metadata)

    e, t = run(ember), run(torch)
    assert _text(e[0]) == t[0]
    assert e[1:] == t[1:]


def test_parameterdict_call_raises():
    with pytest.raises(RuntimeError, match="ParameterDict should not be called."):
        nn.ParameterDict()(1)
