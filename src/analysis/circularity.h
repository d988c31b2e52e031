// Circularity of one Fourier frequency of an embedding (P1).
//
// Project the embedding E (p, d) on the unit vectors along Re F_k and Im F_k
// (F_k as in fourier.h). Each projection is a length-p real sequence; its
// circularity is the fraction of its energy (sum over all frequencies j of
// |DFT_j|^2) at frequencies k and p - k. A perfect circle at k projects to
// pure frequency-k sequences, giving 1; the two fractions are combined as
// sqrt((c_re^2 + c_im^2) / 2).
//
// Reproducibility: sums run in fixed order (columns ascending, then x
// ascending, frequencies ascending); DFTs use fourier.h's twiddles.
//
// Thread-safety: pure function.
#ifndef INITREPRO_SRC_ANALYSIS_CIRCULARITY_H_
#define INITREPRO_SRC_ANALYSIS_CIRCULARITY_H_

#include <cstdint>
#include <optional>

#include "src/core/matrix.h"

namespace initrepro {

// Circularity in [0, 1] of frequency k of `embedding` (p = rows, d = cols).
// Undefined (std::nullopt, never a number) when k <= 0 or k >= p, when
// gcd(k, p) != 1 (the points x -> k x mod p do not trace the whole circle),
// or when ||Re F_k|| or ||Im F_k|| is <= 1e-12 times the Frobenius norm of
// the embedding (no direction to project on; includes E == 0).
// Assumes finite entries.
std::optional<double> Circularity(const Matrix& embedding, int64_t k);

}  // namespace initrepro

#endif  // INITREPRO_SRC_ANALYSIS_CIRCULARITY_H_
