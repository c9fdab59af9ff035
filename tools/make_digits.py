"""Convert the UCI handwritten digits into ember's bundled ``digits.npz`` (run once).

The source is the public copy shipped in scikit-learn's wheel on PyPI
(``sklearn/datasets/data/digits.csv.gz``: 1,797 rows of 64 pixels in 0..16 and a label):

    pip download scikit-learn --no-deps -d /tmp/skl
    python tools/make_digits.py /tmp/skl/scikit_learn-*.whl

The script takes the wheel or the extracted ``digits.csv.gz``, prints the CSV's SHA-256,
and writes ``src/ember/datasets/data/digits.npz`` with a fixed, stratified split: in each class,
a seeded shuffle (NumPy's PCG64, seed 1998) puts 20% (rounded) in the test set. Arrays:
``train_images`` / ``test_images`` (N, 8, 8) uint8 in 0..16, ``train_labels`` /
``test_labels`` (N,) uint8, and ``train_index`` / ``test_index``, the rows of the source CSV.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

MEMBER = "sklearn/datasets/data/digits.csv.gz"
OUT = Path(__file__).resolve().parent.parent / "src/ember/datasets/data/digits.npz"
SEED = 1998
TEST_FRACTION = 0.2


def read_source(path: Path) -> bytes:
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            return wheel.read(MEMBER)
    return path.read_bytes()


def split(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.Generator(np.random.PCG64(SEED))
    test = []
    for digit in range(10):
        rows = np.flatnonzero(labels == digit)
        rows = rng.permutation(rows)
        test.extend(rows[: int(round(len(rows) * TEST_FRACTION))].tolist())
    test_index = np.sort(np.array(test))
    train_index = np.setdiff1d(np.arange(len(labels)), test_index)
    return train_index, test_index


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    blob = read_source(Path(argv[0]))
    print(f"source sha256 {hashlib.sha256(blob).hexdigest()}")
    table = np.loadtxt(io.BytesIO(gzip.decompress(blob)), delimiter=",", dtype=np.int64)
    assert table.shape == (1797, 65), table.shape
    images = table[:, :64].reshape(-1, 8, 8).astype(np.uint8)
    labels = table[:, 64].astype(np.uint8)
    assert images.max() == 16 and set(labels.tolist()) == set(range(10))
    train_index, test_index = split(labels)
    np.savez_compressed(
        OUT,
        train_images=images[train_index],
        train_labels=labels[train_index],
        test_images=images[test_index],
        test_labels=labels[test_index],
        train_index=train_index.astype(np.uint16),
        test_index=test_index.astype(np.uint16),
    )
    print(
        f"wrote {OUT} ({OUT.stat().st_size} bytes): {len(train_index)} train, "
        f"{len(test_index)} test"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
