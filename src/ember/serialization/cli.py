"""``ember inspect FILE`` and ``ember convert IN OUT``.

``inspect`` lists the tensors of a checkpoint (.pt and the other PyTorch suffixes, zip or
legacy), a .safetensors file or a .npz archive: name, shape, dtype and bytes, then the totals.
It runs nothing from the file: checkpoints go through ``ember.load``'s restricted unpickler
(storages memory-mapped where the format allows), safetensors and npz files are read from
their headers alone.

``convert`` rewrites a checkpoint as safetensors or back (or a legacy checkpoint in the zip
format). Nested dicts are flattened to dotted names; values that are not tensors cannot go
into a safetensors file and are listed as skipped.
"""

from __future__ import annotations

import argparse
import os
import sys
import zipfile
from collections import OrderedDict

import numpy as np

__all__ = ["inspect_main", "convert_main", "tensor_table"]

_TORCH_SUFFIXES = (".pt", ".pth", ".bin", ".ckpt", ".tar")


def _kind(path: str) -> str:
    lower = path.lower()
    if lower.endswith(".safetensors"):
        return "safetensors"
    if lower.endswith(".npz"):
        return "npz"
    return "torch"


# -- reading tensors' descriptions -----------------------------------------------------------------
def _checkpoint_entries(path: str):
    """(name, shape, dtype name, bytes) of each tensor, and the other leaves, of a checkpoint."""
    from ..tensor import Tensor
    from ._load import load

    with open(path, "rb") as f:
        zipped = f.read(4) == b"PK\x03\x04"
    obj = load(path, mmap=zipped)
    tensors, others = [], []
    todo = [("", obj)]
    seen = set()
    while todo:
        name, x = todo.pop()
        if isinstance(x, Tensor):
            tensors.append((name, tuple(x.shape), x.dtype.name, x.numel() * x.element_size()))
        elif isinstance(x, (dict, list, tuple)) and not _plain_sequence(x):
            if id(x) in seen:
                continue
            seen.add(id(x))
            items = x.items() if isinstance(x, dict) else enumerate(x)
            prefix = f"{name}." if name else ""
            todo += [(f"{prefix}{k}", v) for k, v in reversed(list(items))]
        else:
            others.append((name or "(top level)", x))
    return tensors, others


def _plain_sequence(x) -> bool:
    """A list or tuple of numbers and strings, shown as one value."""
    return isinstance(x, (list, tuple)) and all(
        isinstance(v, (int, float, str, bool, type(None))) for v in x
    )


def _safetensors_entries(path: str):
    from ._safetensors import read_header

    header, _ = read_header(path)
    tensors = []
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        tensors.append((name, tuple(info["shape"]), _st_name(info["dtype"]), end - begin))
    metadata = header.get("__metadata__") or {}
    return tensors, list(metadata.items())


def _st_name(code: str) -> str:
    return {
        "F64": "float64",
        "F32": "float32",
        "F16": "float16",
        "BF16": "bfloat16",
        "I64": "int64",
        "I32": "int32",
        "I16": "int16",
        "I8": "int8",
        "U8": "uint8",
        "BOOL": "bool",
    }[code]


def _npz_entries(path: str):
    tensors = []
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if not info.filename.endswith(".npy"):
                continue
            with z.open(info) as f:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    shape, _, dtype = np.lib.format.read_array_header_1_0(f)
                else:
                    shape, _, dtype = np.lib.format.read_array_header_2_0(f)
            if dtype.hasobject:
                raise ValueError(f"{info.filename} holds Python objects (pickles); not read")
            nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
            tensors.append((info.filename[:-4], tuple(shape), dtype.name, nbytes))
    return tensors, []


def tensor_table(path: str):
    """(tensors, other entries) of a file, by its suffix; see the module docstring."""
    kind = _kind(path)
    if kind == "safetensors":
        return _safetensors_entries(path)
    if kind == "npz":
        return _npz_entries(path)
    return _checkpoint_entries(path)


# -- the commands ----------------------------------------------------------------------------------
def inspect_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="ember inspect",
        description="List the tensors in a .pt, .safetensors or .npz file (runs nothing "
        "from the file).",
    )
    parser.add_argument("file")
    args = parser.parse_args(argv)
    try:
        tensors, others = tensor_table(args.file)
    except Exception as exc:  # any refusal or damage: one line, not a traceback
        print(f"ember inspect: {exc}", file=sys.stderr)
        return 1
    rows = [(name, "[" + ", ".join(map(str, s)) + "]", d, f"{b:,}") for name, s, d, b in tensors]
    heads = ("name", "shape", "dtype", "bytes")
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(heads)]
    line = "  ".join(f"{{:<{w}}}" for w in widths[:3]) + f"  {{:>{widths[3]}}}"
    print(line.format(*heads))
    for row in rows:
        print(line.format(*row))
    numel = sum(int(np.prod(s, dtype=object)) for _, s, _, _ in tensors)
    nbytes = sum(b for *_, b in tensors)
    noun = "tensor" if len(tensors) == 1 else "tensors"
    print(f"total: {len(tensors)} {noun}, {numel:,} parameters, {nbytes:,} bytes")
    for name, value in others:
        print(f"{name} = {_short(value)}")
    return 0


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 70 else text[:67] + "..."


def convert_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="ember convert",
        description="Convert a checkpoint between PyTorch's format (.pt) and .safetensors.",
    )
    parser.add_argument("input")
    parser.add_argument("output")
    args = parser.parse_args(argv)
    try:
        skipped = convert(args.input, args.output)
    except Exception as exc:
        print(f"ember convert: {exc}", file=sys.stderr)
        return 1
    if skipped:
        print(f"ember convert: skipped entries that are not tensors: {', '.join(skipped)}")
    print(f"wrote {args.output}")
    return 0


def convert(src: str, dst: str) -> list[str]:
    """Convert ``src`` to ``dst`` by their suffixes; returns the names of skipped entries."""
    from ..tensor import Tensor
    from ._load import load
    from ._safetensors import load_file, save_file
    from ._save import save

    if os.path.abspath(src) == os.path.abspath(dst):
        raise ValueError("input and output are the same file")
    kinds = (_kind(src), _kind(dst))
    if "npz" in kinds:
        raise ValueError("convert reads and writes .pt and .safetensors files")
    obj = load_file(src) if kinds[0] == "safetensors" else load(src)
    if kinds[1] == "torch":
        save(obj, dst)
        return []
    flat = OrderedDict()
    skipped = []
    todo = [("", obj)]
    while todo:
        name, x = todo.pop()
        if isinstance(x, Tensor):
            flat[name] = x
        elif isinstance(x, dict):
            prefix = f"{name}." if name else ""
            todo += [(f"{prefix}{k}", v) for k, v in reversed(list(x.items()))]
        else:
            skipped.append(name or "(top level)")
    if not flat:
        raise ValueError(f"{src} holds no tensors in dicts to convert")
    save_file(dict(flat), dst)
    return skipped
