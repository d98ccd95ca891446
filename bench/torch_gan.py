"""PyTorch side of the GAN benchmark: one epoch of the MLP GAN of bench/gan.ini
on MNIST (generator 100-256-512-784, discriminator 784-512-256-1, LeakyReLU 0.2,
tanh output, BCEWithLogitsLoss, Adam 2e-4 with betas (0.5, 0.999), batch 128,
pixels in [-1, 1]), with the same step as Ganglion's gan trainer: one
discriminator step on a real and a fake batch, then one generator step on the
same fake batch.
Usage: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_gan.py gan DATA_DIR THREADS
Prints one line: pytorch model=gan threads=T epoch_seconds=S"""
import sys
import time

import numpy as np
import torch
from torch import nn
from torch_idx import idx


def main():
    name, root, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if name != "gan":
        raise SystemExit(f"unknown model {name} (only: gan)")
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    # Same preprocessing as Ganglion's normalize = symmetric: pixels to [-1, 1].
    x = torch.from_numpy(idx(f"{root}/train-images-idx3-ubyte.gz").astype(np.float32))
    x = (x * (2 / 255) - 1).reshape(-1, 784)
    gen = nn.Sequential(nn.Linear(100, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512),
                        nn.LeakyReLU(0.2), nn.Linear(512, 784), nn.Tanh())
    disc = nn.Sequential(nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256),
                         nn.LeakyReLU(0.2), nn.Linear(256, 1))
    opt_g = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    batch = 128
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
    t0 = time.perf_counter()
    perm = torch.randperm(len(x))
    for s in range(0, len(x), batch):
        real = x[perm[s:s + batch]]
        n = len(real)
        fake = gen(torch.randn(n, 100))
        opt_d.zero_grad()
        d_loss = bce(disc(real), ones[:n]) + bce(disc(fake.detach()), zeros[:n])
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad()
        g_loss = bce(disc(fake), ones[:n])
        g_loss.backward()
        opt_g.step()
    dt = time.perf_counter() - t0
    print(f"pytorch model=gan threads={threads} epoch_seconds={dt:.3f}")


if __name__ == "__main__":
    main()
