"""bench/: the hand-written NumPy floor under the MLP workloads (``numpy_step.py``) must train
the same network as the framework does, or the floor it gives means nothing; and every
workload of ``bench.py`` must run on ember."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

import ember

_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench")
_spec = importlib.util.spec_from_file_location("numpy_step", os.path.join(_PATH, "numpy_step.py"))
numpy_step = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(numpy_step)


@pytest.mark.parametrize("name", sorted(numpy_step.SHAPES))
def test_hand_written_step_trains_as_ember_does(name):
    """Three steps from the same weights and batch: the same losses and parameters as an
    ember model of nn.Linear and nn.ReLU with cross entropy and the workload's optimizer."""
    step = numpy_step.build(name)
    widths, _, opt = numpy_step.SHAPES[name]
    x, y = (ember.from_numpy(a) for a in step.batch)
    layers = [ember.nn.Linear(i, o) for i, o in zip(widths[:-1], widths[1:])]
    with ember.no_grad():
        for layer, w, b in zip(layers, step.params[:3], step.params[3:]):
            layer.weight.copy_(ember.from_numpy(w))
            layer.bias.copy_(ember.from_numpy(b))
    nn = ember.nn
    model = nn.Sequential(layers[0], nn.ReLU(), layers[1], nn.ReLU(), layers[2])
    if opt == "sgd":
        optimizer = ember.optim.SGD(model.parameters(), lr=0.01)
    else:
        optimizer = ember.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(3):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        np.testing.assert_allclose(step(), loss.item(), rtol=1e-5)
    ours = [layer.weight for layer in layers] + [layer.bias for layer in layers]
    for p, q in zip(step.params, ours):
        # Adam divides by sqrt(v): where a gradient is near zero, rounding moves the step most
        np.testing.assert_allclose(
            p, q.detach().numpy(), rtol=1e-4, atol=1e-4 if opt == "adam" else 1e-6
        )


_bench_spec = importlib.util.spec_from_file_location("bench", os.path.join(_PATH, "bench.py"))
bench = importlib.util.module_from_spec(_bench_spec)
_bench_spec.loader.exec_module(bench)


@pytest.mark.parametrize("name", [n for n in bench.WORKLOADS if n != "import"])
def test_every_workload_runs_on_ember(name):
    """Each benchmark workload, written once against the torch API, runs two steps on ember
    as it is (a name or signature of torch's that ember lacks fails here, not mid-benchmark)."""
    ember.manual_seed(0)
    step = bench.build(ember, name)
    step()
    step()
