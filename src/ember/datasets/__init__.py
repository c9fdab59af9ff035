"""``ember.datasets``: the bundled handwritten digits, MNIST and Fashion-MNIST, and the image
transforms they need (``ember.datasets.transforms``), without torchvision."""

from . import transforms
from .digits import Digits
from .mnist import MNIST, FashionMNIST

__all__ = ["Digits", "FashionMNIST", "MNIST", "transforms"]
