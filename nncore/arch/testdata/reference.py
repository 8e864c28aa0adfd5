#!/usr/bin/env python3
"""Writes reference.json: totals of every arch preset, counted by PyTorch.

Run with Debian's python3 (torch 1.13, torchvision 0.14):
    /usr/bin/python3 nncore/arch/testdata/reference.py > nncore/arch/testdata/reference.json

Each model is built independently of the Go code: torchvision's own constructors where they
exist (alexnet, vgg*), else nn modules written from the papers. Parameters are counted with
p.numel(); "params_no_bias" leaves out every parameter whose name ends in "bias" (conv/fc
biases and BN's beta); "buffers" counts BN running_mean/running_var (num_batches_tracked is
left out). MACs come from forward hooks on a real forward pass of one image:
output elements x (weight elements / output channels) for Conv2d, weight elements for Linear.
"""
import json
import torch
import torch.nn as nn
import torchvision

MAGIC = "lenetlab-arch-reference"
VERSION = 1


def lenet5(bn=False, bn_input=False):
    L = []
    if bn_input:
        L.append(nn.BatchNorm2d(1))
    L += [nn.Conv2d(1, 6, 5)] + ([nn.BatchNorm2d(6)] if bn else []) + [nn.ReLU(), nn.MaxPool2d(2)]
    L += [nn.Conv2d(6, 16, 5)] + ([nn.BatchNorm2d(16)] if bn else []) + [nn.ReLU(), nn.MaxPool2d(2), nn.Flatten()]
    L += [nn.Linear(400, 120)] + ([nn.BatchNorm1d(120)] if bn else []) + [nn.ReLU()]
    L += [nn.Linear(120, 84)] + ([nn.BatchNorm1d(84)] if bn else []) + [nn.ReLU()]
    L += [nn.Linear(84, 10)]
    return nn.Sequential(*L), (1, 32, 32)


def alexnet_paper(groups):
    """Krizhevsky et al. 2012, Fig. 2, both towers as one (groups=1) or as the paper split them."""
    return nn.Sequential(
        nn.Conv2d(3, 96, 11, 4), nn.ReLU(), nn.LocalResponseNorm(5), nn.MaxPool2d(3, 2),
        nn.Conv2d(96, 256, 5, padding=2, groups=groups), nn.ReLU(), nn.LocalResponseNorm(5), nn.MaxPool2d(3, 2),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, 3, padding=1, groups=groups), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1, groups=groups), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Flatten(), nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(),
        nn.Dropout(), nn.Linear(4096, 1000)), (3, 227, 227)


class Inception(nn.Module):
    """Szegedy et al. 2014, Fig. 2 (a) naive and (b) with dimension reductions."""

    def __init__(self, cin, c1, r3, c3, r5, c5, pp, reduced, relu=False):
        super().__init__()
        act = [nn.ReLU()] if relu else []
        if reduced:
            self.b = nn.ModuleList([
                nn.Sequential(nn.Conv2d(cin, c1, 1), *act),
                nn.Sequential(nn.Conv2d(cin, r3, 1), *act, nn.Conv2d(r3, c3, 3, padding=1), *act),
                nn.Sequential(nn.Conv2d(cin, r5, 1), *act, nn.Conv2d(r5, c5, 5, padding=2), *act),
                nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(cin, pp, 1), *act)])
        else:
            self.b = nn.ModuleList([
                nn.Sequential(nn.Conv2d(cin, c1, 1)), nn.Sequential(nn.Conv2d(cin, c3, 3, padding=1)),
                nn.Sequential(nn.Conv2d(cin, c5, 5, padding=2)), nn.Sequential(nn.MaxPool2d(3, 1, 1))])

    def forward(self, x):
        return torch.cat([b(x) for b in self.b], 1)


def count(model, shape):
    model.eval()
    macs = [0]

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            macs[0] += out.numel() * (m.weight.numel() // m.out_channels)
        elif isinstance(m, nn.Linear):
            macs[0] += m.weight.numel()

    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            m.register_forward_hook(hook)
    with torch.no_grad():
        y = model(torch.zeros(1, *shape))
    return {
        "params": sum(p.numel() for p in model.parameters()),
        "params_no_bias": sum(p.numel() for n, p in model.named_parameters() if not n.endswith("bias")),
        "buffers": sum(b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked")),
        "macs": macs[0],
        "out_shape": list(y.shape[1:]) + [1] * (4 - y.dim()),
    }


def main():
    tv = torchvision.models
    models = {
        "lenet5": lenet5(),
        "lenet5_bn": lenet5(bn=True),
        "lenet5_bn_input": lenet5(bn=True, bn_input=True),
        "alexnet": alexnet_paper(1),
        "alexnet-grouped": alexnet_paper(2),
        "alexnet-torchvision": (tv.alexnet(weights=None), (3, 224, 224)),
        "inception-naive": (Inception(256, 128, 128, 192, 32, 96, 64, False), (256, 32, 32)),
        "inception-reduced": (Inception(256, 128, 128, 192, 32, 96, 64, True), (256, 32, 32)),
        "googlenet-3a": (Inception(192, 64, 96, 128, 16, 32, 32, True, relu=True), (192, 28, 28)),
    }
    for n in ["vgg11", "vgg13", "vgg16", "vgg19"]:
        models[n] = (getattr(tv, n)(weights=None), (3, 224, 224))
        models[n + "_bn"] = (getattr(tv, n + "_bn")(weights=None), (3, 224, 224))
    out = {"magic": MAGIC, "version": VERSION, "torch": torch.__version__,
           "torchvision": torchvision.__version__, "models": {}}
    for name, (m, shape) in models.items():
        out["models"][name] = count(m, shape)
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
