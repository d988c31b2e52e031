#!/usr/bin/python3
"""Runs P1's own training code and dumps what //tests/p1_replay replays.

P1 is carlguo866/circle-survival; this script never fetches it and never
copies it. Give it a checkout (any directory holding P1's
training/train_model.py, e.g. `git worktree add /tmp/p1 40d73ed` of a clone):

    apt-get install -y python3-torch          # Debian's torch 1.13, once
    /usr/bin/python3 tools/p1_fixture/p1_fixture.py --p1=/tmp/p1 \\
        --out=tests/p1_replay --start_seed=1 --end_seed=3 --steps=1500

It executes P1's training/train_model.py as __main__ (runpy, from the given
path) with the command line

    --fix_embedding True --init_seed 0 --start_seed S --end_seed E
    --dim 128 --p 59 --steps STEPS --data_log STEPS --data_path TMP

(P1's own loop trains trial seeds S..E-1 in turn), and converts the files P1's script
itself saves (init_params.npy, train_id.npy, test_id.npy, train_loss.npy,
test_loss.npy, train_acc.npy, test_acc.npy, model.pt) into the layout
`repro train --init_from --split_from` reads. The hooks, all from outside
P1's code and none touching its arithmetic:
  - sys.argv as above. --data_log STEPS only thins P1's per-step embedding
    and gradient copies (180 MB a run at P1's default of 1); no number
    trained depends on it.
  - torch.set_num_threads(1), so the fixture is one fixed reduction order.
  - tqdm and matplotlib, when not installed, are replaced by stand-ins:
    train_model.py imports them for progress bars and unused plot classes.
  - P1's stdout (it prints whole embeddings) goes to TMP/p1_stdout.txt.

Output, per trial seed S, under OUT/seed_S/ (every float '<f8', C order):
    init/NAME.npy, final/NAME.npy   NAME in embedding, linears.{0,1,2}.{weight,
                                    bias}: P1's state_dict before the first and
                                    after the last update (init from P1's
                                    init_params.npy, split in parameters()
                                    order; final from P1's model.pt)
    train_idx.npy, test_idx.npy     P1's train_id / test_id ('<i8', P1's order)
    train_loss.npy, test_loss.npy   (STEPS,) loss at step t, before update t+1
    train_acc.npy, test_acc.npy     (STEPS,) P1's float32 accuracies, widened
and OUT/manifest.json (P1 commit and file hash, settings, torch version)
and OUT/SHA256SUMS. Rerunning writes identical bytes (P1's run is seeded
and single-threaded here).
"""
import argparse
import contextlib
import glob
import hashlib
import json
import os
import runpy
import sys
import tempfile
import time
import types

import numpy as np
import torch

# sha256 of training/train_model.py at carlguo866/circle-survival 40d73ed.
P1_COMMIT = "40d73edabfba9b0eeda90576fb522765a319dd76"
P1_TRAIN_MODEL_SHA256 = (
    "46869221b79e44f08f22f5ee7fe75bba44cdd5bd6837a5fc1deb82802eda1943")

# Our names for P1's state_dict entries, in P1's parameters() order (the
# module's own `embedding` first, then the ModuleList `linears`).
NAMES = ["embedding", "linears.0.weight", "linears.0.bias",
         "linears.1.weight", "linears.1.bias", "linears.2.weight",
         "linears.2.bias"]


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def blas_libraries():
    """Shared libraries mapped into this process whose name says BLAS."""
    names = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) >= 6 and "blas" in fields[-1].lower():
                names.add(os.path.realpath(fields[-1]))
    return sorted(names)


def stand_in_modules():
    """Stand-ins for display-only imports that are missing; returns names."""
    replaced = []
    try:
        import tqdm  # noqa: F401
    except ImportError:
        m = types.ModuleType("tqdm")
        m.tqdm = lambda iterable=None, *a, **k: iterable
        sys.modules["tqdm"] = m
        replaced.append("tqdm")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        for name in ["matplotlib", "matplotlib.pyplot", "matplotlib.patches"]:
            m = types.ModuleType(name)
            # `from matplotlib.patches import Ellipse, Circle`: any name
            # resolves; training never calls them.
            m.__getattr__ = lambda attr, _n=name: type(attr, (), {})
            sys.modules[name] = m
        replaced.append("matplotlib")
    return replaced


def run_p1(train_model, args, data_path, log):
    """Executes P1's train_model.py as __main__; returns its arguments."""
    argv = [train_model, "--fix_embedding", "True",
            "--init_seed", str(args.init_seed),
            "--start_seed", str(args.start_seed),
            "--end_seed", str(args.end_seed),
            "--dim", str(args.dim), "--p", str(args.p),
            "--steps", str(args.steps), "--data_log", str(args.steps),
            "--data_path", data_path]
    saved_argv = sys.argv
    sys.argv = argv
    try:
        with contextlib.redirect_stdout(log):
            runpy.run_path(train_model, run_name="__main__")
    finally:
        sys.argv = saved_argv
    return argv[1:]


def save(path, array):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, np.ascontiguousarray(array))


