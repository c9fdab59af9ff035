"""ToTensor, Normalize, Compose, Lambda: torchvision's behaviour, by known values."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.datasets.transforms import Compose, Lambda, Normalize, ToTensor


def test_to_tensor_scales_uint8_and_moves_channels_first():
    hw = np.array([[0, 255], [51, 102]], dtype=np.uint8)
    t = ToTensor()(hw)
    assert tuple(t.shape) == (1, 2, 2) and t.dtype == ember.float32
    assert np.allclose(t.numpy()[0], hw / 255.0)
    hwc = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    t = ToTensor()(hwc)
    assert tuple(t.shape) == (4, 2, 3)
    assert np.allclose(t.numpy(), hwc.transpose(2, 0, 1) / 255.0)


def test_to_tensor_keeps_other_dtypes():
    t = ToTensor()(np.full((2, 2), 3.5, dtype=np.float64))
    assert t.dtype == ember.float64 and float(t[0, 0, 0]) == 3.5


def test_to_tensor_errors():
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        ToTensor()(ember.zeros(2, 2))
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 1 dimensions."):
        ToTensor()(np.zeros(3, dtype=np.uint8))


def test_normalize_per_channel():
    x = ember.ones(2, 2, 2)
    x[1] = 3.0
    out = Normalize((1.0, 2.0), (0.5, 4.0))(x)
    assert np.allclose(out.numpy()[0], 0.0) and np.allclose(out.numpy()[1], 0.25)
    assert float(x[1, 0, 0]) == 3.0  # not in place by default
    batch = Normalize((1.0, 2.0), (0.5, 4.0))(ember.stack([x, x]))
    assert np.allclose(batch.numpy()[1, 1], 0.25)


def test_normalize_in_place():
    x = ember.full((1, 2, 2), 2.0)
    out = Normalize((1.0,), (2.0,), inplace=True)(x)
    assert out is x and float(x[0, 0, 0]) == 0.5


@pytest.mark.parametrize(
    "x, exc, msg",
    [
        (np.zeros((1, 2, 2)), TypeError, "Input tensor should be a torch tensor"),
        (ember.zeros(1, 2, 2, dtype=ember.int64), TypeError, "should be a float tensor"),
        (ember.zeros(2, 2), ValueError, r"Expected tensor to be a tensor image of size"),
    ],
)
def test_normalize_errors(x, exc, msg):
    with pytest.raises(exc, match=msg):
        Normalize((0.0,), (1.0,))(x)


def test_normalize_zero_std():
    with pytest.raises(ValueError, match="std evaluated to zero"):
        Normalize((0.0,), (0.0,))(ember.zeros(1, 2, 2))


def test_compose_and_lambda():
    pipeline = Compose([ToTensor(), Lambda(lambda t: t * 2), Normalize((1.0,), (1.0,))])
    out = pipeline(np.full((2, 2), 255, dtype=np.uint8))
    assert np.allclose(out.numpy(), 1.0)
    assert repr(pipeline).splitlines()[0] == "Compose("
    assert "    ToTensor()" in repr(pipeline)
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        Lambda(3)
