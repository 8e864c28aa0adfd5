#!/usr/bin/python3
"""Writes nncore/testdata/golden.bin: PyTorch reference values for the Go CPU engine.

Run from the repository root with Debian's python3-torch:  /usr/bin/python3 tools/golden/gen.py

For the variants standard-bn, bn-input and plain it builds LeNet-5 exactly as docs/CONTRACT.md has
it (conv and linear keep their bias before BN; parameter names match the contract), initializes it
with the contract's generator (Go's math/rand/v2 PCG-DXSM, ported below, so the Go test starts from
nncore.InitState with the same seed), takes 8 fixed inputs and labels, and records:
  <v>/config                                    [seed, momentum, weight decay, lr]
  <v>/input, <v>/labels                         the batch
  <v>/param_head/<name>                         the first values of each initial tensor (diagnostics)
  <v>/logits, <v>/loss                          training-mode forward pass
  <v>/grad/<name>                               every parameter gradient of the mean cross-entropy
  <v>/buffer/<name>                             running statistics after that one forward pass
  <v>/steps_loss [5]                            loss before each of 5 SGD steps on the same batch
  <v>/after/param/<name>, <v>/after/buffer/<name>, <v>/after/eval_logits   after those 5 steps
                                                (parameters: biases and BN only, to stay under 1 MiB)
"standard-bn-momentum" repeats standard-bn with momentum 0.9 and weight decay 5e-4, recording only
the 5-step part.
Dropout cannot match torch's RNG: instead the contract's mask hash is implemented here independently
and a table of its values is recorded under hash/.

File format (little-endian): magic b"LNLGOLD\\0", uint32 version, uint32 record count, then records:
uint16 name length, name (UTF-8), uint8 dtype ('f' float32, 'u' uint32), uint8 ndim, ndim × uint32
dims, the values.
"""
import math
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

VERSION = 1
MAGIC = b"LNLGOLD\0"
BATCH = 8


