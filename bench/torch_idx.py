"""IDX reader shared by the PyTorch sides of the benchmarks (gzip'd MNIST-format files)."""
import gzip
import struct

import numpy as np


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)
