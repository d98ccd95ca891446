"""PyTorch side of bench/mlp.sh: one epoch of the quickstart MLP on Fashion-MNIST.
Usage: /usr/bin/python3 bench/torch_mlp.py DATA_DIR THREADS"""
import gzip
import struct
import sys
import time

import numpy as np
import torch
from torch import nn


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    root, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    xtr = torch.from_numpy(idx(f"{root}/train-images-idx3-ubyte.gz").astype(np.float32) / 255)
    ytr = torch.from_numpy(idx(f"{root}/train-labels-idx1-ubyte.gz").astype(np.int64))
    xte = torch.from_numpy(idx(f"{root}/t10k-images-idx3-ubyte.gz").astype(np.float32) / 255)
    yte = torch.from_numpy(idx(f"{root}/t10k-labels-idx1-ubyte.gz").astype(np.int64))
    # Same preprocessing as conf/quickstart.ini: standardise with train statistics.
    mean, std = xtr.mean(), xtr.std()
    xtr, xte = (xtr - mean) / std, (xte - mean) / std
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 200), nn.ReLU(), nn.Linear(200, 10))
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
        acc = (model(xte).argmax(1) == yte).float().mean().item()
    print(f"torch threads={threads} epoch_seconds={dt:.3f} test_accuracy={acc:.4f}")


if __name__ == "__main__":
    main()
