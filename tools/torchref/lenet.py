#!/usr/bin/python3
"""PyTorch reference for LeNet Lab's CPU engine: the same model, data and preprocessing as
docs/CONTRACT.md, for accuracy and speed comparisons with `lenet train` / `lenet bench`.

  /usr/bin/python3 tools/torchref/lenet.py train -variant bn-dropout -epochs 1
  /usr/bin/python3 tools/torchref/lenet.py bench -variant standard-bn -batches 50

Runs on one thread (torch.set_num_threads(1)) unless -threads says otherwise. The data order and
dropout masks come from torch's RNG, not the contract's (they match only statistically). MNIST is read
from the GoMNIST module cache (go env GOMODCACHE) or -data DIR.
"""
import argparse
import glob
import gzip
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet(nn.Module):
    def __init__(self, variant, input_dropout="pixels"):
        super().__init__()
        bn = variant in ("standard-bn", "bn-input", "bn-dropout")
        drop = variant in ("dropout", "bn-dropout")
        pixels = input_dropout == "pixels"
        ident = nn.Identity
        self.bn0 = nn.BatchNorm2d(1) if variant == "bn-input" else ident()
        self.drop0 = nn.Dropout(0.2) if drop and pixels else ident()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.bn1 = nn.BatchNorm2d(6) if bn else ident()
        self.drop1 = nn.Dropout(0.5 if pixels else 0.2) if drop else ident()
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.bn2 = nn.BatchNorm2d(16) if bn else ident()
        self.drop2 = nn.Dropout(0.5) if drop else ident()
        self.fc1 = nn.Linear(400, 120)
        self.bn3 = nn.BatchNorm1d(120) if bn else ident()
        self.drop3 = nn.Dropout(0.5) if drop else ident()
        self.fc2 = nn.Linear(120, 84)
        self.bn4 = nn.BatchNorm1d(84) if bn else ident()
        self.drop4 = nn.Dropout(0.5) if drop else ident()
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.drop0(self.bn0(x))
        x = F.max_pool2d(F.relu(self.drop1(self.bn1(self.conv1(x)))), 2)
        x = F.max_pool2d(F.relu(self.drop2(self.bn2(self.conv2(x)))), 2)
        x = x.flatten(1)
        x = F.relu(self.drop3(self.bn3(self.fc1(x))))
        x = F.relu(self.drop4(self.bn4(self.fc2(x))))
        return self.fc3(x)


def data_dir(arg):
    if arg:
        return arg
    cache = subprocess.run(["go", "env", "GOMODCACHE"], capture_output=True, text=True).stdout.strip()
    dirs = sorted(glob.glob(os.path.join(cache, "github.com/petar/!go!m!n!i!s!t@*/data")))
    if not dirs:
        sys.exit("MNIST not found: run `go mod download` or pass -data DIR")
    return dirs[-1]


def load(d, prefix):
    with gzip.open(os.path.join(d, prefix + "-images-idx3-ubyte.gz")) as f:
        imgs = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(os.path.join(d, prefix + "-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return imgs, labels


def preprocess(imgs, mode, normalize):
    x = torch.from_numpy(imgs.astype(np.float32)) * np.float32(1.0 / 255.0)
    if mode == "resize":  # bilinear, half-pixel centres, edge clamp: the contract's formula
        x = F.interpolate(x, size=(32, 32), mode="bilinear", align_corners=False)
    else:
        x = F.pad(x, (2, 2, 2, 2))
    if normalize:
        x = (x - 0.1307) / 0.3081
    return x.contiguous()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["train", "bench"])
    ap.add_argument("-variant", default="standard-bn")
    ap.add_argument("-input-dropout", dest="input_dropout", default="pixels")
    ap.add_argument("-input", default="resize")
    ap.add_argument("-epochs", type=int, default=1)
    ap.add_argument("-batch", type=int, default=256)
    ap.add_argument("-lr", type=float, default=0.1)
    ap.add_argument("-seed", type=int, default=1)
    ap.add_argument("-batches", type=int, default=50)
    ap.add_argument("-threads", type=int, default=1)
    ap.add_argument("-data", default="")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    d = data_dir(a.data)
    norm = a.variant != "bn-input"
    xtr, ytr = load(d, "train")
    xte, yte = load(d, "t10k")
    xtr, xte = preprocess(xtr, a.input, norm), preprocess(xte, a.input, norm)
    ytr, yte = torch.from_numpy(ytr.astype(np.int64)), torch.from_numpy(yte.astype(np.int64))
    model = LeNet(a.variant, a.input_dropout)
    opt = torch.optim.SGD(model.parameters(), lr=a.lr)
    has_bn = a.variant in ("standard-bn", "bn-input", "bn-dropout")

    def step(idx):
        opt.zero_grad()
        logits = model(xtr[idx])
        loss = F.cross_entropy(logits, ytr[idx])
        loss.backward()
        opt.step()
        return loss, logits

    if a.cmd == "bench":
        model.train()
        perm = torch.randperm(len(ytr))
        batches = [perm[i:i + a.batch] for i in range(0, len(perm) - a.batch + 1, a.batch)]
        for i in range(2):
            step(batches[i])
        t = time.perf_counter()
        n = 0
        for i in range(a.batches):
            idx = batches[(i + 2) % len(batches)]
            step(idx)
            n += len(idx)
        sec = time.perf_counter() - t
        print("%s torch %s, %d thread(s): %d images in %.2f s: %.0f images/s (batch %d)"
              % (a.variant, torch.__version__, a.threads, n, sec, n / sec, a.batch))
        return

    for epoch in range(1, a.epochs + 1):
        model.train()
        perm = torch.randperm(len(ytr))
        t = time.perf_counter()
        loss_sum, correct, seen = 0.0, 0, 0
        for lo in range(0, len(perm), a.batch):
            idx = perm[lo:lo + a.batch]
            if has_bn and len(idx) == 1:
                break
            loss, logits = step(idx)
            loss_sum += loss.item() * len(idx)
            correct += (logits.argmax(1) == ytr[idx]).sum().item()
            seen += len(idx)
        sec = time.perf_counter() - t
        model.eval()
        with torch.no_grad():
            logits = torch.cat([model(xte[i:i + 1000]) for i in range(0, len(yte), 1000)])
            test_loss = F.cross_entropy(logits, yte, reduction="sum").item() / len(yte)
            test_acc = (logits.argmax(1) == yte).float().mean().item()
        print(json.dumps({"epoch": epoch, "train_loss": loss_sum / seen, "train_acc": correct / seen,
                          "test_loss": test_loss, "test_acc": test_acc, "images_per_sec": seen / sec}))


if __name__ == "__main__":
    main()