def convert(run_dir, out_dir, steps):
    """P1's saved files of one run -> our replay layout. Returns final
    state_dict shapes for the manifest."""
    final = torch.load(os.path.join(run_dir, "model.pt"))
    if list(final.keys()) != NAMES:
        sys.exit(f"{run_dir}/model.pt: state_dict keys {list(final.keys())}, "
                 f"expected {NAMES}")
    shapes = {k: tuple(v.shape) for k, v in final.items()}
    flat = np.load(os.path.join(run_dir, "init_params.npy"))
    if flat.dtype != np.float64 or flat.ndim != 1:
        sys.exit(f"{run_dir}/init_params.npy: expected float64 (n,)")
    offset = 0
    for name in NAMES:
        size = int(np.prod(shapes[name]))
        t = flat[offset:offset + size].reshape(shapes[name])
        offset += size
        save(os.path.join(out_dir, "init", name + ".npy"), t.astype("<f8"))
        save(os.path.join(out_dir, "final", name + ".npy"),
             final[name].detach().cpu().double().numpy().astype("<f8"))
    if offset != flat.size:
        sys.exit(f"{run_dir}/init_params.npy: {flat.size} values, the "
                 f"state_dict has {offset}")
    # P1 saves the embedding on its own too: the split of the fused vector
    # must give it back bit for bit, or the parameters() order is not NAMES.
    embed = np.load(os.path.join(run_dir, "init_embed.npy"))
    first = flat[:int(np.prod(shapes["embedding"]))].reshape(embed.shape)
    if not np.array_equal(first.view(np.uint64), embed.view(np.uint64)):
        sys.exit(f"{run_dir}: init_params.npy does not start with "
                 "init_embed.npy")
    for name in ["train_id", "test_id"]:
        ids = np.load(os.path.join(run_dir, name + ".npy"))
        save(os.path.join(out_dir, name.replace("_id", "_idx") + ".npy"),
             ids.astype("<i8"))
    for name in ["train_loss", "test_loss", "train_acc", "test_acc"]:
        v = np.asarray(np.load(os.path.join(run_dir, name + ".npy")),
                       dtype="<f8")
        if v.shape != (steps,):
            sys.exit(f"{run_dir}/{name}.npy: shape {v.shape}, expected "
                     f"({steps},)")
        save(os.path.join(out_dir, name + ".npy"), v)
    return {k: list(v) for k, v in shapes.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--p1", required=True,
                        help="checkout of carlguo866/circle-survival")
    parser.add_argument("--out", required=True, help="e.g. tests/p1_replay")
    parser.add_argument("--start_seed", type=int, default=1,
                        help="first trial seed")
    parser.add_argument("--end_seed", type=int, default=3,
                        help="last trial seed + 1 (P1's exclusive bound)")
    parser.add_argument("--init_seed", type=int, default=0)
    parser.add_argument("--p", type=int, default=59)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--allow_other_p1", action="store_true",
                        help="accept a train_model.py other than 40d73ed's")
    args = parser.parse_args()

    train_model = os.path.join(os.path.abspath(args.p1), "training",
                               "train_model.py")
    if not os.path.isfile(train_model):
        sys.exit(f"--p1: {train_model} not found (expected a checkout of "
                 "carlguo866/circle-survival)")
    digest = sha256_of(train_model)
    if digest != P1_TRAIN_MODEL_SHA256 and not args.allow_other_p1:
        sys.exit(f"{train_model}: sha256 {digest}, expected "
                 f"{P1_TRAIN_MODEL_SHA256} (commit {P1_COMMIT}); pass "
                 "--allow_other_p1 to use it anyway")
    if not 0 <= args.start_seed < args.end_seed:
        sys.exit("--start_seed, --end_seed: expected 0 <= start < end")
    replaced = stand_in_modules()
    torch.set_num_threads(1)

    os.makedirs(args.out, exist_ok=True)
    runs = []
    with tempfile.TemporaryDirectory(prefix="p1_fixture.") as tmp:
        data_path = os.path.join(tmp, "data")
        start = time.time()
        with open(os.path.join(tmp, "p1_stdout.txt"), "w") as log:
            p1_args = run_p1(train_model, args, data_path, log)
        print(f"P1's training: {time.time() - start:.1f} s", file=sys.stderr)
        for seed in range(args.start_seed, args.end_seed):
            found = glob.glob(os.path.join(
                data_path, f"dim_{args.dim}_init_seed_{args.init_seed}_"
                f"vary_seed_{seed}_p_{args.p}_id_*"))
            if len(found) != 1:
                sys.exit(f"{data_path}: expected one run directory of P1's "
                         f"for seed {seed}, found {found}")
            out_dir = os.path.join(args.out, f"seed_{seed}")
            shapes = convert(found[0], out_dir, args.steps)
            runs.append({"dir": f"seed_{seed}", "trial_seed": seed})
            print(f"seed {seed}: {out_dir}", file=sys.stderr)
    manifest = {
        "format_version": 1,
        "p1": {"repository": "carlguo866/circle-survival",
               "commit": P1_COMMIT if digest == P1_TRAIN_MODEL_SHA256
               else "unknown",
               "train_model_sha256": digest},
        "settings": {"task": "modadd", "mode": "fix_embedding",
                     "init_seed": args.init_seed, "p": args.p,
                     "dim": args.dim, "hidden": 100, "steps": args.steps,
                     "lr": 0.01, "wd": 0.5, "train_fraction": 0.8},
        "shapes": shapes,
        "p1_args": p1_args[:-1] + ["TMP"],
        "runs": runs,
        "torch": torch.__version__, "numpy": np.__version__,
        "torch_threads": torch.get_num_threads(),
        "blas": blas_libraries(),
        "stand_ins": replaced,
    }
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    sums = []
    for path in sorted(glob.glob(os.path.join(args.out, "seed_*", "**",
                                              "*.npy"), recursive=True)):
        sums.append(f"{sha256_of(path)}  {os.path.relpath(path, args.out)}")
    with open(os.path.join(args.out, "SHA256SUMS"), "w") as f:
        f.write("\n".join(sums) + "\n")
    print("\n".join(sums))


if __name__ == "__main__":
    main()
