"""The tutorials' CustomMLP (20-50-30-3, ReLU) training step written by hand in NumPy, with no
framework: the floor under ember's mlp_b5 and mlp_b512 workloads (bench.py).

Forward, cross entropy, the backward pass written out, and SGD (lr 0.01) on the six arrays;
float32 like the framework workloads. It prints the median step time. To count instructions
per step, run it under callgrind at N and 2N steps and take the difference over N:

    OPENBLAS_NUM_THREADS=1 valgrind --tool=callgrind python bench/numpy_step.py --steps 200
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def build(batch: int):
    """A zero-argument callable doing one step; it returns the loss."""
    rng = np.random.default_rng(0)
    dims = [(20, 50), (50, 30), (30, 3)]
    ws = [(rng.standard_normal((o, i)) * 0.1).astype(np.float32) for i, o in dims]
    bs = [np.zeros(o, np.float32) for _, o in dims]
    x = rng.standard_normal((batch, 20)).astype(np.float32)
    y = rng.integers(0, 3, batch)
    rows = np.arange(batch)
    lr = np.float32(0.01)

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
        for p, gp in zip(ws + bs, grads):
            p -= lr * gp
        return loss

    return step


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=5)
    ap.add_argument("--steps", type=int, default=2000)
    args = ap.parse_args(argv)
    step = build(args.batch)
    times = []
    for _ in range(args.steps):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    print(f"numpy CustomMLP step, batch {args.batch}: {statistics.median(times) * 1e6:.1f} us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
