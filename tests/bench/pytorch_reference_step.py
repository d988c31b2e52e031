#!/usr/bin/python3
"""P1's model in PyTorch: time full-batch training steps on one thread.

The reference for the speed ratio of //tests/bench:train_step_bench. Same
model and step as PAPER.md "The model every experiment trains": modular
addition mod p, nn.Embedding(p, 128) with N(0, 1) entries, input
concat(E[a], E[b]), nn.Sequential(Linear(256, 100), SiLU, Linear(100, 100),
SiLU, Linear(100, p)), float64, AdamW(lr 0.01, weight decay 0.5, betas
(0.9, 0.999), eps 1e-8) over all parameters, one full batch of
floor(0.8 p^2) training pairs per step, mean cross-entropy.

Run with Debian's torch (python3-torch 1.13.1; /usr/bin/python3, not a
pyenv shim):

  /usr/bin/python3 tests/bench/pytorch_reference_step.py --steps 200

Prints which torch and BLAS library the process actually mapped: float64
matmuls go to the system libblas.so.3 (Debian builds torch with
BLAS_INFO=generic; oneDNN handles no float64), so the timing depends on which
BLAS the alternatives point at. Its last line is machine-readable, read by
BM_P1PyTorchStep in train_step_bench.cc (keep the keys):

  ms_per_step=24.100 cpu_ms_per_step=23.900 threads=1 steps=200

ms per step in wall time and in this process's CPU time (the machine is
shared; with one thread, CPU time is the fairer number).
"""

import argparse
import math
import os
import time

# One thread everywhere: OpenBLAS and MKL read these once, when torch loads
# them, so they must be set before the import (torch.set_num_threads below
# covers torch's own pool). A caller's explicit setting wins.
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import torch
import torch.nn.functional as F
from torch import nn


def blas_libraries():
    """Shared libraries mapped into this process whose name says BLAS."""
    names = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if "blas" in path.lower() or "lapack" in path.lower():
                names.add(path)
    return sorted(names)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--p", type=int, default=59)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument("--steps", type=int, default=200,
                        help="timed steps (after --warmup untimed ones)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    p, d, h = args.p, args.dim, args.hidden

    embedding = nn.Embedding(p, d).double()  # entries N(0, 1)
    model = nn.Sequential(
        nn.Linear(2 * d, h), nn.SiLU(),
        nn.Linear(h, h), nn.SiLU(),
        nn.Linear(h, p)).double()
    params = list(embedding.parameters()) + list(model.parameters())
    optimizer = torch.optim.AdamW(params, lr=0.01, betas=(0.9, 0.999),
                                  eps=1e-8, weight_decay=0.5)

    # Pair n is (a = n mod p, b = n div p); a seeded 80 % trains.
    pairs = torch.arange(p * p)
    a_all, b_all = pairs % p, pairs // p
    labels_all = (a_all + b_all) % p
    train = torch.randperm(p * p)[: math.floor(0.8 * p * p)]
    a, b, labels = a_all[train], b_all[train], labels_all[train]

    def step():
        optimizer.zero_grad()
        x = torch.cat([embedding(a), embedding(b)], dim=1)
        loss = F.cross_entropy(model(x), labels)
        loss.backward()
        optimizer.step()
        return loss

    for _ in range(args.warmup):
        step()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        loss = step()
    wall = (time.perf_counter() - wall0) / args.steps
    cpu = (time.process_time() - cpu0) / args.steps

    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"p={p} d={d} hidden={h} batch={len(train)}, float64")
    print("BLAS mapped: " + (", ".join(blas_libraries()) or "none found"))
    print(f"final loss {loss.item():.6f} after {args.warmup + args.steps} "
          f"steps")
    print(f"ms_per_step={wall * 1e3:.3f} cpu_ms_per_step={cpu * 1e3:.3f} "
          f"threads={torch.get_num_threads()} steps={args.steps}")


if __name__ == "__main__":
    main()
