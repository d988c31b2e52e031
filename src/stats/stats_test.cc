#include "src/stats/stats.h"

#include <cmath>
#include <limits>
#include <vector>

#include "gtest/gtest.h"

namespace initrepro {
namespace {

// Reference values below were computed at 40 digits (mpmath): means and sums
// exactly, Student-t tails as 0.5 * I_{df/(df+t^2)}(df/2, 1/2).

void ExpectRel(double got, double want, double rel) {
  EXPECT_NEAR(got, want, rel * std::fabs(want)) << "want " << want;
}

TEST(MeanTest, Basic) {
  EXPECT_EQ(Mean({1.0, 2.0, 3.0, 4.0}), 2.5);
  EXPECT_TRUE(std::isnan(Mean({})));
}

TEST(MedianTest, OddEvenAndInfinity) {
  EXPECT_EQ(Median({3.0, 1.0, 2.0}), 2.0);
  // Even n: the mean of the two middle values, as numpy.median.
  EXPECT_EQ(Median({4.0, 1.0, 3.0, 2.0}), 2.5);
  EXPECT_EQ(Median({5.0}), 5.0);
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(Median({1.0, inf, 2.0}), 2.0);
  EXPECT_EQ(Median({1.0, inf}), inf);
  EXPECT_TRUE(std::isnan(Median({})));
  EXPECT_TRUE(std::isnan(Median({1.0, std::nan(""), 2.0})));
}

TEST(QuantileTest, Type7AsNumpyLinear) {
  // numpy.quantile's docstring example: a = [[10, 7, 4], [3, 2, 1]],
  // np.quantile(a, 0.5) = 3.5; per column (axis=0) 6.5, 4.5, 2.5.
  const std::vector<double> a = {10, 7, 4, 3, 2, 1};
  EXPECT_EQ(Quantile(a, 0.5), 3.5);
  EXPECT_EQ(Quantile({10, 3}, 0.5), 6.5);
  EXPECT_EQ(Quantile({7, 2}, 0.5), 4.5);
  EXPECT_EQ(Quantile({4, 1}, 0.5), 2.5);
  // Sorted a = 1 2 3 4 7 10, h = 5 q: q = 0.25 -> h 1.25 -> 2 + 0.25 (3 - 2);
  // q = 0.9 -> h 4.5 -> 7 + 0.5 (10 - 7); ends are the min and the max.
  EXPECT_EQ(Quantile(a, 0.25), 2.25);
  EXPECT_EQ(Quantile(a, 0.9), 8.5);
  EXPECT_EQ(Quantile(a, 0.0), 1.0);
  EXPECT_EQ(Quantile(a, 1.0), 10.0);
  EXPECT_EQ(Quantile(a, 0.4), 3.0);  // h = 2 exactly: an order statistic
  EXPECT_EQ(Quantile({5.0}, 0.7), 5.0);
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(Quantile({1.0, inf}, 1.0), inf);
  EXPECT_EQ(Quantile({1.0, inf}, 0.0), 1.0);
}

TEST(QuantileTest, OutsideItsDomainGivesNaN) {
  EXPECT_TRUE(std::isnan(Quantile({}, 0.5)));
  EXPECT_TRUE(std::isnan(Quantile({1.0, 2.0}, -0.1)));
  EXPECT_TRUE(std::isnan(Quantile({1.0, 2.0}, 1.5)));
  EXPECT_TRUE(std::isnan(Quantile({1.0, 2.0}, std::nan(""))));
  EXPECT_TRUE(std::isnan(Quantile({1.0, std::nan("")}, 0.5)));
}

TEST(SampleVarianceTest, Basic) {
  // Deviations -1.5, -0.5, 0.5, 1.5: squares sum to 5, over n - 1 = 3.
  EXPECT_DOUBLE_EQ(SampleVariance({1.0, 2.0, 3.0, 4.0}), 5.0 / 3.0);
  EXPECT_EQ(SampleVariance({7.0, 7.0, 7.0}), 0.0);
  EXPECT_DOUBLE_EQ(SampleStdDev({1.0, 2.0, 3.0, 4.0}), std::sqrt(5.0 / 3.0));
  EXPECT_TRUE(std::isnan(SampleStdDev({1.0})));
  EXPECT_TRUE(std::isnan(SampleVariance({1.0})));
}

TEST(PearsonTest, PerfectlyLinear) {
  std::vector<double> x, y, z;
  for (int i = 1; i <= 10; ++i) {
    x.push_back(i);
    y.push_back(2.0 * i + 1.0);
    z.push_back(-3.0 * i);
  }
  const Correlation c = Pearson(x, y);
  EXPECT_EQ(c.r, 1.0);
  EXPECT_EQ(c.p_two_sided, 0.0);
  EXPECT_EQ(c.p_greater, 0.0);
  EXPECT_EQ(c.n, 10);
  const Correlation d = Pearson(x, z);
  EXPECT_EQ(d.r, -1.0);
  EXPECT_EQ(d.p_two_sided, 0.0);
  EXPECT_EQ(d.p_greater, 1.0);
}

TEST(PearsonTest, SmallDatasetMatchesHandComputation) {
  // dx = -2..2, dy = (-2, 0, 1, 0, 1): sxy = 6, sxx = 10, syy = 6, so
  // r = 6 / sqrt(60) and t = r sqrt(3 / (1 - 0.6)) = sqrt(4.5), df = 3, where
  // P(T > t) = 1/2 - (atan(t/sqrt3) + (t/sqrt3) / (1 + t^2/3)) / pi.
  const Correlation c = Pearson({1, 2, 3, 4, 5}, {2, 4, 5, 4, 5});
  ExpectRel(c.r, 6.0 / std::sqrt(60.0), 1e-15);
  ExpectRel(c.p_two_sided, 0.12402706265755462523, 1e-12);
  ExpectRel(c.p_greater, 0.062013531328777312613, 1e-12);
  // Anticorrelated copy: the same two-sided p, the complementary one-sided.
  const Correlation d = Pearson({1, 2, 3, 4, 5}, {-2, -4, -5, -4, -5});
  ExpectRel(d.r, -6.0 / std::sqrt(60.0), 1e-15);
  ExpectRel(d.p_two_sided, 0.12402706265755462523, 1e-12);
  ExpectRel(d.p_greater, 1.0 - 0.062013531328777312613, 1e-12);
}

TEST(PearsonTest, DegenerateGivesNaN) {
  const Correlation few = Pearson({1, 2}, {3, 4});
  EXPECT_TRUE(std::isnan(few.r));
  EXPECT_TRUE(std::isnan(few.p_two_sided));
  EXPECT_TRUE(std::isnan(few.p_greater));
  const Correlation flat = Pearson({1, 2, 3}, {5, 5, 5});
  EXPECT_TRUE(std::isnan(flat.r));
  EXPECT_TRUE(std::isnan(flat.p_greater));
  const Correlation mismatched = Pearson({1, 2, 3}, {1, 2});
  EXPECT_TRUE(std::isnan(mismatched.r));
  EXPECT_EQ(mismatched.n, -1);
}

TEST(AverageRanksTest, TiesShareTheMeanRank) {
  EXPECT_EQ(AverageRanks({10, 30, 20, 30, 10, 30}),
            (std::vector<double>{1.5, 5, 3, 5, 1.5, 5}));
  EXPECT_TRUE(AverageRanks({}).empty());
}

TEST(SpearmanTest, WithTies) {
  // Ranks x: 1 2.5 2.5 4 5 6 7.5 7.5 9 10; y: 2 1 5 3.5 3.5 7 6 10 8.5 8.5.
  // Pearson of those: r = 139 / 163.
  const Correlation c =
      Spearman({1, 2, 2, 3, 4, 5, 6, 6, 7, 8}, {2, 1, 4, 3, 3, 6, 5, 8, 7, 7});
  ExpectRel(c.r, 139.0 / 163.0, 1e-15);
  ExpectRel(c.r, 0.8527607361963190184, 1e-15);
  ExpectRel(c.p_two_sided, 0.0017147443528914061845, 1e-12);
  ExpectRel(c.p_greater, 0.00085737217644570309223, 1e-12);
  EXPECT_EQ(c.n, 10);
}

TEST(SpearmanTest, MonotoneNonlinearIsOne) {
  const Correlation c = Spearman({1, 2, 3, 4, 5}, {1, 8, 27, 64, 125});
  EXPECT_EQ(c.r, 1.0);
  EXPECT_EQ(c.p_greater, 0.0);
}

TEST(WelchTTest, MatchesHandFormula) {
  // Wikipedia's Welch example A1/A2 (t = -2.46, df = 24.99, p = 0.021).
  const std::vector<double> a = {27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1,
                                 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4};
  const std::vector<double> b = {27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0,
                                 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4};
  const TTest ab = WelchT(a, b);
  ExpectRel(ab.t, -2.4553563982860044866, 1e-13);
  ExpectRel(ab.df, 24.988529290231414394, 1e-13);
  ExpectRel(ab.p_two_sided, 0.021378001462867059915, 1e-12);
  ExpectRel(ab.p_greater, 0.98931099926856647004, 1e-12);
  EXPECT_EQ(ab.n1, 15);
  EXPECT_EQ(ab.n2, 15);
  const TTest ba = WelchT(b, a);
  ExpectRel(ba.t, 2.4553563982860044866, 1e-13);
  ExpectRel(ba.p_greater, 0.010689000731433529958, 1e-12);
}

TEST(WelchTTest, DegenerateGivesNaN) {
  EXPECT_TRUE(std::isnan(WelchT({1.0}, {1.0, 2.0}).t));
  const TTest flat = WelchT({3, 3, 3}, {3, 3});
  EXPECT_TRUE(std::isnan(flat.t));
  EXPECT_TRUE(std::isnan(flat.p_two_sided));
}

TEST(SignTestTest, ExactBinomialTail) {
  ExpectRel(SignTestPGreater(10, 0), std::ldexp(1.0, -10), 1e-13);
  // (C(10,8) + C(10,9) + C(10,10)) / 2^10 = 56 / 1024.
  ExpectRel(SignTestPGreater(8, 2), 56.0 / 1024.0, 1e-13);
  ExpectRel(SignTestPGreater(60, 40), 0.028443966820490395835, 1e-12);
  EXPECT_EQ(SignTestPGreater(0, 5), 1.0);
  EXPECT_EQ(SignTestPGreater(0, 0), 1.0);
  EXPECT_TRUE(std::isnan(SignTestPGreater(-1, 3)));
}

}  // namespace
}  // namespace initrepro
