#include "src/analysis/walsh.h"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "src/core/matrix.h"
#include "src/core/rng.h"

namespace initrepro {
namespace {

// mu_c = sum_i bit_i(c) e_i, padded with zero dimensions.
Matrix Hypercube(int64_t k, int64_t d) {
  Matrix m(int64_t{1} << k, d);
  for (int64_t c = 0; c < m.rows; ++c) {
    for (int64_t i = 0; i < k; ++i) {
      m.at(c, i) = static_cast<double>((c >> i) & 1);
    }
  }
  return m;
}

TEST(WalshSignalTest, HypercubeHasOnlySingleBitCharacters) {
  const std::vector<double> s = WalshSignal(Hypercube(4, 6));
  ASSERT_EQ(s.size(), 16u);
  for (int64_t f = 0; f < 16; ++f) {
    if (f == 0) {
      EXPECT_EQ(s[f], 16.0);  // 8 * ||(1,1,1,1)||
    } else if ((f & (f - 1)) == 0) {
      EXPECT_EQ(s[f], 8.0) << f;
    } else {
      EXPECT_EQ(s[f], 0.0) << f;
    }
  }
  EXPECT_EQ(SurvivingCharacters(s), (std::vector<int64_t>{1, 2, 4, 8}));
}

TEST(WalshSignalTest, MatchesDefinition) {
  Matrix mu(8, 5);
  Stream(3, Purpose::kSampling, 1).FillNormal(0, absl::MakeSpan(mu.data));
  const std::vector<double> s = WalshSignal(mu);
  for (int64_t f = 0; f < 8; ++f) {
    double sq = 0.0;
    for (int64_t k = 0; k < 5; ++k) {
      double v = 0.0;
      for (int64_t c = 0; c < 8; ++c) {
        v += (__builtin_popcountll(f & c) % 2 ? -1.0 : 1.0) * mu.at(c, k);
      }
      sq += v * v;
    }
    EXPECT_NEAR(s[f], std::sqrt(sq), 1e-12);
  }
}

TEST(WalshSignalDeathTest, RejectsNonPowerOfTwo) {
  EXPECT_DEATH(WalshSignal(Matrix(6, 2)), "power-of-two");
}

TEST(SurvivingCharactersTest, ThresholdIncludesDcAndSortsByStrength) {
  // Sum 24, threshold 6: only f = 0 exceeds it, and f = 0 never survives.
  const std::vector<double> s = {9, 1, 5, 0, 0, 4, 5, 0};
  EXPECT_TRUE(SurvivingCharacters(s).empty());
  const std::vector<double> t = {1, 1, 6, 0, 0, 6, 2, 0};  // threshold 4
  EXPECT_EQ(SurvivingCharacters(t), (std::vector<int64_t>{2, 5}));
  const std::vector<double> u = {1, 1, 6, 0, 0, 7, 1, 0};  // threshold 4
  EXPECT_EQ(SurvivingCharacters(u), (std::vector<int64_t>{5, 2}));
}

TEST(Gf2RankTest, Basics) {
  EXPECT_EQ(Gf2Rank({}), 0);
  EXPECT_EQ(Gf2Rank({0}), 0);
  EXPECT_EQ(Gf2Rank({5, 5}), 1);
  EXPECT_EQ(Gf2Rank({1, 2, 3}), 2);
  EXPECT_EQ(Gf2Rank({1, 2, 4}), 3);
  EXPECT_EQ(Gf2Rank({3, 5, 6, 7}), 3);
  EXPECT_EQ(Gf2Rank({15, 7, 3, 1}), 4);
}

TEST(ChosenBasisTest, GreedyStrongestFirst) {
  EXPECT_EQ(ChosenBasis({3, 5, 6, 1, 2}, 3), (std::vector<int64_t>{3, 5, 1}));
  EXPECT_EQ(ChosenBasis({3, 5, 6}, 3), (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(ChosenBasis({1, 2, 4, 8, 15}, 2), (std::vector<int64_t>{1, 2}));
}

TEST(BasisPercentileTest, CountsBases) {
  const int64_t expected[] = {0, 1, 3, 28, 840, 83328};
  for (int64_t k = 1; k <= 5; ++k) {
    const int64_t n = int64_t{1} << k;
    std::vector<double> signal(n, 1.0);
    std::vector<int64_t> basis;
    for (int64_t i = 0; i < k; ++i) basis.push_back(int64_t{1} << i);
    const auto start = std::chrono::steady_clock::now();
    const PercentileResult r = BasisPercentile(signal, basis, k);
    std::printf("TIMING BasisPercentile k=%lld: %.6f s\n",
                static_cast<long long>(k),
                std::chrono::duration<double>(
                    std::chrono::steady_clock::now() - start)
                    .count());
    EXPECT_EQ(r.num_candidates, expected[k]) << k;
    if (k >= 2) {
      EXPECT_EQ(r.percentile, 0.5) << k;  // all tied
    }
  }
}

TEST(BasisPercentileTest, StrongestAxesAreBest) {
  std::vector<double> signal(16, 1.0);
  for (int64_t f : {1, 2, 4, 8}) signal[f] = 10.0;
  const PercentileResult r = BasisPercentile(signal, {8, 1, 4, 2}, 4);
  EXPECT_EQ(r.num_candidates, 840);
  EXPECT_EQ(r.scores.size(), 840u);
  EXPECT_EQ(r.chosen_score, 40.0);
  EXPECT_EQ(r.percentile, 1.0);
  EXPECT_TRUE(r.chosen_is_best);
  const PercentileResult w = BasisPercentile(signal, {3, 5, 9, 7}, 4);
  EXPECT_EQ(w.num_candidates, 840);
  EXPECT_LT(w.percentile, 0.5);
  EXPECT_FALSE(w.chosen_is_best);
}

TEST(BasisPercentileTest, IncompleteOrUnsupportedGivesEmpty) {
  const std::vector<double> signal(16, 1.0);
  const PercentileResult a = BasisPercentile(signal, {1, 2, 4}, 4);
  EXPECT_TRUE(std::isnan(a.percentile));
  EXPECT_EQ(a.num_candidates, 0);
  const PercentileResult b = BasisPercentile(signal, {1, 2, 3, 8}, 4);
  EXPECT_EQ(b.num_candidates, 0);
  const std::vector<double> big(64, 1.0);
  const PercentileResult c =
      BasisPercentile(big, {1, 2, 4, 8, 16, 32}, 6);
  EXPECT_TRUE(std::isnan(c.percentile));
  EXPECT_EQ(c.num_candidates, 0);
  EXPECT_TRUE(c.scores.empty());
}

}  // namespace
}  // namespace initrepro
