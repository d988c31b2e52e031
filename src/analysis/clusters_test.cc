#include "src/analysis/clusters.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <vector>

#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "src/core/matrix.h"
#include "src/core/rng.h"

namespace initrepro {
namespace {

Matrix RandomMatrix(int64_t rows, int64_t cols, uint64_t seed) {
  Matrix x(rows, cols);
  Stream(seed, Purpose::kSampling, 77).FillNormal(0, absl::MakeSpan(x.data));
  return x;
}

// Cluster means exactly affine in position: means[order[j]] = a + j * b.
Matrix AffineMeans(const std::vector<int64_t>& order, int64_t d,
                   uint64_t seed, double direction) {
  const Matrix ab = RandomMatrix(2, d, seed);
  const int64_t m = static_cast<int64_t>(order.size());
  Matrix means(m, d);
  for (int64_t j = 0; j < m; ++j) {
    for (int64_t k = 0; k < d; ++k) {
      means.at(order[j], k) =
          ab.at(0, k) + direction * static_cast<double>(j) * ab.at(1, k);
    }
  }
  return means;
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       start)
      .count();
}

const std::vector<int64_t> kLineOrder = {2, 0, 5, 1, 4, 3};

TEST(ClusterMeansTest, AveragesTokensOfEachResidue) {
  Matrix e(7, 2);
  for (int64_t t = 0; t < 7; ++t) {
    e.at(t, 0) = static_cast<double>(t);
    e.at(t, 1) = 1.0;
  }
  const Matrix means = ClusterMeans(e, 3);
  ASSERT_EQ(means.rows, 3);
  ASSERT_EQ(means.cols, 2);
  EXPECT_EQ(means.at(0, 0), 3.0);  // tokens 0, 3, 6
  EXPECT_EQ(means.at(1, 0), 2.5);  // tokens 1, 4
  EXPECT_EQ(means.at(2, 0), 3.5);  // tokens 2, 5
  EXPECT_EQ(means.at(1, 1), 1.0);
}

TEST(PrincipalVarianceSharesTest, KnownSpectrum) {
  Matrix means(4, 3);
  means.at(0, 0) = 3.0;
  means.at(1, 0) = -3.0;
  means.at(2, 1) = 1.0;
  means.at(3, 1) = -1.0;
  const std::vector<double> shares = PrincipalVarianceShares(means);
  ASSERT_EQ(shares.size(), 4u);
  EXPECT_NEAR(shares[0], 0.9, 1e-15);
  EXPECT_NEAR(shares[1], 0.1, 1e-15);
  EXPECT_NEAR(shares[2], 0.0, 1e-15);
  EXPECT_NEAR(shares[3], 0.0, 1e-15);
}

TEST(PrincipalVarianceSharesTest, RandomMeansAreSortedAndSumToOne) {
  const std::vector<double> shares =
      PrincipalVarianceShares(RandomMatrix(9, 20, 5));
  ASSERT_EQ(shares.size(), 9u);
  double sum = 0.0;
  for (size_t i = 0; i < shares.size(); ++i) {
    EXPECT_GE(shares[i], 0.0);
    if (i > 0) {
      EXPECT_LE(shares[i], shares[i - 1]);
    }
    sum += shares[i];
  }
  EXPECT_NEAR(sum, 1.0, 1e-14);
  EXPECT_NEAR(shares[8], 0.0, 1e-14);  // centring removes one dimension
  EXPECT_GT(shares[7], 1e-3);
}

TEST(PrincipalVarianceSharesTest, CoincidentMeansGiveNaN) {
  Matrix means(3, 2);
  EXPECT_TRUE(std::isnan(LineScore(means)));
}

TEST(LineTest, NoisyLineEmbeddingGivesLineAndOrder) {
  for (double direction : {1.0, -1.0}) {
    const Matrix means = AffineMeans(kLineOrder, 8, 11, direction);
    // 60 tokens; within a residue, noise comes in +/- pairs so the means stay
    // on the line up to round-off.
    const Matrix noise = RandomMatrix(5, 8, 12);
    Matrix e(60, 8);
    for (int64_t t = 0; t < 60; ++t) {
      const int64_t q = t / 6;
      const double sign = q % 2 == 0 ? 1e-2 : -1e-2;
      for (int64_t k = 0; k < 8; ++k) {
        e.at(t, k) = means.at(t % 6, k) + sign * noise.at(q / 2, k);
      }
    }
    const Matrix cm = ClusterMeans(e, 6);
    EXPECT_GT(LineScore(cm), 1.0 - 1e-12);
    EXPECT_EQ(ChosenOrdering(cm), kLineOrder) << "direction " << direction;
  }
}

TEST(LineTest, ChosenOrderingIsCanonical) {
  const Matrix means = RandomMatrix(7, 4, 3);
  const std::vector<int64_t> o = ChosenOrdering(means);
  ASSERT_EQ(o.size(), 7u);
  EXPECT_LT(o.front(), o.back());
  std::vector<int64_t> sorted = o;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 7; ++i) EXPECT_EQ(sorted[i], i);
}

