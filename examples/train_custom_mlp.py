"""Train the tutorial's CustomMLP (20 -> 50 -> 30 -> 3) on three Gaussian blobs.

Run: python examples/train_custom_mlp.py
"""

import ember as torch
import ember.nn.functional as F


def init_layer(n_in, n_out):
    weight = torch.nn.Parameter(torch.randn(n_out, n_in) * 0.1)
    bias = torch.nn.Parameter(torch.zeros(n_out))
    return weight, bias


def main():
    torch.manual_seed(0)
    layers = [init_layer(20, 50), init_layer(50, 30), init_layer(30, 3)]
    params = [p for layer in layers for p in layer]

    def model(x):
        for i, (w, b) in enumerate(layers):
            x = torch.matmul(x, w.t()) + b
            if i < len(layers) - 1:
                x = F.relu(x)
        return x

    centers = torch.randn(3, 20) * 3
    labels = torch.randint(0, 3, (300,))
    data = centers[labels] + torch.randn(300, 20)
    for epoch in range(20):
        for i in range(0, 300, 30):
            loss = F.cross_entropy(model(data[i : i + 30]), labels[i : i + 30])
            for p in params:
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= 0.1 * p.grad
        if epoch % 5 == 4:
            print(f"epoch {epoch + 1:2d}  loss {loss.item():.4f}")
    with torch.no_grad():
        accuracy = (model(data).argmax(dim=1) == labels).float().mean().item()
    print(f"accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main()
