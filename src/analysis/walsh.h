// Multi-digit XOR analyses on the group (Z_2)^k (PAPER.md, "Multi-digit XOR
// [reconstructed]"): Walsh-Hadamard signal of the cluster means, the
// surviving characters, GF(2) rank, the chosen axis set and its percentile
// among all bases of GF(2)^k.
//
// Characters and clusters are k-bit integers; chi_f(c) = (-1)^popcount(f & c).
// Bit vectors of GF(2)^k are int64_t values whose low k bits are the
// coordinates.
//
// Thread-safety: all functions are pure.
#ifndef INITREPRO_SRC_ANALYSIS_WALSH_H_
#define INITREPRO_SRC_ANALYSIS_WALSH_H_

#include <cstdint>
#include <vector>

#include "src/analysis/clusters.h"
#include "src/core/matrix.h"

namespace initrepro {

// signal[f] = || sum_c chi_f(c) mu_c ||_2 for f = 0..2^k-1, mu_c = row c of
// cluster_means (2^k, d). Precondition (aborts otherwise): rows is a power of
// two >= 1. Each dimension is transformed in place by the fast
// Walsh-Hadamard transform with the fixed butterfly order (h = 1, 2, 4, ...;
// blocks and pairs in increasing index; (x, y) -> (x + y, x - y)), so the
// bits are the same on every machine; the squared norm sums dimensions in
// increasing order. Size 2^k.
std::vector<double> WalshSignal(const Matrix& cluster_means);

// Characters f >= 1 with signal[f] > 2 * mean(signal[0..2^k-1]) (the mean
// includes f = 0, as in MA's circle rule), sorted by signal descending, ties
// by smaller f.
std::vector<int64_t> SurvivingCharacters(const std::vector<double>& signal);

// Rank over GF(2) of the given bit vectors (all 64 bits are used).
int64_t Gf2Rank(const std::vector<int64_t>& vectors);

// Greedy axis set: walks survivors_by_strength in order, keeping each vector
// that is nonzero and independent of those already kept, and stops once k are
// kept. Returns the kept vectors in walk order; fewer than k if the survivors
// do not span GF(2)^k.
std::vector<int64_t> ChosenBasis(
    const std::vector<int64_t>& survivors_by_strength, int64_t k);

// Largest k BasisPercentile enumerates: k = 5 has 83328 bases out of
// C(31, 5) = 169911 subsets; k = 6 would be ~ 2.6e8 subsets.
inline constexpr int64_t kMaxBasisK = 5;

// Percentile of the chosen axis set among all bases of GF(2)^k, taken as
// unordered sets of k independent nonzero vectors (k = 3: 28, k = 4: 840,
// k = 5: 83328). A basis's score is the sum of initial_signal over its
// vectors, summed in increasing vector value. Candidates are the k-subsets
// {v_1 < ... < v_k} of 1..2^k-1 in lexicographic order that have rank k.
// initial_signal: size 2^k (as WalshSignal returns); chosen_basis: values in
// 1..2^k-1, any order.
// Returns percentile NaN, num_candidates 0 and no scores when k is outside
// 1..kMaxBasisK, initial_signal has the wrong size, or chosen_basis is not a
// basis of GF(2)^k (e.g. ChosenBasis found fewer than k vectors).
PercentileResult BasisPercentile(const std::vector<double>& initial_signal,
                                 const std::vector<int64_t>& chosen_basis,
                                 int64_t k);

}  // namespace initrepro

#endif  // INITREPRO_SRC_ANALYSIS_WALSH_H_