TEST(OrderingR2Test, AffineMeansFitPerfectly) {
  const Matrix init = AffineMeans(kLineOrder, 16, 21, 1.0);
  EXPECT_NEAR(OrderingR2(init, kLineOrder), 1.0, 1e-13);
  std::vector<int64_t> other = {0, 1, 2, 3, 4, 5};
  EXPECT_LT(OrderingR2(init, other), 0.99);
}

TEST(OrderingR2Test, ReverseGivesSameBits) {
  const Matrix init = RandomMatrix(6, 10, 4);
  std::vector<int64_t> o = {4, 1, 0, 5, 2, 3};
  std::vector<int64_t> r(o.rbegin(), o.rend());
  const double a = OrderingR2(init, o);
  EXPECT_EQ(a, OrderingR2(init, r));
  EXPECT_GE(a, 0.0);
  EXPECT_LE(a, 1.0);
}

TEST(OrderingR2Test, MatchesPerDimensionRegression) {
  const int64_t m = 6;
  const int64_t d = 5;
  const Matrix init = RandomMatrix(m, d, 8);
  const std::vector<int64_t> o = {1, 3, 0, 2, 5, 4};
  double ss_res = 0.0;
  double ss_tot = 0.0;
  for (int64_t k = 0; k < d; ++k) {
    double ybar = 0.0;
    for (int64_t j = 0; j < m; ++j) ybar += init.at(o[j], k) / m;
    double sxy = 0.0;
    double sxx = 0.0;
    for (int64_t j = 0; j < m; ++j) {
      sxy += (j - 2.5) * (init.at(o[j], k) - ybar);
      sxx += (j - 2.5) * (j - 2.5);
    }
    const double slope = sxy / sxx;
    for (int64_t j = 0; j < m; ++j) {
      const double y = init.at(o[j], k) - ybar;
      const double res = y - slope * (j - 2.5);
      ss_res += res * res;
      ss_tot += y * y;
    }
  }
  EXPECT_NEAR(OrderingR2(init, o), 1.0 - ss_res / ss_tot, 1e-13);
}

TEST(RankAmongCandidatesTest, CountsBelowAndTies) {
  const PercentileResult a = RankAmongCandidates({1, 3, 2, 3, 0}, 1);
  EXPECT_EQ(a.num_candidates, 5);
  EXPECT_EQ(a.chosen_score, 3.0);
  EXPECT_EQ(a.percentile, 7.0 / 8.0);
  EXPECT_TRUE(a.chosen_is_best);
  const PercentileResult b = RankAmongCandidates({1, 3, 2, 3, 0}, 4);
  EXPECT_EQ(b.percentile, 0.0);
  EXPECT_FALSE(b.chosen_is_best);
  EXPECT_TRUE(std::isnan(RankAmongCandidates({1.0}, 0).percentile));
}

TEST(OrderingPercentileTest, TrueOrderIsBestAmong360) {
  const Matrix init = AffineMeans(kLineOrder, 16, 21, 1.0);
  const PercentileResult r = OrderingPercentile(init, kLineOrder);
  EXPECT_EQ(r.num_candidates, 360);
  EXPECT_EQ(r.scores.size(), 360u);
  EXPECT_FALSE(r.sampled);
  EXPECT_EQ(r.percentile, 1.0);
  EXPECT_TRUE(r.chosen_is_best);
  EXPECT_EQ(r.chosen_score, OrderingR2(init, kLineOrder));
  // The reverse is the same representation.
  std::vector<int64_t> rev(kLineOrder.rbegin(), kLineOrder.rend());
  const PercentileResult r2 = OrderingPercentile(init, rev);
  EXPECT_EQ(r2.percentile, 1.0);
  EXPECT_EQ(r2.chosen_score, r.chosen_score);
}

TEST(OrderingPercentileTest, RandomMeansAndTimings) {
  for (int64_t m : {6, 8}) {
    const Matrix init = RandomMatrix(m, 128, 30 + m);
    std::vector<int64_t> chosen(m);
    std::iota(chosen.begin(), chosen.end(), 0);
    std::swap(chosen[1], chosen[3]);
    const auto start = std::chrono::steady_clock::now();
    const PercentileResult r = OrderingPercentile(init, chosen);
    const double sec = Seconds(start);
    std::printf("TIMING OrderingPercentile m=%lld d=128: %.6f s (%lld)\n",
                static_cast<long long>(m), sec,
                static_cast<long long>(r.num_candidates));
    EXPECT_EQ(r.num_candidates, m == 6 ? 360 : 20160);
    EXPECT_EQ(r.chosen_score, OrderingR2(init, chosen));
    EXPECT_GE(r.percentile, 0.0);
    EXPECT_LE(r.percentile, 1.0);
    for (double s : r.scores) {
      EXPECT_GE(s, -1e-15);
      EXPECT_LE(s, 1.0 + 1e-15);
    }
  }
}

