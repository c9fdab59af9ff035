"""``Digits``: the UCI handwritten digits, bundled with ember (no download).

1,797 grey images of 8x8 pixels in 0..16, 10 classes, from E. Alpaydin and C. Kaynak (UCI ML
Repository, CC BY 4.0; see ``data/README.md``), with a fixed stratified split of 1,438
training and 359 test images.
"""

from __future__ import annotations

from importlib import resources

import numpy as np

from ..ops.creation import from_numpy
from ..utils.data import Dataset

__all__ = ["Digits"]


def load_digits_arrays(train: bool) -> tuple[np.ndarray, np.ndarray]:
    """(images (N, 8, 8) uint8 in 0..16, labels (N,) int64) of one split, NumPy only."""
    split = "train" if train else "test"
    source = resources.files(__package__).joinpath("data", "digits.npz")
    with source.open("rb") as f, np.load(f) as arrays:
        images = arrays[f"{split}_images"]
        labels = arrays[f"{split}_labels"].astype(np.int64)
    return images, labels


class Digits(Dataset):
    """The bundled handwritten digits: ``Digits(train=True)`` has 1,438 samples, the test
    split 359. Sample ``i`` is ``(image, label)``: ``image`` a float32 tensor (1, 8, 8) in
    [0, 1] (the pixel counts divided by 16), then ``transform``; ``label`` an int in 0..9,
    then ``target_transform``. ``data`` (N, 8, 8) uint8 and ``targets`` (N,) int64 hold the
    whole split. ``root`` and ``download`` are accepted for MNIST's signature and unused."""

    classes = [str(d) for d in range(10)]

    def __init__(
        self,
        root=None,
        train: bool = True,
        transform=None,
        target_transform=None,
        download: bool = False,
    ) -> None:
        self.root = root
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        images, labels = load_digits_arrays(train)
        self.data = from_numpy(images)
        self.targets = from_numpy(labels)
        self._images = (images.astype(np.float32) / np.float32(16))[:, None]  # (N, 1, 8, 8)

    def __getitem__(self, index: int):
        image = from_numpy(self._images[index].copy())
        target = int(self.targets._data[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __len__(self) -> int:
        return len(self._images)

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.classes)}

    def __repr__(self) -> str:
        lines = [
            f"Dataset {self.__class__.__name__}",
            f"    Number of datapoints: {len(self)}",
            f"    Split: {'Train' if self.train else 'Test'}",
        ]
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform}")
        return "\n".join(lines)
