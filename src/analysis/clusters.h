// Clustered-task analyses: remainder equivalence (RE) and the general
// Gram-alignment completeness metric (PAPER.md, "Remainder equivalence
// [reconstructed]" and "A general completeness metric").
//
// Everything here is a pure function of its inputs and bit-reproducible:
// every sum runs in one documented sequential order, no libm transcendentals
// are used, and the only eigen-solver is a cyclic Jacobi with a fixed sweep
// order and a fixed sweep cap.
//
// Notation: m = number of clusters, d = embedding width. "Centred means" are
// the cluster means minus their (unweighted) average over the m clusters; the
// Gram matrix of the centred means is (m x m) and has the same nonzero
// spectrum as their (d x d) covariance, so nothing here depends on d beyond
// computing dot products.
//
// Thread-safety: all functions are pure.
#ifndef INITREPRO_SRC_ANALYSIS_CLUSTERS_H_
#define INITREPRO_SRC_ANALYSIS_CLUSTERS_H_

#include <cstdint>
#include <vector>

#include "src/core/matrix.h"

namespace initrepro {

// Mean embedding row per cluster; token t belongs to cluster t mod
// num_clusters. embedding: (V, d) with V >= num_clusters >= 1 (so no cluster
// is empty). Each cluster's rows are summed in increasing t, then divided by
// the cluster's size. Returns (num_clusters, d).
Matrix ClusterMeans(const Matrix& embedding, int64_t num_clusters);

// Gram matrix of the centred means: G[i][j] = <c_i, c_j>, c_i = means row i
// minus the average row (averaged in increasing i; dot products summed in
// increasing dimension). means: (m, d), m >= 1. Returns (m, m), symmetric.
Matrix CentredGram(const Matrix& means);

// Variance shares of the principal axes of the centred means: eigenvalues of
// CentredGram(means) (cyclic Jacobi), round-off negatives clamped to 0,
// sorted descending, divided by their sum. Size m (the trailing share is 0
// up to round-off, since centring removes one dimension). All NaN when the
// means coincide (no variance to share).
std::vector<double> PrincipalVarianceShares(const Matrix& means);

// First entry of PrincipalVarianceShares: 1 for means on a line. PAPER.md
// says a line "forms" at >= 0.9.
double LineScore(const Matrix& means);

// The ordering a final embedding chose: residues 0..m-1 sorted by their
// projection on the first principal axis of the centred final means (ties by
// residue), then reversed if needed so that ordering.front() <
// ordering.back() (an ordering and its reverse are one representation).
// final_means: (m, d), m >= 2. The projection of residue i is proportional to
// entry i of the Gram matrix's top eigenvector, which is what is used.
std::vector<int64_t> ChosenOrdering(const Matrix& final_means);

// Completeness of an ordering at initialisation: R^2 of fitting all d
// dimensions of the initial cluster means jointly with an affine function of
// the position (cluster ordering[j] sits at position j = 0..m-1):
// 1 - sum_dims SS_res / sum_dims SS_tot. initial_means: (m, d), m >= 2;
// ordering: a permutation of 0..m-1. Computed in the closed form
// w^T G w / (sum_j w_j^2 * trace G), w_j = j - (m-1)/2, G = CentredGram with
// rows permuted by the ordering; an ordering and its reverse give bitwise the
// same value (the reverse is canonicalised first). NaN when the means
// coincide.
double OrderingR2(const Matrix& initial_means,
                  const std::vector<int64_t>& ordering);

// Rank of a chosen candidate among all candidates of a completeness test.
struct PercentileResult {
  double chosen_score = 0.0;
  // (#other candidates strictly below chosen + 0.5 * #other candidates tied
  // with it) / (num_candidates - 1). 1 = strictly best, 0 = strictly worst.
  // NaN when num_candidates < 2 or chosen_score is NaN. Candidates whose
  // score is NaN count as neither below nor tied.
  double percentile = 0.0;
  bool chosen_is_best = false;  // no other candidate strictly greater
  int64_t num_candidates = 0;   // including the chosen one
  bool sampled = false;         // candidates were sampled, not enumerated
  std::vector<double> scores;   // every candidate's score, candidate order
};

// Builds a PercentileResult from every candidate's score and the index of the
// chosen candidate in `scores` (0 <= chosen_index < scores.size()).
// sampled is left false.
PercentileResult RankAmongCandidates(std::vector<double> scores,
                                     int64_t chosen_index);

// Percentile of the chosen ordering's OrderingR2 among all m!/2 orderings.
// Candidates are the canonical orderings (first element < last element) in
// lexicographic order; `chosen` is canonicalised (reversed if its first
// element exceeds its last) and its score is the one computed for it in the
// enumeration. initial_means: (m, d) with 2 <= m <= 10 (cost m! * m^2 after an
// O(m^2 d) Gram; memory m!/2 doubles). m = 6: 360 candidates, m = 8: 20160.
PercentileResult OrderingPercentile(const Matrix& initial_means,
                                    const std::vector<int64_t>& chosen);

// General completeness metric. G0, G1 = CentredGram of the initial / final
// means, both (m, m) with m >= 3 (widths may differ). A candidate is a
// relabelling pi (a permutation of 0..m-1); its score is the Pearson
// correlation between G0[i][j] and G1[pi(i)][pi(j)] over the pairs i < j
// (pairs in row-major order). The chosen candidate is the identity.
//
// If m! <= max_enumerate, all m! permutations are candidates in
// lexicographic order (the identity is candidate 0). Otherwise candidate 0 is
// the identity and candidates 1..samples are uniform permutations, candidate
// i + 1 being Shuffle(Stream(sample_seed, Purpose::kSampling, i)) of
// 0..m-1; sampled = true. Permutations are not deduplicated: two relabellings
// give the same pi(G1) only if they differ by an automorphism of G1, which a
// generic (noisy, trained) G1 does not have, so for it all m! are distinct.
//
// Bit-level note: the mean and sum of squares of G1's off-diagonal entries
// do not depend on pi (it only permutes them), so they are computed once from
// G1 itself; every candidate's score then differs only in its cross term,
// and equal relabelled matrices get bitwise equal scores.
PercentileResult GramAlignmentPercentile(const Matrix& initial_means,
                                         const Matrix& final_means,
                                         uint64_t sample_seed,
                                         int64_t max_enumerate = 40320,
                                         int64_t samples = 20000);

}  // namespace initrepro

#endif  // INITREPRO_SRC_ANALYSIS_CLUSTERS_H_