TEST(GramAlignmentTest, IdenticalMeansGiveIdentityBest) {
  const Matrix means = RandomMatrix(6, 32, 40);
  const auto start = std::chrono::steady_clock::now();
  const PercentileResult r = GramAlignmentPercentile(means, means, 1);
  std::printf("TIMING GramAlignmentPercentile m=6 enumerated: %.6f s\n",
              Seconds(start));
  EXPECT_EQ(r.num_candidates, 720);
  EXPECT_FALSE(r.sampled);
  EXPECT_NEAR(r.chosen_score, 1.0, 1e-14);
  EXPECT_EQ(r.percentile, 1.0);
  EXPECT_TRUE(r.chosen_is_best);
}

TEST(GramAlignmentTest, RelabelledFinalMeansAreRecovered) {
  // Final row sigma(i) = initial row i, so pi = sigma aligns perfectly.
  const std::vector<int64_t> sigma = {3, 0, 4, 1, 2};
  const Matrix init = RandomMatrix(5, 12, 41);
  Matrix fin(5, 12);
  for (int64_t i = 0; i < 5; ++i) {
    for (int64_t k = 0; k < 12; ++k) fin.at(sigma[i], k) = init.at(i, k);
  }
  const PercentileResult r = GramAlignmentPercentile(init, fin, 1);
  ASSERT_EQ(r.num_candidates, 120);
  // Lexicographic index of sigma among the permutations of 0..4.
  std::vector<int64_t> p = {0, 1, 2, 3, 4};
  int64_t index = 0;
  while (p != sigma) {
    std::next_permutation(p.begin(), p.end());
    ++index;
  }
  EXPECT_NEAR(r.scores[index], 1.0, 1e-14);
  EXPECT_EQ(*std::max_element(r.scores.begin(), r.scores.end()),
            r.scores[index]);
  EXPECT_LT(r.percentile, 1.0);
}

TEST(GramAlignmentTest, SamplesWhenFactorialExceedsLimit) {
  const Matrix init = RandomMatrix(9, 16, 50);
  const Matrix fin = RandomMatrix(9, 24, 51);
  const PercentileResult a = GramAlignmentPercentile(init, fin, 7, 1000, 500);
  EXPECT_TRUE(a.sampled);
  EXPECT_EQ(a.num_candidates, 501);
  const PercentileResult b = GramAlignmentPercentile(init, fin, 7, 1000, 500);
  EXPECT_EQ(a.scores, b.scores);
  const PercentileResult c = GramAlignmentPercentile(init, fin, 8, 1000, 500);
  EXPECT_EQ(a.scores[0], c.scores[0]);  // identity, whatever the seed
  EXPECT_NE(a.scores, c.scores);
  // Enumerated and sampled paths score the identity identically.
  const PercentileResult e = GramAlignmentPercentile(init, fin, 7, 362880, 0);
  EXPECT_FALSE(e.sampled);
  EXPECT_EQ(e.num_candidates, 362880);
  EXPECT_EQ(e.scores[0], a.scores[0]);
}

TEST(GramAlignmentTest, SampledTimingAtSixteenClusters) {
  const Matrix init = RandomMatrix(16, 128, 60);
  const Matrix fin = RandomMatrix(16, 128, 61);
  const auto start = std::chrono::steady_clock::now();
  const PercentileResult r = GramAlignmentPercentile(init, fin, 9);
  std::printf("TIMING GramAlignmentPercentile m=16 sampled 20000: %.6f s\n",
              Seconds(start));
  EXPECT_TRUE(r.sampled);
  EXPECT_EQ(r.num_candidates, 20001);
  EXPECT_GE(r.percentile, 0.0);
  EXPECT_LE(r.percentile, 1.0);
}

TEST(GramAlignmentTest, EnumeratedTimingAtEightClusters) {
  const Matrix init = RandomMatrix(8, 128, 62);
  const Matrix fin = RandomMatrix(8, 128, 63);
  const auto start = std::chrono::steady_clock::now();
  const PercentileResult r = GramAlignmentPercentile(init, fin, 9);
  std::printf("TIMING GramAlignmentPercentile m=8 enumerated: %.6f s\n",
              Seconds(start));
  EXPECT_FALSE(r.sampled);
  EXPECT_EQ(r.num_candidates, 40320);
}

}  // namespace
}  // namespace initrepro
