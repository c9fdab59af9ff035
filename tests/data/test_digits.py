"""The bundled digits: shapes, dtypes, label counts, the fixed split, and transforms."""

from __future__ import annotations

import numpy as np

import ember
from ember.datasets import Digits
from ember.datasets.transforms import Lambda, Normalize
from ember.utils.data import DataLoader


def test_shapes_and_counts():
    train, test = Digits(train=True), Digits(train=False)
    assert len(train) == 1438 and len(test) == 359
    assert tuple(train.data.shape) == (1438, 8, 8) and train.data.dtype == ember.uint8
    assert train.targets.dtype == ember.int64
    assert int(train.data.max()) == 16 and int(train.data.min()) == 0
    counts = np.bincount(train.targets.numpy(), minlength=10) + np.bincount(
        test.targets.numpy(), minlength=10
    )
    # The UCI set's class sizes (1,797 in all).
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    test_counts = np.bincount(test.targets.numpy(), minlength=10)
    assert test_counts.min() >= 35 and test_counts.max() <= 37  # stratified


def test_split_is_fixed_and_disjoint():
    a, b = Digits(train=True), Digits(train=True)
    assert ember.equal(a.data, b.data)
    train_rows = {r.tobytes() for r in Digits(train=True).data.numpy()}
    test_rows = [r.tobytes() for r in Digits(train=False).data.numpy()]
    assert sum(r in train_rows for r in test_rows) < 5  # only genuine duplicate images


def test_samples():
    ds = Digits()
    image, label = ds[3]
    assert tuple(image.shape) == (1, 8, 8) and image.dtype == ember.float32
    assert label == int(ds.targets[3])
    assert ember.allclose(image[0], ds.data[3].float() / 16)
    assert 0.0 <= float(image.min()) and float(image.max()) <= 1.0


def test_transforms_apply_and_leave_the_data_alone():
    ds = Digits(transform=Normalize((0.5,), (0.5,), inplace=True), target_transform=Lambda(str))
    image, label = ds[0]
    assert isinstance(label, str)
    assert float(image.min()) >= -1.0 and float(image.min()) < 0
    again, _ = ds[0]
    assert ember.equal(image, again)  # the in-place transform worked on a copy


def test_loads_through_a_dataloader():
    x, y = next(iter(DataLoader(Digits(), batch_size=32)))
    assert tuple(x.shape) == (32, 1, 8, 8) and tuple(y.shape) == (32,)
    assert y.dtype == ember.int64
