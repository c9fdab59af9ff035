"""End to end: seed 002's CustomMLP trained with ember and with torch from the same initial
weights on the same batches gives the same loss curve."""

from __future__ import annotations

import numpy as np
import pytest

import ember

SHAPES = {
    "fc1.weight": (50, 20),
    "fc1.bias": (50,),
    "fc2.weight": (30, 50),
    "fc2.bias": (30,),
    "fc3.weight": (3, 30),
    "fc3.bias": (3,),
}
_rng = np.random.default_rng(0)
INIT = {k: (0.3 * _rng.standard_normal(s)).astype(np.float32) for k, s in SHAPES.items()}
BATCHES = [
    (_rng.standard_normal((5, 20)).astype(np.float32), _rng.integers(0, 3, 5)) for _ in range(50)
]


def custom_mlp(torch):
    """Seed 002's model, word for word, for ``torch`` (ember or torch)."""
    nn = torch.nn
    F = torch.nn.functional

    class CustomLinearLayer(nn.Module):
        def __init__(self, input_dim, output_dim):
            super(CustomLinearLayer, self).__init__()  # noqa: UP008 - the seed's spelling
            self.weight = nn.Parameter(torch.randn(output_dim, input_dim))
            self.bias = nn.Parameter(torch.randn(output_dim))

        def forward(self, x):
            y = torch.matmul(x, self.weight.t()) + self.bias
            return y

    class CustomMLP(nn.Module):
        def __init__(self):
            super(CustomMLP, self).__init__()  # noqa: UP008
            self.fc1 = CustomLinearLayer(20, 50)
            self.fc2 = CustomLinearLayer(50, 30)
            self.fc3 = CustomLinearLayer(30, 3)

        def forward(self, x):
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = self.fc3(x)
            return x

    model = CustomMLP()
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.from_numpy(INIT[name]))
    return model


def train(torch, schedule):
    """Train on the 50 batches; ``schedule`` is [(optimizer name, kwargs, steps), ...], each
    optimizer taking over the model where the previous one stopped."""
    model = custom_mlp(torch)
    losses = []
    batches = iter(BATCHES)
    for name, kwargs, steps in schedule:
        optimizer = getattr(torch.optim, name)(model.parameters(), **kwargs)
        for _ in range(steps):
            x, y = next(batches)
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(
                model(torch.from_numpy(x)), torch.from_numpy(y)
            )
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return np.array(losses)


SGD = ("SGD", dict(lr=0.05, momentum=0.9))
ADAM = ("Adam", dict(lr=0.01))


@pytest.mark.parametrize(
    "schedule",
    [[(*SGD, 50)], [(*ADAM, 50)], [(*SGD, 25), (*ADAM, 25)]],
    ids=["SGD-momentum", "Adam", "SGD-momentum-then-Adam"],
)
def test_custom_mlp_loss_curve_matches_torch(torch, schedule):
    ours = train(ember, schedule)
    theirs = train(torch, schedule)
    assert len(ours) == 50
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
    assert ours[-10:].mean() < ours[:10].mean()  # and it learns
