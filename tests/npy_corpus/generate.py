#!/usr/bin/python3
"""Writes the committed .npy corpus that //tests/npy_corpus:npy_corpus_test reads.

Run with Debian's numpy (apt-get install python3-numpy):
    /usr/bin/python3 tests/npy_corpus/generate.py
Output (committed, so the tests need no Python):
    files/*.npy, *.npz, *.pt, *.pkl   one variant each, written by numpy itself
    expected.tsv                      the outcome each file must have, stated
                                      here by hand (never derived from our reader)
    model_p5/canonical/, model_p5/variant/
                                      the initial tensors and split of a tiny
                                      modadd model (p=5, dim=2, hidden=3), as
                                      '<f8'/'<i8' C order and as the accepted
                                      variants; tests/cli trains from both and
                                      expects the same digest.
Deterministic: no random numbers, so rerunning rewrites identical bytes
(except w_savez.npz, whose zip entry carries np.savez's current time).
"""
import os
import pickle
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = os.path.join(HERE, "files")

# Weight values: every one exact in float32 too, plus -0.0 and a tiny and a
# large magnitude, so widening must keep the sign bit and the exponent.
W = np.array([[0.5, -0.25, 1.0 / 3.0, -0.0],
              [1e-30, 3.0e38, -1.5, 2.0],
              [0.1, -7.0, 0.0, 65504.0]], dtype=np.float64)
W32 = W.astype(np.float32)        # rounds 1/3, 0.1, 1e-30 to float32
W32_AS_F64 = W32.astype(np.float64)  # numpy's own exact widening
IDX = np.array([3, 0, 17, 24, 8, 2**31 - 1], dtype=np.int64)
IDX_SMALL = np.array([3, 0, 17, 24, 8, 255], dtype=np.int64)

MATRIX = "matrix:3x4"   # read as a float64 (3, 4) tensor (--init_from)
INDEX = "index"         # read as an int64 (k,) vector (--split_from)

rows = []  # (file, target, outcome, detail, conversion-or-fragment)


def save(name, array, target, outcome, detail, note="", **kw):
    np.save(os.path.join(FILES, name), array, **kw)
    rows.append((name, target, outcome, detail, note))


def accept(name, array, target, ref, conversion):
    save(name, array, target, "accept", ref, conversion)


def refuse(name, array, target, field, fragment, **kw):
    save(name, array, target, "refuse", field, fragment, **kw)


