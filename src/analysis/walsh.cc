#include "src/analysis/walsh.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

#include "src/analysis/clusters.h"
#include "src/core/matrix.h"

namespace initrepro {
namespace {

// The build is -c opt (NDEBUG), so assert() would vanish.
void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "initrepro/analysis/walsh: precondition: %s\n", what);
    std::abort();
  }
}

// Adds v to the echelon basis (indexed by leading bit); returns whether v
// was independent of it.
bool InsertGf2(uint64_t v, uint64_t basis[64]) {
  for (int bit = 63; bit >= 0; --bit) {
    if (((v >> bit) & 1u) == 0) continue;
    if (basis[bit] == 0) {
      basis[bit] = v;
      return true;
    }
    v ^= basis[bit];
  }
  return false;  // reduced to zero
}

PercentileResult Empty() {
  PercentileResult r;
  r.chosen_score = std::numeric_limits<double>::quiet_NaN();
  r.percentile = std::numeric_limits<double>::quiet_NaN();
  return r;
}

}  // namespace

std::vector<double> WalshSignal(const Matrix& cluster_means) {
  const int64_t n = cluster_means.rows;
  Require(n >= 1 && (n & (n - 1)) == 0,
          "WalshSignal needs a power-of-two number of rows");
  const int64_t d = cluster_means.cols;
  std::vector<double> sum_sq(n, 0.0);
  std::vector<double> a(n);
  for (int64_t k = 0; k < d; ++k) {
    for (int64_t c = 0; c < n; ++c) a[c] = cluster_means.at(c, k);
    for (int64_t h = 1; h < n; h *= 2) {
      for (int64_t i = 0; i < n; i += 2 * h) {
        for (int64_t j = i; j < i + h; ++j) {
          const double x = a[j];
          const double y = a[j + h];
          a[j] = x + y;
          a[j + h] = x - y;
        }
      }
    }
    for (int64_t f = 0; f < n; ++f) sum_sq[f] += a[f] * a[f];
  }
  for (double& s : sum_sq) s = std::sqrt(s);
  return sum_sq;
}

std::vector<int64_t> SurvivingCharacters(const std::vector<double>& signal) {
  if (signal.empty()) return {};
  double sum = 0.0;
  for (double s : signal) sum += s;
  const double threshold = 2.0 * (sum / static_cast<double>(signal.size()));
  std::vector<int64_t> out;
  for (int64_t f = 1; f < static_cast<int64_t>(signal.size()); ++f) {
    if (signal[f] > threshold) out.push_back(f);
  }
  std::stable_sort(out.begin(), out.end(), [&](int64_t x, int64_t y) {
    return signal[x] > signal[y];
  });
  return out;
}

int64_t Gf2Rank(const std::vector<int64_t>& vectors) {
  uint64_t basis[64] = {};
  int64_t rank = 0;
  for (int64_t v : vectors) {
    if (InsertGf2(static_cast<uint64_t>(v), basis)) ++rank;
  }
  return rank;
}

std::vector<int64_t> ChosenBasis(
    const std::vector<int64_t>& survivors_by_strength, int64_t k) {
  uint64_t basis[64] = {};
  std::vector<int64_t> kept;
  for (int64_t v : survivors_by_strength) {
    if (static_cast<int64_t>(kept.size()) >= k) break;
    if (InsertGf2(static_cast<uint64_t>(v), basis)) kept.push_back(v);
  }
  return kept;
}

PercentileResult BasisPercentile(const std::vector<double>& initial_signal,
                                 const std::vector<int64_t>& chosen_basis,
                                 int64_t k) {
  if (k < 1 || k > kMaxBasisK) return Empty();
  const int64_t n = int64_t{1} << k;
  if (static_cast<int64_t>(initial_signal.size()) != n) return Empty();
  if (static_cast<int64_t>(chosen_basis.size()) != k) return Empty();
  for (int64_t v : chosen_basis) {
    if (v < 1 || v >= n) return Empty();
  }
  if (Gf2Rank(chosen_basis) != k) return Empty();
  std::vector<int64_t> target = chosen_basis;
  std::sort(target.begin(), target.end());

  // Lexicographic k-subsets v[0] < ... < v[k-1] of 1..n-1.
  std::vector<int64_t> v(k);
  std::iota(v.begin(), v.end(), 1);
  std::vector<double> scores;
  int64_t chosen_index = -1;
  while (true) {
    if (Gf2Rank(v) == k) {
      if (chosen_index < 0 && v == target) {
        chosen_index = static_cast<int64_t>(scores.size());
      }
      double s = 0.0;
      for (int64_t x : v) s += initial_signal[x];
      scores.push_back(s);
    }
    // Advance: rightmost position that can still grow.
    int64_t i = k - 1;
    while (i >= 0 && v[i] == n - k + i) --i;
    if (i < 0) break;
    ++v[i];
    for (int64_t j = i + 1; j < k; ++j) v[j] = v[j - 1] + 1;
  }
  return RankAmongCandidates(std::move(scores), chosen_index);
}

}  // namespace initrepro
