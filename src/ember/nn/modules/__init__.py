"""``ember.nn.modules``: every layer class, one file per family as in torch/nn/modules.

``__all__`` is the public set; ``ember.nn`` re-exports it.
"""

# -- nn-core: the module system, containers, linear, sparse, dropout, flatten --------------------
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .dropout import (
    AlphaDropout,
    Dropout,
    Dropout1d,
    Dropout2d,
    Dropout3d,
    FeatureAlphaDropout,
)
from .flatten import Flatten, Unflatten
from .linear import Bilinear, Identity, Linear
from .module import Module
from .sparse import Embedding

# -- nn-functional: activation, loss, conv, pooling, normalization, padding, upsampling,
#    distance, pixelshuffle (their imports go here) ----------------------------------------------

__all__ = [
    # nn-core
    "Module",
    "Sequential",
    "ModuleList",
    "ModuleDict",
    "ParameterList",
    "ParameterDict",
    "Identity",
    "Linear",
    "Bilinear",
    "Flatten",
    "Unflatten",
    "Embedding",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "AlphaDropout",
    "FeatureAlphaDropout",
    # nn-functional (their names go here)
]
