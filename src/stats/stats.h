// Statistics for the verdict rules: means, correlations, t-tests, sign test.
//
// Every sum runs sequentially in index order, so the statistics themselves
// are bit-reproducible. p-values come from Boost.Math CDFs (Student t,
// binomial) evaluated in plain double precision (no long-double promotion,
// whose width differs between CPUs); they are accurate to a few ulp but not
// promised bit-stable across Boost versions.
//
// All functions assume finite input: callers reject NaN and infinities first.
// Degenerate input (too few points, zero variance) gives NaN statistics and
// NaN p-values, never an exception.
//
// Thread-safety: all functions are pure.
#ifndef INITREPRO_SRC_STATS_STATS_H_
#define INITREPRO_SRC_STATS_STATS_H_

#include <cstdint>
#include <vector>

namespace initrepro {

// Arithmetic mean; NaN when x is empty.
double Mean(const std::vector<double>& x);

// Unbiased (n - 1) variance, two-pass about the mean; NaN when n < 2.
double SampleVariance(const std::vector<double>& x);

// sqrt(SampleVariance(x)); NaN when n < 2.
double SampleStdDev(const std::vector<double>& x);

// Median as numpy.median: the middle value of the sorted x, or the mean
// (a + b) / 2 of the two middle values when n is even. Infinities are
// allowed and sort as such (a caller may map a diverged run's NaN to
// +infinity, "slowest"); NaN when x is empty or holds a NaN.
double Median(std::vector<double> x);

// Quantile q in [0, 1] of x with linear interpolation between order
// statistics: Hyndman and Fan's type 7, numpy.quantile's default method
// "linear". With x sorted ascending and h = (n - 1) q, j = floor(h),
// g = h - j: x[j] + g (x[j+1] - x[j]), and x[j] exactly when g == 0 (so
// q = 0 and q = 1 give the minimum and maximum, infinities included).
// numpy >= 1.22 evaluates the interpolation as x[j+1] - (1 - g) (x[j+1] -
// x[j]) when g >= 0.5, which can differ from this in the last bit.
// Quantile(x, 0.5) is Median(x) up to that rounding. NaN when x is empty,
// holds a NaN, or q is outside [0, 1] (or NaN).
double Quantile(std::vector<double> x, double q);

struct Correlation {
  double r;            // correlation coefficient in [-1, 1]
  double p_two_sided;  // H1: r != 0
  double p_greater;    // H1: r > 0
  int64_t n;           // number of pairs
};

// Pearson's r of paired samples (x.size() == y.size()). p-values from
// Student's t with n - 2 degrees of freedom, t = r sqrt((n-2)/(1-r^2));
// |r| == 1 gives p_two_sided = 0 (and p_greater = 0 or 1).
// n < 3, or zero variance in x or y: r and both p-values are NaN.
// Mismatched sizes: everything NaN, n = -1.
Correlation Pearson(const std::vector<double>& x, const std::vector<double>& y);

// Spearman's rho: Pearson's r of the average ranks (tied values share the
// mean of their ranks). p-values use the same Student-t approximation as
// Pearson, not the exact permutation distribution; fine for n >~ 10.
Correlation Spearman(const std::vector<double>& x,
                     const std::vector<double>& y);

// Average ranks (1-based; ties get the mean of the ranks they span).
std::vector<double> AverageRanks(const std::vector<double>& x);

struct TTest {
  double t;            // (mean(a) - mean(b)) / sqrt(var_a/n1 + var_b/n2)
  double df;           // Welch-Satterthwaite degrees of freedom
  double p_two_sided;  // H1: mean(a) != mean(b)
  double p_greater;    // H1: mean(a) > mean(b)
  int64_t n1, n2;
};

// Welch's unequal-variance t-test of a against b. n1 < 2, n2 < 2 or both
// variances zero: t, df and both p-values are NaN.
TTest WelchT(const std::vector<double>& a, const std::vector<double>& b);

// Student's two-sample t-test with pooled variance (scipy's ttest_ind
// default, P1's circularity test): two-sided p. NaN when n1 < 2, n2 < 2 or
// the pooled variance is zero.
double StudentTTwoSided(const std::vector<double>& a,
                        const std::vector<double>& b);

// One-sided exact sign test: P(X >= positives) for X ~ Binomial(n, 1/2),
// n = positives + negatives (the caller drops ties). 1 when positives == 0;
// NaN when either count is negative.
double SignTestPGreater(int64_t positives, int64_t negatives);

}  // namespace initrepro

#endif  // INITREPRO_SRC_STATS_STATS_H_