class LeNet(nn.Module):
    def __init__(self, variant):
        super().__init__()
        bn = variant in ("standard-bn", "bn-input")
        self.bn0 = nn.BatchNorm2d(1) if variant == "bn-input" else None
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.bn1 = nn.BatchNorm2d(6) if bn else None
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.bn2 = nn.BatchNorm2d(16) if bn else None
        self.fc1 = nn.Linear(400, 120)
        self.bn3 = nn.BatchNorm1d(120) if bn else None
        self.fc2 = nn.Linear(120, 84)
        self.bn4 = nn.BatchNorm1d(84) if bn else None
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        def opt(layer, v):
            return layer(v) if layer is not None else v

        x = opt(self.bn0, x)
        x = F.max_pool2d(F.relu(opt(self.bn1, self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(opt(self.bn2, self.conv2(x))), 2)
        x = x.flatten(1)
        x = F.relu(opt(self.bn3, self.fc1(x)))
        x = F.relu(opt(self.bn4, self.fc2(x)))
        return self.fc3(x)


M64 = (1 << 64) - 1


class PCG:
    """Go's math/rand/v2 PCG (128-bit LCG, DXSM output) and Rand.Float64."""

    MUL = (2549297995355413924 << 64) | 4865540595714422341
    INC = (6364136223846793005 << 64) | 1442695040888963407

    def __init__(self, seed1, seed2):
        self.state = (seed1 << 64) | seed2

    def uint64(self):
        self.state = (self.state * self.MUL + self.INC) & ((1 << 128) - 1)
        hi, lo = self.state >> 64, self.state & M64
        hi ^= hi >> 32
        hi = (hi * 0xDA942042E4DD58B5) & M64
        hi ^= hi >> 48
        return (hi * (lo | 1)) & M64

    def float64(self):
        return (self.uint64() & ((1 << 53) - 1)) / float(1 << 53)


def contract_init(model, seed):
    """Every conv/fc weight then bias in order, float32((2u-1)/sqrt(fan_in)); BN keeps γ=1, β=0."""
    r = PCG(seed, 0x1417)
    with torch.no_grad():
        for layer in (model.conv1, model.conv2, model.fc1, model.fc2, model.fc3):
            fan_in = layer.weight[0].numel()
            bound = 1 / math.sqrt(fan_in)
            for t in (layer.weight, layer.bias):
                vals = [(2 * r.float64() - 1) * bound for _ in range(t.numel())]
                t.copy_(torch.from_numpy(np.array(vals, dtype=np.float64).astype(np.float32)).reshape(t.shape))


def mix32(x):
    x &= 0xFFFFFFFF
    x ^= x >> 16
    x = (x * 0x7FEB352D) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x846CA68B) & 0xFFFFFFFF
    x ^= x >> 16
    return x


def dropout_bits(seed, step, layer, elem):
    seed32 = (seed & 0xFFFFFFFF) ^ (seed >> 32)
    return mix32(mix32(mix32(mix32(seed32 ^ 0x9E3779B9) ^ step) ^ ((layer * 0x85EBCA6B) & 0xFFFFFFFF)) ^ elem)


def threshold(p):
    return min(math.floor(float(np.float32(p)) * 2.0**32), 2**32 - 1)


class Writer:
    def __init__(self):
        self.records = []

    def add(self, name, value, dtype="f"):
        a = np.asarray(value, dtype=np.float32 if dtype == "f" else np.uint32)
        if a.ndim == 0:
            a = a.reshape(1)
        self.records.append((name, dtype, a))

    def write(self, path):
        out = bytearray(MAGIC)
        out += struct.pack("<II", VERSION, len(self.records))
        for name, dtype, a in self.records:
            nb = name.encode()
            out += struct.pack("<H", len(nb)) + nb
            out += struct.pack("<cB", dtype.encode(), a.ndim)
            out += struct.pack("<%dI" % a.ndim, *a.shape)
            out += a.astype("<f4" if dtype == "f" else "<u4").tobytes()
        with open(path, "wb") as f:
            f.write(out)
        return len(out)


def run(w, variant, key, momentum, wd, seed, full=True):
    model = LeNet(variant)
    contract_init(model, seed)
    g = torch.Generator().manual_seed(2000 + seed)
    raw = torch.rand(BATCH, 1, 32, 32, generator=g)
    x = raw if variant == "bn-input" else (raw - 0.1307) / 0.3081
    labels = torch.randint(0, 10, (BATCH,), generator=g)
    w.add(key + "/input", x.numpy())
    w.add(key + "/labels", labels.numpy(), "u")
    w.add(key + "/config", [seed, momentum, wd, 0.1])
    for name, p in model.named_parameters():
        w.add(key + "/param_head/" + name, p.detach().flatten()[:5].numpy())

    model.train()
    logits = model(x)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    if full:
        w.add(key + "/logits", logits.detach().numpy())
        w.add(key + "/loss", loss.item())
        for name, p in model.named_parameters():
            w.add(key + "/grad/" + name, p.grad.numpy())
        for name, b in model.named_buffers():
            if "num_batches" not in name:
                w.add(key + "/buffer/" + name, b.numpy())

    # Five SGD steps on the same batch, from the initial weights and running statistics.
    model = LeNet(variant)
    contract_init(model, seed)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=momentum, weight_decay=wd)
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), labels)
        losses.append(loss.item())
        loss.backward()
        opt.step()
    w.add(key + "/steps_loss", losses)
    for name, p in model.named_parameters():
        if p.numel() <= 120:
            w.add(key + "/after/param/" + name, p.detach().numpy())
    for name, b in model.named_buffers():
        if "num_batches" not in name:
            w.add(key + "/after/buffer/" + name, b.numpy())
    model.eval()
    with torch.no_grad():
        w.add(key + "/after/eval_logits", model(x).numpy())


def main():
    torch.set_num_threads(1)
    out = sys.argv[1] if len(sys.argv) > 1 else "nncore/testdata/golden.bin"
    w = Writer()
    run(w, "standard-bn", "standard-bn", 0.0, 0.0, seed=1)
    run(w, "bn-input", "bn-input", 0.0, 0.0, seed=2)
    run(w, "plain", "plain", 0.0, 0.0, seed=3)
    run(w, "standard-bn", "standard-bn-momentum", 0.9, 5e-4, seed=4, full=False)

    args, bits = [], []
    for seed in (0, 1, 42, 0xDEADBEEF12345678):
        for step in (0, 1, 234, 70000):
            for layer in range(5):
                for elem in (0, 1, 1023, 262143, 0xFFFFFFFF):
                    args.append([seed & 0xFFFFFFFF, seed >> 32, step, layer, elem])
                    bits.append(dropout_bits(seed, step, layer, elem))
    w.add("hash/args", args, "u")
    w.add("hash/bits", bits, "u")
    ps = [0.0, 0.1, 0.2, 0.25, 0.3, 0.5, 0.7, 0.9, 0.999]
    w.add("hash/p", ps)
    w.add("hash/threshold", [threshold(p) for p in ps], "u")
    w.add("hash/scale", [np.float32(1.0 / (1.0 - float(np.float32(p)))) for p in ps])
    n = w.write(out)
    print("wrote %s: %d records, %d bytes, torch %s" % (out, len(w.records), n, torch.__version__))


if __name__ == "__main__":
    main()
