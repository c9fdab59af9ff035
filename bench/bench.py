"""ember against PyTorch on the workloads of issue 7, in the same run.

    python bench/bench.py                      # every workload, both frameworks, a table
    python bench/bench.py --rounds 7 --only mlp_b5,cnn
    python bench/bench.py --framework ember --only cnn --profile   # one framework, cProfile

Each measurement runs in its own subprocess (so the two frameworks' thread pools never share a
process), the frameworks alternate round by round, and the table gives each framework's median
time per step, the spread (min-max of the round medians, as a percent of the median), the
ratio ember / torch, and the peak resident memory of the measuring process. Both frameworks get
the same thread count (``--threads``, default: the machine's cores), set through the BLAS/OpenMP
environment variables and ``torch.set_num_threads`` (which for ember moves the threads from BLAS
to ember's own, inside large ops: see ``ember.backend.threads``).

The workload code is written once, against the torch API: the worker binds ``torch`` to the
framework under test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

WORKLOADS = {
    "import": "import the framework (seconds, one per process)",
    "elementwise": "one elementwise op (a * b) on 4x4 tensors",
    "add_backward": "add + sum + backward on 4x4 tensors (framework overhead)",
    "mlp_b5": "seed CustomMLP 20-50-30-3 train step, batch 5, SGD",
    "mlp_b512": "seed CustomMLP 20-50-30-3 train step, batch 512, SGD",
    "mlp_big": "MLP 784-512-512-10 train step, batch 128, Adam",
    "cnn": "LeNet-like CNN on 1x28x28, batch 64, SGD momentum",
    "loader": "one epoch of a DataLoader: 512 samples of 1x28x28, batch 64, shuffled",
}


# -- workloads (torch API; ``torch`` is ember or PyTorch) ---------------------------------------
def _custom_mlp(torch):
    nn, F = torch.nn, torch.nn.functional

    class CustomLinearLayer(nn.Module):
        def __init__(self, input_dim, output_dim):
            super().__init__()
            self.weight = nn.Parameter(torch.randn(output_dim, input_dim) * 0.1)
            self.bias = nn.Parameter(torch.zeros(output_dim))

        def forward(self, x):
            return torch.matmul(x, self.weight.t()) + self.bias

    class CustomMLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = CustomLinearLayer(20, 50)
            self.fc2 = CustomLinearLayer(50, 30)
            self.fc3 = CustomLinearLayer(30, 3)

        def forward(self, x):
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    return CustomMLP()


def _train_step(torch, model, opt, loss_fn, x, y):
    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return step


def build(torch, name):
    """A zero-argument callable doing one step of workload ``name``."""
    torch.manual_seed(0)
    nn = torch.nn
    if name == "elementwise":
        a, b = torch.randn(4, 4), torch.randn(4, 4)
        return lambda: a * b
    if name == "add_backward":
        a = torch.randn(4, 4, requires_grad=True)
        b = torch.randn(4, 4, requires_grad=True)

        def step():
            (a + b).sum().backward()

        return step
    if name in ("mlp_b5", "mlp_b512"):
        n = 5 if name == "mlp_b5" else 512
        model = _custom_mlp(torch)
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        x, y = torch.randn(n, 20), torch.randint(0, 3, (n,))
        return _train_step(torch, model, opt, nn.CrossEntropyLoss(), x, y)
    if name == "mlp_big":
        model = nn.Sequential(
            nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)
        )
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        x, y = torch.randn(128, 784), torch.randint(0, 10, (128,))
        return _train_step(torch, model, opt, nn.CrossEntropyLoss(), x, y)
    if name == "cnn":
        model = nn.Sequential(
            nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 10),
        )  # fmt: skip
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        x, y = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))
        return _train_step(torch, model, opt, nn.CrossEntropyLoss(), x, y)
    if name == "loader":
        data = torch.utils.data
        dataset = data.TensorDataset(torch.randn(512, 1, 28, 28), torch.randint(0, 10, (512,)))
        loader = data.DataLoader(dataset, batch_size=64, shuffle=True)

        def epoch():
            for _ in loader:
                pass

        return epoch
    raise KeyError(name)


# -- worker --------------------------------------------------------------------------------------
def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def worker(framework: str, name: str, seconds: float, threads: int) -> dict:
    t0 = time.perf_counter()
    if framework == "ember":
        sys.path.insert(0, os.path.join(ROOT, "src"))
        import ember as torch
    else:
        import torch
    import_s = time.perf_counter() - t0
    torch.set_num_threads(threads)
    if name == "import":
        return {"median": import_s, "peak_mb": _peak_rss_mb()}
    step = build(torch, name)
    for _ in range(3):
        step()
    # calibrate a batch size so each timed sample lasts at least ~20 ms
    n = 1
    while True:
        t = time.perf_counter()
        for _ in range(n):
            step()
        dt = time.perf_counter() - t
        if dt > 0.02 or n > 1 << 16:
            break
        n *= 2
    samples = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(samples) < 5:
        t = time.perf_counter()
        for _ in range(n):
            step()
        samples.append((time.perf_counter() - t) / n)
    return {"median": statistics.median(samples), "peak_mb": _peak_rss_mb()}


def _run_worker(framework, name, seconds, threads, python) -> dict:
    env = dict(os.environ)
    # an installed package has its bytecode compiled; let ember's source tree cache its own too
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    cmd = [python, __file__, "--worker", framework, name, str(seconds), str(threads)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fmt_time(s: float) -> str:
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.1f} us"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--only", help="comma-separated workloads (default: all)")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=float, default=1.0, help="timing per measurement")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--framework", choices=["ember", "torch", "both"], default="both")
    p.add_argument("--profile", action="store_true", help="cProfile one framework in-process")
    p.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.worker:
        fw, name, seconds, threads = args.worker
        print(json.dumps(worker(fw, name, float(seconds), int(threads))))
        return 0
    names = args.only.split(",") if args.only else list(WORKLOADS)
    frameworks = ["ember", "torch"] if args.framework == "both" else [args.framework]
    if frameworks == ["ember", "torch"]:
        try:
            import importlib.util

            if importlib.util.find_spec("torch") is None:
                frameworks = ["ember"]
        except ValueError:
            frameworks = ["ember"]

    if args.profile:
        return _profile(frameworks[0], names)

    results = {(f, n): [] for f in frameworks for n in names}
    peaks = {(f, n): 0.0 for f in frameworks for n in names}
    for r in range(args.rounds):
        for n in names:
            order = frameworks if r % 2 == 0 else frameworks[::-1]
            for f in order:
                res = _run_worker(f, n, args.seconds, args.threads, sys.executable)
                if "error" in res:
                    print(f"{f} {n}: {res['error']}", file=sys.stderr)
                    continue
                results[(f, n)].append(res["median"])
                peaks[(f, n)] = max(peaks[(f, n)], res["peak_mb"])
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    print(f"threads: {args.threads}, rounds: {args.rounds}, python {sys.version.split()[0]}")
    head = f"| workload | {' | '.join(f'{f} (spread, peak MB)' for f in frameworks)} |"
    if len(frameworks) == 2:
        head += " ember / torch |"
    print(head)
    print("|" + " --- |" * (head.count("|") - 1))
    for n in names:
        cells = []
        meds = {}
        for f in frameworks:
            xs = results[(f, n)]
            if not xs:
                cells.append("failed")
                continue
            med = statistics.median(xs)
            meds[f] = med
            spread = (max(xs) - min(xs)) / med * 100 if med else 0.0
            cells.append(f"{_fmt_time(med)} (±{spread:.0f}%, {peaks[(f, n)]:.0f})")
        row = f"| {n} | " + " | ".join(cells) + " |"
        if len(frameworks) == 2:
            ratio = meds["ember"] / meds["torch"] if len(meds) == 2 else float("nan")
            row += f" {ratio:.2f}x |"
        print(row)
    return 0


def _profile(framework: str, names) -> int:
    import cProfile
    import pstats

    if framework == "ember":
        sys.path.insert(0, os.path.join(ROOT, "src"))
        import ember as torch
    else:
        import torch
    for n in names:
        if n == "import":
            continue
        step = build(torch, n)
        for _ in range(5):
            step()
        prof = cProfile.Profile()
        prof.enable()
        t = time.perf_counter()
        count = 0
        while time.perf_counter() - t < 2.0:
            step()
            count += 1
        prof.disable()
        print(f"== {framework} {n}: {count} steps in 2 s (under the profiler)")
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
