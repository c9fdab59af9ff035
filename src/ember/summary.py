"""``ember.summary(model, input_size)``: a table of a model's layers, like torchinfo.

One forward pass on zeros (in eval mode, without autograd) records each submodule's output
shape through forward hooks. Each row is a module in ``named_modules`` order: its path, its
class, the shape of its (first) output, and the parameters it holds itself (plus those of its
descendants hidden below ``depth``). The totals count each parameter once.

``ember summary`` prints the table for the models of ``ember train``.
"""

from __future__ import annotations

import argparse
import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["summary", "ModelStatistics", "main"]


@dataclass
class LayerRow:
    path: str
    depth: int
    class_name: str
    output_shape: str = "--"
    num_params: int = 0
    has_children: bool = False


@dataclass
class ModelStatistics:
    """What ``summary`` found; ``str()`` is the table."""

    rows: list[LayerRow]
    total_params: int
    trainable_params: int
    param_bytes: int
    input_bytes: int
    output_bytes: int
    width: int = field(default=96, repr=False)

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    def __str__(self) -> str:
        rule = "=" * self.width
        head = f"{'Layer (path)':<40}{'Type':<20}{'Output Shape':<24}{'Param #':>12}"
        lines = [rule, head, rule]
        for row in self.rows:
            name = "  " * row.depth + (row.path or "(model)")
            count = f"{row.num_params:,}" if row.num_params else "--"
            lines.append(f"{name:<40}{row.class_name:<20}{row.output_shape:<24}{count:>12}")
        mb = 1024**2
        total_bytes = self.param_bytes + self.input_bytes + self.output_bytes
        lines += [
            rule,
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.non_trainable_params:,}",
            rule,
            f"Input size (MB): {self.input_bytes / mb:.2f}",
            f"Forward pass size (MB): {self.output_bytes / mb:.2f}",
            f"Params size (MB): {self.param_bytes / mb:.2f}",
            f"Estimated Total Size (MB): {total_bytes / mb:.2f}",
            rule,
        ]
        return "\n".join(lines)


def _shape_of(output) -> str:
    from .tensor import Tensor

    if isinstance(output, Tensor):
        return str(list(output.shape))
    if isinstance(output, list | tuple):
        shapes = [_shape_of(o) for o in output]
        return "[" + ", ".join(shapes) + "]" if shapes else "--"
    return "--"


def _bytes_of(output) -> int:
    from .tensor import Tensor

    if isinstance(output, Tensor):
        return output.numel() * output.element_size()
    if isinstance(output, list | tuple):
        return sum(_bytes_of(o) for o in output)
    return 0


def _make_inputs(input_size, dtypes):
    from .ops.creation import zeros

    sizes = input_size
    if not sizes or isinstance(sizes[0], int):
        sizes = [sizes]
    dtypes = list(dtypes) if dtypes is not None else [None] * len(sizes)
    return [zeros(*size, dtype=dtype) for size, dtype in zip(sizes, dtypes, strict=True)]


def summary(
    model,
    input_size: Sequence[int] | Sequence[Sequence[int]] | None = None,
    *,
    input_data=None,
    dtypes=None,
    depth: int = 3,
    verbose: int = 1,
) -> ModelStatistics:
    """Summarise ``model`` by one forward pass on zeros of ``input_size`` (batch dim
    included; a list of sizes for several inputs) or on ``input_data`` (a tensor or a list of
    them). Rows deeper than ``depth`` are folded into their ancestor. Prints the table when
    ``verbose`` (default 1) and returns a ``ModelStatistics``.

    >>> ember.summary(model, (1, 1, 8, 8))   # doctest: +SKIP
    """
    from .autograd.grad_mode import no_grad
    from .tensor import Tensor

    if input_data is None:
        if input_size is None:
            raise ValueError("summary needs input_size or input_data")
        inputs = _make_inputs(input_size, dtypes)
    else:
        inputs = [input_data] if isinstance(input_data, Tensor) else list(input_data)

    modules = list(model.named_modules())
    outputs: dict[str, object] = {}
    handles = []
    for path, module in modules:

        def record(mod, args, output, path=path):
            outputs.setdefault(path, output)

        handles.append(module.register_forward_hook(record))
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)

    rows, shown = [], {}
    for path, module in modules:
        level = 0 if not path else path.count(".") + 1
        if level > depth:
            continue
        row = LayerRow(
            path=path,
            depth=level,
            class_name=type(module).__name__,
            output_shape=_shape_of(outputs.get(path)),
            num_params=sum(p.numel() for p in module.parameters(recurse=False)),
            has_children=any(True for _ in module.children()),
        )
        shown[path] = row
        rows.append(row)
    # Parameters of hidden descendants count in their nearest shown ancestor.
    for path, module in modules:
        level = 0 if not path else path.count(".") + 1
        if level <= depth:
            continue
        ancestor = ".".join(path.split(".")[:depth])
        shown[ancestor].num_params += sum(p.numel() for p in module.parameters(recurse=False))

    params = list(model.parameters())  # each parameter once, shared ones included
    leaves = [outputs[p] for p, m in modules if p in outputs and not any(m.children())]
    stats = ModelStatistics(
        rows=rows,
        total_params=sum(p.numel() for p in params),
        trainable_params=sum(p.numel() for p in params if p.requires_grad),
        param_bytes=sum(p.numel() * p.element_size() for p in params),
        input_bytes=sum(_bytes_of(x) for x in inputs),
        output_bytes=sum(_bytes_of(o) for o in leaves),
    )
    if verbose:
        print(stats)
    return stats


def main(argv: list[str] | None = None) -> int:
    """``ember summary [--model {mlp,cnn}] [--dataset ...] [--batch-size N]``."""
    from . import train

    parser = argparse.ArgumentParser(
        prog="ember summary", description="Print the layers of the models of `ember train`."
    )
    parser.add_argument("--model", choices=sorted(train.MODELS), default="cnn")
    parser.add_argument("--dataset", choices=sorted(train.DATASETS), default="digits")
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--depth", type=int, default=3)
    args = parser.parse_args(argv)
    channels, size, classes = train.DATASETS[args.dataset].shape
    model = train.build_model(args.model, channels, size, classes)
    summary(model, (args.batch_size, channels, size, size), depth=args.depth)
    return 0


class _CallableModule(types.ModuleType):
    """Importing ``ember.summary`` binds the module to ``ember.summary``; calling it then
    still summarises, so ``ember.summary(model, size)`` works however it was first reached."""

    def __call__(self, *args, **kwargs):
        return summary(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
