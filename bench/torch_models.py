"""PyTorch side of bench/run.sh: one epoch of a model on Fashion-MNIST.
Usage: /usr/bin/python3 bench/torch_models.py MODEL DATA_DIR THREADS
MODEL: mlp (784-200-10), cnn_small (34,826 params), cnn_wide (234,310 params)."""
import sys
import time

import numpy as np
import torch
from torch import nn
from torch_idx import idx


def build(name):
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 200), nn.ReLU(), nn.Linear(200, 10))
    if name == "cnn_small":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(0.5), nn.Linear(64 * 5 * 5, 10))
    if name == "cnn_wide":
        return nn.Sequential(
            nn.Conv2d(1, 200, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(200, 100, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(100 * 7 * 7, 10))
    raise SystemExit(f"unknown model {name}")


def main():
    name, root, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    xtr = torch.from_numpy(idx(f"{root}/train-images-idx3-ubyte.gz").astype(np.float32) / 255)
    ytr = torch.from_numpy(idx(f"{root}/train-labels-idx1-ubyte.gz").astype(np.int64))
    xte = torch.from_numpy(idx(f"{root}/t10k-images-idx3-ubyte.gz").astype(np.float32) / 255)
    yte = torch.from_numpy(idx(f"{root}/t10k-labels-idx1-ubyte.gz").astype(np.int64))
    # Same preprocessing as Ganglion's normalize = standard (train statistics).
    mean, std = xtr.mean(), xtr.std()
    xtr = ((xtr - mean) / std).unsqueeze(1)
    xte = ((xte - mean) / std).unsqueeze(1)
    model = build(name)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    lossf = nn.CrossEntropyLoss()
    t0 = time.perf_counter()
    perm = torch.randperm(len(xtr))
    model.train()
    for s in range(0, len(xtr), 128):
        i = perm[s:s + 128]
        opt.zero_grad()
        loss = lossf(model(xtr[i]), ytr[i])
        loss.backward()
        opt.step()
    dt = time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        acc = sum((model(xte[s:s + 1000]).argmax(1) == yte[s:s + 1000]).sum().item()
                  for s in range(0, len(xte), 1000)) / len(xte)
    print(f"torch model={name} threads={threads} params={params} "
          f"epoch_seconds={dt:.3f} test_accuracy={acc:.4f}")


if __name__ == "__main__":
    main()
