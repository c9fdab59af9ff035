"""``ember train``: train a small model on a bundled or downloaded dataset, on the CPU.

With no arguments it trains a small CNN on the bundled UCI digits (nothing is downloaded).
While it runs, a progress bar per epoch shows the loss and the throughput (tqdm, from the
``train`` extra; without it, one line per epoch). At the end it prints a table of the
per-epoch train loss, test loss and accuracy, and writes into ``--out``: the model's
state_dict (``model.pt`` through ``ember.save``), ``metrics.json``, and ``training.png`` (loss
and accuracy curves, when matplotlib is installed). The same ``--seed`` gives the same numbers
on every run. Ctrl-C stops after writing what the finished epochs produced.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from . import nn

__all__ = ["main", "build_model", "MODELS", "DATASETS", "SmallCNN", "CustomMLP"]


# --- models ----------------------------------------------------------------------------------


class SmallCNN(nn.Module):
    """Two 3x3 conv + ReLU + 2x2 max-pool stages (32 and 64 channels), then a 128-unit hidden
    layer: (B, C, S, S) -> (B, num_classes) logits, for S divisible by 4."""

    def __init__(self, in_channels: int = 1, image_size: int = 8, num_classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        side = image_size // 4
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(64 * side * side, 128),
            nn.ReLU(),
            nn.Linear(128, num_classes),
        )

    def forward(self, x):
        x = self.features(x)  # (B, 64, S/4, S/4)
        return self.classifier(x)  # (B, num_classes)


class CustomMLP(nn.Module):
    """The tutorial's CustomMLP (20 -> 50 -> 30 -> 3) with its first layer sized to the
    flattened input and its last to the classes: (B, ...) -> (B, num_classes)."""

    def __init__(self, in_features: int = 64, num_classes: int = 10):
        super().__init__()
        self.flatten = nn.Flatten()
        self.layers = nn.Sequential(
            nn.Linear(in_features, 50),
            nn.ReLU(),
            nn.Linear(50, 30),
            nn.ReLU(),
            nn.Linear(30, num_classes),
        )

    def forward(self, x):
        return self.layers(self.flatten(x))


MODELS = ("cnn", "mlp")


def build_model(name: str, channels: int, size: int, classes: int):
    """The model ``name`` ("cnn" or "mlp") for images (channels, size, size)."""
    if name == "cnn":
        return SmallCNN(channels, size, classes)
    if name == "mlp":
        return CustomMLP(channels * size * size, classes)
    raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")


# --- datasets --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset of ``ember train``: its image shape (channels, size, classes) and a function
    data_dir -> (train set, test set), both yielding normalised (C, S, S) float tensors."""

    shape: tuple[int, int, int]
    load: Callable


def _load_digits(data_dir):
    from .datasets import Digits
    from .utils.data import TensorDataset

    # The whole split normalised once, as (N, 1, 8, 8) float32: cheaper than a per-sample
    # transform for 64-pixel images.
    train, test = Digits(train=True), Digits(train=False)
    pixels = train.data.float() / 16
    mean, std = float(pixels.mean()), float(pixels.std())

    def prepare(split):
        images = ((split.data.float() / 16 - mean) / std).unsqueeze(1)
        return TensorDataset(images, split.targets)

    return prepare(train), prepare(test)


def _idx_loader(class_name: str, mean: float, std: float):
    def load(data_dir):
        from . import datasets
        from .datasets.transforms import Compose, Normalize, ToTensor

        cls = getattr(datasets, class_name)
        transform = Compose([ToTensor(), Normalize((mean,), (std,))])
        train = cls(data_dir, train=True, transform=transform, download=True)
        return train, cls(data_dir, train=False, transform=transform, download=True)

    return load


DATASETS = {
    "digits": DatasetSpec((1, 8, 10), _load_digits),
    "mnist": DatasetSpec((1, 28, 10), _idx_loader("MNIST", 0.1307, 0.3081)),
    "fashion-mnist": DatasetSpec((1, 28, 10), _idx_loader("FashionMNIST", 0.2860, 0.3530)),
}

DEFAULT_LR = {"adam": 2e-3, "sgd": 0.05}


# --- training --------------------------------------------------------------------------------


@dataclass
class EpochResult:
    epoch: int
    train_loss: float
    test_loss: float
    test_accuracy: float
    seconds: float
    samples_per_second: float


