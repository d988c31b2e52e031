// Discrete Fourier analysis of a modular-addition embedding over Z_p.
//
// An embedding E has shape (p, d): row x is the vector of token x. Its
// Fourier coefficient at frequency k is the complex d-vector
//   F_k = sum_x E[x] exp(-2 pi i k x / p),
// and the signal S_k = ||F_k||_2 measures how strongly E holds a "circle" at
// k (P1). For real E, F_{p-k} = conj(F_k): frequencies k and p - k are one
// circle, and everything here treats them as one class.
//
// Reproducibility: all functions are plain O(p^2 d) sums, not FFTs. Sums over
// x run in increasing x, sums over the d columns in increasing column. The
// twiddles cos/sin(2 pi j / p) come from initrepro::fmath through an octant
// reduction done in integers, so the table is exactly symmetric
// (cos[p-j] == cos[j], sin[p-j] == -sin[j], exact 0 and +-1 where due) and is
// indexed by (k x) mod p, so equal angles give equal bits. Consequently
// FourierSignal(E)[k] == FourierSignal(E)[p-k] bit for bit.
//
// Frequencies given as arguments are taken mod p (negative ones included).
// All functions require p = embedding.rows >= 1 and finite entries.
//
// Thread-safety: all functions are pure.
#ifndef INITREPRO_SRC_ANALYSIS_FOURIER_H_
#define INITREPRO_SRC_ANALYSIS_FOURIER_H_

#include <cstdint>
#include <vector>

#include "src/core/matrix.h"

namespace initrepro {

// cos and sin of 2 pi j / p for j = 0..p-1 (the table described above).
struct Twiddles {
  std::vector<double> cos;
  std::vector<double> sin;
};
Twiddles MakeTwiddles(int64_t p);

// F_k as two real d-vectors: re = Re F_k, im = Im F_k.
struct FourierComponent {
  std::vector<double> re;
  std::vector<double> im;
};
FourierComponent FourierVector(const Matrix& embedding, int64_t k);

// S_k^2 = sum_c (Re F_k[c]^2 + Im F_k[c]^2), k = 0..p-1; length p.
std::vector<double> FourierPower(const Matrix& embedding);

// S_k = sqrt(FourierPower(embedding)[k]), k = 0..p-1; length p.
std::vector<double> FourierSignal(const Matrix& embedding);

// E + (alpha - 1) * P_K E, where P_K projects each column onto the
// frequencies in K = {k, p - k : k in ks} (real in, real out): the circle at
// each listed k is scaled by alpha, all else is untouched (P1's perturbation,
// on the real embedding). k and p - k name the same circle, and a repeated
// class is scaled once: ks = {25, 34} at p = 59 scales one circle by alpha.
// Listing k = 0 scales the mean. alpha == 1 returns E. Shape (p, d).
Matrix ScaleFrequencies(const Matrix& embedding, const std::vector<int64_t>& ks,
                        double alpha);

// The real inverse DFT of E keeping only the frequencies {k, p - k : k in ks},
// plus the mean (k = 0) when keep_dc or when 0 is listed (P1's ablation,
// real part). Shape (p, d). Components are added in increasing min(k, p - k).
Matrix KeepFrequencies(const Matrix& embedding, const std::vector<int64_t>& ks,
                       bool keep_dc);

// The real (p, d) embedding
//   E[x] = sum_i (2/p) (re_i cos(2 pi k_i x/p) - im_i sin(2 pi k_i x/p)),
// summed in list order, whose coefficient at k_i is F_{k_i} = re_i + i im_i
// (when the k_i are distinct circles and k_i != p - k_i mod p). At a
// self-conjugate k_i (0, or p/2 for even p) the term uses 1/p and im_i is
// ignored, so F_{k_i} = re_i. Requires re.size() == im.size() == ks.size()
// and every re_i, im_i of length d.
Matrix EmbeddingFromCircles(int64_t p, int64_t d,
                            const std::vector<int64_t>& ks,
                            const std::vector<std::vector<double>>& re,
                            const std::vector<std::vector<double>>& im);

}  // namespace initrepro

#endif  // INITREPRO_SRC_ANALYSIS_FOURIER_H_
