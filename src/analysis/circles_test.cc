#include "src/analysis/circles.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "src/analysis/fourier.h"
#include "src/core/matrix.h"

namespace initrepro {
namespace {

using Ks = std::vector<int64_t>;

TEST(SurvivingCirclesTest, TwoSyntheticCircles) {
  const int64_t p = 59, d = 2;
  // |F_23| = 10, |F_7| = 5: the stronger one comes first.
  const Matrix e = EmbeddingFromCircles(p, d, {7, 23}, {{3.0, 0.0}, {6.0, 0.0}},
                                        {{0.0, 4.0}, {0.0, 8.0}});
  EXPECT_EQ(SurvivingCircles(FourierSignal(e)), Ks({23, 7}));
}

TEST(SurvivingCirclesTest, WeakCircleBelowThreshold) {
  // Threshold = 2 (2*10 + 2*1 + 0.5) / 59 = 0.76 < 1, so both survive; at
  // 0.7 the weak pair falls under 2 (20 + 1.4 + 0.5) / 59 = 0.74.
  std::vector<double> s(59, 0.0);
  s[0] = 0.5;
  s[4] = s[55] = 10.0;
  s[9] = s[50] = 1.0;
  EXPECT_EQ(SurvivingCircles(s), Ks({4, 9}));
  s[9] = s[50] = 0.7;
  EXPECT_EQ(SurvivingCircles(s), Ks({4}));
}

TEST(SurvivingCirclesTest, NoSurvivors) {
  EXPECT_TRUE(SurvivingCircles({}).empty());
  EXPECT_TRUE(SurvivingCircles(std::vector<double>(59, 86.9)).empty());
  // Exactly at the threshold does not count: mean 1, threshold 2.
  EXPECT_TRUE(SurvivingCircles({0.0, 2.0, 0.0, 2.0}).empty());
  // A single value above the threshold makes no pair.
  EXPECT_TRUE(SurvivingCircles({0.0, 0.0, 9.0, 0.0, 0.0}).empty());
}

TEST(SurvivingCirclesTest, OddCountAndTiesFollowTheRuleLiterally) {
  // Mean 29/7, threshold 8.29: k = 1, 6 (10) and 0 (9) are above; N = 1.
  // Sorted: 1, 6 (tie, smaller first), 0, ... -> circle min(1, 6) = 1.
  EXPECT_EQ(SurvivingCircles({9.0, 10.0, 0.0, 0.0, 0.0, 0.0, 10.0}), Ks({1}));
  // With the DC strongest the rule pairs it with the next k: min(0, 1) = 0.
  EXPECT_EQ(SurvivingCircles({11.0, 10.0, 0.0, 0.0, 0.0, 0.0, 10.0}), Ks({0}));
  // Ties across circles: smaller k first, so circle 2 precedes circle 3.
  EXPECT_EQ(SurvivingCircles({0.0, 0.0, 5.0, 5.0, 5.0, 5.0, 0.0, 0.0, 0.0}),
            Ks({2, 4}));
}

TEST(SurvivalThresholdTest, TwiceTheMeanIncludingDc) {
  // mean of {0.5, 10, 1, 1, 10} = 4.5.
  EXPECT_EQ(SurvivalThreshold({0.5, 10.0, 1.0, 1.0, 10.0}), 9.0);
  // The value SurvivingCircles compares against (strictly): a pair exactly
  // at it does not survive.
  const std::vector<double> s = {0.0, 2.0, 0.0, 2.0};
  EXPECT_EQ(SurvivalThreshold(s), 2.0);
  EXPECT_TRUE(SurvivingCircles(s).empty());
}

}  // namespace
}  // namespace initrepro
