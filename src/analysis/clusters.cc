#include "src/analysis/clusters.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "src/core/matrix.h"
#include "src/core/rng.h"

namespace initrepro {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The build is -c opt (NDEBUG), so assert() would vanish; a violated
// precondition here is a caller bug that must not yield a silent number.
void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "initrepro/analysis/clusters: precondition: %s\n",
                 what);
    std::abort();
  }
}

// Cyclic Jacobi on a symmetric (n x n) matrix: pairs (p, q), p < q, in
// row-major order each sweep; at most kMaxSweeps sweeps; stops after the
// first sweep that starts with off-diagonal mass <= kRelTol^2 * total mass.
// Returns eigenvalues in `values` (unsorted, diagonal order) and the
// eigenvectors as the columns of `vectors`.
constexpr int kMaxSweeps = 64;
constexpr double kRelTol = 1e-15;

void JacobiEigen(Matrix a, std::vector<double>* values, Matrix* vectors) {
  const int64_t n = a.rows;
  Matrix v(n, n);
  for (int64_t i = 0; i < n; ++i) v.at(i, i) = 1.0;
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    double off = 0.0;
    double total = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        const double sq = a.at(i, j) * a.at(i, j);
        total += sq;
        if (i != j) off += sq;
      }
    }
    if (off <= kRelTol * kRelTol * total) break;
    for (int64_t p = 0; p < n; ++p) {
      for (int64_t q = p + 1; q < n; ++q) {
        const double apq = a.at(p, q);
        if (apq == 0.0) continue;
        // Golub & Van Loan's symmetric Schur rotation (smaller angle).
        const double theta = (a.at(q, q) - a.at(p, p)) / (2.0 * apq);
        double t;
        if (std::fabs(theta) > 1e150) {
          t = 0.5 / theta;  // theta^2 would overflow; t ~ 1/(2 theta)
        } else {
          t = 1.0 / (std::fabs(theta) + std::sqrt(theta * theta + 1.0));
          if (theta < 0.0) t = -t;
        }
        const double c = 1.0 / std::sqrt(t * t + 1.0);
        const double s = t * c;
        for (int64_t k = 0; k < n; ++k) {  // A <- A J
          const double akp = a.at(k, p);
          const double akq = a.at(k, q);
          a.at(k, p) = c * akp - s * akq;
          a.at(k, q) = s * akp + c * akq;
        }
        for (int64_t k = 0; k < n; ++k) {  // A <- J^T A
          const double apk = a.at(p, k);
          const double aqk = a.at(q, k);
          a.at(p, k) = c * apk - s * aqk;
          a.at(q, k) = s * apk + c * aqk;
        }
        a.at(p, q) = 0.0;
        a.at(q, p) = 0.0;
        for (int64_t k = 0; k < n; ++k) {  // V <- V J
          const double vkp = v.at(k, p);
          const double vkq = v.at(k, q);
          v.at(k, p) = c * vkp - s * vkq;
          v.at(k, q) = s * vkp + c * vkq;
        }
      }
    }
  }
  values->assign(n, 0.0);
  for (int64_t i = 0; i < n; ++i) (*values)[i] = a.at(i, i);
  *vectors = std::move(v);
}

// Indices of `values` sorted descending; ties by index.
std::vector<int64_t> DescendingOrder(const std::vector<double>& values) {
  std::vector<int64_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
    return values[x] > values[y];
  });
  return order;
}

bool IsPermutation(const std::vector<int64_t>& p, int64_t m) {
  if (static_cast<int64_t>(p.size()) != m) return false;
  std::vector<char> seen(m, 0);
  for (int64_t x : p) {
    if (x < 0 || x >= m || seen[x]) return false;
    seen[x] = 1;
  }
  return true;
}

std::vector<int64_t> Canonical(std::vector<int64_t> ordering) {
  if (ordering.size() >= 2 && ordering.front() > ordering.back()) {
    std::reverse(ordering.begin(), ordering.end());
  }
  return ordering;
}

// Position weights w_j = j - (m-1)/2 (half-integers, exact) and their sum of
// squares.
std::vector<double> PositionWeights(int64_t m, double* sum_sq) {
  std::vector<double> w(m);
  const double centre = 0.5 * static_cast<double>(m - 1);
  double s = 0.0;
  for (int64_t j = 0; j < m; ++j) {
    w[j] = static_cast<double>(j) - centre;
    s += w[j] * w[j];
  }
  *sum_sq = s;
  return w;
}

// R^2 of one ordering given the centred Gram g, weights w and the
// denominator sum_sq(w) * trace(g). Sums: outer over j, inner over l, both
// increasing.
double R2FromGram(const Matrix& g, const std::vector<double>& w,
                  const int64_t* ordering, double denom) {
  const int64_t m = g.rows;
  double num = 0.0;
  for (int64_t j = 0; j < m; ++j) {
    const double* row = &g.data[ordering[j] * m];
    double inner = 0.0;
    for (int64_t l = 0; l < m; ++l) inner += w[l] * row[ordering[l]];
    num += w[j] * inner;
  }
  return num / denom;
}