def _positive(kind):
    def check(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value

    return check


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="ember train",
        description="Train a small model on the CPU. With no arguments: a CNN on the bundled "
        "handwritten digits, nothing downloaded.",
    )
    parser.add_argument("--model", choices=MODELS, default="cnn", help="default: cnn")
    parser.add_argument(
        "--dataset", choices=list(DATASETS), default="digits", help="default: digits (bundled)"
    )
    parser.add_argument(
        "--data-dir",
        default="data",
        help="where MNIST/Fashion-MNIST are read from or downloaded to (default: ./data)",
    )
    parser.add_argument("--epochs", type=_positive(int), default=15, help="default: 15")
    parser.add_argument("--batch-size", type=_positive(int), default=32, help="default: 32")
    parser.add_argument(
        "--lr",
        type=_positive(float),
        default=None,
        help="peak learning rate, decayed to 0 on a cosine over the epochs "
        "(default: 0.002 for adam, 0.05 for sgd)",
    )
    parser.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
    parser.add_argument("--seed", type=int, default=0, help="default: 0")
    parser.add_argument(
        "--out", default=os.path.join("runs", "train"), help="output folder (default: runs/train)"
    )
    args = parser.parse_args(argv)
    if args.lr is None:
        args.lr = DEFAULT_LR[args.optimizer]
    return args


def _make_optimizer(name: str, params, lr: float):
    from . import optim

    if name == "sgd":
        return optim.SGD(params, lr=lr, momentum=0.9)
    return optim.Adam(params, lr=lr)


def evaluate(model, loader, loss_fn, stop: _StopRequest | None = None) -> tuple[float, float]:
    """(mean loss, accuracy) of ``model`` over ``loader``, in eval mode without autograd;
    ``stop`` (optional) is checked after each batch."""
    from .autograd.grad_mode import no_grad

    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with no_grad():
        for x, y in loader:
            logits = model(x)
            total_loss += float(loss_fn(logits, y)) * len(y)
            correct += int((logits.argmax(dim=1) == y).sum())
            count += len(y)
            if stop is not None:
                stop.check()
    return total_loss / count, correct / count


class _StopRequest:
    """Ctrl-C during training, as a request that ``check`` honours between batches.

    A KeyboardInterrupt raised wherever SIGINT lands can land inside tqdm while it holds its
    lock (the bar is drawn on every batch), and closing the bar afterwards then waits on that
    lock forever. So, as a context manager in the main thread, the first SIGINT only sets
    ``requested``; ``check`` raises the KeyboardInterrupt at a point where no lock is held. The
    first SIGINT also restores the previous handler, so a second Ctrl-C interrupts at once."""

    def __init__(self) -> None:
        self.requested = False
        self._previous = None

    def __enter__(self) -> _StopRequest:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def _handle(self, signum, frame) -> None:
        self.requested = True
        signal.signal(signal.SIGINT, self._previous)

    def check(self) -> None:
        if self.requested:
            raise KeyboardInterrupt


class _Progress:
    """One tqdm bar per epoch, or, without tqdm, one plain line per epoch."""

    def __init__(self, epochs: int) -> None:
        self.epochs = epochs
        try:
            from tqdm import tqdm
        except ImportError:
            tqdm = None
            print(
                "note: tqdm is not installed, so no progress bars: one line per epoch "
                "(pip install 'ember[train]' adds them)",
                file=sys.stderr,
            )
        self.tqdm = tqdm
        self.bar = None

    def start(self, epoch: int, batches: int) -> None:
        if self.tqdm is not None:
            self.bar = self.tqdm(
                total=batches,
                desc=f"epoch {epoch}/{self.epochs}",
                unit="batch",
                file=sys.stderr,
                dynamic_ncols=True,
            )

    def update(self, loss: float, samples_per_second: float) -> None:
        if self.bar is not None:
            self.bar.set_postfix(loss=f"{loss:.4f}", img_s=f"{samples_per_second:.0f}")
            self.bar.update(1)

    def finish(self, epoch: int, loss: float, samples_per_second: float) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        else:
            print(
                f"epoch {epoch}/{self.epochs}  train loss {loss:.4f}  "
                f"{samples_per_second:.0f} img/s",
                file=sys.stderr,
            )


