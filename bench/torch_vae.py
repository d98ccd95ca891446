"""PyTorch side of the VAE benchmark: one epoch of the MLP VAE 784-512-20-512-784
on Fashion-MNIST, as pytorch/examples' vae (BCE summed + KLD, Adam 1e-3, batch 128,
pixels / 255), the same model as bench/vae.ini.
Usage: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_vae.py vae DATA_DIR THREADS
Prints: pytorch model=vae threads=T epoch_seconds=S test_loss=L (L in nats per image)."""
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch_idx import idx


class VAE(nn.Module):
    def __init__(self, hidden=512, latent=20):
        super().__init__()
        self.fc1 = nn.Linear(784, hidden)
        self.fc21 = nn.Linear(hidden, latent)
        self.fc22 = nn.Linear(hidden, latent)
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, 784)

    def forward(self, x):
        h = F.relu(self.fc1(x.view(-1, 784)))
        mu, logvar = self.fc21(h), self.fc22(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def main():
    name, root, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if name != "vae":
        raise SystemExit(f"unknown model {name}")
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    xtr = torch.from_numpy(idx(f"{root}/train-images-idx3-ubyte.gz").astype(np.float32) / 255)
    xte = torch.from_numpy(idx(f"{root}/t10k-images-idx3-ubyte.gz").astype(np.float32) / 255)
    xtr, xte = xtr.view(-1, 784), xte.view(-1, 784)
    model = VAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    t0 = time.perf_counter()
    perm = torch.randperm(len(xtr))
    model.train()
    for s in range(0, len(xtr), 128):
        x = xtr[perm[s:s + 128]]
        opt.zero_grad()
        recon, mu, logvar = model(x)
        loss = loss_function(recon, x, mu, logvar)
        loss.backward()
        opt.step()
    dt = time.perf_counter() - t0
    model.eval()
    total = 0.0
    with torch.no_grad():
        for s in range(0, len(xte), 1000):
            x = xte[s:s + 1000]
            recon, mu, logvar = model(x)
            total += loss_function(recon, x, mu, logvar).item()
    print(f"pytorch model=vae threads={threads} epoch_seconds={dt:.3f} "
          f"test_loss={total / len(xte):.4f}")


if __name__ == "__main__":
    main()
