"""``ember run SCRIPT`` and ``python -m ember run``: an unmodified PyTorch script runs as
``python SCRIPT`` runs it (argv, ``__main__``, ``__file__``, ``sys.path[0]``, exit status,
traceback), ``torch.*`` imports resolve to ember, and a torch feature ember lacks raises an
error naming it. Every script runs in a subprocess from a temporary directory."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")


def _env():
    return dict(os.environ, PYTHONPATH=SRC, PYTHONDONTWRITEBYTECODE="1")


def _write(tmp_path, name, body):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


def _ember(tmp_path, *args, module=True):
    cmd = [sys.executable, "-m", "ember", "run", *args]
    return subprocess.run(cmd, cwd=tmp_path, env=_env(), capture_output=True, text=True)


def _python(tmp_path, *args):
    cmd = [sys.executable, *args]
    return subprocess.run(cmd, cwd=tmp_path, env=_env(), capture_output=True, text=True)


PROCESS = """
import os, sys
print("name", __name__)
print("argv", sys.argv)
print("file", __file__)
print("path0", sys.path[0])
print("spec", __spec__, "package", __package__)
import helper
print("helper", helper.VALUE)
if len(sys.argv) > 1 and sys.argv[1] == "fail":
    def inner():
        raise KeyError("k")
    inner()
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
"""


@pytest.mark.parametrize("args", [[], ["3"], ["0"], ["fail"]])
def test_script_runs_as_python_runs_it(tmp_path, args):
    _write(tmp_path, "prog.py", PROCESS)
    _write(tmp_path, "helper.py", "VALUE = 42\n")
    ours = _ember(tmp_path, "prog.py", *args)
    theirs = _python(tmp_path, "prog.py", *args)
    assert ours.returncode == theirs.returncode
    assert ours.stdout == theirs.stdout
    assert ours.stderr == theirs.stderr  # the traceback shows the script's frames only
    if args == ["fail"]:
        assert "KeyError: 'k'" in ours.stderr and ours.returncode == 1


def test_script_given_by_relative_and_absolute_path(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    _write(sub, "prog.py", PROCESS)
    _write(sub, "helper.py", "VALUE = 7\n")
    for path in ("sub/prog.py", str(sub / "prog.py")):
        ours, theirs = _ember(tmp_path, path, "5"), _python(tmp_path, path, "5")
        assert (
            (ours.returncode, ours.stdout)
            == (theirs.returncode, theirs.stdout)
            == (
                5,
                theirs.stdout,
            )
        )


TRAIN = """
import sys
import torch
import torch.nn.functional as F
from torch import nn
from torch.autograd import grad

torch.manual_seed(0)
x = torch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
w = torch.tensor([[0.1, 0.2], [0.3, -0.4]], requires_grad=True)
for step in range(3):
    loss = F.relu(x @ w).pow(2).sum()
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    w.grad = None
print("loss", round(loss.item(), 5))
print("w", [[round(v, 5) for v in row] for row in w.tolist()])
(g,) = grad((x ** 3).sum(), x)
print("grad", g.tolist(), type(nn).__name__, torch.is_tensor(g))
print("module", torch.__name__.replace("torch", "ember"))
"""


def test_pytorch_script_runs_unmodified(tmp_path, torch):
    _write(tmp_path, "train.py", TRAIN)
    ours = _ember(tmp_path, "train.py")
    assert ours.returncode == 0, ours.stderr
    theirs = _python(tmp_path, "train.py")
    assert theirs.returncode == 0, theirs.stderr
    assert ours.stdout == theirs.stdout


def test_torch_imports_resolve_to_ember(tmp_path):
    _write(
        tmp_path,
        "aliases.py",
        """
        import sys
        import torch, torch.nn, torch.nn.functional as F, torch.autograd, torch.linalg
        import ember
        assert torch is ember and sys.modules["torch"] is ember
        assert F is sys.modules["ember.nn.functional"]
        assert torch.autograd is ember.autograd and torch.linalg is ember.linalg
        from torch.autograd import Function, gradcheck
        assert Function is ember.autograd.Function
        print("ok", torch.Tensor is ember.Tensor)
        """,
    )
    r = _ember(tmp_path, "aliases.py")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "ok True\n"


def test_missing_torch_features_are_named(tmp_path):
    _write(tmp_path, "fft.py", "import torch\ntorch.fft_transform_missing(torch.ones(4))\n")
    r = _ember(tmp_path, "fft.py")
    assert r.returncode == 1
    assert "ember does not implement torch.fft_transform_missing" in r.stderr
    assert r.stderr.startswith("Traceback (most recent call last):\n  File ")
    _write(tmp_path, "dist.py", "import torch.distributions_missing\n")
    r = _ember(tmp_path, "dist.py")
    assert r.returncode == 1
    assert "ember does not implement torch.distributions_missing" in r.stderr
    _write(
        tmp_path,
        "probe.py",
        """
        import torch
        try:
            import torch.distributions_missing
        except ImportError as exc:
            print("import error", isinstance(exc, NotImplementedError))
        print("hasattr", hasattr(torch, "fft_transform_missing"))
        try:
            torch.ones(2).istft()
        except NotImplementedError as exc:
            print(exc)
        try:  # a name torch lacks too: torch's plain AttributeError
            torch.ones(2).stft_missing()
        except NotImplementedError:
            print("named")
        except AttributeError as exc:
            print(exc)
        """,
    )
    r = _ember(tmp_path, "probe.py")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "import error True",
        "hasattr False",
        "ember does not implement torch.Tensor.istft ('Tensor' object has no attribute 'istft')",
        "'Tensor' object has no attribute 'stft_missing'",
    ]


def test_classes_defined_in_the_script_pickle(tmp_path):
    _write(
        tmp_path,
        "pick.py",
        """
        import pickle
        import torch
        class Box:
            def __init__(self, t):
                self.t = t
        b = pickle.loads(pickle.dumps(Box(torch.ones(2))))
        print(type(b).__module__, b.t.tolist())
        """,
    )
    r = _ember(tmp_path, "pick.py")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "__main__ [1.0, 1.0]\n"


def test_run_module_and_usage(tmp_path):
    _write(tmp_path, "modprog.py", "import sys, torch\nprint(__name__, sys.argv[1:])\n")
    r = _ember(tmp_path, "-m", "modprog", "a", "b")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "__main__ ['a', 'b']\n"
    r = _ember(tmp_path, "missing.py")
    assert r.returncode == 2 and "can't open file" in r.stderr and "missing.py" in r.stderr
    r = _ember(tmp_path)
    assert r.returncode == 2 and "usage: ember run" in r.stdout
    r = subprocess.run(
        [sys.executable, "-m", "ember", "--help"], env=_env(), capture_output=True, text=True
    )
    assert r.returncode == 0 and "run" in r.stdout
    r = subprocess.run(
        [sys.executable, "-m", "ember", "nonsense"], env=_env(), capture_output=True, text=True
    )
    assert r.returncode == 2 and "unknown command" in r.stderr
