"""`ember train` end to end (a few epochs), its outputs, determinism, Ctrl-C, the notes when
tqdm or matplotlib is missing; `ember.summary` / `ember summary` against torch's model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import ember
from ember import train
from ember.cli import main as cli

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")


def metrics(out) -> list[dict]:
    with open(os.path.join(out, "metrics.json")) as f:
        return json.load(f)["epochs"]


def test_default_job_end_to_end(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli(["train", "--epochs", "1", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    # The progress bars (tqdm, on stderr) with loss and throughput.
    assert "epoch 1/1" in captured.err and "45/45" in captured.err
    assert "batch/s" in captured.err and "loss=" in captured.err and "img_s=" in captured.err
    # The table, then the paths of what was written.
    lines = captured.out.splitlines()
    header = next(i for i, line in enumerate(lines) if "train loss" in line)
    assert "test loss" in lines[header] and "test acc" in lines[header]
    assert lines[header + 1].split()[0] == "1"
    checkpoint, plot = out / "model.pt", out / "training.png"
    assert f"checkpoint: {checkpoint}" in captured.out
    assert f"plot:       {plot}" in captured.out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    history = metrics(out)
    assert [r["epoch"] for r in history] == [1]
    assert history[0]["test_accuracy"] > 0.6  # one epoch already learns the digits
    # The checkpoint is the model's state_dict; it evaluates to the reported accuracy.
    model = train.SmallCNN(1, 8, 10)
    model.load_state_dict(ember.load(checkpoint))
    test_set = train.DATASETS["digits"].load(None)[1]
    loader = ember.utils.data.DataLoader(test_set, batch_size=512)
    _, accuracy = train.evaluate(model, loader, ember.nn.CrossEntropyLoss())
    assert accuracy == pytest.approx(history[0]["test_accuracy"])


def test_same_seed_same_numbers(tmp_path, capsys):
    runs = []
    for name in ("a", "b", "c"):
        seed = "5" if name != "c" else "6"
        args = ["--model", "mlp", "--optimizer", "sgd", "--epochs", "1", "--seed", seed]
        assert train.main([*args, "--out", str(tmp_path / name)]) == 0
        runs.append(
            [
                (r["train_loss"], r["test_loss"], r["test_accuracy"])
                for r in metrics(tmp_path / name)
            ]
        )
    capsys.readouterr()
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_without_tqdm_and_matplotlib(tmp_path, capsys, monkeypatch):
    for name in ("tqdm", "matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"):
        monkeypatch.setitem(sys.modules, name, None)
    assert train.main(["--model", "mlp", "--epochs", "2", "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("note: tqdm is not installed") == 1
    assert "epoch 1/2  train loss" in captured.err and "epoch 2/2  train loss" in captured.err
    assert "note: matplotlib is not installed, so no training.png" in captured.out
    assert not (tmp_path / "training.png").exists()
    assert (tmp_path / "model.pt").exists()


def test_interrupt_keeps_the_finished_epochs(tmp_path, capsys, monkeypatch):
    calls = []
    real_evaluate = train.evaluate

    def evaluate(*args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C during epoch 2
        return real_evaluate(*args)

    monkeypatch.setattr(train, "evaluate", evaluate)
    assert train.main(["--model", "mlp", "--epochs", "5", "--out", str(tmp_path)]) == 130
    captured = capsys.readouterr()
    assert "interrupted: keeping the 1 finished epoch(s)" in captured.err
    assert [r["epoch"] for r in metrics(tmp_path)] == [1]
    assert (tmp_path / "model.pt").exists() and (tmp_path / "training.png").exists()


def test_ctrl_c_is_deferred_to_a_safe_point():
    # the first SIGINT only sets the request (so it cannot land inside tqdm's lock); check()
    # raises it; a second SIGINT interrupts at once; the previous handler comes back on exit
    before = signal.getsignal(signal.SIGINT)
    with train._StopRequest() as stop:
        stop.check()
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.01)  # the handler runs in this (main) thread at the next bytecode
        assert stop.requested
        with pytest.raises(KeyboardInterrupt):
            stop.check()
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
    assert signal.getsignal(signal.SIGINT) is before


def test_ctrl_c_on_the_real_command(tmp_path):
    env = dict(os.environ, PYTHONPATH=SRC)
    command = [
        sys.executable,
        "-m",
        "ember",
        "train",
        "--model",
        "mlp",
        "--epochs",
        "1000",
        "--out",
        str(tmp_path / "run"),
    ]
    out_path, err_path = tmp_path / "stdout", tmp_path / "stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        deadline = time.monotonic() + 120
        while b"epoch 3/1000" not in err_path.read_bytes() and proc.poll() is None:
            assert time.monotonic() < deadline, "no third epoch in 120 s"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        proc.wait(timeout=60)
    errors = err_path.read_text(errors="replace")
    assert proc.returncode == 130, errors[-2000:]
    assert "interrupted: keeping the" in errors and "Traceback" not in errors
    assert len(metrics(tmp_path / "run")) >= 2
    assert "checkpoint: " in out_path.read_text() and (tmp_path / "run" / "model.pt").exists()


def test_mnist_from_local_idx_files(tmp_path, capsys):
    from ember.datasets.idx import write_idx

    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 40), ("t10k", 10)):
        write_idx(raw / f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28), np.uint8))
        write_idx(raw / f"{prefix}-labels-idx1-ubyte", (np.arange(n) % 10).astype(np.uint8))
    args = ["--dataset", "mnist", "--data-dir", str(tmp_path), "--model", "mlp", "--epochs", "1"]
    assert train.main([*args, "--out", str(tmp_path / "out")]) == 0
    assert "40 training / 10 test images (1x28x28, 10 classes)" in capsys.readouterr().out
    model = train.CustomMLP(784, 10)
    model.load_state_dict(ember.load(tmp_path / "out" / "model.pt"))


@pytest.mark.parametrize("argv", [["--epochs", "0"], ["--lr", "-1"], ["--model", "resnet"]])
def test_bad_options_exit_with_usage(argv, capsys):
    with pytest.raises(SystemExit) as info:
        train.main(argv)
    assert info.value.code == 2
    assert "usage: ember train" in capsys.readouterr().err


# --- summary ---------------------------------------------------------------------------------


class _TorchCNN:
    """torch's twin of train.SmallCNN, built on demand (torch is optional)."""

    def __new__(cls, torch):
        nn = torch.nn
        model = nn.Module()
        model.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        model.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)
        )
        return model


