"""The MLP workloads of bench.py written by hand in NumPy, with no framework: the floor under
ember's mlp_b5, mlp_b512 and mlp_big.

- mlp_b5, mlp_b512: the tutorials' CustomMLP (20-50-30-3, ReLU), batch 5 or 512, SGD lr 0.01;
- mlp_big: 784-512-512-10 (ReLU), batch 128, Adam lr 1e-3 (torch's defaults otherwise).

Forward, cross entropy, the backward pass written out, and the optimizer on each weight and
bias; float32 like the framework workloads. Adam's passes run on whole arrays, as one writes
them by hand. It prints the median step time. To count instructions per step, run it under
callgrind at N and 2N steps and take the difference over N:

    OPENBLAS_NUM_THREADS=1 valgrind --tool=callgrind python bench/numpy_step.py --steps 200
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

SHAPES = {  # workload: (layer widths, batch, optimizer)
    "mlp_b5": ((20, 50, 30, 3), 5, "sgd"),
    "mlp_b512": ((20, 50, 30, 3), 512, "sgd"),
    "mlp_big": ((784, 512, 512, 10), 128, "adam"),
}


def _sgd(lr=0.01):
    def update(p, g, state):
        p -= lr * g

    return update


def _adam(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    def update(p, g, state):
        if not state:
            state.update(t=0, m=np.zeros_like(p), v=np.zeros_like(p), tmp=np.empty_like(p))
        state["t"] += 1
        t, m, v, tmp = state["t"], state["m"], state["v"], state["tmp"]
        m *= beta1
        m += (1 - beta1) * g
        np.multiply(g, g, out=tmp)
        v *= beta2
        tmp *= 1 - beta2
        v += tmp
        np.sqrt(v, out=tmp)
        tmp /= (1 - beta2**t) ** 0.5
        tmp += eps
        np.divide(m, tmp, out=tmp)
        tmp *= lr / (1 - beta1**t)
        p -= tmp

    return update


def build(name: str):
    """A zero-argument callable doing one step of workload ``name``; it returns the loss."""
    widths, batch, opt = SHAPES[name]
    rng = np.random.default_rng(0)
    dims = list(zip(widths[:-1], widths[1:]))
    ws = [(rng.standard_normal((o, i)) / np.sqrt(i)).astype(np.float32) for i, o in dims]
    bs = [np.zeros(o, np.float32) for _, o in dims]
    x = rng.standard_normal((batch, widths[0])).astype(np.float32)
    y = rng.integers(0, widths[-1], batch)
    rows = np.arange(batch)
    update = _sgd() if opt == "sgd" else _adam()
    states = [{} for _ in ws + bs]

    def step():
        h1 = np.maximum(x @ ws[0].T + bs[0], 0)
        h2 = np.maximum(h1 @ ws[1].T + bs[1], 0)
        z = h2 @ ws[2].T + bs[2]
        z = z - z.max(1, keepdims=True)
        e = np.exp(z)
        s = e.sum(1, keepdims=True)
        loss = (np.log(s[:, 0]) - z[rows, y]).mean()
        g = e / s  # d loss / d z: softmax minus one-hot, over the batch
        g[rows, y] -= 1
        g /= batch
        g2 = (g @ ws[2]) * (h2 > 0)
        g1 = (g2 @ ws[1]) * (h1 > 0)
        grads = [g1.T @ x, g2.T @ h1, g.T @ h2, g1.sum(0), g2.sum(0), g.sum(0)]
        for p, gp, state in zip(ws + bs, grads, states):
            update(p, gp, state)
        return loss

    step.params, step.batch = ws + bs, (x, y)  # for checking it against a framework's step
    return step


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workload", nargs="?", default="mlp_b5", choices=sorted(SHAPES))
    ap.add_argument("--steps", type=int, default=2000)
    args = ap.parse_args(argv)
    step = build(args.workload)
    times = []
    for _ in range(args.steps):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    print(f"numpy {args.workload} step: {statistics.median(times) * 1e6:.1f} us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
