"""``MNIST`` and ``FashionMNIST``: 28x28 grey images in 10 classes, read from the standard IDX
files in ``root/<ClassName>/raw`` (gzipped or not), downloaded there on request.

Sample ``i`` is ``(image, target)``: ``image`` the (28, 28) uint8 array (what torchvision
gives as a PIL image; ``ToTensor()`` makes it a float tensor (1, 28, 28) in [0, 1]), then
``transform``; ``target`` an int, then ``target_transform``.
"""

from __future__ import annotations

import os

import numpy as np

from ..ops.creation import from_numpy
from ..utils.data import Dataset
from .download import download_file, sha256_of
from .idx import IMAGES_MAGIC, LABELS_MAGIC, read_idx

__all__ = ["MNIST", "FashionMNIST"]


class MNIST(Dataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test images.

    Args:
        root: the folder holding ``MNIST/raw/`` (for this class; ``FashionMNIST/raw/`` for
            Fashion-MNIST).
        train: the training split (default) or the test split.
        transform, target_transform: applied to the image and to the target.
        download: fetch the missing files from ``mirrors`` first, each verified against its
            SHA-256 in ``resources``.
    """

    mirrors = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ]
    resources = [
        (
            "train-images-idx3-ubyte.gz",
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        ),
        (
            "train-labels-idx1-ubyte.gz",
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        ),
        (
            "t10k-images-idx3-ubyte.gz",
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        ),
        (
            "t10k-labels-idx1-ubyte.gz",
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        ),
    ]
    classes = [
        "0 - zero",
        "1 - one",
        "2 - two",
        "3 - three",
        "4 - four",
        "5 - five",
        "6 - six",
        "7 - seven",
        "8 - eight",
        "9 - nine",
    ]

    def __init__(
        self,
        root: str | os.PathLike,
        train: bool = True,
        transform=None,
        target_transform=None,
        download: bool = False,
    ) -> None:
        self.root = os.path.expanduser(os.fspath(root))
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        if download:
            self.download()
        images, labels = self._load_data()
        self.data = from_numpy(images)
        self.targets = from_numpy(labels.astype(np.int64))

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.classes)}

    def _find(self, filename: str) -> str | None:
        """The file on disk for a resource: uncompressed if present, else the .gz."""
        base = os.path.join(self.raw_folder, filename)
        for candidate in (base.removesuffix(".gz"), base):
            if os.path.isfile(candidate):
                return candidate
        return None

    def _load_data(self) -> tuple[np.ndarray, np.ndarray]:
        prefix = "train" if self.train else "t10k"
        found = {}
        for kind in ("images-idx3", "labels-idx1"):
            name = f"{prefix}-{kind}-ubyte.gz"
            path = self._find(name)
            if path is None:
                missing = os.path.join(self.raw_folder, name.removesuffix(".gz"))
                raise RuntimeError(
                    f"Dataset not found: no {missing} (or .gz). You can use download=True to "
                    "download it"
                )
            found[kind] = path
        images = read_idx(found["images-idx3"], magic=IMAGES_MAGIC)
        labels = read_idx(found["labels-idx1"], magic=LABELS_MAGIC)
        if len(images) != len(labels):
            raise RuntimeError(
                f"{found['images-idx3']} holds {len(images)} images but "
                f"{found['labels-idx1']} holds {len(labels)} labels"
            )
        return images, labels

    def download(self) -> None:
        """Fetch every resource not already present (a present .gz must verify)."""
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, sha256 in self.resources:
            path = os.path.join(self.raw_folder, filename)
            if os.path.isfile(path.removesuffix(".gz")):
                continue  # supplied uncompressed by the user
            if os.path.isfile(path) and sha256_of(path) == sha256:
                continue
            download_file([m + filename for m in self.mirrors], path, sha256)

    def __getitem__(self, index: int):
        image = self.data._data[index].copy()  # (28, 28) uint8
        target = int(self.targets._data[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        lines = [
            f"Dataset {self.__class__.__name__}",
            f"    Number of datapoints: {len(self)}",
            f"    Root location: {self.root}",
            f"    Split: {'Train' if self.train else 'Test'}",
        ]
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform}")
        return "\n".join(lines)


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando): 28x28 grey images of 10 kinds of clothing, 60,000 training
    and 10,000 test, in MNIST's format. Same arguments as ``MNIST``."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        (
            "train-images-idx3-ubyte.gz",
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        ),
        (
            "train-labels-idx1-ubyte.gz",
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        ),
        (
            "t10k-images-idx3-ubyte.gz",
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        ),
        (
            "t10k-labels-idx1-ubyte.gz",
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        ),
    ]
    classes = [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ]