def main():
    os.makedirs(FILES, exist_ok=True)
    for f in os.listdir(FILES):
        os.remove(os.path.join(FILES, f))

    # References: what np.load(...).astype(float64 / int64) returns.
    np.save(os.path.join(FILES, "ref_w.npy"), W)
    np.save(os.path.join(FILES, "ref_w32_as_f64.npy"), W32_AS_F64)
    np.save(os.path.join(FILES, "ref_idx.npy"), IDX)
    np.save(os.path.join(FILES, "ref_idx_small.npy"), IDX_SMALL)

    # --- Weights: accepted, identical values.
    accept("w_f8_c.npy", W, MATRIX, "ref_w.npy", "")
    accept("w_f8_fortran.npy", np.asfortranarray(W), MATRIX, "ref_w.npy",
           "Fortran order -> C order")
    # PyTorch's W.t().contiguous().t(): a transposed view of a C array.
    accept("w_f8_transposed_view.npy", np.ascontiguousarray(W.T).T, MATRIX,
           "ref_w.npy", "Fortran order -> C order")
    accept("w_f8_big.npy", W.astype(">f8"), MATRIX, "ref_w.npy",
           "big-endian -> little-endian")
    accept("w_f8_big_fortran.npy", np.asfortranarray(W.astype(">f8")), MATRIX,
           "ref_w.npy", "big-endian -> little-endian; Fortran order -> C order")
    accept("w_f4.npy", W32, MATRIX, "ref_w32_as_f64.npy",
           "float32 -> float64 (exact widening)")
    accept("w_f4_big_fortran.npy", np.asfortranarray(W32.astype(">f4")),
           MATRIX, "ref_w32_as_f64.npy",
           "float32 -> float64 (exact widening); big-endian -> little-endian; "
           "Fortran order -> C order")

    # Format 3.0 (as 2.0, but the header is UTF-8): numpy writes it when the
    # header needs UTF-8, and any array asked for with version=(3, 0).
    with open(os.path.join(FILES, "w_f8_v3.npy"), "wb") as f:
        np.lib.format.write_array(f, W, version=(3, 0))
    rows.append(("w_f8_v3.npy", MATRIX, "accept", "ref_w.npy", ""))

    # --- Weights: refused, naming the field.
    refuse("w_f2.npy", W.clip(-60000, 60000).astype(np.float16), MATRIX, "descr", "float16")
    refuse("w_object.npy", W.astype(object), MATRIX, "descr", "object array",
           allow_pickle=True)
    refuse("w_int64.npy", np.arange(12, dtype=np.int64).reshape(3, 4), MATRIX,
           "descr", "expected a float array")
    refuse("w_bool.npy", W > 0, MATRIX, "descr", "'|b1'")
    refuse("w_complex.npy", W.astype(np.complex128), MATRIX, "descr", "'<c16'")
    refuse("w_structured.npy",
           np.zeros(12, dtype=[("a", "<f8")]).reshape(3, 4), MATRIX, "descr",
           "structured dtype")
    # A non-ASCII field name: numpy itself picks format 3.0 for this one.
    refuse("w_structured_utf8.npy",
           np.zeros(12, dtype=[("\u03b1", "<f8")]).reshape(3, 4), MATRIX,
           "descr", "structured dtype")
    refuse("w_shape_4x3.npy", np.ascontiguousarray(W.T), MATRIX, "shape",
           "expected (3, 4), found (4, 3)")
    w_nan = W.copy()
    w_nan[1, 2] = np.nan
    refuse("w_nan.npy", w_nan, MATRIX, "data", "index 6 (row 1, col 2)")

    # Archives and pickles under a name the user might pass.
    np.savez(os.path.join(FILES, "w_savez.npz"), w=W)
    rows.append(("w_savez.npz", MATRIX, "refuse", "magic", "zip archive"))
    # torch.save (>= 1.6) writes a zip whose entries are ARCHIVE/data.pkl etc.
    with zipfile.ZipFile(os.path.join(FILES, "w_torch_save.pt"), "w") as z:
        for entry, data in (("archive/data.pkl", pickle.dumps(W, protocol=2)),
                            ("archive/version", b"3\n")):
            z.writestr(zipfile.ZipInfo(entry, (1980, 1, 1, 0, 0, 0)), data)
    rows.append(("w_torch_save.pt", MATRIX, "refuse", "magic", "zip archive"))
    # Legacy torch.save (and pickle.dump) write a bare pickle stream.
    with open(os.path.join(FILES, "w_pickle.pkl"), "wb") as f:
        pickle.dump(W, f, protocol=2)
    rows.append(("w_pickle.pkl", MATRIX, "refuse", "magic", "pickle"))

    # --- Split indices: accepted, identical values.
    accept("idx_i8.npy", IDX, INDEX, "ref_idx.npy", "")
    accept("idx_i8_big.npy", IDX.astype(">i8"), INDEX, "ref_idx.npy",
           "big-endian -> little-endian")
    accept("idx_i4.npy", IDX.astype(np.int32), INDEX, "ref_idx.npy",
           "int32 -> int64 (exact widening)")
    accept("idx_i4_big.npy", IDX.astype(">i4"), INDEX, "ref_idx.npy",
           "int32 -> int64 (exact widening); big-endian -> little-endian")
    accept("idx_u4.npy", IDX.astype(np.uint32), INDEX, "ref_idx.npy",
           "uint32 -> int64 (exact widening)")
    accept("idx_u1.npy", IDX_SMALL.astype(np.uint8), INDEX,
           "ref_idx_small.npy", "uint8 -> int64 (exact widening)")
    accept("idx_u8_small.npy", IDX.astype(np.uint64), INDEX, "ref_idx.npy",
           "uint64 -> int64 (exact: every value below 2^63)")

    # --- Split indices: refused.
    refuse("idx_u8_huge.npy", np.array([1, 2**63], dtype=np.uint64), INDEX,
           "data", "9223372036854775808 (uint64) at index 1")
    refuse("idx_f8.npy", IDX.astype(np.float64), INDEX, "descr",
           "expected an integer array")
    refuse("idx_2d.npy", np.asfortranarray(IDX.reshape(2, 3)), INDEX, "shape",
           "expected (k,), found (2, 3)")

    with open(os.path.join(HERE, "expected.tsv"), "w") as f:
        f.write("# file\ttarget\toutcome\treference-or-field\t"
                "conversion-or-message-fragment\n"
                "# Written by generate.py; the outcomes are stated there.\n")
        for r in rows:
            f.write("\t".join(r) + "\n")

    write_model()


def write_model():
    """A tiny modadd model (p=5, dim=2, hidden=3) in two encodings."""
    v, d, h, c = 5, 2, 3, 5
    shapes = [("embedding", (v, d)), ("linears.0.weight", (h, 2 * d)),
              ("linears.0.bias", (h,)), ("linears.1.weight", (h, h)),
              ("linears.1.bias", (h,)), ("linears.2.weight", (c, h)),
              ("linears.2.bias", (c,))]
    # Multiples of 1/32 in [-0.25, 0.25]: exact in float32.
    variant_of = {
        "embedding": lambda a: np.asfortranarray(a),
        "linears.0.weight": lambda a: np.asfortranarray(a.astype(">f8")),
        "linears.0.bias": lambda a: a.astype("<f4"),
        "linears.1.weight": lambda a: a.astype(">f4"),
        "linears.1.bias": lambda a: a.astype(">f8"),
        "linears.2.weight": lambda a: np.asfortranarray(a.astype("<f4")),
        "linears.2.bias": lambda a: a,
    }
    k = 0
    for kind in ("canonical", "variant"):
        os.makedirs(os.path.join(HERE, "model_p5", kind), exist_ok=True)
    for name, shape in shapes:
        n = int(np.prod(shape))
        a = ((np.arange(k, k + n) * 7 % 17) - 8).astype(np.float64) / 32.0
        a = a.reshape(shape)
        k += n
        np.save(os.path.join(HERE, "model_p5", "canonical", name + ".npy"), a)
        np.save(os.path.join(HERE, "model_p5", "variant", name + ".npy"),
                variant_of[name](a))
    train = np.array([(i * 11) % 25 for i in range(20)], dtype=np.int64)
    np.save(os.path.join(HERE, "model_p5", "train_idx.npy"), train)
    np.save(os.path.join(HERE, "model_p5", "train_idx_i4_big.npy"),
            train.astype(">i4"))


if __name__ == "__main__":
    main()