double Trace(const Matrix& g) {
  double t = 0.0;
  for (int64_t i = 0; i < g.rows; ++i) t += g.at(i, i);
  return t;
}

}  // namespace

Matrix ClusterMeans(const Matrix& embedding, int64_t num_clusters) {
  Require(num_clusters >= 1 && embedding.rows >= num_clusters,
          "ClusterMeans needs rows >= num_clusters >= 1");
  const int64_t d = embedding.cols;
  Matrix means(num_clusters, d);
  std::vector<int64_t> count(num_clusters, 0);
  for (int64_t t = 0; t < embedding.rows; ++t) {
    const int64_t c = t % num_clusters;
    ++count[c];
    absl::Span<double> dst = means.row(c);
    absl::Span<const double> src = embedding.row(t);
    for (int64_t k = 0; k < d; ++k) dst[k] += src[k];
  }
  for (int64_t c = 0; c < num_clusters; ++c) {
    const double n = static_cast<double>(count[c]);
    for (double& x : means.row(c)) x /= n;
  }
  return means;
}

Matrix CentredGram(const Matrix& means) {
  Require(means.rows >= 1, "CentredGram needs at least one row");
  const int64_t m = means.rows;
  const int64_t d = means.cols;
  std::vector<double> avg(d, 0.0);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t k = 0; k < d; ++k) avg[k] += means.at(i, k);
  }
  for (double& x : avg) x /= static_cast<double>(m);
  Matrix c(m, d);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t k = 0; k < d; ++k) c.at(i, k) = means.at(i, k) - avg[k];
  }
  Matrix g(m, m);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = i; j < m; ++j) {
      double s = 0.0;
      for (int64_t k = 0; k < d; ++k) s += c.at(i, k) * c.at(j, k);
      g.at(i, j) = s;
      g.at(j, i) = s;
    }
  }
  return g;
}

std::vector<double> PrincipalVarianceShares(const Matrix& means) {
  std::vector<double> values;
  Matrix vectors;
  JacobiEigen(CentredGram(means), &values, &vectors);
  for (double& x : values) x = std::max(x, 0.0);
  std::vector<double> sorted;
  for (int64_t i : DescendingOrder(values)) sorted.push_back(values[i]);
  double sum = 0.0;
  for (double x : sorted) sum += x;
  for (double& x : sorted) x = sum > 0.0 ? x / sum : kNaN;
  return sorted;
}

double LineScore(const Matrix& means) {
  return PrincipalVarianceShares(means)[0];
}

std::vector<int64_t> ChosenOrdering(const Matrix& final_means) {
  Require(final_means.rows >= 2, "ChosenOrdering needs m >= 2");
  const int64_t m = final_means.rows;
  std::vector<double> values;
  Matrix vectors;
  JacobiEigen(CentredGram(final_means), &values, &vectors);
  const int64_t top = DescendingOrder(values)[0];
  std::vector<double> projection(m);
  for (int64_t i = 0; i < m; ++i) projection[i] = vectors.at(i, top);
  std::vector<int64_t> ordering(m);
  std::iota(ordering.begin(), ordering.end(), 0);
  std::stable_sort(ordering.begin(), ordering.end(),
                   [&](int64_t x, int64_t y) {
                     return projection[x] < projection[y];
                   });
  return Canonical(std::move(ordering));
}

double OrderingR2(const Matrix& initial_means,
                  const std::vector<int64_t>& ordering) {
  const int64_t m = initial_means.rows;
  Require(m >= 2, "OrderingR2 needs m >= 2");
  Require(IsPermutation(ordering, m),
          "OrderingR2 needs a permutation of 0..m-1");
  const Matrix g = CentredGram(initial_means);
  double sum_sq = 0.0;
  const std::vector<double> w = PositionWeights(m, &sum_sq);
  const std::vector<int64_t> canonical = Canonical(ordering);
  return R2FromGram(g, w, canonical.data(), sum_sq * Trace(g));
}

PercentileResult RankAmongCandidates(std::vector<double> scores,
                                     int64_t chosen_index) {
  Require(chosen_index >= 0 &&
              chosen_index < static_cast<int64_t>(scores.size()),
          "RankAmongCandidates: chosen_index out of range");
  PercentileResult r;
  r.num_candidates = static_cast<int64_t>(scores.size());
  r.chosen_score = scores[chosen_index];
  int64_t below = 0;
  int64_t tied = 0;
  int64_t above = 0;
  for (int64_t i = 0; i < r.num_candidates; ++i) {
    if (i == chosen_index) continue;
    if (scores[i] < r.chosen_score) ++below;
    if (scores[i] == r.chosen_score) ++tied;
    if (scores[i] > r.chosen_score) ++above;
  }
  r.chosen_is_best = above == 0 && !std::isnan(r.chosen_score);
  if (r.num_candidates < 2 || std::isnan(r.chosen_score)) {
    r.percentile = kNaN;
  } else {
    // Integers first, one division: exact up to the final rounding.
    r.percentile = static_cast<double>(2 * below + tied) /
                   static_cast<double>(2 * (r.num_candidates - 1));
  }
  r.scores = std::move(scores);
  return r;
}