def test_summary_matches_torch_shapes_and_counts(torch, capsys):
    model = train.SmallCNN(1, 8, 10)
    stats = ember.summary(model, (2, 1, 8, 8))
    printed = capsys.readouterr().out
    assert str(stats) in printed
    theirs = _TorchCNN(torch)
    shapes = {}
    for name, module in theirs.named_modules():

        def record(module, args, out, name=name):
            shapes.setdefault(name, str(list(out.shape)))

        module.register_forward_hook(record)
    theirs.classifier(theirs.features(torch.zeros(2, 1, 8, 8)))
    rows = {row.path: row for row in stats.rows}
    for name, module in theirs.named_modules():
        if not name:
            continue
        assert rows[name].class_name == type(module).__name__
        assert rows[name].output_shape == shapes[name]
        own = sum(p.numel() for p in module.parameters(recurse=False))
        assert rows[name].num_params == own
    total = sum(p.numel() for p in theirs.parameters())
    assert stats.total_params == stats.trainable_params == total == 53_002
    assert f"Total params: {total:,}" in printed
    assert "Params size (MB): 0.20" in printed  # 53,002 float32 values
    assert rows[""].output_shape == "[2, 10]"


def test_summary_depth_folds_parameters_and_can_be_called_again(capsys):
    model = train.SmallCNN(1, 8, 10)
    stats = ember.summary(model, (1, 1, 8, 8), depth=1, verbose=0)
    assert [row.path for row in stats.rows] == ["", "features", "classifier"]
    assert [row.num_params for row in stats.rows] == [0, 320 + 18_496, 32_896 + 1_290]
    assert model.training  # the mode is restored
    frozen = ember.summary(train.CustomMLP(64, 10), (1, 64), verbose=0)
    assert frozen.total_params == 64 * 50 + 50 + 50 * 30 + 30 + 30 * 10 + 10
    assert capsys.readouterr().out == ""


def test_summary_command(capsys):
    assert cli(["summary", "--model", "mlp"]) == 0
    out = capsys.readouterr().out
    assert "layers.0" in out and "Linear" in out and "[1, 50]" in out
    assert "Total params: 5,090" in out
