// Reference values: scipy 1.10.1 (Debian bookworm python3-scipy), computed
// 2026-11-30 with the inputs below:
//   pearsonr(x, y).confidence_interval(0.99)
//   Bonett-Wright by hand with scipy.stats.norm.ppf(0.995)
//   Welch by hand with scipy.stats.t.ppf (scipy 1.10's ttest_ind has no CI)
//   ttest_1samp(v, 0).confidence_interval(0.99)
//   binomtest(k, n).proportion_ci(0.99, method="exact")
//   fisher_exact(t, alternative="greater"),
//   contingency.odds_ratio(t, kind="conditional").confidence_interval(0.99)
#include "src/stats/intervals.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "src/stats/stats.h"

namespace initrepro {
namespace {

const std::vector<double> kX = {1.0, 2.0, 3.5, 4.0, 5.5, 6.0, 7.25, 8.0, 9.0, 10.5};
const std::vector<double> kY = {2.1, 1.9, 3.7, 4.4, 4.9, 6.8, 6.1, 8.5, 9.9, 9.7};

TEST(IntervalsTest, PearsonMatchesScipy) {
  const Correlation c = Pearson(kX, kY);
  EXPECT_NEAR(c.r, 0.9687428698986611, 1e-14);
  const Interval i = PearsonInterval(c.r, c.n, 0.99);
  ASSERT_TRUE(i.defined);
  EXPECT_NEAR(i.low, 0.7997360480490511, 1e-12);
  EXPECT_NEAR(i.high, 0.9954796346477828, 1e-12);
}

TEST(IntervalsTest, SpearmanBonettWright) {
  const Correlation c = Spearman(kX, kY);
  EXPECT_NEAR(c.r, 0.9636363636363635, 1e-14);
  const Interval i = SpearmanInterval(c.r, c.n, 0.99);
  EXPECT_NEAR(i.low, 0.6731004953931066, 1e-12);
  EXPECT_NEAR(i.high, 0.9964958019222717, 1e-12);
}

TEST(IntervalsTest, WelchMatchesScipyQuantiles) {
  const std::vector<double> a = {0.61, 0.72, 0.55, 0.68, 0.70, 0.66, 0.74, 0.59};
  const std::vector<double> b = {0.52, 0.60, 0.49, 0.58, 0.55, 0.63, 0.50};
  double df = 0;
  const Interval i = WelchInterval(a, b, 0.99, &df);
  EXPECT_NEAR(i.estimate, 0.10339285714285718, 1e-14);
  EXPECT_NEAR(df, 12.89066070090302, 1e-10);
  EXPECT_NEAR(i.low, 0.00997137501995303, 1e-10);
  EXPECT_NEAR(i.high, 0.1968143392657613, 1e-10);
}

TEST(IntervalsTest, OneSampleMatchesScipy) {
  const Interval i = MeanInterval({3.0, -1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0}, 0.99);
  EXPECT_NEAR(i.low, -0.22769680542788162, 1e-10);
  EXPECT_NEAR(i.high, 7.477696805427882, 1e-10);
}

TEST(IntervalsTest, ClopperPearsonMatchesScipy) {
  Interval i = ClopperPearson(17, 20, 0.99);
  EXPECT_NEAR(i.low, 0.5505345932605139, 1e-10);
  EXPECT_NEAR(i.high, 0.9823573620458899, 1e-10);
  i = ClopperPearson(20, 20, 0.99);
  EXPECT_NEAR(i.low, 0.7672704990114109, 1e-10);
  EXPECT_EQ(i.high, 1.0);
  i = ClopperPearson(0, 12, 0.99);
  EXPECT_EQ(i.low, 0.0);
  EXPECT_NEAR(i.high, 0.35694591658242797, 1e-10);
  EXPECT_FALSE(ClopperPearson(0, 0, 0.99).defined);
}

TEST(IntervalsTest, FisherExactMatchesScipy) {
  EXPECT_NEAR(FisherExactPGreater(3, 9, 0, 8), 0.1929824561403509, 1e-12);
  EXPECT_NEAR(FisherExactPGreater(12, 3, 4, 11), 0.004610285156699256, 1e-12);
}

TEST(IntervalsTest, ConditionalOddsRatioMatchesScipy) {
  Interval i = ConditionalOddsRatio(12, 3, 4, 11, 0.99);
  EXPECT_NEAR(i.estimate, 9.952970587115061, 1e-6);
  EXPECT_NEAR(i.low, 1.0202010366753294, 1e-6);
  EXPECT_NEAR(i.high, 170.60604422497553, 1e-4);
  i = ConditionalOddsRatio(3, 9, 0, 8, 0.99);
  EXPECT_TRUE(std::isinf(i.estimate));
  EXPECT_NEAR(i.low, 0.1366807267667681, 1e-6);
  EXPECT_TRUE(std::isinf(i.high));
}

TEST(IntervalsTest, DegenerateInputIsUndefined) {
  EXPECT_FALSE(PearsonInterval(0.5, 3, 0.99).defined);
  EXPECT_FALSE(WelchInterval({1.0}, {1.0, 2.0}, 0.99).defined);
  EXPECT_FALSE(WelchInterval({1.0, 1.0}, {2.0, 2.0}, 0.99).defined);
  EXPECT_FALSE(MeanInterval({1.0}, 0.99).defined);
}

TEST(IntervalsTest, PerfectCorrelationIsNotAZeroWidthInterval) {
  EXPECT_FALSE(PearsonInterval(1.0, 10, 0.99).defined);
  // Spearman rho = 1 on 4 units: the interval of rho = 0.8 (one adjacent
  // swap), wide enough to include 0.
  const Interval four = SpearmanInterval(1.0, 4, 0.99);
  EXPECT_TRUE(four.defined);
  EXPECT_EQ(four.estimate, 1.0);
  EXPECT_LT(four.low, 0.0);
  EXPECT_EQ(four.low, SpearmanInterval(0.8, 4, 0.99).low);
  // On 9 units one swap is rho = 1 - 12 / 720: the lower bound is above 0.5.
  const Interval nine = SpearmanInterval(-1.0, 9, 0.99);
  EXPECT_EQ(nine.estimate, -1.0);
  EXPECT_LT(nine.high, -0.5);
  EXPECT_EQ(nine.high, SpearmanInterval(-1 + 12.0 / 720, 9, 0.99).high);
}

}  // namespace
}  // namespace initrepro

namespace initrepro {
namespace {

TEST(StatsTest, StudentPooledMatchesScipy) {
  // scipy.stats.ttest_ind(a, b).pvalue (equal_var=True), scipy 1.10.1.
  EXPECT_NEAR(StudentTTwoSided({0.61, 0.72, 0.55, 0.68, 0.70, 0.66, 0.74, 0.59},
                               {0.52, 0.60, 0.49, 0.58, 0.55, 0.63, 0.50}),
              0.005936227710426197, 1e-12);
}

}  // namespace
}  // namespace initrepro