PercentileResult OrderingPercentile(const Matrix& initial_means,
                                    const std::vector<int64_t>& chosen) {
  const int64_t m = initial_means.rows;
  Require(m >= 2 && m <= 10, "OrderingPercentile needs 2 <= m <= 10");
  Require(IsPermutation(chosen, m),
          "OrderingPercentile needs a permutation of 0..m-1");
  const std::vector<int64_t> target = Canonical(chosen);
  const Matrix g = CentredGram(initial_means);
  double sum_sq = 0.0;
  const std::vector<double> w = PositionWeights(m, &sum_sq);
  const double denom = sum_sq * Trace(g);

  std::vector<double> scores;
  int64_t chosen_index = -1;
  std::vector<int64_t> p(m);
  std::iota(p.begin(), p.end(), 0);
  do {
    if (p.front() > p.back()) continue;
    if (chosen_index < 0 && p == target) {
      chosen_index = static_cast<int64_t>(scores.size());
    }
    scores.push_back(R2FromGram(g, w, p.data(), denom));
  } while (std::next_permutation(p.begin(), p.end()));
  return RankAmongCandidates(std::move(scores), chosen_index);
}

PercentileResult GramAlignmentPercentile(const Matrix& initial_means,
                                         const Matrix& final_means,
                                         uint64_t sample_seed,
                                         int64_t max_enumerate,
                                         int64_t samples) {
  const int64_t m = initial_means.rows;
  Require(m >= 3 && final_means.rows == m,
          "GramAlignmentPercentile needs m >= 3 clusters in both means");
  Require(samples >= 0, "GramAlignmentPercentile needs samples >= 0");
  const Matrix g0 = CentredGram(initial_means);
  const Matrix g1 = CentredGram(final_means);

  // Pairs i < j in row-major order.
  std::vector<int64_t> pair_i;
  std::vector<int64_t> pair_j;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = i + 1; j < m; ++j) {
      pair_i.push_back(i);
      pair_j.push_back(j);
    }
  }
  const int64_t num_pairs = static_cast<int64_t>(pair_i.size());
  const double n = static_cast<double>(num_pairs);
  double x_mean = 0.0;
  double y_mean = 0.0;
  for (int64_t k = 0; k < num_pairs; ++k) {
    x_mean += g0.at(pair_i[k], pair_j[k]);
    y_mean += g1.at(pair_i[k], pair_j[k]);
  }
  x_mean /= n;
  y_mean /= n;
  std::vector<double> xc(num_pairs);
  double sxx = 0.0;
  double syy = 0.0;
  for (int64_t k = 0; k < num_pairs; ++k) {
    xc[k] = g0.at(pair_i[k], pair_j[k]) - x_mean;
    sxx += xc[k] * xc[k];
    const double yc = g1.at(pair_i[k], pair_j[k]) - y_mean;
    syy += yc * yc;
  }
  const double denom = std::sqrt(sxx * syy);
  auto score = [&](const std::vector<int64_t>& pi) {
    double sxy = 0.0;
    for (int64_t k = 0; k < num_pairs; ++k) {
      sxy += xc[k] * (g1.at(pi[pair_i[k]], pi[pair_j[k]]) - y_mean);
    }
    return sxy / denom;
  };

  // m! <= max_enumerate, without overflowing.
  bool enumerate = true;
  int64_t factorial = 1;
  for (int64_t i = 2; i <= m; ++i) {
    if (factorial > max_enumerate / i) {
      enumerate = false;
      break;
    }
    factorial *= i;
  }
  if (factorial > max_enumerate) enumerate = false;

  std::vector<double> scores;
  std::vector<int64_t> pi(m);
  std::iota(pi.begin(), pi.end(), 0);
  if (enumerate) {
    scores.reserve(factorial);
    do {
      scores.push_back(score(pi));
    } while (std::next_permutation(pi.begin(), pi.end()));
    return RankAmongCandidates(std::move(scores), 0);
  }
  scores.reserve(samples + 1);
  scores.push_back(score(pi));
  for (int64_t i = 0; i < samples; ++i) {
    std::iota(pi.begin(), pi.end(), 0);
    Shuffle(Stream(sample_seed, Purpose::kSampling, static_cast<uint64_t>(i)),
            absl::MakeSpan(pi));
    scores.push_back(score(pi));
  }
  PercentileResult r = RankAmongCandidates(std::move(scores), 0);
  r.sampled = true;
  return r;
}

}  // namespace initrepro
