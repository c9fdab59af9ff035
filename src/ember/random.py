"""Random number generators: ``ember.Generator``, the default generator and its seeding.

Each generator wraps a NumPy PCG64 bit generator. The default one starts from torch's default
seed, so a script gives the same numbers on every run even without ``manual_seed``. (The
numbers themselves differ from torch's: the algorithms differ.)
"""

from __future__ import annotations

import json
import os

import numpy as np

__all__ = [
    "Generator",
    "default_generator",
    "manual_seed",
    "seed",
    "initial_seed",
    "get_rng_state",
    "set_rng_state",
    "fork_rng",
]

DEFAULT_SEED = 67280421310721


class Generator:
    """A source of random numbers: ``Generator().manual_seed(42)``, passed as ``generator=``."""

    def __init__(self, device="cpu"):
        from .device import to_device

        self.device = to_device(device)
        self._seed = DEFAULT_SEED
        self.np = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed) -> Generator:
        """Reset the generator to ``seed``; returns the generator."""
        seed = int(seed)
        if seed < -(2**63) or seed >= 2**64:
            raise RuntimeError(f"Overflow when unpacking long: {seed}")
        self._seed = seed % 2**64
        self.np = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy; returns the seed."""
        s = int.from_bytes(os.urandom(8), "little") & ((1 << 63) - 1)
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        """The generator's state as a uint8 tensor."""
        from .ops.creation import from_numpy

        blob = json.dumps({"seed": self._seed, "state": self.np.bit_generator.state})
        return from_numpy(np.frombuffer(blob.encode(), dtype=np.uint8).copy())

    def set_state(self, new_state) -> Generator:
        arr = new_state.numpy() if hasattr(new_state, "numpy") else np.asarray(new_state)
        try:
            blob = json.loads(bytes(arr.astype(np.uint8)).decode())
            self._seed = blob["seed"]
            bit = np.random.PCG64()
            bit.state = blob["state"]
        except (ValueError, KeyError, TypeError) as exc:
            raise RuntimeError(f"Invalid generator state: {exc}") from None
        self.np = np.random.Generator(bit)
        return self

    def __repr__(self) -> str:
        return f"<ember.Generator object at {hex(id(self))}>"


default_generator = Generator()


def manual_seed(seed) -> Generator:
    """Seed the default generator (and every other source ember draws from)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


def resolve(generator) -> np.random.Generator:
    """The NumPy generator behind ``generator`` (the default one when None)."""
    if generator is None:
        return default_generator.np
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be an ember.Generator, not {type(generator).__name__}")
    return generator.np


class fork_rng:
    """Context manager restoring the default generator's state on exit."""

    def __init__(self, devices=None, enabled=True, **kwargs):
        self.enabled = enabled

    def __enter__(self):
        if self.enabled:
            self.state = default_generator.get_state()

    def __exit__(self, *exc):
        if self.enabled:
            default_generator.set_state(self.state)