@contextlib.contextmanager
def _one_blas_thread():
    """Run with one BLAS thread: this job's matrices are small, and OpenBLAS's threads spin
    on them (several times slower, worse when other processes share the cores). threadpoolctl
    (from the ``train`` extra) sets the limit for the run; without it BLAS keeps its default."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def train_epoch(model, loader, loss_fn, optimizer, progress: _Progress, epoch: int, stop=None):
    """One pass over ``loader``; returns (mean training loss, samples per second).
    ``stop`` (a ``_StopRequest``, optional) is checked after each batch."""
    model.train()
    progress.start(epoch, len(loader))
    start = time.perf_counter()
    total_loss, count = 0.0, 0
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(y)
        count += len(y)
        progress.update(total_loss / count, count / (time.perf_counter() - start))
        if stop is not None:
            stop.check()
    rate = count / (time.perf_counter() - start)
    progress.finish(epoch, total_loss / count, rate)
    return total_loss / count, rate


def format_table(history: list[EpochResult]) -> str:
    lines = [f"{'epoch':>5}  {'train loss':>10}  {'test loss':>10}  {'test acc':>9}  {'img/s':>7}"]
    for r in history:
        lines.append(
            f"{r.epoch:>5}  {r.train_loss:>10.4f}  {r.test_loss:>10.4f}  "
            f"{100 * r.test_accuracy:>8.2f}%  {r.samples_per_second:>7.0f}"
        )
    return "\n".join(lines)


def save_checkpoint(state_dict, out: str) -> str:
    """Write the state_dict with ``ember.save`` as ``out/model.pt``; returns the path."""
    from .serialization import save

    path = os.path.join(out, "model.pt")
    save(state_dict, path)
    return path


def save_plot(history: list[EpochResult], path: str, title: str) -> str | None:
    """Loss and accuracy curves as a PNG (matplotlib's Agg canvas, no GUI); None when
    matplotlib is not installed."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None
    epochs = [r.epoch for r in history]
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    FigureCanvasAgg(fig)
    loss_ax, acc_ax = fig.subplots(1, 2)
    loss_ax.plot(epochs, [r.train_loss for r in history], marker="o", label="train")
    loss_ax.plot(epochs, [r.test_loss for r in history], marker="o", label="test")
    loss_ax.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss")
    loss_ax.legend()
    acc_ax.plot(epochs, [100 * r.test_accuracy for r in history], marker="o", color="C2")
    acc_ax.set(xlabel="epoch", ylabel="test accuracy (%)", title="test accuracy")
    for ax in (loss_ax, acc_ax):
        ax.grid(alpha=0.3)
        ax.xaxis.get_major_locator().set_params(integer=True)
    fig.suptitle(title)
    fig.savefig(path, dpi=100)
    return path


def _write_outputs(args, model_state, history: list[EpochResult], title: str) -> None:
    os.makedirs(args.out, exist_ok=True)
    if history:
        print()
        print(format_table(history))
        best = max(history, key=lambda r: r.test_accuracy)
        print(
            f"final test accuracy {100 * history[-1].test_accuracy:.2f}% "
            f"(best {100 * best.test_accuracy:.2f}% at epoch {best.epoch})"
        )
    if model_state is None:
        print("no epoch finished: nothing to save")
        return
    checkpoint = save_checkpoint(model_state, args.out)
    metrics = os.path.join(args.out, "metrics.json")
    with open(metrics, "w") as f:
        json.dump({"args": vars(args), "epochs": [asdict(r) for r in history]}, f, indent=2)
    print(f"checkpoint: {checkpoint}")
    print(f"metrics:    {metrics}")
    plot = save_plot(history, os.path.join(args.out, "training.png"), title)
    if plot is None:
        print("note: matplotlib is not installed, so no training.png (pip install 'ember[train]')")
    else:
        print(f"plot:       {plot}")


def run(args: argparse.Namespace) -> int:
    from .optim.lr_scheduler import CosineAnnealingLR
    from .random import Generator, manual_seed
    from .utils.data import DataLoader

    spec = DATASETS[args.dataset]
    channels, size, classes = spec.shape
    train_set, test_set = spec.load(args.data_dir)
    manual_seed(args.seed)
    model = build_model(args.model, channels, size, classes)
    optimizer = _make_optimizer(args.optimizer, model.parameters(), args.lr)
    schedule = CosineAnnealingLR(optimizer, T_max=args.epochs)
    loss_fn = nn.CrossEntropyLoss()
    shuffle = Generator().manual_seed(args.seed)
    train_loader = DataLoader(
        train_set, batch_size=args.batch_size, shuffle=True, generator=shuffle
    )
    test_loader = DataLoader(test_set, batch_size=256)

    n_params = sum(p.numel() for p in model.parameters())
    title = f"ember train: {args.model} on {args.dataset}"
    print(
        f"{title}: {len(train_set):,} training / {len(test_set):,} test images "
        f"({channels}x{size}x{size}, {classes} classes)"
    )
    print(
        f"  {type(model).__name__} with {n_params:,} parameters; {args.optimizer} (lr {args.lr:g}),"
        f" batch size {args.batch_size}, {args.epochs} epochs, seed {args.seed}; output in "
        f"{args.out}"
    )
    sys.stdout.flush()

    progress = _Progress(args.epochs)
    history: list[EpochResult] = []
    finished_state = None
    interrupted = False
    try:
        with _one_blas_thread(), _StopRequest() as stop:
            for epoch in range(1, args.epochs + 1):
                start = time.perf_counter()
                train_loss, rate = train_epoch(
                    model, train_loader, loss_fn, optimizer, progress, epoch, stop
                )
                test_loss, accuracy = evaluate(model, test_loader, loss_fn, stop)
                seconds = time.perf_counter() - start
                schedule.step()
                history.append(EpochResult(epoch, train_loss, test_loss, accuracy, seconds, rate))
                finished_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                stop.check()  # a Ctrl-C after the epoch's last batch
    except KeyboardInterrupt:
        interrupted = True
        if progress.bar is not None:
            progress.bar.close()
        print(
            f"\ninterrupted: keeping the {len(history)} finished epoch(s)",
            file=sys.stderr,
        )
    _write_outputs(args, finished_state, history, title)
    return 130 if interrupted else 0


def main(argv: list[str] | None = None) -> int:
    """``ember train [options]``; returns the exit status (130 after Ctrl-C)."""
    return run(parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
