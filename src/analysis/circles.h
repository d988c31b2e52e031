// Which circles (Fourier frequencies) an embedding holds: P1's survival rule.
//
// Thread-safety: pure function.
#ifndef INITREPRO_SRC_ANALYSIS_CIRCLES_H_
#define INITREPRO_SRC_ANALYSIS_CIRCLES_H_

#include <cstdint>
#include <vector>

namespace initrepro {

// The surviving circles of a spectrum `signal` = S_k, k = 0..p-1 (as from
// FourierSignal), by PAPER.md's rule:
//   threshold = 2 x mean of S_k over all k (DC included, summed in k order);
//   N = floor(#{k : S_k > threshold} / 2)   (strictly greater);
//   sort k by S_k descending, ties by smaller k first;
//   circle i = min(sorted[2i], sorted[2i+1]) for i < N.
// Returned in that order (strongest circle first). For a real embedding
// S_k == S_{p-k} exactly, so the pairs are (k, p - k) and circle i is the
// smaller of the two. Empty signal -> empty result. Assumes finite input.
std::vector<int64_t> SurvivingCircles(const std::vector<double>& signal);

// The rule's threshold, 2 x mean of S_k over all k (DC included, summed in k
// order): the exact value SurvivingCircles compares against. Requires a
// non-empty signal.
double SurvivalThreshold(const std::vector<double>& signal);

}  // namespace initrepro

#endif  // INITREPRO_SRC_ANALYSIS_CIRCLES_H_
